//! The product's error vocabulary, expressed as [`GatewayError`]s. Every error is rendered in one
//! place, [`render`], which the dialect's `render_error` calls.
//!
//! Product-specific shapes travel in [`GatewayError::fields`] under a marker key:
//! - `Validation` errors carry the inner `{"field": {"rule": "message"}}` object;
//! - the container-permission 403 carries `{"oitc": "container"}` (its shape depends on `angular`);
//! - errors whose body is a fixed object (`{"success": false, ...}`) carry `{"oitc_body": {...}}`.

use http::{HeaderValue, StatusCode};
use rosetta_core::request::{no_content, respond};
use rosetta_core::{ErrorKind, GatewayError, Response};
use serde_json::{json, Map, Value};

use crate::validation::ValidationErrors;

const MARKER: &str = "oitc";
const BODY: &str = "oitc_body";

/// `400 {"error": {...}}` from collected validation errors.
pub fn validation(errors: &ValidationErrors) -> GatewayError {
    GatewayError::new(ErrorKind::Validation, "Data could not be saved").with_fields(errors.to_value())
}

/// `400 {"error": {field: {rule: message}}}` for one field.
pub fn invalid(field: &str, rule: &str, message: &str) -> GatewayError {
    let mut errors = ValidationErrors::new();
    errors.add_message(field, rule, message);
    validation(&errors)
}

/// The container-permission 403 (two shapes, depending on `angular`).
pub fn container_forbidden() -> GatewayError {
    GatewayError::forbidden("403 Forbidden").with_fields(json!({ MARKER: "container" }))
}

/// The ACL 403 for a controller/action the user group may not access.
pub fn acl_forbidden(url: &str) -> GatewayError {
    GatewayError::forbidden(format!("Identity is not authorized to perform `access` on `{url}`."))
}

/// 404 with the product's text (`Invalid host`).
pub fn not_found(message: &str) -> GatewayError {
    GatewayError::not_found(message)
}

/// 405 `Method Not Allowed`.
pub fn method_not_allowed() -> GatewayError {
    GatewayError::new(ErrorKind::MethodNotAllowed, "Method Not Allowed")
}

/// 400 `Bad Request` (or another message).
pub fn bad_request(message: &str) -> GatewayError {
    GatewayError::bad_request(message)
}

/// 500 with a client-visible message (`Export already running!`).
pub fn internal_message(message: &str) -> GatewayError {
    GatewayError::new(ErrorKind::Internal, message)
}

/// An error answered with a fixed JSON object (`{"success": false, "message": ...}`).
pub fn with_body(kind: ErrorKind, body: Value) -> GatewayError {
    let message = body.get("message").and_then(Value::as_str).unwrap_or("Error").to_owned();
    GatewayError::new(kind, message).with_fields(json!({ BODY: body }))
}

/// True when the request asked for JSON: a `.json` path or `Accept: application/json` exactly.
pub fn wants_json(parts: &http::request::Parts) -> bool {
    parts.uri.path().ends_with(".json")
        || rosetta_core::request::header(parts, "accept").is_some_and(|accept| accept.trim() == "application/json")
}

/// True when the query string carries `angular` (any value).
pub fn has_angular(parts: &http::request::Parts) -> bool {
    form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()).any(|(key, _)| key == "angular")
}

/// `path?query` HTML-escaped as CakePHP's `h()` does, for the `url` field of error bodies.
pub fn error_url(parts: &http::request::Parts) -> String {
    let raw = parts.uri.path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_default();
    let mut out = String::with_capacity(raw.len());
    for ch in raw.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#039;"),
            other => out.push(other),
        }
    }
    out
}

/// The content type of the product's JSON answers.
pub const PHP_JSON_TYPE: &str = "application/json; charset=UTF-8";

/// A JSON response encoded the PHP way with the product's content type.
pub fn php_json(status: StatusCode, value: &Value) -> Response {
    let options = crate::json::EncodeOptions { empty_object_as_array: true };
    respond(status, PHP_JSON_TYPE, crate::json::encode_with(value, options))
}

/// Renders any error in the product's shape.
pub fn render(err: &GatewayError, parts: &http::request::Parts) -> Response {
    if err.kind == ErrorKind::Unauthenticated {
        if wants_json(parts) {
            let mut response = no_content(StatusCode::UNAUTHORIZED);
            response.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=UTF-8"));
            return response;
        }
        let mut response = no_content(StatusCode::FOUND);
        response.headers_mut().insert(http::header::LOCATION, HeaderValue::from_static("/a/users/login"));
        return response;
    }
    let status = match err.kind {
        // The product has no 409: a running export is a 500 ("Export already running!").
        ErrorKind::Conflict => StatusCode::INTERNAL_SERVER_ERROR,
        _ => err.status(),
    };
    let marker = err.fields.as_ref().and_then(|fields| fields.get(MARKER)).and_then(Value::as_str);
    if let Some(body) = err.fields.as_ref().and_then(|fields| fields.get(BODY)) {
        let mut body = body.clone();
        if let Value::Object(map) = &mut body {
            map.insert("_csrfToken".to_owned(), Value::Null);
        }
        return php_json(status, &body);
    }
    if err.kind == ErrorKind::Validation {
        let errors = err.fields.clone().unwrap_or_else(|| Value::Object(Map::new()));
        return php_json(status, &json!({"error": errors, "_csrfToken": null}));
    }
    if marker == Some("container") && has_angular(parts) {
        return php_json(status, &json!({"status": 403, "statusText": "Forbidden", "_csrfToken": null}));
    }
    let message = match err.kind {
        ErrorKind::Internal | ErrorKind::Unavailable | ErrorKind::Timeout
            if err.message == "Internal server error" || err.kind != ErrorKind::Internal =>
        {
            "An Internal Error Has Occurred.".to_owned()
        }
        _ => err.message.clone(),
    };
    php_json(
        status,
        &json!({"message": message, "url": error_url(parts), "code": status.as_u16(), "_csrfToken": null}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn parts(uri: &str) -> http::request::Parts {
        http::Request::builder().uri(uri).body(()).map(|request| request.into_parts().0).unwrap_or_else(|_| http::Request::new(()).into_parts().0)
    }

    async fn body(response: Response) -> String {
        let bytes = response.into_body().collect().await.map(|collected| collected.to_bytes()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[tokio::test]
    async fn every_shape_is_rendered_here() {
        let not_allowed = render(&method_not_allowed(), &parts("/hosts/delete/1.json?a=1&b=2"));
        assert_eq!(not_allowed.status(), 405);
        assert_eq!(body(not_allowed).await, r#"{"message":"Method Not Allowed","url":"\/hosts\/delete\/1.json?a=1\u0026amp;b=2","code":405,"_csrfToken":null}"#);
        let angular = render(&container_forbidden(), &parts("/hosts/edit/1.json?angular=true"));
        assert_eq!(body(angular).await, r#"{"status":403,"statusText":"Forbidden","_csrfToken":null}"#);
        let plain = render(&container_forbidden(), &parts("/hosts/edit/1.json"));
        assert!(body(plain).await.starts_with(r#"{"message":"403 Forbidden""#));
        let unauthenticated = render(&GatewayError::unauthenticated(), &parts("/hosts/index.json"));
        assert_eq!(unauthenticated.status(), 401);
        assert_eq!(body(unauthenticated).await, "");
        let redirect = render(&GatewayError::unauthenticated(), &parts("/hosts/index"));
        assert_eq!(redirect.status(), 302);
        let internal = render(&GatewayError::internal("secret detail"), &parts("/x.json"));
        assert_eq!(internal.status(), 500);
        assert!(body(internal).await.contains("An Internal Error Has Occurred."));
        let conflict = render(&GatewayError::conflict("Reload already running"), &parts("/x.json"));
        assert_eq!(conflict.status(), 500);
        let invalid = render(&invalid("name", "_empty", "This field cannot be left empty"), &parts("/hosts/add.json"));
        assert_eq!(body(invalid).await, r#"{"error":{"name":{"_empty":"This field cannot be left empty"}},"_csrfToken":null}"#);
    }
}
