//! The dialect's private configuration kept as `Document`s (requisitions, foreign sources, groups):
//! lookup by namespace and name, and create-or-replace.

use std::sync::Arc;

use rosetta_core::GatewayError;
use rosetta_model::{Document, Meta, ROOT_TENANT};
use rosetta_store::{Read, Tx};
use serde_json::Value;

use crate::call::Call;

/// Every document of `namespace`.
pub fn documents(store: &impl Read, namespace: &str) -> Vec<Arc<Document>> {
    store.all::<Document>().into_iter().filter(|doc| doc.namespace == namespace).collect()
}

/// The document `name` of `namespace`.
pub fn document(store: &impl Read, namespace: &str, name: &str) -> Option<Arc<Document>> {
    documents(store, namespace).into_iter().find(|doc| doc.name == name)
}

/// Creates or replaces the body of the document `name` of `namespace` (owned by the root tenant).
pub fn put_document(tx: &mut Tx<'_>, namespace: &str, name: &str, body: Value) {
    match document(tx, namespace, name) {
        Some(doc) => {
            let mut updated = (*doc).clone();
            updated.body = body;
            tx.update(updated);
        }
        None => {
            tx.insert(Document {
                meta: Meta::new(0),
                namespace: namespace.to_owned(),
                name: name.to_owned(),
                tenant: ROOT_TENANT,
                body,
            });
        }
    }
}

/// [`put_document`] in a transaction of its own.
pub async fn save(call: &Call, namespace: &'static str, name: &str, body: Value) -> Result<(), GatewayError> {
    let name = name.to_owned();
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            put_document(tx, namespace, &name, body);
            Ok::<_, GatewayError>(())
        })
        .await
}
