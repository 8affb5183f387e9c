//! One parsed request as the handlers see it ([`Call`]) and what they answer ([`Reply`]).

use std::sync::Arc;

use http::{Method, StatusCode};
use rosetta_auth::Principal;
use rosetta_core::visibility::Visibility;
use rosetta_core::request::respond;
use rosetta_core::{GatewayError, RequestContext, Response};
use rosetta_model::{Id, Timestamp};
use rosetta_store::{Actor, Db};
use serde_json::{Map, Value};

use crate::errors;
use crate::paging::{PageRequest, Paging};

/// The dialect name used for audit actors and native states.
pub const DIALECT: &str = "openitcockpit";

/// A routed, authenticated request.
pub struct Call<'a> {
    /// The request context (store, auth, settings).
    pub ctx: &'a RequestContext,
    /// Who is calling.
    pub principal: &'a Principal,
    /// The dialect (for state kept between requests, such as API-key candidates).
    pub dialect: &'a crate::OpenitcockpitDialect,
    /// HTTP method.
    pub method: Method,
    /// Decoded query pairs in order.
    pub query: Vec<(String, String)>,
    /// Parsed body (`Null` when empty).
    pub body: Value,
    /// Positional path arguments after the action.
    pub args: Vec<String>,
    /// `path?query` as requested.
    pub url: String,
}

impl Call<'_> {
    /// The store.
    pub fn db(&self) -> &Arc<Db> {
        &self.ctx.app.db
    }

    /// The audit actor.
    pub fn actor(&self) -> Actor {
        self.ctx.actor(DIALECT)
    }

    /// True when `angular` is in the query string (any value).
    pub fn angular(&self) -> bool {
        self.query.iter().any(|(key, _)| key == "angular")
    }

    /// The last value of a query parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query.iter().rev().find(|(name, _)| name == key).map(|(_, value)| value.as_str())
    }

    /// True for POST (and PUT, which the product accepts where it says `is('post') || is('put')`).
    pub fn is_post(&self) -> bool {
        self.method == Method::POST || self.method == Method::PUT
    }

    /// 405 unless the request is a POST.
    pub fn require_post(&self) -> Result<(), GatewayError> {
        if self.is_post() {
            Ok(())
        } else {
            Err(errors::method_not_allowed())
        }
    }

    /// 405 unless `angular` is present.
    pub fn require_angular(&self) -> Result<(), GatewayError> {
        if self.angular() {
            Ok(())
        } else {
            Err(errors::method_not_allowed())
        }
    }

    /// The first positional argument as an id; `message` as 404 when missing or not numeric.
    pub fn id_arg(&self, message: &str) -> Result<Id, GatewayError> {
        self.args
            .first()
            .and_then(|arg| crate::php::strict_int(arg))
            .filter(|id| *id > 0)
            .ok_or_else(|| errors::not_found(message))
    }

    /// The visibility filter of the caller.
    pub fn visibility(&self) -> Visibility {
        Visibility::new(self.principal, self.db().as_ref())
    }

    /// Paging parameters with the user's default page size.
    pub fn page_request(&self) -> PageRequest {
        PageRequest::from_query(&self.query, crate::paging::DEFAULT_LIMIT)
    }

    /// Formats a timestamp in the user's date format and zone (0 → the epoch, as the product).
    pub fn date(&self, time: Timestamp) -> String {
        crate::datefmt::format(crate::datefmt::DEFAULT_FORMAT, Some(time.secs()), self.ctx.app.settings.utc_offset_secs)
    }

    /// The object wrapped in the body under `model` (`{"Host": {...}}`), or an empty object.
    pub fn model(&self, model: &str) -> Map<String, Value> {
        self.body.get(model).and_then(Value::as_object).cloned().unwrap_or_default()
    }

    /// The body's top level as an object (unwrapped bodies such as `tenants/add`).
    pub fn body_object(&self) -> Map<String, Value> {
        self.body.as_object().cloned().unwrap_or_default()
    }

    /// The current time in epoch seconds.
    pub fn now_secs(&self) -> i64 {
        Timestamp::now().secs()
    }
}

/// A successful answer: the action's keys, then `_csrfToken`, then `paging`/`scroll`.
#[derive(Debug, Clone)]
pub struct Reply {
    status: StatusCode,
    body: Body,
    paging: Option<Paging>,
}

/// The action's keys: a JSON object, or already encoded.
#[derive(Debug, Clone)]
enum Body {
    Value(Map<String, Value>),
    /// The object's members, encoded the PHP way, without the braces.
    Encoded(Vec<u8>),
}

impl Reply {
    /// An answer with the given keys.
    pub fn new(body: Value) -> Reply {
        let body = match body {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Reply { status: StatusCode::OK, body: Body::Value(body), paging: None }
    }

    /// An answer whose keys are already encoded: `members` is `"key":value,...` as [`crate::json`]
    /// writes it, without the braces (large lists are written straight into it).
    pub fn encoded(members: Vec<u8>) -> Reply {
        Reply { status: StatusCode::OK, body: Body::Encoded(members), paging: None }
    }

    /// `{"success": true}`.
    pub fn success() -> Reply {
        Reply::new(serde_json::json!({"success": true}))
    }

    /// `{"id": id}`.
    pub fn id(id: Id) -> Reply {
        Reply::new(serde_json::json!({"id": id}))
    }

    /// Adds a pagination block.
    pub fn paged(mut self, paging: Paging) -> Reply {
        self.paging = Some(paging);
        self
    }

    /// Sets the status.
    pub fn status(mut self, status: StatusCode) -> Reply {
        self.status = status;
        self
    }

    /// The HTTP response.
    pub fn into_response(self) -> Response {
        match self.body {
            Body::Value(mut body) => {
                body.insert("_csrfToken".to_owned(), Value::Null);
                if let Some(paging) = self.paging {
                    body.insert(paging.key().to_owned(), paging.to_value());
                }
                errors::php_json(self.status, &Value::Object(body))
            }
            Body::Encoded(mut out) => {
                out.insert(0, b'{');
                out.extend_from_slice(b",\"_csrfToken\":null");
                if let Some(paging) = self.paging {
                    out.extend_from_slice(format!(",\"{}\":", paging.key()).as_bytes());
                    crate::json::write(&mut out, &paging.to_value());
                }
                out.push(b'}');
                respond(self.status, errors::PHP_JSON_TYPE, out)
            }
        }
    }
}

/// Handler result.
pub type Answer = Result<Reply, GatewayError>;
