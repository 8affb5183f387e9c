//! Events (`/rest/events`, `/api/v2/events`): lists, single events, counts and posting events.
//! Posted node/service UEIs become check results; others are stored (and reduced into an alarm
//! when their severity is above NORMAL).

use std::sync::Arc;

use http::StatusCode;
use rosetta_core::monitoring::{self, CheckResult};
use rosetta_core::visibility::Visibility;
use rosetta_core::{GatewayError, Response};
use rosetta_model::{
    Alarm, Event, EventKind, Host, HostState, Id, Meta, NativeState, Parameter, Product, Service, ServiceState,
    Severity, StateValue, Target,
};
use rosetta_store::Tx;

use crate::call::{status, Call};
use crate::entity::event::{EventRow, EVENT_SCHEMA};
use crate::entity::{find_node, services_of};
use crate::event_body::{parse_event, PostedEvent};
use crate::negotiate::ApiVersion;
use crate::search::DefaultOrder;

const ORDER_V1: DefaultOrder = &[("eventTime", false), ("id", false)];
const ORDER_V2: DefaultOrder = &[("eventTime", true), ("id", true)];

/// Every event the principal may see.
pub fn visible_rows(call: &Call) -> Result<Vec<EventRow>, GatewayError> {
    let principal = call.principal()?;
    let db = call.db();
    let visibility = Visibility::new(principal, db);
    Ok(db
        .all::<Event>()
        .into_iter()
        .map(|event| EventRow::new(db, event))
        .filter(|row| row.host.as_ref().is_none_or(|host| visibility.can_see_host(host)))
        .collect())
}

/// `GET /events`.
pub fn list(call: &Call) -> Result<Response, GatewayError> {
    let (filter, paging) = call.list_query(&[])?;
    let order = if call.api == ApiVersion::V1 { ORDER_V1 } else { ORDER_V2 };
    let page = EVENT_SCHEMA.query(visible_rows(call)?, filter.as_ref(), &paging, order)?;
    Ok(call.list("events", "event", page.map(|row| row.to_obj()), paging.offset))
}

/// `GET /events/count`.
pub fn count(call: &Call) -> Result<Response, GatewayError> {
    super::system::count(call, &EVENT_SCHEMA, visible_rows(call)?)
}

/// `GET /events/{id}`.
pub fn get(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let missing = || GatewayError::not_found(format!("Event {id} was not found."));
    let id: Id = id.trim().parse().map_err(|_| missing())?;
    let row = visible_rows(call)?.into_iter().find(|row| row.event.meta.id == id).ok_or_else(missing)?;
    Ok(call.entity("event", &row.to_obj()))
}

/// `GET /api/v2/events/properties/{id}`.
pub fn property_values(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let rows = visible_rows(call)?;
    super::system::property_values(call, &EVENT_SCHEMA, &rows, id)
}

/// `PUT /rest/events/{id}` form `ack=true|false` → 204: sets (or clears) `ackUser` to the caller and
/// `ackTime` to now; 404 `Event object x was not found.`, 400 without `ack`.
pub async fn acknowledge(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let missing = || GatewayError::not_found(format!("Event object {id} was not found."));
    let event_id: Id = id.trim().parse().map_err(|_| missing())?;
    if !visible_rows(call)?.iter().any(|row| row.event.meta.id == event_id) {
        return Err(missing());
    }
    set_ack(call, vec![event_id]).await
}

/// `PUT /rest/events?<filters>` form or query `ack=true|false`: acknowledges (or un-acknowledges)
/// every visible event the v1 filters match → 204, also when none matched.
pub async fn acknowledge_many(call: &Call) -> Result<Response, GatewayError> {
    let (filter, mut paging) = call.v1_query(&["ack"])?;
    paging.limit = 0;
    paging.offset = 0;
    let page = EVENT_SCHEMA.query(visible_rows(call)?, filter.as_ref(), &paging, ORDER_V1)?;
    set_ack(call, page.items.iter().map(|row| row.event.meta.id).collect()).await
}

/// Applies the `ack` parameter to events in one transaction (events deleted meanwhile are skipped):
/// `ackUser` = the caller and `ackTime` = now, or both cleared → 204; 400 without `ack`.
async fn set_ack(call: &Call, ids: Vec<Id>) -> Result<Response, GatewayError> {
    let ack = call
        .flag("ack")
        .ok_or_else(|| GatewayError::bad_request("Must supply the 'ack' parameter, set to either 'true' or 'false'"))?;
    let user = call.principal()?.login().to_owned();
    call.db()
        .write(call.ctx.actor("opennms"), move |tx| {
            for id in ids {
                let Some(event) = tx.get::<Event>(id) else { continue };
                let mut changed = (*event).clone();
                changed.ack_user = ack.then(|| user.clone());
                changed.ack_time = ack.then(|| tx.now());
                tx.update(changed);
            }
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// `POST /events` (XML or JSON) → v1 202, v2 204.
pub async fn post(call: &Call) -> Result<Response, GatewayError> {
    let visibility = Visibility::new(call.principal()?, call.db());
    let posted = parse_event(&call.body).map_err(|err| GatewayError::bad_request(err.to_string()))?;
    let severity = match posted.severity.as_deref() {
        Some(label) => Some(
            Severity::parse(label).ok_or_else(|| GatewayError::bad_request(format!("Unknown severity {label:?}")))?,
        ),
        None => None,
    };
    call.db().write(call.ctx.actor("opennms"), |tx| record(tx, &visibility, &posted, severity)).await?;
    Ok(status(match call.api {
        ApiVersion::V1 => StatusCode::ACCEPTED,
        ApiVersion::V2 => StatusCode::NO_CONTENT,
    }))
}

/// What a standard UEI means for a node or service.
fn standard_state(uei: &str, severity: Option<Severity>) -> Option<(bool, StateValue)> {
    let name = uei.strip_prefix("uei.opennms.org/nodes/")?;
    let service_problem = ServiceState::from_severity(severity.unwrap_or(Severity::Major));
    let service_problem = if service_problem == ServiceState::Ok { ServiceState::Critical } else { service_problem };
    Some(match name {
        "nodeDown" | "interfaceDown" => (false, StateValue::Host(HostState::Down)),
        "nodeUp" | "interfaceUp" => (false, StateValue::Host(HostState::Up)),
        "nodeLostService" => (true, StateValue::Service(service_problem)),
        "nodeRegainedService" => (true, StateValue::Service(ServiceState::Ok)),
        _ => return None,
    })
}

/// Records a posted event. Nodes the principal may not act on (another tenant's, or outside its host
/// groups) are unknown to it: the event is stored without a node and changes no state.
fn record(tx: &mut Tx<'_>, visibility: &Visibility, posted: &PostedEvent, severity: Option<Severity>) -> Result<(), GatewayError> {
    let host = posted
        .node_id
        .and_then(|id| tx.get::<Host>(id))
        .or_else(|| posted.interface.as_deref().and_then(|ip| host_by_address(tx, ip)))
        .or_else(|| posted.host.as_deref().and_then(|name| find_node(tx, name)))
        .filter(|host| visibility.can_see_host(host) && visibility.can_act_on_host(host));
    if let (Some(host), Some((for_service, state))) = (&host, standard_state(&posted.uei, severity)) {
        let target = if for_service {
            let wanted = posted.service.as_deref().unwrap_or_default();
            services_of(tx, host.meta.id)
                .into_iter()
                .find(|service: &Arc<Service>| monitoring::service_name(tx, service).eq_ignore_ascii_case(wanted))
                .map(|service| Target::Service(service.meta.id))
        } else {
            Some(Target::Host(host.meta.id))
        };
        if let Some(target) = target {
            let mut result = CheckResult::new(target, state, "opennms");
            result.output = posted.logmsg.clone().or_else(|| posted.descr.clone()).unwrap_or_default();
            result.long_output = posted.descr.clone().unwrap_or_default();
            result.force_hard = true;
            result.uei = Some(posted.uei.clone());
            result.severity = severity.filter(|_| !state.is_ok());
            result.native = Some(NativeState {
                product: Product::Opennms,
                value: severity.unwrap_or_else(|| state.severity()).label().to_owned(),
            });
            monitoring::submit_result(tx, result)?;
            return Ok(());
        }
    }
    let severity = severity.unwrap_or(Severity::Indeterminate);
    let now = tx.now();
    let event = tx.insert(Event {
        meta: Meta::new(0),
        time: posted.time.map_or(now, rosetta_model::Timestamp),
        kind: EventKind::Posted,
        uei: posted.uei.clone(),
        host: host.as_ref().map(|host| host.meta.id),
        service: None,
        state: None,
        state_type: None,
        severity,
        source: posted.source.clone().unwrap_or_else(|| "ReST".to_owned()),
        description: posted.descr.clone().unwrap_or_default(),
        log_message: posted.logmsg.clone().unwrap_or_default(),
        author: String::new(),
        comment: String::new(),
        ip_address: posted.interface.clone().or_else(|| host.as_ref().map(|host| host.address.clone())),
        parameters: posted
            .parms
            .iter()
            .map(|(name, value)| Parameter { name: name.clone(), value: value.clone(), kind: "string".to_owned() })
            .collect(),
        dialect: "opennms".to_owned(),
        ack_user: None,
        ack_time: None,
    });
    if severity > Severity::Normal {
        reduce(tx, &event, posted);
    }
    Ok(())
}

fn host_by_address(tx: &Tx<'_>, address: &str) -> Option<Arc<Host>> {
    tx.all::<Host>()
        .into_iter()
        .find(|host| host.address == address || host.other_addresses.iter().any(|other| other == address))
}

/// Reduces a posted event into its alarm (`uei::node:interface:service`).
fn reduce(tx: &mut Tx<'_>, event: &Event, posted: &PostedEvent) {
    let key = format!(
        "{}::{}:{}:{}",
        event.uei,
        event.host.map(|id| id.to_string()).unwrap_or_default(),
        posted.interface.clone().unwrap_or_default(),
        posted.service.clone().unwrap_or_default()
    );
    let alarm = match tx.find_by_name::<Alarm>(&key) {
        Some(existing) => {
            let mut alarm = (*existing).clone();
            alarm.count += 1;
            alarm.severity = event.severity;
            alarm.last_event = event.meta.id;
            alarm.last_event_time = event.time;
            alarm.description = event.description.clone();
            alarm.log_message = event.log_message.clone();
            alarm.parameters = event.parameters.clone();
            alarm
        }
        None => Alarm {
            meta: Meta::new(0),
            reduction_key: key,
            uei: event.uei.clone(),
            alarm_type: 3,
            severity: event.severity,
            count: 1,
            first_event_time: event.time,
            last_event_time: event.time,
            last_event: event.meta.id,
            host: event.host,
            service: None,
            description: event.description.clone(),
            log_message: event.log_message.clone(),
            ack_user: None,
            ack_time: None,
            ticket_id: None,
            ticket_state: None,
            sticky_memo: None,
            journal_memo: None,
            ip_address: event.ip_address.clone(),
            parameters: event.parameters.clone(),
        },
    };
    tx.put(alarm);
}
