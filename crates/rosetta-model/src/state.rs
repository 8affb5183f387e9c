//! Current state of hosts and services, and the one state-mapping table between products.
//!
//! The model keeps a normalised state (Nagios codes: host 0..2, service 0..3) and, beside it, the
//! product-native value it came from, so a round trip through any pair of dialects loses nothing
//! (OpenNMS MINOR and WARNING both normalise to service WARNING but keep their own severity).

use serde::{Deserialize, Serialize};

use crate::{Id, Meta, Timestamp};

/// Host state, Nagios codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostState {
    /// 0
    Up,
    /// 1
    Down,
    /// 2
    Unreachable,
}

/// Service state, Nagios codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    /// 0
    Ok,
    /// 1
    Warning,
    /// 2
    Critical,
    /// 3
    Unknown,
}

/// Soft or hard state (Nagios family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateType {
    /// 0: not yet confirmed by `max_check_attempts` checks.
    Soft,
    /// 1: confirmed.
    Hard,
}

/// OpenNMS severity, ids 1..7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    /// 1
    Indeterminate,
    /// 2
    Cleared,
    /// 3
    Normal,
    /// 4
    Warning,
    /// 5
    Minor,
    /// 6
    Major,
    /// 7
    Critical,
}

/// A product whose native values the model keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Product {
    /// Opsview Monitor.
    Opsview,
    /// OpenNMS Horizon/Meridian.
    Opennms,
    /// openITCOCKPIT.
    Openitcockpit,
    /// Rosetta's own API.
    Native,
}

impl Product {
    /// Stable lower-case name (`opsview`), also the dialect name.
    pub fn as_str(self) -> &'static str {
        match self {
            Product::Opsview => "opsview",
            Product::Opennms => "opennms",
            Product::Openitcockpit => "openitcockpit",
            Product::Native => "native",
        }
    }
}

// === impl HostState ===

impl HostState {
    /// Every host state in code order.
    pub const ALL: [HostState; 3] = [HostState::Up, HostState::Down, HostState::Unreachable];

    /// Nagios code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// State from a Nagios code; anything above 2 is unreachable, as Nagios treats it.
    pub fn from_code(code: i64) -> Option<HostState> {
        match code {
            0 => Some(HostState::Up),
            1 => Some(HostState::Down),
            2 => Some(HostState::Unreachable),
            _ => None,
        }
    }

    /// Lower-case name (`up`).
    pub fn name(self) -> &'static str {
        match self {
            HostState::Up => "up",
            HostState::Down => "down",
            HostState::Unreachable => "unreachable",
        }
    }

    /// State from a case-insensitive name.
    pub fn from_name(name: &str) -> Option<HostState> {
        HostState::ALL.into_iter().find(|state| state.name().eq_ignore_ascii_case(name))
    }

    /// The OpenNMS severity of a node alarm in this state.
    pub fn severity(self) -> Severity {
        match self {
            HostState::Up => Severity::Normal,
            HostState::Down | HostState::Unreachable => Severity::Major,
        }
    }

    /// The host state an OpenNMS severity means.
    pub fn from_severity(severity: Severity) -> HostState {
        match severity {
            Severity::Cleared | Severity::Normal => HostState::Up,
            Severity::Indeterminate | Severity::Warning | Severity::Minor => HostState::Unreachable,
            Severity::Major | Severity::Critical => HostState::Down,
        }
    }
}

// === impl ServiceState ===

impl ServiceState {
    /// Every service state in code order.
    pub const ALL: [ServiceState; 4] =
        [ServiceState::Ok, ServiceState::Warning, ServiceState::Critical, ServiceState::Unknown];

    /// Nagios code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// State from a Nagios code.
    pub fn from_code(code: i64) -> Option<ServiceState> {
        match code {
            0 => Some(ServiceState::Ok),
            1 => Some(ServiceState::Warning),
            2 => Some(ServiceState::Critical),
            3 => Some(ServiceState::Unknown),
            _ => None,
        }
    }

    /// Lower-case name (`ok`).
    pub fn name(self) -> &'static str {
        match self {
            ServiceState::Ok => "ok",
            ServiceState::Warning => "warning",
            ServiceState::Critical => "critical",
            ServiceState::Unknown => "unknown",
        }
    }

    /// State from a case-insensitive name.
    pub fn from_name(name: &str) -> Option<ServiceState> {
        ServiceState::ALL.into_iter().find(|state| state.name().eq_ignore_ascii_case(name))
    }

    /// Severity order used for "worst state" (critical > warning > unknown > ok), as Opsview computes it.
    pub fn badness(self) -> u8 {
        match self {
            ServiceState::Ok => 0,
            ServiceState::Unknown => 1,
            ServiceState::Warning => 2,
            ServiceState::Critical => 3,
        }
    }

    /// The OpenNMS severity of a service alarm in this state.
    pub fn severity(self) -> Severity {
        match self {
            ServiceState::Ok => Severity::Normal,
            ServiceState::Warning => Severity::Warning,
            ServiceState::Critical => Severity::Critical,
            ServiceState::Unknown => Severity::Indeterminate,
        }
    }

    /// The service state an OpenNMS severity means.
    pub fn from_severity(severity: Severity) -> ServiceState {
        match severity {
            Severity::Cleared | Severity::Normal => ServiceState::Ok,
            Severity::Warning | Severity::Minor => ServiceState::Warning,
            Severity::Major | Severity::Critical => ServiceState::Critical,
            Severity::Indeterminate => ServiceState::Unknown,
        }
    }
}

// === impl Severity ===

impl Severity {
    /// Every severity in id order.
    pub const ALL: [Severity; 7] = [
        Severity::Indeterminate,
        Severity::Cleared,
        Severity::Normal,
        Severity::Warning,
        Severity::Minor,
        Severity::Major,
        Severity::Critical,
    ];

    /// OpenNMS severity id, 1..7.
    pub fn id(self) -> u8 {
        self as u8 + 1
    }

    /// Severity from its id.
    pub fn from_id(id: i64) -> Option<Severity> {
        usize::try_from(id - 1).ok().and_then(|idx| Severity::ALL.get(idx).copied())
    }

    /// Upper-case label (`MAJOR`).
    pub fn label(self) -> &'static str {
        match self {
            Severity::Indeterminate => "INDETERMINATE",
            Severity::Cleared => "CLEARED",
            Severity::Normal => "NORMAL",
            Severity::Warning => "WARNING",
            Severity::Minor => "MINOR",
            Severity::Major => "MAJOR",
            Severity::Critical => "CRITICAL",
        }
    }

    /// Severity from a case-insensitive label or a numeric id.
    pub fn parse(text: &str) -> Option<Severity> {
        if let Ok(id) = text.trim().parse::<i64>() {
            return Severity::from_id(id);
        }
        Severity::ALL.into_iter().find(|severity| severity.label().eq_ignore_ascii_case(text.trim()))
    }

    /// The next higher severity, capped at CRITICAL (OpenNMS escalate).
    pub fn escalated(self) -> Severity {
        Severity::from_id(i64::from(self.id()) + 1).unwrap_or(Severity::Critical)
    }
}

/// What a check result or a current state refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum Target {
    /// A host.
    Host(Id),
    /// A service.
    Service(Id),
}

/// The normalised state of a host or service with the native value it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "state")]
pub enum StateValue {
    /// A host state.
    Host(HostState),
    /// A service state.
    Service(ServiceState),
}

impl StateValue {
    /// Nagios code of the state.
    pub fn code(self) -> u8 {
        match self {
            StateValue::Host(state) => state.code(),
            StateValue::Service(state) => state.code(),
        }
    }

    /// True for UP and OK.
    pub fn is_ok(self) -> bool {
        self.code() == 0
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            StateValue::Host(state) => state.name(),
            StateValue::Service(state) => state.name(),
        }
    }

    /// The mapped OpenNMS severity.
    pub fn severity(self) -> Severity {
        match self {
            StateValue::Host(state) => state.severity(),
            StateValue::Service(state) => state.severity(),
        }
    }
}

/// The product-native form of a state, kept beside the normalised one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NativeState {
    /// Which product the value came from.
    pub product: Product,
    /// The value as that product spells it (`MINOR`, `3`, `flapping`).
    pub value: String,
}

/// Current state of a host or a service (one Nagios status row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckState {
    /// Current normalised state.
    pub state: StateValue,
    /// Soft or hard.
    pub state_type: StateType,
    /// Current attempt, 1-based.
    pub attempt: u32,
    /// Attempts before the state becomes hard.
    pub max_attempts: u32,
    /// Last hard state.
    pub last_hard_state: StateValue,
    /// First line of plugin output.
    #[serde(default)]
    pub output: String,
    /// Further lines of plugin output.
    #[serde(default)]
    pub long_output: String,
    /// Performance data.
    #[serde(default)]
    pub perfdata: String,
    /// When the last result arrived; zero for never.
    pub last_check: Timestamp,
    /// When the state last changed.
    pub last_state_change: Timestamp,
    /// When the hard state last changed.
    pub last_hard_state_change: Timestamp,
    /// The acknowledgement currently in force, if any.
    #[serde(default)]
    pub acknowledgement: Option<Id>,
    /// Number of downtimes currently in force.
    #[serde(default)]
    pub downtime_depth: u32,
    /// True while flapping.
    #[serde(default)]
    pub flapping: bool,
    /// True until the first result arrives (Nagios "pending").
    #[serde(default)]
    pub pending: bool,
    /// The product-native value of the last state written.
    #[serde(default)]
    pub native: Option<NativeState>,
}

impl CheckState {
    /// The state of a newly monitored object: OK/UP, pending, no result yet.
    pub fn pending(state: StateValue, max_attempts: u32) -> CheckState {
        CheckState {
            state,
            state_type: StateType::Hard,
            attempt: 1,
            max_attempts: max_attempts.max(1),
            last_hard_state: state,
            output: String::new(),
            long_output: String::new(),
            perfdata: String::new(),
            last_check: Timestamp(0),
            last_state_change: Timestamp(0),
            last_hard_state_change: Timestamp(0),
            acknowledgement: None,
            downtime_depth: 0,
            flapping: false,
            pending: true,
            native: None,
        }
    }

    /// True when the object is acknowledged.
    pub fn is_acknowledged(&self) -> bool {
        self.acknowledgement.is_some()
    }
}

/// Current state of one host; its id is the host's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostStatus {
    /// Identity; `meta.id` equals the host id.
    pub meta: Meta,
    /// The state.
    pub check: CheckState,
}

/// Current state of one service; its id is the service's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// Identity; `meta.id` equals the service id.
    pub meta: Meta,
    /// The host of the service.
    pub host: Id,
    /// The state.
    pub check: CheckState,
}
