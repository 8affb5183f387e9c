//! The internal permission vocabulary and its mapping onto each product.
//!
//! The vocabulary follows Opsview's access list (the finest-grained of the three products). OpenNMS
//! roles and openITCOCKPIT's controller/action ACL are derived from it, so one role grants the same
//! powers in every dialect.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::Id;

macro_rules! permissions {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $opsview_id:literal;)*) => {
        /// One grantable permission.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Permission {
            $($(#[$doc])* $variant,)*
        }

        impl Permission {
            /// Every permission.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            /// The Opsview access name (`VIEWALL`), also the stored form.
            pub fn name(self) -> &'static str {
                match self { $(Permission::$variant => $name,)* }
            }

            /// The Opsview access id (`/rest/config/access/<id>`).
            pub fn opsview_id(self) -> u32 {
                match self { $(Permission::$variant => $opsview_id,)* }
            }
        }
    };
}

permissions! {
    /// See every host and service.
    ViewAll = "VIEWALL", 1;
    /// See hosts in the role's host groups.
    ViewSome = "VIEWSOME", 2;
    /// Acknowledge, recheck and submit results for everything.
    ActionAll = "ACTIONALL", 3;
    /// Act on objects within scope.
    ActionSome = "ACTIONSOME", 4;
    /// Receive notifications.
    NotifySome = "NOTIFYSOME", 6;
    /// Configure hosts.
    ConfigureHosts = "CONFIGUREHOSTS", 7;
    /// Start a reload (export).
    ReloadAccess = "RELOADACCESS", 8;
    /// Administer users, roles and the system.
    AdminAccess = "ADMINACCESS", 9;
    /// See public viewports.
    ViewportAccess = "VIEWPORTACCESS", 10;
    /// See graphs.
    RrdGraphs = "RRDGRAPHS", 11;
    /// Read configuration.
    ConfigureView = "CONFIGUREVIEW", 12;
    /// Save configuration changes (without it configuration is read-only).
    ConfigureSave = "CONFIGURESAVE", 13;
    /// Change one's own password.
    PasswordSave = "PASSWORDSAVE", 14;
    /// Configure hashtags.
    ConfigureKeywords = "CONFIGUREKEYWORDS", 15;
    /// Schedule downtime on everything.
    DowntimeAll = "DOWNTIMEALL", 16;
    /// Schedule downtime within scope.
    DowntimeSome = "DOWNTIMESOME", 17;
    /// Run reports as admin.
    ReportAdmin = "REPORTADMIN", 18;
    /// Run reports.
    ReportUser = "REPORTUSER", 19;
    /// Configure notification profiles.
    ConfigureProfiles = "CONFIGUREPROFILES", 23;
    /// Configure roles.
    ConfigureRoles = "CONFIGUREROLES", 27;
    /// Configure contacts (users).
    ConfigureContacts = "CONFIGURECONTACTS", 28;
    /// Configure host groups.
    ConfigureHostGroups = "CONFIGUREHOSTGROUPS", 29;
    /// Test service checks (change).
    TestChange = "TESTCHANGE", 20;
    /// Test every service check.
    TestAll = "TESTALL", 21;
    /// Test service checks within scope.
    TestSome = "TESTSOME", 22;
    /// See NetFlow data.
    Netflow = "NETFLOW", 24;
    /// Configure NetFlow.
    ConfigureNetflow = "CONFIGURENETFLOW", 25;
    /// Use NagVis maps.
    Nagvis = "NAGVIS", 30;
    /// Configure business services.
    ConfigureBsm = "CONFIGUREBSM", 31;
    /// Configure business components.
    ConfigureBsmComponent = "CONFIGUREBSMCOMPONENT", 32;
    /// See business services.
    Bsm = "BSM", 33;
    /// Use dashboards.
    Dashboard = "DASHBOARD", 34;
    /// Edit dashboards.
    DashboardEdit = "DASHBOARDEDIT", 35;
    /// Navigation options.
    NavOptions = "NAVOPTIONS", 36;
    /// See the network audit.
    NetAuditView = "NETAUDITVIEW", 37;
    /// Share dashboards.
    DashboardShare = "DASHBOARDSHARE", 38;
    /// See all network topology.
    NtViewAll = "NTVIEWALL", 39;
    /// See remotely managed clusters.
    RemotelyManagedClusters = "REMOTELYMANAGEDCLUSTERS", 40;
    /// Configure remote clusters.
    ConfigureRemoteCluster = "CONFIGUREREMOTECLUSTER", 41;
    /// See the reload status.
    ReloadView = "RELOADVIEW", 42;
}

impl Permission {
    /// The permission with this Opsview access name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Permission> {
        Permission::ALL.iter().copied().find(|permission| permission.name().eq_ignore_ascii_case(name))
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Permission, D::Error> {
        let name = String::deserialize(deserializer)?;
        Permission::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown permission {name}")))
    }
}

/// A set of permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    /// The empty set.
    pub fn empty() -> PermissionSet {
        PermissionSet::default()
    }

    /// Every permission.
    pub fn all() -> PermissionSet {
        Permission::ALL.iter().copied().collect()
    }

    /// True when `permission` is granted.
    pub fn has(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }

    /// True when any of `permissions` is granted.
    pub fn has_any(&self, permissions: &[Permission]) -> bool {
        permissions.iter().any(|permission| self.has(*permission))
    }

    /// Grants `permission`.
    pub fn insert(&mut self, permission: Permission) {
        self.0.insert(permission);
    }

    /// The granted permissions in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    /// The OpenNMS security roles this set amounts to (`ROLE_ADMIN`, `ROLE_REST`, ...).
    pub fn opennms_roles(&self) -> Vec<&'static str> {
        let mut roles = Vec::new();
        if self.has(Permission::AdminAccess) {
            roles.push("ROLE_ADMIN");
        }
        if self.has(Permission::ConfigureSave) || self.has(Permission::AdminAccess) {
            roles.push("ROLE_REST");
        }
        if self.has(Permission::ConfigureHosts) && self.has(Permission::ConfigureSave) {
            roles.push("ROLE_PROVISION");
        }
        if self.has_any(&[Permission::ViewAll, Permission::ViewSome]) {
            roles.push("ROLE_USER");
        }
        if self.has(Permission::AdminAccess) || self.has(Permission::ActionAll) {
            roles.push("ROLE_DELEGATE");
        }
        let can_act = self.has_any(&[
            Permission::ActionAll,
            Permission::ActionSome,
            Permission::ConfigureSave,
            Permission::AdminAccess,
        ]);
        if !can_act && self.has_any(&[Permission::ViewAll, Permission::ViewSome]) {
            roles.push("ROLE_READONLY");
        }
        roles
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> PermissionSet {
        PermissionSet(iter.into_iter().collect())
    }
}

/// Access level on a tenant (openITCOCKPIT container permission levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantLevel {
    /// See objects (1).
    Read,
    /// See and change objects (2).
    Write,
}

/// A user's access to one tenant and everything below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantAccess {
    /// The tenant.
    pub tenant: Id,
    /// The level.
    pub level: TenantLevel,
}
