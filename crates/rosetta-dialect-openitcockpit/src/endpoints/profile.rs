//! `/profile/*apikey*` (spec §1.4): the caller's own API keys. Rosetta stores keys only as hashes, so
//! listings show the stored prefix instead of the full key.

use rosetta_auth::secret;
use rosetta_core::GatewayError;
use rosetta_model::{ApiKey, Id, Kind, Meta};
use serde_json::{json, Value};

use crate::call::{Answer, Call, Reply};
use crate::errors;
use crate::validation::{Rule, ValidationErrors};

/// Seconds a generated candidate stays valid.
const CANDIDATE_TTL_SECS: u64 = 300;

fn key_row(call: &Call<'_>, key: &ApiKey) -> Value {
    json!({
        "id": key.meta.id,
        "userId": key.user,
        "apikey": key.prefix,
        "description": key.description,
        "last_use": key.last_use.map(|time| call.date(time)),
    })
}

fn own_key(call: &Call<'_>, id: Id) -> Result<std::sync::Arc<ApiKey>, GatewayError> {
    call.db()
        .get::<ApiKey>(id)
        .filter(|key| key.user == call.principal.user.meta.id)
        .ok_or_else(|| errors::not_found("Invalid API key"))
}

/// `GET /profile/apikey.json[?id=N]` lists or shows own keys; `POST` changes a description.
pub async fn apikey(call: &Call<'_>) -> Answer {
    if call.is_post() {
        let input = call.model("Apikey");
        let id = crate::endpoints::hosts::id_field(&input, "id").ok_or_else(|| errors::not_found("Invalid API key"))?;
        let description = input.get("description").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
        if description.is_empty() {
            let mut errors = ValidationErrors::new();
            errors.add("description", Rule::Empty);
            return Err(errors::validation(&errors));
        }
        own_key(call, id)?;
        call.db()
            .write(call.actor(), |tx| {
                let key = tx.get::<ApiKey>(id).ok_or_else(|| errors::not_found("Invalid API key"))?;
                let mut changed = (*key).clone();
                changed.description = description;
                tx.update(changed);
                tx.audit("apikey.update", Some(Kind::User), Some(key.user), format!("api key {} description changed", key.prefix));
                Ok::<_, GatewayError>(())
            })
            .await?;
        return Ok(Reply::new(json!({"message": "API key updated successfully"})));
    }
    if let Some(id) = call.param("id") {
        let id = crate::php::strict_int(id).ok_or_else(|| errors::not_found("Invalid API key"))?;
        let key = own_key(call, id)?;
        return Ok(Reply::new(json!({"apikey": key_row(call, &key), "qrcode": ""})));
    }
    let user = call.principal.user.meta.id;
    let keys: Vec<Value> =
        call.db().all::<ApiKey>().iter().filter(|key| key.user == user).map(|key| key_row(call, key)).collect();
    Ok(Reply::new(json!({"apikeys": keys})))
}

/// `GET /profile/create_apikey.json` makes a candidate; `POST` `{"Apikey": {"description"}}` saves it.
pub async fn create_apikey(call: &Call<'_>) -> Answer {
    let user = call.principal.user.meta.id;
    if !call.is_post() {
        let key = secret::new_api_key();
        call.dialect.remember_candidate(user, key.clone());
        return Ok(Reply::new(json!({"apikey": key, "qrcode": ""})));
    }
    let description = call.model("Apikey").get("description").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    if description.is_empty() {
        let mut errors = ValidationErrors::new();
        errors.add("description", Rule::Empty);
        return Err(errors::validation(&errors));
    }
    let (key, age) = call.dialect.take_candidate(user).ok_or_else(|| errors::bad_request("Bad Request"))?;
    if age > CANDIDATE_TTL_SECS {
        return Err(errors::bad_request("API key expired"));
    }
    let record = ApiKey {
        meta: Meta::new(0),
        user,
        key_hash: secret::hash_secret(&key),
        prefix: key.chars().take(8).collect(),
        description,
        last_use: None,
    };
    call.db()
        .write(call.actor(), |tx| {
            let record = tx.insert(record);
            tx.audit("apikey.create", Some(Kind::User), Some(user), format!("api key {} created", record.prefix));
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(Reply::new(json!({"message": "API key created successfully"})))
}

/// `POST|GET /profile/delete_apikey/{id}.json`.
pub async fn delete_apikey(call: &Call<'_>) -> Answer {
    let id = call.id_arg("Invalid API key")?;
    own_key(call, id)?;
    let deleted = call.ctx.app.auth.revoke_api_key(id, call.actor()).await.map_err(GatewayError::from)?;
    if !deleted {
        return Err(errors::with_body(rosetta_core::ErrorKind::BadRequest, json!({"message": "Could not delete api key"})));
    }
    Ok(Reply::new(json!({"message": "Api key deleted successfully"})))
}
