//! Typed JSON views of the native API's list items, serialised straight into the response body: a
//! page of 50 services then costs no intermediate `serde_json::Value` tree (a map and a key string per
//! field), which was most of the work of a page.

use std::sync::Arc;

use rosetta_model::{CheckState, Host, Id, Service, ServiceStatus, StateType};
use serde::{Serialize, Serializer};

/// A list page: the items, the cursor to continue from, and the matching total.
#[derive(Debug, Serialize)]
pub(crate) struct PageBody<R> {
    pub(crate) items: Vec<R>,
    pub(crate) next_cursor: Option<String>,
    pub(crate) total: usize,
}

/// The JSON form of a current state.
#[derive(Debug, Serialize)]
pub(crate) struct StateView<'a> {
    state: &'static str,
    code: u8,
    #[serde(rename = "type")]
    state_type: &'static str,
    attempt: u32,
    max_attempts: u32,
    output: &'a str,
    perfdata: &'a str,
    last_check: i64,
    last_state_change: i64,
    acknowledged: bool,
    downtime_depth: u32,
    flapping: bool,
    severity: &'static str,
    native: Option<NativeView<'a>>,
}

#[derive(Debug, Serialize)]
struct NativeView<'a> {
    product: &'static str,
    value: &'a str,
}

impl<'a> StateView<'a> {
    /// The view of `check`.
    pub(crate) fn of(check: &'a CheckState) -> StateView<'a> {
        StateView {
            state: if check.pending { "pending" } else { check.state.name() },
            code: check.state.code(),
            state_type: match check.state_type {
                StateType::Soft => "soft",
                StateType::Hard => "hard",
            },
            attempt: check.attempt,
            max_attempts: check.max_attempts,
            output: &check.output,
            perfdata: &check.perfdata,
            last_check: check.last_check.millis(),
            last_state_change: check.last_state_change.millis(),
            acknowledged: check.is_acknowledged(),
            downtime_depth: check.downtime_depth,
            flapping: check.flapping,
            severity: check.state.severity().label(),
            native: check.native.as_ref().map(|native| NativeView { product: native.product.as_str(), value: &native.value }),
        }
    }
}

#[derive(Debug, Serialize)]
struct HostRef<'a> {
    id: Id,
    name: &'a str,
}

/// One item of `GET /api/v1/services`.
#[derive(Debug, Serialize)]
struct ServiceItem<'a> {
    id: Id,
    uuid: uuid::Uuid,
    name: &'a str,
    host: HostRef<'a>,
    enabled: bool,
    monitored: bool,
    status: Option<StateView<'a>>,
}

/// A service with what its list item shows: its host, its display name and its status when monitored.
#[derive(Debug)]
pub(crate) struct ServiceRow {
    pub(crate) service: Arc<Service>,
    pub(crate) host: Arc<Host>,
    pub(crate) name: String,
    pub(crate) status: Option<Arc<ServiceStatus>>,
}

impl Serialize for ServiceRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ServiceItem {
            id: self.service.meta.id,
            uuid: self.service.meta.uuid,
            name: &self.name,
            host: HostRef { id: self.host.meta.id, name: &self.host.name },
            enabled: self.service.enabled,
            monitored: self.status.is_some(),
            status: self.status.as_ref().map(|status| StateView::of(&status.check)),
        }
        .serialize(serializer)
    }
}
