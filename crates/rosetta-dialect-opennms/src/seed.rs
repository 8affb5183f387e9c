//! Fresh-install objects of OpenNMS Horizon 33 (fresh-install spec §2 and §4.2, essentials): the six
//! surveillance categories as host groups, the `default` foreign source and the `Default`
//! monitoring location. Users are the neutral seed's business.

use rosetta_model::{Document, HostGroup, Meta, Native, ROOT_TENANT};
use rosetta_store::{StoreError, Tx};
use serde_json::json;

use crate::endpoints::requisitions::{default_foreign_source, FOREIGN_SOURCE};

/// Surveillance categories, in the product's insert order.
pub const CATEGORIES: [&str; 6] = ["Routers", "Switches", "Servers", "Production", "Test", "Development"];

/// Document namespace of monitoring locations.
pub const LOCATION: &str = "opennms.monitoringLocation";

/// Creates what is missing; looks everything up by name first (the products share tables).
pub fn seed(tx: &mut Tx<'_>) -> Result<(), StoreError> {
    let parent = tx.get::<HostGroup>(1).map(|group| group.meta.id);
    for name in CATEGORIES {
        if tx.all::<HostGroup>().iter().any(|group| group.name == name) {
            continue;
        }
        tx.insert(HostGroup {
            meta: Meta::new(0),
            name: name.to_owned(),
            parent,
            tenant: ROOT_TENANT,
            description: String::new(),
            native: Native::new(),
        });
    }
    let documents = tx.all::<Document>();
    let has = |namespace: &str, name: &str| documents.iter().any(|doc| doc.namespace == namespace && doc.name == name);
    if !has(FOREIGN_SOURCE, "default") {
        tx.insert(Document {
            meta: Meta::new(0),
            namespace: FOREIGN_SOURCE.to_owned(),
            name: "default".to_owned(),
            tenant: ROOT_TENANT,
            body: default_foreign_source(),
        });
    }
    if !has(LOCATION, "Default") {
        tx.insert(Document {
            meta: Meta::new(0),
            namespace: LOCATION.to_owned(),
            name: "Default".to_owned(),
            tenant: ROOT_TENANT,
            body: json!({"location-name": "Default", "monitoring-area": "Default", "priority": 100}),
        });
    }
    Ok(())
}
