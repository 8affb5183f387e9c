//! The configuration object types of `/rest/config/{type}` (spec §5) and how each maps onto the
//! shared model: one module per family, dispatched through [`ObjectType`].
//!
//! | URL type | stored as |
//! |---|---|
//! | `host` | [`rosetta_model::Host`] (+ its [`rosetta_model::Service`]s) |
//! | `hostgroup` | [`rosetta_model::HostGroup`] |
//! | `hosttemplate` | [`rosetta_model::HostTemplate`] |
//! | `servicecheck` | [`rosetta_model::ServiceTemplate`] |
//! | `servicegroup` | [`rosetta_model::ServiceGroup`] |
//! | `contact` | [`rosetta_model::User`] |
//! | `role` | [`rosetta_model::Role`] |
//! | `timeperiod` | [`rosetta_model::TimePeriod`] |
//! | `hostcheckcommand` | [`rosetta_model::Command`] of kind `HostCheck` |
//! | `keyword`, `attribute`, `monitoringcluster`, `notificationmethod`, `sharednotificationprofile`, `tenancy` | [`rosetta_model::Document`] `opsview.<type>` |

pub mod documents;
pub mod host;
pub mod hostgroup;
pub mod input;
pub mod people;
pub mod simple;
pub mod templates;

use rosetta_core::GatewayError;
use rosetta_model::{ConfigStatus, Id, Meta, Permission, Timestamp};
use rosetta_store::{Read, Tx};
use serde_json::{json, Map, Value};

pub use input::Input;

/// Every configuration type served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectType {
    /// `host`
    Host,
    /// `hostgroup`
    HostGroup,
    /// `hosttemplate`
    HostTemplate,
    /// `servicecheck`
    ServiceCheck,
    /// `servicegroup`
    ServiceGroup,
    /// `contact`
    Contact,
    /// `role`
    Role,
    /// `timeperiod`
    TimePeriod,
    /// `hostcheckcommand`
    HostCheckCommand,
    /// `keyword` (hashtag)
    Keyword,
    /// `attribute` (variable)
    Attribute,
    /// `monitoringcluster` (`monitoringserver` before 6.x)
    MonitoringCluster,
    /// `notificationmethod`
    NotificationMethod,
    /// `sharednotificationprofile`
    SharedNotificationProfile,
    /// `tenancy`
    Tenancy,
}

/// Options that change how objects are written out.
#[derive(Debug, Clone, Copy, Default)]
pub struct WireOptions {
    /// `include_encrypted=1`.
    pub include_encrypted: bool,
}

impl ObjectType {
    /// Every type.
    pub const ALL: [ObjectType; 15] = [
        ObjectType::Host,
        ObjectType::HostGroup,
        ObjectType::HostTemplate,
        ObjectType::ServiceCheck,
        ObjectType::ServiceGroup,
        ObjectType::Contact,
        ObjectType::Role,
        ObjectType::TimePeriod,
        ObjectType::HostCheckCommand,
        ObjectType::Keyword,
        ObjectType::Attribute,
        ObjectType::MonitoringCluster,
        ObjectType::NotificationMethod,
        ObjectType::SharedNotificationProfile,
        ObjectType::Tenancy,
    ];

    /// The type a URL names, with the aliases clients use (`hashtag`, `monitoringserver`, `variable`).
    pub fn from_url(name: &str) -> Option<ObjectType> {
        let canonical = match name {
            "hashtag" => "keyword",
            "monitoringserver" => "monitoringcluster",
            "variable" => "attribute",
            "user" => "contact",
            other => other,
        };
        ObjectType::ALL.into_iter().find(|ty| ty.name() == canonical)
    }

    /// The type's name in URLs and refs.
    pub fn name(self) -> &'static str {
        match self {
            ObjectType::Host => "host",
            ObjectType::HostGroup => "hostgroup",
            ObjectType::HostTemplate => "hosttemplate",
            ObjectType::ServiceCheck => "servicecheck",
            ObjectType::ServiceGroup => "servicegroup",
            ObjectType::Contact => "contact",
            ObjectType::Role => "role",
            ObjectType::TimePeriod => "timeperiod",
            ObjectType::HostCheckCommand => "hostcheckcommand",
            ObjectType::Keyword => "keyword",
            ObjectType::Attribute => "attribute",
            ObjectType::MonitoringCluster => "monitoringcluster",
            ObjectType::NotificationMethod => "notificationmethod",
            ObjectType::SharedNotificationProfile => "sharednotificationprofile",
            ObjectType::Tenancy => "tenancy",
        }
    }

    /// The permission needed to read objects of this type (writes also need CONFIGURESAVE).
    pub fn permission(self) -> Permission {
        match self {
            ObjectType::Host => Permission::ConfigureHosts,
            ObjectType::HostGroup => Permission::ConfigureHostGroups,
            ObjectType::Contact => Permission::ConfigureContacts,
            ObjectType::Role => Permission::ConfigureRoles,
            ObjectType::Keyword => Permission::ConfigureKeywords,
            ObjectType::MonitoringCluster | ObjectType::NotificationMethod | ObjectType::Tenancy => {
                Permission::AdminAccess
            }
            ObjectType::SharedNotificationProfile => Permission::ConfigureProfiles,
            ObjectType::HostTemplate
            | ObjectType::ServiceCheck
            | ObjectType::ServiceGroup
            | ObjectType::TimePeriod
            | ObjectType::HostCheckCommand
            | ObjectType::Attribute => Permission::ConfigureView,
        }
    }

    /// The ids of every object of this type, ascending.
    pub fn ids(self, store: &impl Read) -> Vec<Id> {
        match self {
            ObjectType::Host => host::ids(store),
            ObjectType::HostGroup => hostgroup::ids(store),
            ObjectType::HostTemplate => templates::host_template_ids(store),
            ObjectType::ServiceCheck => templates::service_check_ids(store),
            ObjectType::ServiceGroup => simple::service_group_ids(store),
            ObjectType::Contact => people::contact_ids(store),
            ObjectType::Role => people::role_ids(store),
            ObjectType::TimePeriod => simple::time_period_ids(store),
            ObjectType::HostCheckCommand => simple::command_ids(store),
            ObjectType::Keyword
            | ObjectType::Attribute
            | ObjectType::MonitoringCluster
            | ObjectType::NotificationMethod
            | ObjectType::SharedNotificationProfile
            | ObjectType::Tenancy => documents::ids(store, self),
        }
    }

    /// True when an object of this type has this id.
    pub fn exists(self, store: &impl Read, id: Id) -> bool {
        match self {
            ObjectType::Host => store.get::<rosetta_model::Host>(id).is_some(),
            ObjectType::HostGroup => store.get::<rosetta_model::HostGroup>(id).is_some(),
            ObjectType::HostTemplate => store.get::<rosetta_model::HostTemplate>(id).is_some(),
            ObjectType::ServiceCheck => store.get::<rosetta_model::ServiceTemplate>(id).is_some(),
            ObjectType::ServiceGroup => store.get::<rosetta_model::ServiceGroup>(id).is_some(),
            ObjectType::Contact => store.get::<rosetta_model::User>(id).is_some(),
            ObjectType::Role => store.get::<rosetta_model::Role>(id).is_some(),
            ObjectType::TimePeriod => store.get::<rosetta_model::TimePeriod>(id).is_some(),
            ObjectType::HostCheckCommand => store
                .get::<rosetta_model::Command>(id)
                .is_some_and(|command| command.kind == rosetta_model::CommandKind::HostCheck),
            ObjectType::Keyword
            | ObjectType::Attribute
            | ObjectType::MonitoringCluster
            | ObjectType::NotificationMethod
            | ObjectType::SharedNotificationProfile
            | ObjectType::Tenancy => {
                store.get::<rosetta_model::Document>(id).is_some_and(|doc| doc.namespace == documents::namespace(self))
            }
        }
    }

    /// The id of the object with this name (`matpath` disambiguates host groups).
    pub fn find(self, store: &impl Read, name: &str, matpath: Option<&str>) -> Option<Id> {
        match self {
            ObjectType::HostGroup => hostgroup::find(store, name, matpath),
            ObjectType::Host => store.find_by_name::<rosetta_model::Host>(name).map(|o| o.meta.id),
            ObjectType::HostTemplate => store.find_by_name::<rosetta_model::HostTemplate>(name).map(|o| o.meta.id),
            ObjectType::ServiceCheck => store.find_by_name::<rosetta_model::ServiceTemplate>(name).map(|o| o.meta.id),
            ObjectType::ServiceGroup => store.find_by_name::<rosetta_model::ServiceGroup>(name).map(|o| o.meta.id),
            ObjectType::Contact => store.find_by_name::<rosetta_model::User>(name).map(|o| o.meta.id),
            ObjectType::Role => store.find_by_name::<rosetta_model::Role>(name).map(|o| o.meta.id),
            ObjectType::TimePeriod => store.find_by_name::<rosetta_model::TimePeriod>(name).map(|o| o.meta.id),
            ObjectType::HostCheckCommand => store
                .find_by_name::<rosetta_model::Command>(name)
                .filter(|command| command.kind == rosetta_model::CommandKind::HostCheck)
                .map(|o| o.meta.id),
            ObjectType::Keyword
            | ObjectType::Attribute
            | ObjectType::MonitoringCluster
            | ObjectType::NotificationMethod
            | ObjectType::SharedNotificationProfile
            | ObjectType::Tenancy => {
                self.ids(store).into_iter().find(|id| self.name_of(store, *id).as_deref() == Some(name))
            }
        }
    }

    /// The name of one object.
    pub fn name_of(self, store: &impl Read, id: Id) -> Option<String> {
        match self {
            ObjectType::Host => store.get::<rosetta_model::Host>(id).map(|o| o.name.clone()),
            ObjectType::HostGroup => store.get::<rosetta_model::HostGroup>(id).map(|o| o.name.clone()),
            ObjectType::HostTemplate => store.get::<rosetta_model::HostTemplate>(id).map(|o| o.name.clone()),
            ObjectType::ServiceCheck => store.get::<rosetta_model::ServiceTemplate>(id).map(|o| o.name.clone()),
            ObjectType::ServiceGroup => store.get::<rosetta_model::ServiceGroup>(id).map(|o| o.name.clone()),
            ObjectType::Contact => store.get::<rosetta_model::User>(id).map(|o| o.login.clone()),
            ObjectType::Role => store.get::<rosetta_model::Role>(id).map(|o| o.name.clone()),
            ObjectType::TimePeriod => store.get::<rosetta_model::TimePeriod>(id).map(|o| o.name.clone()),
            ObjectType::HostCheckCommand => store.get::<rosetta_model::Command>(id).map(|o| o.name.clone()),
            ObjectType::Keyword
            | ObjectType::Attribute
            | ObjectType::MonitoringCluster
            | ObjectType::NotificationMethod
            | ObjectType::SharedNotificationProfile
            | ObjectType::Tenancy => store.get::<rosetta_model::Document>(id).map(|o| o.name.clone()),
        }
    }

    /// The object as Opsview writes it, or `None` when there is no such object.
    pub fn wire(self, store: &impl Read, id: Id, options: WireOptions) -> Option<Value> {
        if !self.exists(store, id) {
            return None;
        }
        match self {
            ObjectType::Host => host::wire(store, id, options),
            ObjectType::HostGroup => hostgroup::wire(store, id),
            ObjectType::HostTemplate => templates::host_template_wire(store, id),
            ObjectType::ServiceCheck => templates::service_check_wire(store, id),
            ObjectType::ServiceGroup => simple::service_group_wire(store, id),
            ObjectType::Contact => people::contact_wire(store, id),
            ObjectType::Role => people::role_wire(store, id),
            ObjectType::TimePeriod => simple::time_period_wire(store, id),
            ObjectType::HostCheckCommand => simple::command_wire(store, id),
            ObjectType::Keyword
            | ObjectType::Attribute
            | ObjectType::MonitoringCluster
            | ObjectType::NotificationMethod
            | ObjectType::SharedNotificationProfile
            | ObjectType::Tenancy => documents::wire(store, self, id),
        }
    }

    /// Creates (`id` is `None`) or updates an object from its input hash; returns its id. `hashes`
    /// holds the hashes of the contact passwords the input carries.
    pub fn write(
        self,
        tx: &mut Tx<'_>,
        id: Option<Id>,
        input: Input<'_>,
        hashes: &people::PasswordHashes,
    ) -> Result<Id, GatewayError> {
        match self {
            ObjectType::Host => host::write(tx, id, input),
            ObjectType::HostGroup => hostgroup::write(tx, id, input),
            ObjectType::HostTemplate => templates::write_host_template(tx, id, input),
            ObjectType::ServiceCheck => templates::write_service_check(tx, id, input),
            ObjectType::ServiceGroup => simple::write_service_group(tx, id, input),
            ObjectType::Contact => people::write_contact(tx, id, input, hashes),
            ObjectType::Role => people::write_role(tx, id, input),
            ObjectType::TimePeriod => simple::write_time_period(tx, id, input),
            ObjectType::HostCheckCommand => simple::write_command(tx, id, input),
            ObjectType::Keyword
            | ObjectType::Attribute
            | ObjectType::MonitoringCluster
            | ObjectType::NotificationMethod
            | ObjectType::SharedNotificationProfile
            | ObjectType::Tenancy => documents::write(tx, self, id, input),
        }
    }

    /// Deletes an object; 400 `Cannot delete as object still in use` when something refers to it.
    pub fn delete(self, tx: &mut Tx<'_>, id: Id) -> Result<(), GatewayError> {
        match self {
            ObjectType::Host => host::delete(tx, id),
            ObjectType::HostGroup => hostgroup::delete(tx, id),
            ObjectType::HostTemplate => templates::delete_host_template(tx, id),
            ObjectType::ServiceCheck => templates::delete_service_check(tx, id),
            ObjectType::ServiceGroup => simple::delete_service_group(tx, id),
            ObjectType::Contact => people::delete_contact(tx, id),
            ObjectType::Role => people::delete_role(tx, id),
            ObjectType::TimePeriod => simple::delete_time_period(tx, id),
            ObjectType::HostCheckCommand => simple::delete_command(tx, id),
            ObjectType::Keyword
            | ObjectType::Attribute
            | ObjectType::MonitoringCluster
            | ObjectType::NotificationMethod
            | ObjectType::SharedNotificationProfile
            | ObjectType::Tenancy => documents::delete(tx, self, id),
        }
    }
}

/// `/rest/config/<type>/<id>`.
pub fn ref_path(ty: ObjectType, id: Id) -> String {
    format!("/rest/config/{}/{id}", ty.name())
}

/// A related-object reference `{"name": .., "ref": ..}`.
pub fn reference(store: &impl Read, ty: ObjectType, id: Id) -> Value {
    match ty.name_of(store, id) {
        Some(name) => json!({"name": name, "ref": ref_path(ty, id)}),
        None => Value::Null,
    }
}

/// An optional reference (`null` when unset or dangling).
pub fn reference_opt(store: &impl Read, ty: ObjectType, id: Option<Id>) -> Value {
    id.map_or(Value::Null, |id| reference(store, ty, id))
}

/// A list of references, dangling ones dropped.
pub fn references(store: &impl Read, ty: ObjectType, ids: &[Id]) -> Value {
    Value::Array(ids.iter().map(|id| reference(store, ty, *id)).filter(|value| !value.is_null()).collect())
}

/// References sorted by name, as Opsview lists unordered relations.
pub fn references_by_name(store: &impl Read, ty: ObjectType, ids: &[Id]) -> Value {
    let mut refs: Vec<Value> =
        ids.iter().map(|id| reference(store, ty, *id)).filter(|value| !value.is_null()).collect();
    refs.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Value::Array(refs)
}

/// The fields every object carries: `id`, `ref`, `name`, `uncommitted`.
pub fn base(store: &impl Read, ty: ObjectType, meta: &Meta, name: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("id".into(), json!(meta.id));
    map.insert("ref".into(), json!(ref_path(ty, meta.id)));
    map.insert("name".into(), json!(name));
    map.insert("uncommitted".into(), json!(uncommitted(store, meta)));
    map
}

/// True while an object changed since the last reload.
pub fn uncommitted(store: &impl Read, meta: &Meta) -> bool {
    let status = store.get::<ConfigStatus>(1).map(|status| (*status).clone()).unwrap_or_else(|| ConfigStatus {
        meta: Meta::new(1),
        pending: false,
        last_change: Timestamp(0),
        last_reload: Timestamp(0),
        reload_started: None,
        reload_user: String::new(),
        average_duration_ms: 0,
        reloads: 0,
        changes_since_reload: 0,
    });
    rosetta_core::monitoring::is_uncommitted(meta, &status)
}

/// The object's `opsview.<field>` native value, or `default`.
pub fn native(natives: &rosetta_model::Native, field: &str, default: Value) -> Value {
    natives.get(&format!("opsview.{field}")).cloned().unwrap_or(default)
}

/// Copies plain scalar fields from the input into `opsview.<field>` natives.
pub fn store_natives(
    natives: &mut rosetta_model::Native,
    input: Input<'_>,
    fields: &[&str],
) -> Result<(), GatewayError> {
    for field in fields {
        if let Some(value) = input.raw(field) {
            let stored = match value {
                Value::Null => Value::Null,
                Value::Array(_) | Value::Object(_) => value.clone(),
                other => Value::String(crate::call::scalar_text(other).unwrap_or_default()),
            };
            natives.insert(format!("opsview.{field}"), stored);
        }
    }
    Ok(())
}

/// The name an object is created with: required, non-empty.
pub fn required_name(input: Input<'_>, pattern_ok: impl Fn(&str) -> bool) -> Result<Option<String>, GatewayError> {
    match input.text("name")? {
        None => Ok(None),
        Some(name) if name.trim().is_empty() => Err(GatewayError::bad_request("name: Missing value")),
        Some(name) if !pattern_ok(&name) => Err(GatewayError::bad_request(format!("name: Invalid value '{name}'"))),
        Some(name) => Ok(Some(name)),
    }
}

/// 400 for a create without a name.
pub fn missing_name() -> GatewayError {
    GatewayError::bad_request("name: Missing value")
}

/// 400 for deleting an object that something still refers to.
pub fn in_use() -> GatewayError {
    GatewayError::bad_request("Cannot delete as object still in use")
}

/// 400 when a name is already taken.
pub fn duplicate(name: &str) -> GatewayError {
    GatewayError::bad_request(format!("Duplicate entry '{name}' for key 'name'"))
}

/// Fails when another object of `ty` already has `name`.
pub fn ensure_unique(store: &impl Read, ty: ObjectType, name: &str, own: Option<Id>) -> Result<(), GatewayError> {
    match ty.find(store, name, None) {
        Some(other) if Some(other) != own => Err(duplicate(name)),
        _ => Ok(()),
    }
}
