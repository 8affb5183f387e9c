//! Operator actions and browser sessions on the native API:
//! `POST/DELETE /api/v1/sessions`, `POST/DELETE /api/v1/acknowledgements`, `POST/DELETE /api/v1/downtimes`.
//!
//! A session is an Opsview-style token (so it works on every dialect too); the browser gets it as an
//! `HttpOnly`, `SameSite=Strict` cookie, which the native API accepts like the headers, so `EventSource`
//! (which cannot send headers) can follow `/api/v1/stream`.

use http::{HeaderValue, StatusCode};
use rosetta_auth::Credentials;
use rosetta_core::monitoring::{self, AckRequest, DowntimeRequest};
use rosetta_core::request::{json, read_body};
use rosetta_core::visibility::Visibility;
use rosetta_core::{ErrorKind, GatewayError, Request, RequestContext, Response};
use rosetta_model::{Host, Id, Service, Target, Timestamp};
use rosetta_store::Tx;
use serde_json::{json, Value};

/// The cookie that carries a browser session.
pub const SESSION_COOKIE: &str = "rosetta_session";

/// The credentials in a session cookie (`login:token`, percent-encoded), if any.
pub fn cookie_credentials(parts: &http::request::Parts) -> Option<Credentials> {
    let header = parts.headers.get(http::header::COOKIE)?.to_str().ok()?;
    let value = header.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(name, _)| *name == SESSION_COOKIE)?.1;
    let decoded = percent_encoding::percent_decode_str(value).decode_utf8().ok()?;
    let (login, token) = decoded.rsplit_once(':')?;
    (!login.is_empty() && !token.is_empty()).then(|| Credentials::Token { login: login.to_owned(), token: token.to_owned() })
}

async fn json_body(ctx: &RequestContext, request: Request) -> Result<Value, GatewayError> {
    let body = read_body(request.into_body(), ctx.app.settings.max_body_bytes).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&body).map_err(|err| GatewayError::bad_request(format!("The body is not valid JSON: {err}")))
}

fn text_field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// `POST /api/v1/sessions` `{"login": "...", "password": "..."}` → `{"login", "token", "expires"}` and the
/// session cookie.
pub(super) async fn login(ctx: &RequestContext, request: Request) -> Result<Response, GatewayError> {
    let secure = request.uri().scheme_str() == Some("https");
    let body = json_body(ctx, request).await?;
    let (Some(login), Some(password)) = (text_field(&body, "login"), text_field(&body, "password")) else {
        return Err(GatewayError::bad_request("`login` and `password` are required"));
    };
    let client = ctx.client_ip();
    let (token, principal) = ctx.app.auth.login(login, password, client.as_deref(), "native").await?;
    let ttl = ctx.app.auth.config().session_ttl.as_secs();
    let mut response = json(
        StatusCode::OK,
        &json!({
            "login": principal.login(),
            "token": token,
            "expires_in": ttl,
        }),
    );
    let value = format!("{}:{token}", principal.login());
    let encoded = percent_encoding::utf8_percent_encode(&value, percent_encoding::NON_ALPHANUMERIC);
    let cookie = format!(
        "{SESSION_COOKIE}={encoded}; Path=/; HttpOnly; SameSite=Strict; Max-Age={ttl}{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(http::header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `DELETE /api/v1/sessions`: ends the session of the cookie or `X-Opsview-Token`, and clears the cookie.
pub(super) async fn logout(ctx: &RequestContext, request: Request) -> Result<Response, GatewayError> {
    let (parts, _) = request.into_parts();
    let token = match cookie_credentials(&parts).or_else(|| rosetta_core::credentials::opsview_token(&parts)) {
        Some(Credentials::Token { token, .. }) => token,
        _ => return Err(GatewayError::unauthenticated()),
    };
    ctx.app.auth.logout(&token).await?;
    let mut response = json(StatusCode::OK, &json!({"logged_out": true}));
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(http::header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The target named by `{"host": "...", "service": "..."}` (service optional), checked against what the
/// principal may act on.
fn target(tx: &Tx<'_>, body: &Value, allowed: impl Fn(&Host) -> bool) -> Result<Target, GatewayError> {
    let host_name = text_field(body, "host").ok_or_else(|| GatewayError::bad_request("`host` is required"))?;
    let host = tx.find_by_name::<Host>(host_name).ok_or_else(|| GatewayError::not_found(format!("No host named {host_name}")))?;
    if !allowed(&host) {
        return Err(GatewayError::forbidden(format!("Not allowed to act on {host_name}")));
    }
    match text_field(body, "service").filter(|name| !name.is_empty()) {
        None => Ok(Target::Host(host.meta.id)),
        Some(name) => tx
            .children::<Service>(host.meta.id)
            .into_iter()
            .find(|service| monitoring::service_name(tx, service) == name)
            .map(|service| Target::Service(service.meta.id))
            .ok_or_else(|| GatewayError::not_found(format!("Host {host_name} has no service named {name}"))),
    }
}

/// `POST /api/v1/acknowledgements` `{"host", "service"?, "comment", "sticky"?, "notify"?}`.
pub(super) async fn acknowledge(ctx: &RequestContext, request: Request) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?.clone();
    let body = json_body(ctx, request).await?;
    let comment = text_field(&body, "comment").unwrap_or_default().to_owned();
    if comment.trim().is_empty() {
        return Err(GatewayError::bad_request("`comment` is required"));
    }
    let sticky = body.get("sticky").and_then(Value::as_bool).unwrap_or(true);
    let notify = body.get("notify").and_then(Value::as_bool).unwrap_or(false);
    let author = if principal.user.fullname.is_empty() { principal.login().to_owned() } else { principal.user.fullname.clone() };
    let ack = ctx
        .app
        .db
        .write(ctx.actor("native"), |tx: &mut Tx<'_>| {
            let visibility = Visibility::new(&principal, tx);
            let target = target(tx, &body, |host| visibility.can_act_on_host(host))?;
            monitoring::acknowledge(
                tx,
                AckRequest { target, author, comment, sticky, notify, persistent: false, dialect: "native".to_owned() },
            )
        })
        .await?;
    match ack {
        Some(ack) => Ok(json(StatusCode::OK, &json!({"id": ack.meta.id, "acknowledged": true}))),
        None => Err(GatewayError::new(ErrorKind::Conflict, "The object has no problem to acknowledge")),
    }
}

/// `DELETE /api/v1/acknowledgements` `{"host", "service"?}`.
pub(super) async fn unacknowledge(ctx: &RequestContext, request: Request) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?.clone();
    let body = json_body(ctx, request).await?;
    let removed = ctx
        .app
        .db
        .write(ctx.actor("native"), |tx: &mut Tx<'_>| {
            let visibility = Visibility::new(&principal, tx);
            let target = target(tx, &body, |host| visibility.can_act_on_host(host))?;
            monitoring::unacknowledge(tx, target)
        })
        .await?;
    Ok(json(StatusCode::OK, &json!({"removed": removed})))
}

/// `POST /api/v1/downtimes` `{"host", "service"?, "comment", "start"? (epoch ms, default now),
/// "end"? (epoch ms) | "duration_minutes"?}`.
pub(super) async fn schedule_downtime(ctx: &RequestContext, request: Request) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?.clone();
    let body = json_body(ctx, request).await?;
    let comment = text_field(&body, "comment").unwrap_or_default().to_owned();
    if comment.trim().is_empty() {
        return Err(GatewayError::bad_request("`comment` is required"));
    }
    let start = body.get("start").and_then(Value::as_i64).map_or_else(Timestamp::now, Timestamp);
    let end = match (body.get("end").and_then(Value::as_i64), body.get("duration_minutes").and_then(Value::as_i64)) {
        (Some(end), _) => Timestamp(end),
        (None, Some(minutes)) if minutes > 0 => start.plus_millis(minutes.saturating_mul(60_000)),
        _ => return Err(GatewayError::bad_request("`end` or a positive `duration_minutes` is required")),
    };
    let author = if principal.user.fullname.is_empty() { principal.login().to_owned() } else { principal.user.fullname.clone() };
    let downtime = ctx
        .app
        .db
        .write(ctx.actor("native"), |tx: &mut Tx<'_>| {
            let visibility = Visibility::new(&principal, tx);
            let target = target(tx, &body, |host| visibility.can_downtime_host(host))?;
            monitoring::schedule_downtime(
                tx,
                DowntimeRequest { target, start, end, fixed: true, author, comment, group: None, dialect: "native".to_owned() },
            )
        })
        .await?;
    Ok(json(
        StatusCode::OK,
        &json!({"id": downtime.meta.id, "start": downtime.start.millis(), "end": downtime.end.millis(), "active": downtime.actual_start.is_some()}),
    ))
}

/// `DELETE /api/v1/downtimes/{id}`.
pub(super) async fn cancel_downtime(ctx: &RequestContext, id: &str) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?.clone();
    let id: Id = id.parse().map_err(|_| GatewayError::bad_request("The downtime id must be a number"))?;
    let cancelled = ctx
        .app
        .db
        .write(ctx.actor("native"), |tx: &mut Tx<'_>| {
            let Some(downtime) = tx.get::<rosetta_model::Downtime>(id) else {
                return Err(GatewayError::not_found(format!("No downtime {id}")));
            };
            let host = match downtime.target {
                Target::Host(host) => tx.get::<Host>(host),
                Target::Service(service) => tx.get::<Service>(service).and_then(|service| tx.get::<Host>(service.host)),
            };
            let visibility = Visibility::new(&principal, tx);
            if !host.is_some_and(|host| visibility.can_downtime_host(&host)) {
                return Err(GatewayError::forbidden("Not allowed to change this downtime"));
            }
            monitoring::cancel_downtime(tx, id, "native")
        })
        .await?;
    Ok(json(StatusCode::OK, &json!({"cancelled": cancelled})))
}
