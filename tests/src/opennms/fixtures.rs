//! Data-driven request/response cases: every `fixtures/<family>.json` file is a list of cases run in
//! order against one fresh server arranged by [`super::support::arrange`].
//!
//! `{web01}`, `{db01}`, `{http}` anywhere in a file are replaced by ids before parsing. A case:
//! `name`, `method`, `path`, optional
//! `headers`, `body`, `auth` (`admin` default, `none`, `bad`, or `login:password`); expectations:
//! `status`, `content_type` (prefix), `json` (a subset: objects match key by key, arrays element by
//! element and by length), `absent` (top-level JSON keys that must not be there), `contains`
//! (substrings of the body), `empty` (no body), `response_headers` (exact values, `null` = absent).

use http::Method;
use serde_json::Value;

use super::support::{arrange, World};
use crate::harness::{Call, TestServer, ADMIN_PASSWORD};

fn substitute(text: &str, world: &World) -> String {
    text.replace("{web01}", &world.web01.to_string())
        .replace("{db01}", &world.db01.to_string())
        .replace("{http}", &world.http.to_string())
}

fn subset(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
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
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {actual}")),
    }
}

async fn run_case(server: &TestServer, world: &World, case: &Value) -> Result<(), String> {
    let text = |key: &str| case.get(key).and_then(Value::as_str);
    let method = Method::from_bytes(text("method").unwrap_or("GET").as_bytes()).map_err(|err| err.to_string())?;
    let path = substitute(text("path").ok_or("case without path")?, world);
    let mut call = Call::new(method, server.url(&path));
    call = match text("auth").unwrap_or("admin") {
        "admin" => call.basic("admin", ADMIN_PASSWORD),
        "none" => call,
        "bad" => call.basic("admin", "wrong-password"),
        other => {
            let (login, password) = other.split_once(':').ok_or("auth must be login:password")?;
            call.basic(login, password)
        }
    };
    if let Some(Value::Object(headers)) = case.get("headers") {
        for (name, value) in headers {
            call = call.header(name, value.as_str().unwrap_or_default());
        }
    }
    if let Some(body) = case.get("body") {
        let body = match body {
            Value::String(text) => substitute(text, world),
            other => substitute(&other.to_string(), world),
        };
        call = call.body(body);
    }
    let reply = call.send().await;
    let body = reply.text();
    let context = || format!("status {}, body {body:?}", reply.status);
    if let Some(status) = case.get("status").and_then(Value::as_u64) {
        if u64::from(reply.status.as_u16()) != status {
            return Err(format!("expected status {status}, got {}", context()));
        }
    }
    if let Some(wanted) = text("content_type") {
        let actual = reply.header("content-type").unwrap_or_default();
        if !actual.starts_with(wanted) {
            return Err(format!("expected content type {wanted}, got {actual:?}; {}", context()));
        }
    }
    if case.get("empty").and_then(Value::as_bool) == Some(true) && !reply.body.is_empty() {
        return Err(format!("expected an empty body, got {}", context()));
    }
    if let Some(expected) = case.get("json") {
        let actual: Value = serde_json::from_str(&body).map_err(|err| format!("not JSON ({err}): {}", context()))?;
        subset(expected, &actual, "$").map_err(|err| format!("{err}; {}", context()))?;
    }
    if let Some(Value::Array(keys)) = case.get("absent") {
        let actual: Value = serde_json::from_str(&body).map_err(|err| format!("not JSON ({err}): {}", context()))?;
        for key in keys.iter().filter_map(Value::as_str) {
            if actual.get(key).is_some() {
                return Err(format!("key {key} must be absent; {}", context()));
            }
        }
    }
    if let Some(Value::Array(needles)) = case.get("contains") {
        for needle in needles.iter().filter_map(Value::as_str) {
            let needle = substitute(needle, world);
            if !body.contains(&needle) {
                return Err(format!("body lacks {needle:?}; {}", context()));
            }
        }
    }
    if let Some(Value::Object(headers)) = case.get("response_headers") {
        for (name, value) in headers {
            let actual = reply.header(name).map(|value| substitute(value, world));
            let wanted = value.as_str().map(|value| substitute(value, world));
            if actual != wanted {
                return Err(format!("header {name}: expected {wanted:?}, got {actual:?}; {}", context()));
            }
        }
    }
    Ok(())
}

async fn run_file(name: &str, source: &str) {
    let server = TestServer::start().await;
    let world = arrange(&server).await;
    let source = substitute(source, &world);
    let cases: Vec<Value> = serde_json::from_str(&source).unwrap_or_else(|err| panic!("fixtures/{name}.json: {err}"));
    let mut failures = Vec::new();
    for case in &cases {
        let label = case.get("name").and_then(Value::as_str).unwrap_or("unnamed");
        if let Err(err) = run_case(&server, &world, case).await {
            failures.push(format!("{name}/{label}: {err}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

macro_rules! fixture_tests {
    ($($test:ident => $file:literal;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                run_file($file, include_str!(concat!("fixtures/", $file, ".json"))).await;
            }
        )*
    };
}

fixture_tests! {
    fixtures_system => "system";
    fixtures_nodes => "nodes";
    fixtures_alarms => "alarms";
    fixtures_events => "events";
    fixtures_requisitions => "requisitions";
    fixtures_tolerance => "tolerance";
    fixtures_accounts => "accounts";
    fixtures_metadata => "metadata";
    fixtures_hardware => "hardware";
}
