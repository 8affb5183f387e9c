//! `GET /rest`, login and logout, `/rest/info`, `/rest/serverinfo` and `/rest/user` (spec §2, §7.9,
//! §7.10).

use rosetta_auth::{Credentials, Principal};
use rosetta_core::{credentials, GatewayError, Response};
use rosetta_model::{HostGroup, Permission, Role};
use rosetta_store::Read;
use serde_json::{json, Map, Value};

use super::Env;
use crate::call::{scalar_text, truthy};

/// `GET /rest`: the API version, no authentication needed.
pub fn api_version(env: &Env<'_>) -> Result<Response, GatewayError> {
    let mut parts = env.dialect.opsview_version.split('.').map(|part| part.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(6);
    let minor = parts.next().unwrap_or(0);
    let patch = parts.next().unwrap_or(0);
    env.ok(json!({
        "api_version": format!("{major}.{minor:03}{patch:03}"),
        "api_min_version": "2.0",
        "easyxdm_version": "2.4.19",
    }))
}

/// Username and password from a data body (JSON, Perl literal, XML) or URL/form parameters.
fn credentials_of(env: &Env<'_>) -> (String, String) {
    let from_body = |key: &str| env.call.object().and_then(|map| map.get(key)).and_then(scalar_text);
    let username = from_body("username").or_else(|| env.call.params.last("username").map(str::to_owned));
    let password = from_body("password").or_else(|| env.call.params.last("password").map(str::to_owned));
    (username.unwrap_or_default(), password.unwrap_or_default())
}

/// `POST /rest/login` → `{"token": "<32 hex>"}`; `include_user_data=1` adds `user_data`.
pub async fn login(env: &Env<'_>) -> Result<Response, GatewayError> {
    let (username, password) = credentials_of(env);
    if username.is_empty() || password.is_empty() {
        return Err(GatewayError::from(rosetta_auth::AuthError::InvalidCredentials));
    }
    let client = env.ctx.client_ip();
    let (token, principal) = env.ctx.app.auth.login(&username, &password, client.as_deref(), "opsview").await?;
    let mut body = json!({"token": token});
    let include = env
        .call
        .object()
        .and_then(|map| map.get("include_user_data"))
        .and_then(scalar_text)
        .or_else(|| env.call.params.last("include_user_data").map(str::to_owned));
    if truthy(include.as_deref()) {
        body["user_data"] = user_data(&principal, env.db());
    }
    env.ok(body)
}

async fn end_session(env: &Env<'_>) -> Result<(), GatewayError> {
    env.principal()?;
    if let Some(Credentials::Token { token, .. }) = credentials::opsview_token(&env.parts) {
        env.ctx.app.auth.logout(&token).await?;
    }
    Ok(())
}

/// `POST /rest/logout` → `{"logout_via": "REST API"}`.
pub async fn logout(env: &Env<'_>) -> Result<Response, GatewayError> {
    end_session(env).await?;
    env.ok(json!({"logout_via": "REST API"}))
}

/// `DELETE /rest/login` → `{}` (the Ruby gem's logout).
pub async fn delete_login(env: &Env<'_>) -> Result<Response, GatewayError> {
    end_session(env).await?;
    env.ok(json!({}))
}

fn info_map(env: &Env<'_>) -> Map<String, Value> {
    let settings = &env.ctx.app.settings;
    let name = env.db().get::<HostGroup>(1).map_or_else(|| "Opsview".to_owned(), |group| group.name.clone());
    let value = json!({
        "opsview_version": env.dialect.opsview_version,
        "opsview_build": env.dialect.opsview_build,
        "opsview_edition": env.dialect.opsview_edition,
        "opsview_name": name,
        "server_timezone": settings.timezone,
        "server_timezone_offset": settings.utc_offset_secs,
        "uuid": settings.instance_uuid,
        "hosts_limit": 1000,
    });
    value.as_object().cloned().unwrap_or_default()
}

/// `GET /rest/info`.
pub fn info(env: &Env<'_>) -> Result<Response, GatewayError> {
    env.principal()?;
    env.ok(Value::Object(info_map(env)))
}

/// `GET /rest/serverinfo`: the `/rest/info` keys plus uptime-style extras (shape undocumented).
pub fn server_info(env: &Env<'_>) -> Result<Response, GatewayError> {
    env.principal()?;
    let mut map = info_map(env);
    map.insert("server_time".into(), json!(rosetta_model::Timestamp::now().secs()));
    map.insert("rosetta_version".into(), json!(env.ctx.app.settings.version));
    env.ok(Value::Object(map))
}

/// The current user as `GET /rest/user` shows it. `access_list` holds the role's permissions plus
/// those of the `Public` and `Authenticated user` roles, which every Opsview role inherits.
pub fn user_data(principal: &Principal, store: &impl Read) -> Value {
    let mut access_list: Map<String, Value> =
        principal.permissions().iter().map(|permission: Permission| (permission.name().to_owned(), json!(1))).collect();
    for inherited in ["Public", "Authenticated user"] {
        if let Some(role) = store.find_by_name::<Role>(inherited) {
            for permission in role.permissions.iter() {
                access_list.insert(permission.name().to_owned(), json!(1));
            }
        }
    }
    let access_list: Map<String, Value> = {
        let mut sorted: Vec<(String, Value)> = access_list.into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        sorted.into_iter().collect()
    };
    let user = &principal.user;
    json!({
        "name": user.login,
        "fullname": user.fullname,
        "realm": user.native.get("opsview.realm").cloned().unwrap_or(json!("local")),
        "language": user.native.get("opsview.language").cloned().unwrap_or(json!("")),
        "role": principal.role.name,
        "access_list": access_list,
    })
}

/// `GET /rest/user`.
pub fn user(env: &Env<'_>) -> Result<Response, GatewayError> {
    let principal = env.principal()?;
    env.ok(user_data(principal, env.db()))
}
