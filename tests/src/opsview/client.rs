//! Real clients against a live gateway: pyopsview 6.2.3 from PyPI, and a Perl script speaking the
//! official `opsview_rest` CLI's wire format (Data::Dumper in, `eval` of the reply).

use std::path::Path;

use serde_json::{json, Value};

use super::support::{admin_token, rest, with_token};
use crate::harness::{client_dir, get, run_program, TestServer, ADMIN_PASSWORD};

async fn run_json(program: &Path, args: &[&str], cwd: &Path) -> Value {
    let (code, stdout, stderr) = run_program(program, args, cwd).await;
    assert_eq!(code, 0, "{} failed:\nstdout: {stdout}\nstderr: {stderr}", program.display());
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {stdout}\n{stderr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyopsview_manages_configuration_and_reloads() {
    let server = TestServer::start().await;
    pyopsview_scenario(&server.base(), &server).await;
}

/// Runs the pyopsview scenario against `base` as `admin` and checks what it read back; `server` is the
/// gateway that holds the objects (the one at `base`, or the upstream behind a proxy at `base`).
pub async fn pyopsview_scenario(base: &str, server: &TestServer) {
    let dir = client_dir("opsview");
    let python = dir.join(".venv/bin/python");
    let script = dir.join("pyopsview_scenario.py").display().to_string();
    let out = run_json(&python, &[&script, base, "admin", ADMIN_PASSWORD], &dir).await;

    assert_eq!(out["token_length"], 32);
    assert_eq!(out["version"], "6.8.0");
    assert_eq!(out["info"]["opsview_version"], "6.8.0");
    assert_eq!(out["info"]["server_timezone_offset"], "0");
    assert_eq!(out["info"]["uuid"], json!(server.app.settings.instance_uuid));
    assert_eq!(out["user"]["name"], "admin");
    assert_eq!(out["user"]["role"], "Administrator");
    assert_eq!(out["user"]["access_list"]["RELOADACCESS"], "1");
    assert!(out["server_info_keys"].as_array().expect("keys").contains(&json!("opsview_version")));

    assert_eq!(
        out["hostgroup_leaf"],
        json!({"matpath": "Opsview,PyBranch,PyLeaf,", "is_leaf": true, "parent": "PyBranch"})
    );
    assert_eq!(out["hostgroup_branch_children"], json!(["PyLeaf"]));
    assert_eq!(
        out["template"],
        json!({"name": "PyTemplate", "description": "made by pyopsview", "checks": ["Connectivity - LAN"]})
    );
    assert_eq!(out["template_updated_description"], "changed");

    // The servicecheck decode failure is pyopsview's own bug with real 6.x data (spec section 5.9).
    assert_eq!(out["servicecheck_create"], "failed: AttributeError");
    assert_eq!(out["servicecheck_list"], "failed: AttributeError");
    assert_eq!(
        out["servicecheck"],
        json!({"name": "PyCheck", "args": "-H $HOSTADDRESS$ -p 22", "plugin": "check_tcp",
               "servicegroup": "Network - Base", "stalking": ""})
    );

    let host = &out["host"];
    assert_eq!(host["name"], "py-host-1");
    assert_eq!(host["address"], "192.0.2.10");
    assert_eq!(host["hostgroup"], "PyLeaf");
    assert_eq!(host["templates"], json!(["PyTemplate"]));
    assert_eq!(host["hashtags"], json!(["pytag"]));
    assert_eq!(host["check_interval"], 600);
    assert_eq!(host["enable_snmp"], false);
    assert_eq!(out["host_found_id"], host["id"]);
    assert_eq!(out["host_updated"], json!({"address": "192.0.2.11", "alias": "updated alias"}));
    let duplicate = out["duplicate_error"].as_str().expect("duplicate refused");
    assert!(duplicate.contains("Duplicate entry 'py-host-1'"), "{duplicate}");

    assert_eq!(out["create_many"], "12");
    let paged = out["paged_names"].as_array().expect("names");
    assert_eq!(paged.len(), 13, "paging over 3 pages of 5 lost or repeated hosts: {paged:?}");

    assert_eq!(out["contact"]["username"], "py-user");
    assert_eq!(out["contact"]["name"], "Py User");
    assert_eq!(out["contact"]["role"], "View all, change none");
    assert_eq!(out["contact"]["has_password"], false);
    assert_eq!(out["contact"]["email"], json!(["py@example.com"]));
    assert_eq!(out["contact_login_user"], "py-user");

    assert_eq!(out["before_reload"], "pending");
    assert_eq!(out["reload_started_status"], "1");
    assert_eq!(out["after_reload"], json!({"server_status": "0", "configuration_status": "uptodate"}));
    assert_eq!(out["hosts_left"], json!([]));
    assert_eq!(out["hostgroup_gone"], true);

    // What pyopsview deleted is gone from the store too.
    assert!(server.db.find_by_name::<rosetta_model::Host>("py-host-1").is_none());
    assert!(server.db.find_by_name::<rosetta_model::User>("py-user").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn perl_cli_logs_in_with_a_perl_literal_and_evals_replies() {
    let dir = client_dir("opsview");
    let server = TestServer::start().await;
    let script = dir.join("opsview_rest.pl").display().to_string();
    let out = run_json(Path::new("/usr/bin/perl"), &[&script, &server.base(), "admin", ADMIN_PASSWORD], &dir).await;

    assert_eq!(out["api_version"], "6.008000");
    assert_eq!(out["login_status"], "200");
    assert_eq!(out["login_content_type"], "text/x-data-dumper; charset=utf-8");
    assert_eq!(out["token"].as_str().map(str::len), Some(32));
    assert_eq!(out["opsview_version"], "6.8.0");
    assert_eq!(out["create_status"], "200");
    assert_eq!(out["created"]["matpath"], "Opsview,PerlGroup,");
    assert_eq!(out["listed"], json!(["PerlGroup"]));
    assert_eq!(out["totalrows"], "1");
    assert_eq!(out["broken_status"], "400");
    assert_eq!(out["broken_message"], "Error when parsing data");
    assert_eq!(out["logout"], "REST API");
    assert_eq!(out["after_logout_status"], "401");

    // The broken literal wrote nothing; the good one is in the store.
    let token = admin_token(&server).await;
    let reply = with_token(get(rest(&server, "/config/hostgroup?s.name=broken")), "admin", &token).send().await;
    assert_eq!(reply.json()["summary"]["totalrows"], "0");
    let groups = server.db.all::<rosetta_model::HostGroup>();
    assert!(groups.iter().any(|g| g.name == "PerlGroup" && g.parent == Some(1)));
}
