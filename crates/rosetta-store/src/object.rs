//! Typed access to every kind of record: the [`Object`] trait and the [`Record`] enum.

use std::sync::Arc;

use rosetta_model::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::cache::Table;

/// A field that names a parent object: an id, or an optional id.
trait AsParent {
    fn as_parent(&self) -> Option<Id>;
}

impl AsParent for Id {
    fn as_parent(&self) -> Option<Id> {
        Some(*self)
    }
}

impl AsParent for Option<Id> {
    fn as_parent(&self) -> Option<Id> {
        *self
    }
}

/// A storable model object of one [`Kind`].
pub trait Object: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    /// The kind.
    const KIND: Kind;

    /// Identity and bookkeeping.
    fn meta(&self) -> &Meta;

    /// Identity and bookkeeping, mutable (the store sets ids and versions).
    fn meta_mut(&mut self) -> &mut Meta;

    /// The name used by the unique-name index, for kinds that have one.
    fn unique_name(&self) -> Option<&str> {
        None
    }

    /// The object this one belongs to, for the children index (a service's host, an alarm's host).
    fn parent(&self) -> Option<Id> {
        None
    }

    /// Whether the object is in its kind's flagged index: a check state that is not OK, so the few
    /// problems are found without scanning every status.
    fn flagged(&self) -> bool {
        false
    }

    /// A human-readable label for logs and the audit log (usually the name).
    fn label(&self) -> String {
        self.unique_name().unwrap_or_default().to_owned()
    }

    /// This kind's table in the cache.
    fn table(cache: &Cache) -> &Table<Self>;

    /// Wraps the object into a [`Record`].
    fn into_record(this: Arc<Self>) -> Record;

    /// The object inside a [`Record`] of this kind.
    fn from_record(record: &Record) -> Option<&Arc<Self>>;
}

macro_rules! records {
    ($($variant:ident($ty:ty) => $field:ident $(, name: $name:ident)? $(, label: $label:ident)? $(, parent: $parent:ident)? $(, problem: $check:ident)?;)*) => {
        /// A stored object of any kind.
        #[derive(Debug, Clone)]
        pub enum Record {
            $(
                #[doc = concat!("A [`", stringify!($ty), "`].")]
                $variant(Arc<$ty>),
            )*
        }

        impl Record {
            /// The record's kind.
            pub fn kind(&self) -> Kind {
                match self { $(Record::$variant(_) => Kind::$variant,)* }
            }

            /// The record's metadata.
            pub fn meta(&self) -> &Meta {
                match self { $(Record::$variant(object) => object.meta(),)* }
            }

            /// A human-readable label (usually the name).
            pub fn label(&self) -> String {
                match self { $(Record::$variant(object) => object.label(),)* }
            }

            /// Serialises the record's object as JSON.
            pub fn to_json(&self) -> String {
                let result = match self { $(Record::$variant(object) => serde_json::to_string(&**object),)* };
                // Model types hold only strings, numbers, maps and lists: serialisation cannot fail.
                result.unwrap_or_default()
            }

            /// Decodes a record of `kind` from JSON.
            pub fn from_json(kind: Kind, body: &str) -> Result<Record, serde_json::Error> {
                Ok(match kind { $(Kind::$variant => Record::$variant(Arc::new(serde_json::from_str(body)?)),)* })
            }
        }

        $(
            impl Object for $ty {
                const KIND: Kind = Kind::$variant;

                fn meta(&self) -> &Meta {
                    &self.meta
                }

                fn meta_mut(&mut self) -> &mut Meta {
                    &mut self.meta
                }

                $(
                    fn unique_name(&self) -> Option<&str> {
                        Some(&self.$name)
                    }
                )?

                $(
                    fn label(&self) -> String {
                        self.$label.clone()
                    }
                )?

                $(
                    fn parent(&self) -> Option<Id> {
                        AsParent::as_parent(&self.$parent)
                    }
                )?

                $(
                    fn flagged(&self) -> bool {
                        !self.$check.state.is_ok()
                    }
                )?

                fn table(cache: &Cache) -> &Table<Self> {
                    &cache.$field
                }

                fn into_record(this: Arc<Self>) -> Record {
                    Record::$variant(this)
                }

                fn from_record(record: &Record) -> Option<&Arc<Self>> {
                    match record {
                        Record::$variant(object) => Some(object),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }
        )*

        impl Cache {
            /// Inserts a record of any kind.
            pub(crate) fn insert_record(&self, record: Record) {
                match record { $(Record::$variant(object) => self.$field.insert(object),)* }
            }

            /// Removes a record of any kind.
            pub(crate) fn remove_record(&self, kind: Kind, id: Id) {
                match kind { $(Kind::$variant => self.$field.remove(id),)* }
            }

            /// Switches `kind` to allocating ids from the reserved block `start..end`.
            pub(crate) fn set_block(&self, kind: Kind, start: Id, end: Id) {
                match kind { $(Kind::$variant => self.$field.set_block(start, end),)* }
            }

            /// Ids left in the current block of `kind`.
            pub(crate) fn remaining_ids(&self, kind: Kind) -> i64 {
                match kind { $(Kind::$variant => self.$field.remaining(),)* }
            }

            /// Looks up a record of any kind.
            pub fn get_record(&self, kind: Kind, id: Id) -> Option<Record> {
                match kind { $(Kind::$variant => self.$field.get(id).map(Record::$variant),)* }
            }
        }

        /// The read cache: one table per kind.
        #[derive(Debug, Default)]
        pub struct Cache {
            $(
                #[doc = concat!("[`", stringify!($ty), "`] objects.")]
                pub $field: Table<$ty>,
            )*
        }
    };
}

records! {
    Tenant(Tenant) => tenants, label: name;
    HostGroup(HostGroup) => host_groups, label: name;
    ServiceGroup(ServiceGroup) => service_groups, name: name;
    HostTemplate(HostTemplate) => host_templates, name: name;
    ServiceTemplate(ServiceTemplate) => service_templates, name: name;
    Command(Command) => commands, name: name;
    TimePeriod(TimePeriod) => time_periods, name: name;
    Contact(Contact) => contacts, name: name;
    Role(Role) => roles, name: name;
    User(User) => users, name: login;
    Host(Host) => hosts, name: name;
    Service(Service) => services, parent: host;
    Document(Document) => documents, label: name;
    HostStatus(HostStatus) => host_status, problem: check;
    ServiceStatus(ServiceStatus) => service_status, parent: host, problem: check;
    Event(Event) => events;
    Alarm(Alarm) => alarms, name: reduction_key, parent: host;
    Outage(Outage) => outages, parent: host;
    Downtime(Downtime) => downtimes, parent: host;
    Acknowledgement(Acknowledgement) => acknowledgements;
    Audit(AuditEntry) => audit;
    ConfigStatus(ConfigStatus) => config_status;
    Session(Session) => sessions, name: token_hash;
    ApiKey(ApiKey) => api_keys, name: key_hash;
}
