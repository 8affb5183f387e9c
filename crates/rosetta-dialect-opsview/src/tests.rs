//! Dialect tests against the in-memory store, no sockets: requests go straight into
//! [`Dialect::handle`] and errors through [`Dialect::render_error`].

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full};
use rosetta_auth::{Auth, AuthConfig, AuthMethod, PasswordHasher};
use rosetta_core::{AppContext, Dialect, GatewayError, RequestContext, Settings};
use rosetta_model::{Host, HostGroup, HostTemplate, ServiceTemplate, TimePeriod, User};
use rosetta_store::{Actor, Db, MemoryStore};
use serde_json::{json, Value};

use crate::call::Call;
use crate::negotiate::Format;
use crate::render::stringify;
use crate::OpsviewDialect;

async fn app() -> AppContext {
    let db = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("open"));
    let auth =
        Arc::new(Auth::new(Arc::clone(&db), AuthConfig { hasher: PasswordHasher::cheap(), ..AuthConfig::default() }));
    let hash = auth.hash_password("secret-password").expect("hash");
    let dialect = OpsviewDialect::new();
    db.write(Actor::new("system", "seed"), |tx| {
        rosetta_core::seed::seed_core(tx, hash)?;
        dialect.seed(tx)
    })
    .await
    .expect("seed");
    AppContext { db, auth, settings: Arc::new(Settings::default()) }
}

fn request(method: Method, uri: &str, content_type: Option<&str>, body: &str) -> rosetta_core::Request {
    let mut builder = http::Request::builder().method(method).uri(uri);
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    let body = Full::new(Bytes::from(body.to_owned())).map_err(|never| match never {}).boxed();
    builder.body(body).expect("request")
}

/// Sends a request as the administrator; returns the status and the body as JSON.
async fn send(app: &AppContext, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let admin = app.db.find_by_name::<User>("admin").expect("admin");
    let principal = app.auth.principal(admin, AuthMethod::Token).expect("principal");
    let ctx = RequestContext::new(app.clone(), "test".into(), None, Ok(Some(principal)));
    let text = body.map(|b| b.to_string()).unwrap_or_default();
    let req = request(method, uri, Some("application/json"), &text);
    let parts = request(Method::GET, uri, Some("application/json"), "").into_parts().0;
    let dialect = OpsviewDialect::new();
    let response = match dialect.handle(ctx, req).await {
        Ok(response) => response,
        Err(err) => dialect.render_error(&err, &parts),
    };
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).expect("JSON reply"))
}

#[tokio::test]
async fn the_seed_has_the_essential_rows_and_runs_twice_without_duplicates() {
    let app = app().await;
    let db = &app.db;
    let groups = db.all::<HostGroup>();
    assert_eq!(groups.iter().find(|g| g.meta.id == 1).map(|g| g.name.as_str()), Some("Opsview"));
    assert_eq!(
        groups.iter().find(|g| g.meta.id == 2).map(|g| (g.name.as_str(), g.parent)),
        Some(("Monitoring Servers", Some(1)))
    );
    assert_eq!(db.get::<TimePeriod>(1).map(|p| p.name.clone()), Some("24x7".to_owned()));
    assert_eq!(db.get::<HostTemplate>(117).map(|t| t.name.clone()), Some("Network - Base".to_owned()));
    assert_eq!(db.get::<HostTemplate>(118).map(|t| t.service_templates.len()), Some(7));
    assert_eq!(db.get::<ServiceTemplate>(200).map(|t| t.name.clone()), Some("Connectivity - LAN".to_owned()));
    let before = (
        db.count::<HostGroup>(),
        db.count::<TimePeriod>(),
        db.count::<ServiceTemplate>(),
        db.count::<rosetta_model::Command>(),
    );
    db.write(Actor::system(), crate::seed::seed).await.expect("second seed");
    let after = (
        db.count::<HostGroup>(),
        db.count::<TimePeriod>(),
        db.count::<ServiceTemplate>(),
        db.count::<rosetta_model::Command>(),
    );
    assert_eq!(before, after);
    let status = db.get::<rosetta_model::ConfigStatus>(1).expect("status");
    assert!(!status.pending, "a fresh install is up to date");
}

#[tokio::test]
async fn lists_page_with_string_summaries() {
    let app = app().await;
    let (status, body) =
        send(&app, Method::GET, "/rest/config/hostcheckcommand?rows=4&page=2&order=name&cols=name", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["summary"],
        json!({"allrows": "14", "page": "2", "rows": "4", "totalpages": "4", "totalrows": "14"})
    );
    let names: Vec<&str> = body["list"].as_array().expect("list").iter().filter_map(|o| o["name"].as_str()).collect();
    assert_eq!(names, vec!["tcp port 135 (MS RPC)", "tcp port 161 (SNMP)", "tcp port 21 (FTP)", "tcp port 22 (SSH)"]);
}

#[tokio::test]
async fn a_failing_list_write_leaves_nothing_behind() {
    let app = app().await;
    let hosts_before = app.db.count::<Host>();
    let body = json!({"list": [
        {"name": "ok1", "ip": "10.0.0.1"},
        {"name": "ok2", "ip": "10.0.0.2", "hosttemplates": [{"name": "No such template"}]},
    ]});
    let (status, reply) = send(&app, Method::POST, "/rest/config/host", Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(reply["message"], "Rollback. Error trying to synchronise object: 1");
    assert_eq!(reply["detail"], "No related object for hosttemplates 'name=No such template'");
    assert_eq!(reply["objects_updated"], "0");
    assert_eq!(app.db.count::<Host>(), hosts_before);
    assert!(!app.db.get::<rosetta_model::ConfigStatus>(1).expect("status").pending);
}

#[tokio::test]
async fn hosts_get_the_services_of_their_templates() {
    let app = app().await;
    let body = json!({"name": "unix1", "ip": "10.0.0.3", "hosttemplates": ["OS - Unix Base"],
                      "servicechecks": [{"name": "Connectivity - LAN", "exception": "-w 1"}]});
    let (status, reply) = send(&app, Method::POST, "/rest/config/host", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let id = reply["object"]["id"].as_str().and_then(|id| id.parse::<i64>().ok()).expect("id");
    assert_eq!(
        reply["object"]["servicechecks"],
        json!([{"name": "Connectivity - LAN", "ref": "/rest/config/servicecheck/200",
        "exception": "-w 1", "timed_exception": null, "event_handler": null, "remove_servicecheck": "0"}])
    );
    let services = app.db.all::<rosetta_model::Service>().into_iter().filter(|s| s.host == id).count();
    assert_eq!(services, 8, "7 from the template and 1 of its own");
}

#[tokio::test]
async fn calls_tunnel_methods_unwrap_objects_and_let_the_body_win() {
    let req = request(
        Method::POST,
        "/rest/config/host/3/?x-tunneled-method=delete&comment=url",
        Some("application/json"),
        r#"{"object": {"comment": "body", "ids": [1, 2]}}"#,
    );
    let (call, _) = Call::read(req, 1024, Format::Json).await.expect("call");
    assert_eq!(call.method, Method::DELETE);
    assert_eq!(call.path, vec!["config", "host", "3"]);
    assert_eq!(call.object().and_then(|o| o.get("comment")), Some(&json!("body")));
    let params = call.merged_params();
    assert_eq!(params.last("comment"), Some("body"));
    assert_eq!(params.get_all("ids").collect::<Vec<_>>(), vec!["1", "2"]);

    let null_body = request(Method::POST, "/rest/reload", Some("application/json"), "null");
    let (call, _) = Call::read(null_body, 1024, Format::Json).await.expect("null body");
    assert!(call.body.is_none());
    let too_big = request(Method::POST, "/rest/reload", Some("application/json"), &"x".repeat(2048));
    assert!(Call::read(too_big, 1024, Format::Json).await.is_err());
}

#[test]
fn every_scalar_becomes_a_string_but_null_stays() {
    let value = json!({"id": 7, "ok": true, "off": false, "none": null, "list": [1.5, "x", {"n": 0}]});
    assert_eq!(
        stringify(value),
        json!({"id": "7", "ok": "1", "off": "0", "none": null, "list": ["1.5", "x", {"n": "0"}]})
    );
}

#[test]
fn error_bodies_follow_the_configured_detail_switch_and_carry_extras() {
    let err = GatewayError::bad_request("Rollback. Error trying to synchronise object: 0")
        .with_detail("name: Missing value")
        .with_fields(json!({"objects_updated": "0"}));
    let dialect = OpsviewDialect::new();
    assert_eq!(
        dialect.error_body(&err, false),
        json!({"message": "Rollback. Error trying to synchronise object: 0", "detail": "name: Missing value", "objects_updated": "0"})
    );
    let quiet = OpsviewDialect { include_error_detail: false, ..OpsviewDialect::new() };
    assert_eq!(quiet.error_body(&err, false).get("detail"), None);
    let expired = GatewayError::from(rosetta_auth::AuthError::InvalidCredentials);
    assert_eq!(dialect.error_body(&expired, true)["message"], "Token has expired");
    assert_eq!(dialect.error_body(&expired, false)["message"], "Invalid username or password");
}

#[tokio::test]
async fn the_perl_default_answers_unnegotiated_requests_in_perl() {
    let dialect = OpsviewDialect { default_format: Format::Perl, ..OpsviewDialect::new() };
    let parts = request(Method::GET, "/rest/nothing", None, "").into_parts().0;
    let response = dialect.render_error(&GatewayError::not_found("No such path /rest/nothing"), &parts);
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(String::from_utf8_lossy(&bytes), "$VAR1 = {\n  'message' => 'No such path /rest/nothing'\n};\n");
}
