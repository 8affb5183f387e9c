//! Data-driven request/response cases: every `fixtures/<family>.json` file is a list of cases run in
//! order against one fresh server (later cases see what earlier ones wrote).
//!
//! A case: `name`, `method`, `path`, optional `headers`, `body` (JSON, sent as
//! `application/json` unless `headers` set a content type) or `raw` (a string body), `auth`
//! (`admin` default, `none`, `bad`, `expired`, `viewer` = a user with the built-in
//! `View all, change none` role). Expectations: `status`, `content_type` (prefix), `json` (a
//! subset: objects key by key, arrays element by element and by length; the string `<hex32>`
//! matches a 32-character lower-case hex token, `<any>` anything), `absent` (top-level JSON keys
//! that must not be there), `contains` (substrings of the body).

use http::Method;
use serde_json::Value;

use super::support::{admin_token, expired_token, login, user_with_role};
use crate::harness::{Call, TestServer};

fn subset(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::String(marker), _) if marker == "<any>" => Ok(()),
        (Value::String(marker), Value::String(text)) if marker == "<hex32>" => {
            if text.len() == 32 && text.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()) {
                Ok(())
            } else {
                Err(format!("{path}: {text:?} is not 32 lower-case hex characters"))
            }
        }
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let found = have.get(key).ok_or_else(|| format!("{path}.{key} missing"))?;
                subset(value, found, &format!("{path}.{key}"))?;
            }
            Ok(())
        }
        (Value::Array(want), Value::Array(have)) => {
            if want.len() != have.len() {
                return Err(format!("{path}: expected {} items, got {}", want.len(), have.len()));
            }
            for (index, (value, found)) in want.iter().zip(have).enumerate() {
                subset(value, found, &format!("{path}[{index}]"))?;
            }
            Ok(())
        }
        (want, have) if want == have => Ok(()),
        (want, have) => Err(format!("{path}: expected {want}, got {have}")),
    }
}

struct Tokens {
    admin: String,
    viewer: String,
    expired: String,
}

async fn run_file(name: &str, text: &str) {
    let server = TestServer::start().await;
    user_with_role(&server, "viewer", "viewer-password-1", "View all, change none", &[]).await;
    let tokens = Tokens {
        admin: admin_token(&server).await,
        viewer: login(&server, "viewer", "viewer-password-1").await,
        expired: expired_token(&server).await,
    };
    // The arrangement above changed configuration; start every file from an up-to-date state.
    server
        .db
        .write(rosetta_store::Actor::new("test", "test"), rosetta_core::monitoring::finish_reload)
        .await
        .expect("reload");
    let cases: Vec<Value> = serde_json::from_str(text).unwrap_or_else(|err| panic!("{name}: bad fixture file: {err}"));
    let mut failures = Vec::new();
    for case in &cases {
        let label = format!("{name} / {}", case["name"].as_str().unwrap_or("?"));
        if let Err(problem) = run_case(&server, &tokens, case).await {
            failures.push(format!("{label}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

async fn run_case(server: &TestServer, tokens: &Tokens, case: &Value) -> Result<(), String> {
    let method = Method::from_bytes(case["method"].as_str().unwrap_or("GET").as_bytes()).map_err(|e| e.to_string())?;
    let path = case["path"].as_str().ok_or("no path")?;
    let mut call = Call::new(method, server.url(path));
    let (user, token) = match case["auth"].as_str().unwrap_or("admin") {
        "none" => (None, None),
        "bad" => (Some("admin"), Some("0123456789abcdef0123456789abcdef")),
        "expired" => (Some("admin"), Some(tokens.expired.as_str())),
        "viewer" => (Some("viewer"), Some(tokens.viewer.as_str())),
        _ => (Some("admin"), Some(tokens.admin.as_str())),
    };
    if let (Some(user), Some(token)) = (user, token) {
        call = call.header("X-Opsview-Username", user).header("X-Opsview-Token", token);
    }
    let mut has_content_type = false;
    if let Some(headers) = case["headers"].as_object() {
        for (name, value) in headers {
            has_content_type |= name.eq_ignore_ascii_case("content-type");
            call = call.header(name, value.as_str().unwrap_or_default());
        }
    }
    if let Some(raw) = case["raw"].as_str() {
        call = call.body(raw.to_owned());
    } else if case.get("body").is_some() {
        let bytes = serde_json::to_vec(&case["body"]).map_err(|e| e.to_string())?;
        if !has_content_type {
            call = call.header("Content-Type", "application/json");
        }
        call = call.body(bytes);
    }
    let reply = call.send().await;
    let body = reply.text();
    if let Some(status) = case["status"].as_u64() {
        if u64::from(reply.status.as_u16()) != status {
            return Err(format!("status {} instead of {status}: {body}", reply.status));
        }
    }
    if let Some(prefix) = case["content_type"].as_str() {
        let found = reply.header("content-type").unwrap_or_default();
        if !found.starts_with(prefix) {
            return Err(format!("content type {found:?} does not start with {prefix:?}"));
        }
    }
    for needle in case["contains"].as_array().into_iter().flatten() {
        let needle = needle.as_str().unwrap_or_default();
        if !body.contains(needle) {
            return Err(format!("body does not contain {needle:?}: {body}"));
        }
    }
    if case.get("json").is_some() || case.get("absent").is_some() {
        let actual: Value = serde_json::from_str(&body).map_err(|e| format!("not JSON ({e}): {body}"))?;
        if let Some(expected) = case.get("json") {
            subset(expected, &actual, "$").map_err(|problem| format!("{problem}\nbody: {body}"))?;
        }
        for key in case["absent"].as_array().into_iter().flatten() {
            let key = key.as_str().unwrap_or_default();
            if actual.get(key).is_some() {
                return Err(format!("key {key:?} must be absent: {body}"));
            }
        }
    }
    Ok(())
}

macro_rules! fixture_tests {
    ($($test:ident => $file:literal;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            run_file($file, include_str!(concat!("fixtures/", $file))).await;
        }
    )*};
}

fixture_tests! {
    fixtures_session_and_negotiation => "session.json";
    fixtures_config_reads => "config_read.json";
    fixtures_config_writes => "config_write.json";
    fixtures_bad_input => "bad_input.json";
    fixtures_permissions => "permissions.json";
}
