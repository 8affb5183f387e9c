//! Alarms, v1 (`/rest/alarms`) and v2 (`/api/v2/alarms`): lists, single alarms, counts and the
//! operator actions (ack/unack through `monitoring`, clear, escalate, tickets, memos).

use http::StatusCode;
use rosetta_core::monitoring::{self, AckRequest};
use rosetta_core::visibility::Visibility;
use rosetta_core::{ErrorKind, GatewayError, Response};
use rosetta_model::query::{Page, Window};
use rosetta_model::{Alarm, Id, Memo, Severity, Target};
use rosetta_store::Tx;

use crate::access;
use crate::alarm_index::{Current, ORDER};
use crate::call::{plain, status, Call};
use crate::entity::alarm::{AlarmRow, ALARM_SCHEMA, TICKET_STATES};
use crate::negotiate::ApiVersion;

/// Every alarm the principal may see.
pub fn visible_rows(call: &Call) -> Result<Vec<AlarmRow>, GatewayError> {
    let principal = call.principal()?;
    access::check_alarm_read(principal)?;
    let db = call.db();
    let visibility = Visibility::new(principal, db);
    Ok(db
        .all::<Alarm>()
        .into_iter()
        .map(|alarm| AlarmRow::new(db, alarm))
        .filter(|row| row.host.as_ref().is_none_or(|host| visibility.can_see_host(host)))
        .collect())
}

/// One alarm, if it exists and the principal may see it.
fn visible_alarm(call: &Call, id: Id) -> Result<Option<AlarmRow>, GatewayError> {
    let principal = call.principal()?;
    access::check_alarm_read(principal)?;
    let db = call.db();
    let Some(alarm) = db.get::<Alarm>(id) else {
        return Ok(None);
    };
    let row = AlarmRow::new(db, alarm);
    let visibility = Visibility::new(principal, db);
    Ok(row.host.as_ref().is_none_or(|host| visibility.can_see_host(host)).then_some(row))
}

/// The alarm index and the principal's visibility, after checking that it may read alarms.
fn indexed(call: &Call) -> Result<(Current<'_>, Visibility), GatewayError> {
    let principal = call.principal()?;
    access::check_alarm_read(principal)?;
    let db = call.db();
    Ok((call.alarms.current(&call.ctx.app.db), Visibility::new(principal, db)))
}

/// The visible alarms matching `filter`, ordered (`paging.order_by`, then [`ORDER`]) and cut to `window`,
/// from the alarm index: rows are built for the window only.
fn query(
    call: &Call,
    filter: Option<&crate::filter::Expr>,
    paging: &crate::filter_params::Paging,
    window: Window,
) -> Result<Page<AlarmRow>, GatewayError> {
    let (index, visibility) = indexed(call)?;
    let plan = ALARM_SCHEMA.plan(filter, paging, ORDER)?;
    Ok(index.query(call.db(), &visibility, &plan, window))
}

/// `GET /alarms`.
pub fn list(call: &Call) -> Result<Response, GatewayError> {
    if call.api == ApiVersion::V1 && call.params.has("alarmId") && call.params.has("id") {
        return Err(GatewayError::bad_request("Cannot filter by both 'alarmId' and 'id'"));
    }
    let (filter, paging) = call.list_query(&[])?;
    let window = Window { offset: paging.offset, limit: paging.effective_limit() };
    let page = query(call, filter.as_ref(), &paging, window)?;
    Ok(call.stream_list("alarms", "alarm", &page, paging.offset, |out, row| row.emit(out)))
}

/// `GET /alarms/count`: v1 counts every alarm, v2 applies `_s`.
pub fn count(call: &Call) -> Result<Response, GatewayError> {
    let (index, visibility) = indexed(call)?;
    let (filter, paging) = match call.api {
        ApiVersion::V1 => (None, crate::filter_params::Paging::default()),
        ApiVersion::V2 => call.v2_query()?,
    };
    let plan = ALARM_SCHEMA.plan(filter.as_ref(), &paging, &[])?;
    Ok(plain(index.count(call.db(), &visibility, &plan).to_string()))
}

/// `GET /alarms/{id}`: 404 with an empty body when missing.
pub fn get(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let id: Id = id.parse().map_err(|_| GatewayError::not_found(""))?;
    let row = visible_alarm(call, id)?.ok_or_else(|| GatewayError::not_found(""))?;
    Ok(call.stream_entity("alarm", |out| row.emit(out)))
}

/// `GET /api/v2/alarms/properties/{id}`.
pub fn property_values(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let rows = visible_rows(call)?;
    super::system::property_values(call, &ALARM_SCHEMA, &rows, id)
}

/// One operator action on an alarm.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Ack,
    Unack,
    Escalate,
    Clear,
    Ticket(String),
    TicketState(u8),
}

fn action(call: &Call) -> Result<Action, GatewayError> {
    if let Some(ack) = call.flag("ack") {
        return Ok(if ack { Action::Ack } else { Action::Unack });
    }
    if call.flag("escalate") == Some(true) {
        return Ok(Action::Escalate);
    }
    if call.flag("clear") == Some(true) {
        return Ok(Action::Clear);
    }
    if call.api == ApiVersion::V2 {
        if let Some(ticket) = call.param("ticketId") {
            return Ok(Action::Ticket(ticket.to_owned()));
        }
        if let Some(state) = call.param("ticketState") {
            let index = TICKET_STATES
                .iter()
                .position(|known| known.eq_ignore_ascii_case(state))
                .ok_or_else(|| GatewayError::bad_request(format!("Invalid ticketState: {state}")))?;
            return Ok(Action::TicketState(u8::try_from(index).unwrap_or(0)));
        }
    }
    Err(GatewayError::bad_request(
        "Must supply one of the 'ack', 'escalate', or 'clear' parameters, set to either 'true' or 'false'.",
    ))
}

/// `PUT /alarms/{id}` (form and query merged): ack, unack, escalate, clear, ticket fields → 204.
pub async fn update(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    let missing = || match call.api {
        ApiVersion::V1 => GatewayError::bad_request(format!("Unable to locate alarm with ID '{id}'")),
        ApiVersion::V2 => GatewayError::not_found(""),
    };
    let alarm_id: Id = id.trim().parse().map_err(|_| missing())?;
    if visible_alarm(call, alarm_id)?.is_none() {
        return Err(missing());
    }
    let ack_user = call.param("ackUser").filter(|user| !user.is_empty());
    access::check_alarm_modify(principal, ack_user)?;
    let action = action(call)?;
    let user = ack_user.unwrap_or(principal.login()).to_owned();
    call.db().write(call.ctx.actor("opennms"), |tx| apply(tx, alarm_id, &action, &user)).await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// Parameters that select the action of a bulk update rather than filter alarms.
const ACTION_KEYS: [&str; 6] = ["ack", "ackUser", "escalate", "clear", "ticketId", "ticketState"];

/// `PUT /alarms?<filters>&ack=…` (v1 property filters, v2 `_s`) → 204; v2 404 when nothing matched.
pub async fn update_many(call: &Call) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    let ack_user = call.param("ackUser").filter(|user| !user.is_empty());
    access::check_alarm_modify(principal, ack_user)?;
    let action = action(call)?;
    let (filter, mut paging) = match call.api {
        ApiVersion::V1 => call.v1_query(&ACTION_KEYS)?,
        ApiVersion::V2 => call.v2_query()?,
    };
    paging.limit = 0;
    paging.offset = 0;
    let all = Window { offset: 0, limit: None };
    let ids: Vec<Id> = query(call, filter.as_ref(), &paging, all)?.items.iter().map(|row| row.alarm.meta.id).collect();
    if ids.is_empty() && call.api == ApiVersion::V2 {
        return Err(GatewayError::not_found(""));
    }
    let user = ack_user.unwrap_or(principal.login()).to_owned();
    call.db()
        .write(call.ctx.actor("opennms"), |tx| ids.iter().try_for_each(|id| apply(tx, *id, &action, &user)))
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// `POST /rest/acks` form `alarmId` + `action=ack|unack|clear|esc` → 200 with the acknowledgment.
pub async fn post_ack(call: &Call) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    if call.params.has("notifId") && !call.params.has("alarmId") {
        return Err(GatewayError::bad_request("Notifications are not kept; nothing to acknowledge"));
    }
    let raw = call.param("alarmId").ok_or_else(|| GatewayError::bad_request("Must supply the 'alarmId' parameter"))?;
    let alarm_id: Id = raw.parse().map_err(|_| GatewayError::bad_request(format!("Invalid alarmId {raw:?}")))?;
    if visible_alarm(call, alarm_id)?.is_none() {
        return Err(GatewayError::bad_request(format!("Unable to locate alarm with ID '{alarm_id}'")));
    }
    access::check_alarm_modify(principal, None)?;
    let verb = call.param("action").unwrap_or("ack").to_ascii_lowercase();
    let action = match verb.as_str() {
        "ack" => Action::Ack,
        "unack" => Action::Unack,
        "clear" => Action::Clear,
        "esc" | "escalate" => Action::Escalate,
        other => return Err(GatewayError::bad_request(format!("Unknown action {other:?}"))),
    };
    let user = principal.login().to_owned();
    let time =
        call.db().write(call.ctx.actor("opennms"), |tx| apply(tx, alarm_id, &action, &user).map(|()| tx.now())).await?;
    let obj = crate::wire::Obj::new()
        .elem("ackUser", principal.login())
        .elem("ackTime", crate::wire::Val::Time(time.millis()))
        .elem("ackType", "ALARM")
        .elem("ackAction", ack_action_name(&action))
        .elem("refId", alarm_id);
    Ok(call.entity("onmsAcknowledgment", &obj))
}

fn ack_action_name(action: &Action) -> &'static str {
    match action {
        Action::Ack => "ACKNOWLEDGE",
        Action::Unack => "UNACKNOWLEDGE",
        Action::Clear => "CLEAR",
        _ => "ESCALATE",
    }
}

/// The host or service an alarm is about.
pub fn target_of(alarm: &Alarm) -> Option<Target> {
    match (alarm.service, alarm.host) {
        (Some(service), _) => Some(Target::Service(service)),
        (None, Some(host)) => Some(Target::Host(host)),
        (None, None) => None,
    }
}

fn ignore_missing(result: Result<(), GatewayError>) -> Result<(), GatewayError> {
    match result {
        Err(err) if err.kind == ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn apply(tx: &mut Tx<'_>, id: Id, action: &Action, user: &str) -> Result<(), GatewayError> {
    let alarm = tx.get::<Alarm>(id).ok_or_else(|| GatewayError::not_found(""))?;
    let target = target_of(&alarm);
    match action {
        Action::Ack => {
            if alarm.ack_user.is_some() {
                return Ok(());
            }
            if let Some(target) = target {
                let request = AckRequest {
                    target,
                    author: user.to_owned(),
                    comment: "Acknowledged through the OpenNMS REST API".to_owned(),
                    sticky: true,
                    notify: false,
                    persistent: false,
                    dialect: "opennms".to_owned(),
                };
                ignore_missing(monitoring::acknowledge(tx, request).map(|_| ()))?;
            }
            let mut acked = (*tx.get::<Alarm>(id).unwrap_or(alarm)).clone();
            if acked.ack_user.as_deref() != Some(user) || acked.ack_time.is_none() {
                acked.ack_user = Some(user.to_owned());
                acked.ack_time = Some(tx.now());
                tx.update(acked);
            }
        }
        Action::Unack => {
            if let Some(target) = target {
                ignore_missing(monitoring::unacknowledge(tx, target).map(|_| ()))?;
            }
            let mut unacked = (*tx.get::<Alarm>(id).unwrap_or(alarm)).clone();
            if unacked.ack_user.is_some() || unacked.ack_time.is_some() {
                unacked.ack_user = None;
                unacked.ack_time = None;
                tx.update(unacked);
            }
        }
        Action::Escalate | Action::Clear | Action::Ticket(_) | Action::TicketState(_) => {
            let mut changed = (*alarm).clone();
            match action {
                Action::Escalate => changed.severity = changed.severity.escalated(),
                Action::Clear => changed.severity = Severity::Cleared,
                Action::Ticket(ticket) => changed.ticket_id = Some(ticket.clone()),
                Action::TicketState(state) => changed.ticket_state = Some(*state),
                Action::Ack | Action::Unack => {}
            }
            tx.update(changed);
        }
    }
    Ok(())
}

/// `PUT /api/v2/alarms/{id}/memo|journal` form `body` [+`user`] → 204.
pub async fn save_memo(call: &Call, id: &str, journal: bool) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    let alarm_id = existing_v2(call, id)?;
    let user = call.param("user").filter(|user| !user.is_empty());
    access::check_alarm_modify(principal, user)?;
    let body = call.params.get("body").filter(|body| !body.is_empty()).map(str::to_owned);
    let body = body.ok_or_else(|| GatewayError::bad_request("Body cannot be null."))?;
    let author = user.unwrap_or(principal.login()).to_owned();
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            let mut alarm = (*tx.get::<Alarm>(alarm_id).ok_or_else(|| GatewayError::not_found(""))?).clone();
            let now = tx.now();
            let slot = if journal { &mut alarm.journal_memo } else { &mut alarm.sticky_memo };
            let created = slot.as_ref().map_or(now, |memo| memo.created);
            *slot = Some(Memo { id: alarm_id, author, body, created, updated: now });
            tx.update(alarm);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// `DELETE /api/v2/alarms/{id}/memo|journal` → 204.
pub async fn delete_memo(call: &Call, id: &str, journal: bool) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    let alarm_id = existing_v2(call, id)?;
    access::check_alarm_modify(principal, None)?;
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            let mut alarm = (*tx.get::<Alarm>(alarm_id).ok_or_else(|| GatewayError::not_found(""))?).clone();
            if journal {
                alarm.journal_memo = None;
            } else {
                alarm.sticky_memo = None;
            }
            tx.update(alarm);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// `POST /api/v2/alarms/{id}/ticket/{create|update|close}`: the ticketer is disabled → 501.
pub fn ticket(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    existing_v2(call, id)?;
    access::check_alarm_modify(principal, None)?;
    Err(GatewayError::new(ErrorKind::NotImplemented, "AlarmTroubleTicketer is not enabled. Cannot perform operation"))
}

fn existing_v2(call: &Call, id: &str) -> Result<Id, GatewayError> {
    let alarm_id: Id = id.trim().parse().map_err(|_| GatewayError::not_found(""))?;
    if visible_alarm(call, alarm_id)?.is_some() {
        Ok(alarm_id)
    } else {
        Err(GatewayError::not_found(""))
    }
}
