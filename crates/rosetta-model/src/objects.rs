//! Configuration objects: everything an operator configures, as opposed to what monitoring observes.
//!
//! Every object carries a [`Meta`] with its stable integer id and UUID. Product-specific fields that have
//! no neutral meaning live in `native`, keyed `<product>.<field>`, so a dialect can round-trip them
//! without the model knowing them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Id, PermissionSet, TenantAccess, Timestamp};

/// Product-specific fields of an object, keyed `<product>.<field>`.
pub type Native = BTreeMap<String, serde_json::Value>;

/// Identity and bookkeeping shared by every stored object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Stable integer id, unique within the object kind.
    pub id: Id,
    /// Stable UUID, unique across the store.
    pub uuid: Uuid,
    /// Incremented on every write; used for optimistic concurrency and cache coherence.
    pub version: u64,
    /// When the object was created.
    pub created: Timestamp,
    /// When the object was last changed; it is "uncommitted" (Opsview) while this is later than the
    /// last configuration reload.
    pub updated: Timestamp,
}

/// A random (version 4) UUID from the thread's cryptographic generator, seeded once from the OS:
/// `Uuid::new_v4` asks the kernel for every one, a system call per object and per request id.
pub fn random_uuid() -> Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}

impl Meta {
    /// Metadata for a new object; the store assigns `id` when it is 0.
    pub fn new(id: Id) -> Meta {
        let now = Timestamp::now();
        Meta { id, uuid: random_uuid(), version: 0, created: now, updated: now }
    }

    /// Metadata for a new object with a fixed UUID (seeded objects, imports).
    pub fn with_uuid(id: Id, uuid: Uuid) -> Meta {
        Meta { uuid, ..Meta::new(id) }
    }
}

/// Every kind of record the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// [`Tenant`]
    Tenant,
    /// [`HostGroup`]
    HostGroup,
    /// [`ServiceGroup`]
    ServiceGroup,
    /// [`HostTemplate`]
    HostTemplate,
    /// [`ServiceTemplate`]
    ServiceTemplate,
    /// [`Command`]
    Command,
    /// [`TimePeriod`]
    TimePeriod,
    /// [`Contact`]
    Contact,
    /// [`Role`]
    Role,
    /// [`User`]
    User,
    /// [`Host`]
    Host,
    /// [`Service`]
    Service,
    /// [`Document`]
    Document,
    /// [`crate::HostStatus`]
    HostStatus,
    /// [`crate::ServiceStatus`]
    ServiceStatus,
    /// [`crate::Event`]
    Event,
    /// [`crate::Alarm`]
    Alarm,
    /// [`crate::Outage`]
    Outage,
    /// [`crate::Downtime`]
    Downtime,
    /// [`crate::Acknowledgement`]
    Acknowledgement,
    /// [`crate::AuditEntry`]
    Audit,
    /// [`crate::ConfigStatus`]
    ConfigStatus,
    /// [`crate::Session`]
    Session,
    /// [`crate::ApiKey`]
    ApiKey,
}

impl Kind {
    /// Every kind, in the order the store loads them (referenced kinds first).
    pub const ALL: [Kind; 24] = [
        Kind::Tenant,
        Kind::HostGroup,
        Kind::ServiceGroup,
        Kind::TimePeriod,
        Kind::Command,
        Kind::HostTemplate,
        Kind::ServiceTemplate,
        Kind::Contact,
        Kind::Role,
        Kind::User,
        Kind::Host,
        Kind::Service,
        Kind::Document,
        Kind::HostStatus,
        Kind::ServiceStatus,
        Kind::Event,
        Kind::Alarm,
        Kind::Outage,
        Kind::Downtime,
        Kind::Acknowledgement,
        Kind::Audit,
        Kind::ConfigStatus,
        Kind::Session,
        Kind::ApiKey,
    ];

    /// The kind's stable storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Tenant => "tenant",
            Kind::HostGroup => "host_group",
            Kind::ServiceGroup => "service_group",
            Kind::HostTemplate => "host_template",
            Kind::ServiceTemplate => "service_template",
            Kind::Command => "command",
            Kind::TimePeriod => "time_period",
            Kind::Contact => "contact",
            Kind::Role => "role",
            Kind::User => "user",
            Kind::Host => "host",
            Kind::Service => "service",
            Kind::Document => "document",
            Kind::HostStatus => "host_status",
            Kind::ServiceStatus => "service_status",
            Kind::Event => "event",
            Kind::Alarm => "alarm",
            Kind::Outage => "outage",
            Kind::Downtime => "downtime",
            Kind::Acknowledgement => "acknowledgement",
            Kind::Audit => "audit",
            Kind::ConfigStatus => "config_status",
            Kind::Session => "session",
            Kind::ApiKey => "api_key",
        }
    }

    /// The kind with this storage name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// True for configuration kinds, whose writes make the configuration `pending`.
    pub fn is_configuration(self) -> bool {
        matches!(
            self,
            Kind::Tenant
                | Kind::HostGroup
                | Kind::ServiceGroup
                | Kind::HostTemplate
                | Kind::ServiceTemplate
                | Kind::Command
                | Kind::TimePeriod
                | Kind::Contact
                | Kind::Role
                | Kind::User
                | Kind::Host
                | Kind::Service
                | Kind::Document
        )
    }
}

/// Kind of a node in the tenant tree (openITCOCKPIT container types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantKind {
    /// The root (id 1).
    Global,
    /// A customer or organisation.
    Tenant,
    /// A site.
    Location,
    /// A node below a tenant or location.
    Node,
}

/// A node of the tenant tree; id 1 is the root. Maps to openITCOCKPIT containers, Opsview tenancies and
/// OpenNMS foreign sources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    /// Identity.
    pub meta: Meta,
    /// Display name (`root` for the root).
    pub name: String,
    /// Parent tenant; `None` only for the root.
    pub parent: Option<Id>,
    /// What this node is.
    pub kind: TenantKind,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

impl Tenant {
    /// A new tenant named `name` under `parent`, without description or product fields; the store
    /// assigns its id.
    pub fn new(name: impl Into<String>, parent: Id, kind: TenantKind) -> Tenant {
        Tenant {
            meta: Meta::new(0),
            name: name.into(),
            parent: Some(parent),
            kind,
            description: String::new(),
            native: Native::new(),
        }
    }
}

/// A host group; groups form a tree (Opsview host groups, openITCOCKPIT host groups, OpenNMS categories).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostGroup {
    /// Identity.
    pub meta: Meta,
    /// Name, unique among siblings.
    pub name: String,
    /// Parent group; `None` for a top-level group.
    pub parent: Option<Id>,
    /// Owning tenant.
    pub tenant: Id,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

/// A service group (Opsview service groups, openITCOCKPIT service groups).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceGroup {
    /// Identity.
    pub meta: Meta,
    /// Unique name.
    pub name: String,
    /// Owning tenant.
    pub tenant: Id,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

/// Check and notification settings. Every field is optional: `None` means "inherit" (from the templates,
/// then from the built-in defaults), which is how openITCOCKPIT and Opsview templates behave.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckSettings {
    /// Check command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Id>,
    /// Arguments for the check command, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_args: Option<Vec<String>>,
    /// Seconds between regular checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_interval: Option<u32>,
    /// Seconds between checks while in a soft problem state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<u32>,
    /// Attempts before a problem becomes hard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_check_attempts: Option<u32>,
    /// Seconds between repeated notifications (0 = once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_interval: Option<u32>,
    /// Time period in which checks run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_period: Option<Id>,
    /// Time period in which notifications go out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_period: Option<Id>,
    /// Active checks enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_checks_enabled: Option<bool>,
    /// Passive results accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passive_checks_enabled: Option<bool>,
    /// Notifications enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications_enabled: Option<bool>,
    /// Flap detection enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flap_detection_enabled: Option<bool>,
    /// Nagios-style notification options (`u,d,r` for hosts, `w,c,r,u,f` for services).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_options: Option<String>,
    /// Event handler command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_handler: Option<String>,
    /// Priority 1..5 (openITCOCKPIT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    /// Notes shown to operators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl CheckSettings {
    /// Built-in defaults, used where neither the object nor a template sets a value.
    pub fn defaults() -> CheckSettings {
        CheckSettings {
            command: None,
            command_args: None,
            check_interval: Some(300),
            retry_interval: Some(60),
            max_check_attempts: Some(3),
            notification_interval: Some(3600),
            check_period: None,
            notification_period: None,
            active_checks_enabled: Some(true),
            passive_checks_enabled: Some(true),
            notifications_enabled: Some(true),
            flap_detection_enabled: Some(true),
            notification_options: None,
            event_handler: None,
            priority: Some(1),
            notes: Some(String::new()),
        }
    }

    /// These settings with every unset field taken from `base`.
    pub fn over(&self, base: &CheckSettings) -> CheckSettings {
        fn pick<T: Clone>(own: &Option<T>, base: &Option<T>) -> Option<T> {
            own.clone().or_else(|| base.clone())
        }
        CheckSettings {
            command: pick(&self.command, &base.command),
            command_args: pick(&self.command_args, &base.command_args),
            check_interval: pick(&self.check_interval, &base.check_interval),
            retry_interval: pick(&self.retry_interval, &base.retry_interval),
            max_check_attempts: pick(&self.max_check_attempts, &base.max_check_attempts),
            notification_interval: pick(&self.notification_interval, &base.notification_interval),
            check_period: pick(&self.check_period, &base.check_period),
            notification_period: pick(&self.notification_period, &base.notification_period),
            active_checks_enabled: pick(&self.active_checks_enabled, &base.active_checks_enabled),
            passive_checks_enabled: pick(&self.passive_checks_enabled, &base.passive_checks_enabled),
            notifications_enabled: pick(&self.notifications_enabled, &base.notifications_enabled),
            flap_detection_enabled: pick(&self.flap_detection_enabled, &base.flap_detection_enabled),
            notification_options: pick(&self.notification_options, &base.notification_options),
            event_handler: pick(&self.event_handler, &base.event_handler),
            priority: pick(&self.priority, &base.priority),
            notes: pick(&self.notes, &base.notes),
        }
    }
}

/// A custom variable, host attribute or asset field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    /// Name (upper case by convention for Nagios macros).
    pub name: String,
    /// Value.
    pub value: String,
    /// Extra arguments (Opsview host attributes carry arg1..arg4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

/// A host template: check settings and services that hosts inherit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostTemplate {
    /// Identity.
    pub meta: Meta,
    /// Unique name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Owning tenant.
    pub tenant: Id,
    /// Settings hosts inherit.
    #[serde(default)]
    pub check: CheckSettings,
    /// Service templates every host of this template gets.
    #[serde(default)]
    pub service_templates: Vec<Id>,
    /// Contacts hosts inherit.
    #[serde(default)]
    pub contacts: Vec<Id>,
    /// Host groups hosts inherit.
    #[serde(default)]
    pub hostgroups: Vec<Id>,
    /// Variables hosts inherit.
    #[serde(default)]
    pub vars: Vec<Variable>,
    /// Tags (keywords) hosts inherit.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

/// A service template (Opsview service check, openITCOCKPIT service template, OpenNMS service type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceTemplate {
    /// Identity.
    pub meta: Meta,
    /// Display name, unique (`Ping`).
    pub name: String,
    /// Internal name (openITCOCKPIT `template_name`, `CHECK_PING`); empty means `name`.
    #[serde(default)]
    pub template_name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Owning tenant.
    pub tenant: Id,
    /// Settings services inherit.
    #[serde(default)]
    pub check: CheckSettings,
    /// Service groups services inherit.
    #[serde(default)]
    pub servicegroups: Vec<Id>,
    /// Tags (keywords).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

/// What a command is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    /// Service check (openITCOCKPIT type 1).
    Check,
    /// Host check (type 2).
    HostCheck,
    /// Notification (type 3).
    Notification,
    /// Event handler (type 4).
    EventHandler,
}

/// A named argument of a command (`$ARG1$` with a human name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandArg {
    /// Stable id of the argument (openITCOCKPIT `commandargument_id`).
    pub id: Id,
    /// Macro name, `$ARG1$`.
    pub name: String,
    /// What the argument means.
    #[serde(default)]
    pub human_name: String,
}

/// A check, host-check, notification or event-handler command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// Identity.
    pub meta: Meta,
    /// Unique name.
    pub name: String,
    /// Command line with macros.
    pub line: String,
    /// What the command is for.
    pub kind: CommandKind,
    /// Named arguments.
    #[serde(default)]
    pub args: Vec<CommandArg>,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The plugin the command runs (`check_icmp`), when known.
    #[serde(default)]
    pub plugin: String,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

/// One time range of a time period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    /// Day of week, 1 = Monday .. 7 = Sunday.
    pub day: u8,
    /// Start, `HH:MM`.
    pub start: String,
    /// End, `HH:MM` (`24:00` allowed).
    pub end: String,
}

/// A time period (`24x7`, `workhours`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimePeriod {
    /// Identity.
    pub meta: Meta,
    /// Unique name.
    pub name: String,
    /// Long name.
    #[serde(default)]
    pub alias: String,
    /// Owning tenant.
    pub tenant: Id,
    /// Ranges; a day without ranges is excluded.
    #[serde(default)]
    pub ranges: Vec<TimeRange>,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

/// A notification target (openITCOCKPIT contact). Login accounts are [`User`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Identity.
    pub meta: Meta,
    /// Unique name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// Phone number.
    #[serde(default)]
    pub phone: String,
    /// Tenants the contact belongs to.
    #[serde(default)]
    pub tenants: Vec<Id>,
    /// The login account behind this contact, if any.
    #[serde(default)]
    pub user: Option<Id>,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

/// A role: a named set of permissions plus an optional host-group scope for the `*SOME` permissions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// Identity.
    pub meta: Meta,
    /// Unique name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Granted permissions.
    pub permissions: PermissionSet,
    /// Host groups visible under VIEWSOME/ACTIONSOME; empty means none.
    #[serde(default)]
    pub hostgroups: Vec<Id>,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

/// A login account. Every credential kind (password, session token, API key) resolves to one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Identity.
    pub meta: Meta,
    /// Unique login name.
    pub login: String,
    /// Display name.
    #[serde(default)]
    pub fullname: String,
    /// E-mail address (openITCOCKPIT logs in by e-mail).
    #[serde(default)]
    pub email: String,
    /// The user's role.
    pub role: Id,
    /// Tenants the user may see (read) or change (write); write on the root means everything.
    #[serde(default)]
    pub tenants: Vec<TenantAccess>,
    /// Disabled users do not authenticate by any means.
    pub active: bool,
    /// PHC string of the argon2id password hash; `None` means no password login.
    #[serde(default)]
    pub password_hash: Option<String>,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

/// A monitored host (Opsview host, OpenNMS node, openITCOCKPIT host).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Host {
    /// Identity.
    pub meta: Meta,
    /// Unique name (OpenNMS node label).
    pub name: String,
    /// Primary address (IP or FQDN).
    pub address: String,
    /// Description (Opsview alias).
    #[serde(default)]
    pub alias: String,
    /// Further addresses (each becomes an OpenNMS IP interface).
    #[serde(default)]
    pub other_addresses: Vec<String>,
    /// Primary tenant.
    pub tenant: Id,
    /// Further tenants the host is shared into.
    #[serde(default)]
    pub shared_tenants: Vec<Id>,
    /// Host groups; the first is the Opsview host group.
    #[serde(default)]
    pub hostgroups: Vec<Id>,
    /// Host templates, highest priority first.
    #[serde(default)]
    pub templates: Vec<Id>,
    /// Parent hosts.
    #[serde(default)]
    pub parents: Vec<Id>,
    /// Contacts.
    #[serde(default)]
    pub contacts: Vec<Id>,
    /// Own settings; `None` fields inherit from the templates.
    #[serde(default)]
    pub check: CheckSettings,
    /// Custom variables, host attributes and asset fields.
    #[serde(default)]
    pub vars: Vec<Variable>,
    /// Tags (Opsview hashtags, openITCOCKPIT tags).
    #[serde(default)]
    pub tags: Vec<String>,
    /// False when disabled (openITCOCKPIT deactivate); disabled hosts are not monitored.
    pub enabled: bool,
    /// OpenNMS foreign source, when imported through a requisition.
    #[serde(default)]
    pub foreign_source: Option<String>,
    /// OpenNMS foreign id, when imported through a requisition.
    #[serde(default)]
    pub foreign_id: Option<String>,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

impl HostTemplate {
    /// A new host template (id 0, for the store to assign) with everything else empty.
    pub fn new(name: impl Into<String>, tenant: Id) -> HostTemplate {
        HostTemplate {
            meta: Meta::new(0),
            name: name.into(),
            description: String::new(),
            tenant,
            check: CheckSettings::default(),
            service_templates: Vec::new(),
            contacts: Vec::new(),
            hostgroups: Vec::new(),
            vars: Vec::new(),
            tags: Vec::new(),
            native: Native::new(),
        }
    }
}

impl ServiceTemplate {
    /// A new service template (id 0, for the store to assign) with everything else empty.
    pub fn new(name: impl Into<String>, tenant: Id) -> ServiceTemplate {
        ServiceTemplate {
            meta: Meta::new(0),
            name: name.into(),
            template_name: String::new(),
            description: String::new(),
            tenant,
            check: CheckSettings::default(),
            servicegroups: Vec::new(),
            tags: Vec::new(),
            native: Native::new(),
        }
    }
}

impl Host {
    /// A new enabled host (id 0, for the store to assign) with everything else empty or inherited.
    pub fn new(name: impl Into<String>, address: impl Into<String>, tenant: Id) -> Host {
        Host {
            meta: Meta::new(0),
            name: name.into(),
            address: address.into(),
            alias: String::new(),
            other_addresses: Vec::new(),
            tenant,
            shared_tenants: Vec::new(),
            hostgroups: Vec::new(),
            templates: Vec::new(),
            parents: Vec::new(),
            contacts: Vec::new(),
            check: CheckSettings::default(),
            vars: Vec::new(),
            tags: Vec::new(),
            enabled: true,
            foreign_source: None,
            foreign_id: None,
            native: Native::new(),
        }
    }
}

/// A service on a host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Identity.
    pub meta: Meta,
    /// The host the service runs on.
    pub host: Id,
    /// Own name; `None` means the template's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The template the service comes from.
    #[serde(default)]
    pub template: Option<Id>,
    /// Own settings; `None` fields inherit from the template.
    #[serde(default)]
    pub check: CheckSettings,
    /// Custom variables.
    #[serde(default)]
    pub vars: Vec<Variable>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Service groups.
    #[serde(default)]
    pub servicegroups: Vec<Id>,
    /// Contacts.
    #[serde(default)]
    pub contacts: Vec<Id>,
    /// False when disabled.
    pub enabled: bool,
    /// Product-specific fields.
    #[serde(default)]
    pub native: Native,
}

impl Service {
    /// A new enabled service of `host` (id 0, for the store to assign) named `name`, with no template.
    pub fn new(host: Id, name: impl Into<String>) -> Service {
        Service {
            meta: Meta::new(0),
            host,
            name: Some(name.into()),
            template: None,
            check: CheckSettings::default(),
            vars: Vec::new(),
            tags: Vec::new(),
            servicegroups: Vec::new(),
            contacts: Vec::new(),
            enabled: true,
            native: Native::new(),
        }
    }
}

/// A dialect-private configuration object with no neutral meaning (Opsview keywords, OpenNMS foreign
/// sources and requisitions, ...), stored as JSON under a namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Identity.
    pub meta: Meta,
    /// Owner and type, `<product>.<type>` (`opsview.keyword`).
    pub namespace: String,
    /// Unique name within the namespace.
    pub name: String,
    /// Owning tenant.
    pub tenant: Id,
    /// The object itself.
    pub body: serde_json::Value,
}
