//! Every file in `deploy/` is checked: configurations parse, manifests have the expected kinds and
//! probes, systemd units verify.

use std::path::{Path, PathBuf};

use crate::harness::{rosetta_binary, run_program, workspace_root, TempDir};

fn files_with(extension: &str, dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files_with(extension, &path, found);
        } else if path.extension().is_some_and(|ext| ext == extension) {
            found.push(path);
        }
    }
}

async fn check_config(path: &Path) {
    let (code, stdout, stderr) =
        run_program(&rosetta_binary(), &["check-config", "--config", &path.display().to_string()], &workspace_root()).await;
    assert_eq!(code, 0, "{}: {stdout}{stderr}", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_configuration_in_deploy_passes_check_config() {
    let mut configs = Vec::new();
    files_with("toml", &workspace_root().join("deploy"), &mut configs);
    assert!(configs.len() >= 3, "deploy/ has its configurations: {configs:?}");
    for path in &configs {
        check_config(path).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubernetes_manifests_have_the_expected_kinds_probes_and_configuration() {
    let tools = workspace_root().join("tests").join("tools");
    let setup = std::process::Command::new("bash").arg(tools.join("setup.sh")).output().expect("setup");
    assert!(setup.status.success(), "{}", String::from_utf8_lossy(&setup.stderr));
    let mut manifests = Vec::new();
    files_with("yaml", &workspace_root().join("deploy").join("kubernetes"), &mut manifests);
    let mut args = vec![tools.join("check_manifests.py").display().to_string()];
    args.extend(manifests.iter().map(|path| path.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = run_program(&tools.join(".venv/bin/python"), &args, &workspace_root()).await;
    assert_eq!(code, 0, "{stderr}");
    let found: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("json");
    let kinds: Vec<&str> = found.iter().filter_map(|item| item["kind"].as_str()).collect();
    for kind in ["Deployment", "Service", "ConfigMap", "Secret"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let deployment = found.iter().find(|item| item["kind"] == "Deployment").expect("deployment");
    assert_eq!(deployment["readiness"], "/readyz");
    assert_eq!(deployment["liveness"], "/healthz");
    assert_eq!(deployment["replicas"], 2);
    let config_map = found.iter().find(|item| item["kind"] == "ConfigMap").expect("config map");
    let gateway = config_map["data"]["gateway.toml"].as_str().expect("gateway.toml in the ConfigMap");
    let dir = TempDir::new("k8s-config");
    let path = dir.path().join("gateway.toml");
    std::fs::write(&path, gateway).expect("write");
    check_config(&path).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systemd_units_verify() {
    let analyze = Path::new("/usr/bin/systemd-analyze");
    if !analyze.exists() {
        eprintln!("SKIPPED systemd_units_verify: systemd-analyze is not installed");
        return;
    }
    let mut units = Vec::new();
    files_with("service", &workspace_root().join("deploy"), &mut units);
    assert!(units.len() >= 2, "{units:?}");
    let dir = TempDir::new("units");
    for unit in units {
        // Point ExecStart at the binary that exists here; everything else is verified as shipped.
        let text = std::fs::read_to_string(&unit).expect("read unit");
        let text = text.replace("/usr/local/bin/rosetta", &rosetta_binary().display().to_string());
        let name = unit.file_name().expect("name").to_string_lossy().replace("@.service", "@8081.service");
        let copy = dir.path().join(name);
        std::fs::write(&copy, text).expect("write unit");
        let (code, stdout, stderr) =
            run_program(analyze, &["verify", &copy.display().to_string()], dir.path()).await;
        let complaints: Vec<&str> = stderr
            .lines()
            .filter(|line| !line.contains("Failed to connect") && !line.contains("bus") && !line.trim().is_empty())
            .collect();
        assert!(code == 0 || complaints.is_empty(), "{}: {stdout}\n{}", unit.display(), complaints.join("\n"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grafana_dashboard_only_uses_metrics_the_gateway_exports() {
    let path = workspace_root().join("deploy").join("grafana").join("rosetta-dashboard.json");
    let dashboard: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    let server = crate::harness::TestServer::start().await;
    crate::foundation::store::monitored_host(&server.db, "web1", "HTTP").await;
    crate::harness::get(server.url("/healthz")).send().await;
    crate::harness::get(server.url("/api/v1/whoami")).basic("admin", crate::harness::ADMIN_PASSWORD).send().await;
    let exported = crate::harness::get(server.url("/metrics")).send().await.text();
    let names: std::collections::BTreeSet<&str> = exported
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split(['{', ' ']).next())
        .collect();
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(panels.len() >= 10);
    for panel in panels {
        for target in panel["targets"].as_array().expect("targets") {
            let expr = target["expr"].as_str().expect("expr");
            let used: Vec<&str> = expr
                .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .filter(|word| word.starts_with("rosetta_"))
                .collect();
            assert!(!used.is_empty(), "{expr}");
            for metric in used {
                assert!(names.contains(metric), "panel {} uses {metric}, which /metrics does not export", panel["title"]);
            }
        }
    }
}
