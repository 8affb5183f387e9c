//! `GET /api/v1/{hosts,services,events,alarms}`: filtered lists with cursor paging, scoped to what the
//! principal may see.
//!
//! Paging: items are ordered by id (`order=asc`, the default, or `desc`); `limit` (1..=1000, default 100)
//! items come back with `next_cursor`, which the next request passes as `cursor` to continue after the
//! last item. Cursors stay valid while objects are added or removed.

use std::sync::Arc;

use http::StatusCode;
use rosetta_core::monitoring;
use rosetta_core::request::{json, Params};
use rosetta_core::visibility::Visibility;
use rosetta_core::{GatewayError, Request, RequestContext, Response};
use rosetta_model::query::{like, Direction};
use rosetta_model::*;
use rosetta_store::{Db, Read};
use serde::Serialize;
use serde_json::{json, Value};

use super::views::{PageBody, ServiceRow, StateView};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

/// Cursor paging parameters.
struct Paging {
    cursor: Option<Id>,
    limit: usize,
    order: Direction,
}

impl Paging {
    fn parse(params: &Params) -> Result<Paging, GatewayError> {
        let cursor = match params.get("cursor").filter(|cursor| !cursor.is_empty()) {
            Some(cursor) => Some(cursor.parse::<Id>().map_err(|_| GatewayError::bad_request("`cursor` is not a cursor"))?),
            None => None,
        };
        let limit = match params.get("limit") {
            Some(limit) => limit
                .parse::<usize>()
                .ok()
                .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                .ok_or_else(|| GatewayError::bad_request(format!("`limit` must be 1 to {MAX_LIMIT}")))?,
            None => DEFAULT_LIMIT,
        };
        let order = match params.get("order") {
            None | Some("asc") => Direction::Asc,
            Some("desc") => Direction::Desc,
            Some(_) => return Err(GatewayError::bad_request("`order` must be asc or desc")),
        };
        Ok(Paging { cursor, limit, order })
    }

    /// Applies order, cursor and limit to items already filtered; returns the page body.
    fn page<T, R: Serialize>(&self, mut items: Vec<T>, id: impl Fn(&T) -> Id, render: impl Fn(T) -> R) -> PageBody<R> {
        items.sort_by_key(|item| id(item));
        if self.order == Direction::Desc {
            items.reverse();
        }
        let total = items.len();
        let mut after: Vec<T> = items
            .into_iter()
            .filter(|item| match (self.cursor, self.order) {
                (None, _) => true,
                (Some(cursor), Direction::Asc) => id(item) > cursor,
                (Some(cursor), Direction::Desc) => id(item) < cursor,
            })
            .collect();
        let more = after.len() > self.limit;
        after.truncate(self.limit);
        let next_cursor = if more { after.last().map(|item| id(item).to_string()) } else { None };
        PageBody { items: after.into_iter().map(render).collect(), next_cursor, total }
    }
}

/// True when a list request only pages (no filter): then an everything-seeing principal is served from the
/// ordered index in O(page) instead of a scan.
fn only_paging(params: &Params) -> bool {
    params.0.iter().all(|(key, _)| matches!(key.as_str(), "cursor" | "limit" | "order"))
}

/// A page read straight from the ordered index, with the same body shape as [`Paging::page`].
fn indexed_page<T: rosetta_store::Object, R: Serialize>(db: &Db, paging: &Paging, render: impl Fn(&Arc<T>) -> R) -> PageBody<R> {
    let descending = paging.order == Direction::Desc;
    let mut items = db.window::<T>(paging.cursor, paging.limit + 1, descending);
    let more = items.len() > paging.limit;
    items.truncate(paging.limit);
    let next_cursor = if more { items.last().map(|item| item.meta().id.to_string()) } else { None };
    PageBody { items: items.iter().map(render).collect(), next_cursor, total: db.count::<T>() }
}

fn params(request: &Request) -> Params {
    Params::from_uri(request.uri())
}

/// A glob with `*` as SQL `LIKE` (case-insensitive).
fn glob(pattern: &str, text: &str) -> bool {
    like(&pattern.replace('%', "\\%").replace('*', "%"), text)
}

fn flag(params: &Params, name: &str) -> Result<Option<bool>, GatewayError> {
    match params.get(name) {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(other) => Err(GatewayError::bad_request(format!("`{name}` must be true or false, not `{other}`"))),
    }
}

fn is_problem(check: &CheckState) -> bool {
    !check.pending && !check.state.is_ok()
}

fn is_unhandled(check: &CheckState) -> bool {
    is_problem(check) && !check.is_acknowledged() && check.downtime_depth == 0
}

fn group_names(db: &Db, host: &Host) -> Vec<Value> {
    host.hostgroups
        .iter()
        .filter_map(|id| db.get::<HostGroup>(*id))
        .map(|group| json!({"id": group.meta.id, "name": group.name}))
        .collect()
}

/// Filters shared by host and service lists, on the object's current state.
struct StateFilter {
    states: Vec<String>,
    problem: Option<bool>,
    unhandled: Option<bool>,
    acknowledged: Option<bool>,
    monitored: Option<bool>,
}

impl StateFilter {
    fn parse(params: &Params) -> Result<StateFilter, GatewayError> {
        Ok(StateFilter {
            states: params.get_all("state").map(str::to_ascii_lowercase).collect(),
            problem: flag(params, "problem")?,
            unhandled: flag(params, "unhandled")?,
            acknowledged: flag(params, "acknowledged")?,
            monitored: flag(params, "monitored")?,
        })
    }

    fn matches(&self, check: Option<&CheckState>) -> bool {
        if self.monitored.is_some_and(|wanted| wanted != check.is_some()) {
            return false;
        }
        let Some(check) = check else {
            return self.states.is_empty() && self.problem != Some(true) && self.unhandled != Some(true) && self.acknowledged != Some(true);
        };
        let name = if check.pending { "pending" } else { check.state.name() };
        (self.states.is_empty() || self.states.iter().any(|state| state == name))
            && self.problem.is_none_or(|wanted| wanted == is_problem(check))
            && self.unhandled.is_none_or(|wanted| wanted == is_unhandled(check))
            && self.acknowledged.is_none_or(|wanted| wanted == check.is_acknowledged())
    }
}

/// `GET /api/v1/hosts`: filters `name` (glob), `hostgroup` (name), `tenant` (id), `state` (repeatable),
/// `problem`, `unhandled`, `acknowledged`, `monitored`.
pub(super) fn hosts(ctx: &RequestContext, request: &Request) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?;
    let db = &ctx.app.db;
    let params = params(request);
    let paging = Paging::parse(&params)?;
    let state = StateFilter::parse(&params)?;
    let name = params.get("name");
    let group = params.get("hostgroup").map(|name| db.all::<HostGroup>().into_iter().filter(|g| g.name == name).map(|g| g.meta.id).collect::<Vec<_>>());
    let tenant = match params.get("tenant") {
        Some(tenant) => Some(tenant.parse::<Id>().map_err(|_| GatewayError::bad_request("`tenant` must be an id"))?),
        None => None,
    };
    let sees_all = principal.scope.reads_everything() && principal.can(Permission::ViewAll);
    let render_host = |host: &Arc<Host>, status: Option<Arc<HostStatus>>| {
        json!({
            "id": host.meta.id,
            "uuid": host.meta.uuid,
            "name": host.name,
            "address": host.address,
            "alias": host.alias,
            "tenant": host.tenant,
            "hostgroups": group_names(db, host),
            "enabled": host.enabled,
            "monitored": status.is_some(),
            "status": status.as_ref().map(|status| StateView::of(&status.check)),
        })
    };
    if sees_all && only_paging(&params) {
        let body = indexed_page::<Host, _>(db, &paging, |host| render_host(host, db.get::<HostStatus>(host.meta.id)));
        return Ok(json(StatusCode::OK, &body));
    }
    let visibility = Visibility::new(principal, &**db);
    let items: Vec<(Arc<Host>, Option<Arc<HostStatus>>)> = visibility
        .hosts(&**db)
        .into_iter()
        .filter(|host| name.is_none_or(|pattern| glob(pattern, &host.name)))
        .filter(|host| group.as_ref().is_none_or(|ids| host.hostgroups.iter().any(|id| ids.contains(id))))
        .filter(|host| tenant.is_none_or(|tenant| host.tenant == tenant))
        .map(|host| {
            let status = db.get::<HostStatus>(host.meta.id);
            (host, status)
        })
        .filter(|(_, status)| state.matches(status.as_ref().map(|status| &status.check)))
        .collect();
    let body = paging.page(items, |(host, _)| host.meta.id, |(host, status)| render_host(&host, status));
    Ok(json(StatusCode::OK, &body))
}

/// `GET /api/v1/services`: filters `host` (glob), `name` (glob), `state`, `problem`, `unhandled`,
/// `acknowledged`, `monitored`.
pub(super) fn services(ctx: &RequestContext, request: &Request) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?;
    let db = &ctx.app.db;
    let params = params(request);
    let paging = Paging::parse(&params)?;
    let state = StateFilter::parse(&params)?;
    let (host_pattern, name_pattern) = (params.get("host"), params.get("name"));
    if principal.scope.reads_everything() && principal.can(Permission::ViewAll) && only_paging(&params) {
        let body = indexed_page::<Service, _>(db, &paging, |service| {
            db.get::<Host>(service.host).map(|host| ServiceRow {
                name: monitoring::service_name(&**db, service),
                status: db.get::<ServiceStatus>(service.meta.id),
                service: Arc::clone(service),
                host,
            })
        });
        return Ok(json(StatusCode::OK, &body));
    }
    let visibility = Visibility::new(principal, &**db);
    let items: Vec<ServiceRow> = db
        .all::<Service>()
        .into_iter()
        .filter_map(|service| {
            let host = db.get::<Host>(service.host)?;
            visibility.can_see_host(&host).then_some((service, host))
        })
        .filter(|(_, host)| host_pattern.is_none_or(|pattern| glob(pattern, &host.name)))
        .map(|(service, host)| {
            let name = monitoring::service_name(&**db, &service);
            let status = db.get::<ServiceStatus>(service.meta.id);
            ServiceRow { service, host, name, status }
        })
        .filter(|row| name_pattern.is_none_or(|pattern| glob(pattern, &row.name)))
        .filter(|row| state.matches(row.status.as_ref().map(|status| &status.check)))
        .collect();
    let body = paging.page(items, |row| row.service.meta.id, |row| row);
    Ok(json(StatusCode::OK, &body))
}

fn event_kind(kind: EventKind) -> &'static str {
    match kind {
        EventKind::StateChange => "state_change",
        EventKind::Acknowledgement => "acknowledgement",
        EventKind::DowntimeStart => "downtime_start",
        EventKind::DowntimeEnd => "downtime_end",
        EventKind::Notification => "notification",
        EventKind::Posted => "posted",
        EventKind::Configuration => "configuration",
    }
}

/// The JSON form of an event (also what the stream sends).
pub(crate) fn event_json(db: &impl Read, event: &Event) -> Value {
    let host = event.host.and_then(|id| db.get::<Host>(id));
    let service = event.service.and_then(|id| db.get::<Service>(id));
    json!({
        "id": event.meta.id,
        "time": event.time.millis(),
        "kind": event_kind(event.kind),
        "uei": event.uei,
        "host": host.map(|host| json!({"id": host.meta.id, "name": host.name})),
        "service": service.map(|service| json!({"id": service.meta.id, "name": monitoring::service_name(db, &service)})),
        "state": event.state.map(|state| state.name()),
        "state_type": event.state_type.map(|kind| match kind { StateType::Soft => "soft", StateType::Hard => "hard" }),
        "severity": event.severity.label(),
        "output": event.description,
        "message": event.log_message,
        "author": event.author,
        "comment": event.comment,
        "source": event.source,
    })
}

/// True when the principal may see the event's host (events without a host are visible to everyone who
/// sees everything).
pub(crate) fn can_see_event(visibility: &Visibility, db: &impl Read, event: &Event, sees_all: bool) -> bool {
    match event.host.and_then(|id| db.get::<Host>(id)) {
        Some(host) => visibility.can_see_host(&host),
        None => sees_all,
    }
}

/// `GET /api/v1/events`: filters `host` (glob), `kind` (repeatable).
pub(super) fn events(ctx: &RequestContext, request: &Request) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?;
    let db = &ctx.app.db;
    let params = params(request);
    let paging = Paging::parse(&params)?;
    let kinds: Vec<&str> = params.get_all("kind").collect();
    let host_pattern = params.get("host");
    let visibility = Visibility::new(principal, &**db);
    let sees_all = principal.scope.reads_everything() && principal.can(Permission::ViewAll);
    let items: Vec<Arc<Event>> = db
        .all::<Event>()
        .into_iter()
        .filter(|event| can_see_event(&visibility, &**db, event, sees_all))
        .filter(|event| kinds.is_empty() || kinds.contains(&event_kind(event.kind)))
        .filter(|event| {
            host_pattern.is_none_or(|pattern| {
                event.host.and_then(|id| db.get::<Host>(id)).is_some_and(|host| glob(pattern, &host.name))
            })
        })
        .collect();
    let body = paging.page(items, |event| event.meta.id, |event| event_json(&**db, &event));
    Ok(json(StatusCode::OK, &body))
}

/// `GET /api/v1/alarms`: filters `severity` (minimum label), `acknowledged`, `cleared` (default false),
/// `host` (glob).
pub(super) fn alarms(ctx: &RequestContext, request: &Request) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?;
    let db = &ctx.app.db;
    let params = params(request);
    let paging = Paging::parse(&params)?;
    let minimum = match params.get("severity") {
        Some(label) => Some(Severity::parse(label).ok_or_else(|| GatewayError::bad_request(format!("`{label}` is not a severity")))?),
        None => None,
    };
    let acknowledged = flag(&params, "acknowledged")?;
    let cleared = flag(&params, "cleared")?.unwrap_or(false);
    let host_pattern = params.get("host");
    let visibility = Visibility::new(principal, &**db);
    let items: Vec<Arc<Alarm>> = db
        .all::<Alarm>()
        .into_iter()
        .filter(|alarm| {
            alarm.host.and_then(|id| db.get::<Host>(id)).is_some_and(|host| {
                visibility.can_see_host(&host) && host_pattern.is_none_or(|pattern| glob(pattern, &host.name))
            })
        })
        .filter(|alarm| cleared || alarm.severity != Severity::Cleared)
        .filter(|alarm| minimum.is_none_or(|minimum| alarm.severity >= minimum))
        .filter(|alarm| acknowledged.is_none_or(|wanted| wanted == alarm.ack_time.is_some()))
        .collect();
    let body = paging.page(items, |alarm| alarm.meta.id, |alarm| {
        let host = alarm.host.and_then(|id| db.get::<Host>(id));
        let service = alarm.service.and_then(|id| db.get::<Service>(id));
        json!({
            "id": alarm.meta.id,
            "reduction_key": alarm.reduction_key,
            "uei": alarm.uei,
            "severity": alarm.severity.label(),
            "count": alarm.count,
            "first_event_time": alarm.first_event_time.millis(),
            "last_event_time": alarm.last_event_time.millis(),
            "host": host.map(|host| json!({"id": host.meta.id, "name": host.name})),
            "service": service.map(|service| json!({"id": service.meta.id, "name": monitoring::service_name(&**db, &service)})),
            "acknowledged_by": alarm.ack_user,
            "acknowledged_at": alarm.ack_time.map(Timestamp::millis),
            "message": alarm.log_message,
        })
    });
    Ok(json(StatusCode::OK, &body))
}
