//! The `rosetta` command line: `check-config`, `user` and `apikey`, against a running gateway's store.

use std::path::Path;
use std::time::Duration;

use rosetta_model::User;

use crate::harness::{get, rosetta_binary, run_program, store_toml, workspace_root, TempDir, TestServer};

async fn rosetta(args: &[&str]) -> (i32, String, String) {
    run_program(&rosetta_binary(), args, &workspace_root()).await
}

fn config_for(dir: &Path, server: &TestServer) -> String {
    let path = dir.join("cli.toml");
    let text = format!("{}[auth]\nargon2_memory_kib = 8\nargon2_iterations = 1\n", store_toml(&server.config));
    std::fs::write(&path, text).expect("write config");
    path.display().to_string()
}

/// Retries `check` until it holds: the server follows the store's change log about once a second.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..40 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 4 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_accepts_the_shipped_file_and_lists_every_problem() {
    let (code, stdout, _) = rosetta(&["check-config", "--config", "gateway.toml"]).await;
    assert_eq!(code, 0);
    assert!(stdout.contains("gateway.toml: ok"), "{stdout}");

    let dir = TempDir::new("cli-config");
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "[server]\nlisten = [\"nowhere\"]\n[log]\nformat = \"xml\"\n[[mounts]]\ndialect = \"zabbix\"\n")
        .expect("write");
    let (code, _, stderr) = rosetta(&["check-config", "--config", &broken.display().to_string()]).await;
    assert_eq!(code, 1);
    for expected in ["3 problem(s)", "server.listen[0]", "log.format", "mounts[0].dialect"] {
        assert!(stderr.contains(expected), "{expected} missing from:\n{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_keys_made_by_the_cli_work_on_a_running_gateway() {
    let server = TestServer::start().await;
    let dir = TempDir::new("cli");
    let config = config_for(dir.path(), &server);

    let (code, stdout, stderr) =
        rosetta(&["user", "add", "bob", "--password", "bobs-password", "--role", "Administrator", "--config", &config]).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    // Wait for the store sync, not with failing logins, which would trip the lockout.
    eventually("the gateway sees bob", async || server.db.find_by_name::<User>("bob").is_some()).await;
    let reply = get(server.url("/api/v1/whoami")).basic("bob", "bobs-password").send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["role"], "Administrator");

    let (code, stdout, _) = rosetta(&["apikey", "create", "--user", "bob", "--description", "ci", "--config", &config]).await;
    assert_eq!(code, 0);
    let key = stdout.lines().last().expect("key line").trim().to_owned();
    assert_eq!(key.len(), 160, "{stdout}");
    let header = format!("X-OITC-API {key}");
    eventually("the key works", async || {
        let reply = get(server.url("/api/v1/whoami")).header("Authorization", &header).send().await;
        reply.status == 200 && reply.json()["login"] == "bob"
    })
    .await;

    let (code, stdout, _) = rosetta(&["apikey", "list", "--user", "bob", "--config", &config]).await;
    assert_eq!(code, 0);
    assert!(stdout.contains(&key[..8]) && !stdout.contains(&key), "only the prefix is listed: {stdout}");
    let id = stdout.lines().nth(1).and_then(|line| line.split_whitespace().next()).expect("id").to_owned();
    let (code, _, _) = rosetta(&["apikey", "revoke", &id, "--config", &config]).await;
    assert_eq!(code, 0);
    eventually("the revoked key stops working", async || {
        get(server.url("/api/v1/whoami")).header("Authorization", &header).send().await.status == 401
    })
    .await;

    let (code, _, _) = rosetta(&["user", "disable", "bob", "--config", &config]).await;
    assert_eq!(code, 0);
    eventually("the gateway sees bob disabled", async || {
        server.db.find_by_name::<User>("bob").is_some_and(|bob| !bob.active)
    })
    .await;
    let reply = get(server.url("/api/v1/whoami")).basic("bob", "bobs-password").send().await;
    assert_eq!(reply.status, 401, "{}", reply.text());

    let (code, _, stderr) = rosetta(&["user", "add", "eve", "--password", "short", "--config", &config]).await;
    assert_eq!(code, 1);
    assert!(stderr.contains("at least 8 characters"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_completions_and_the_man_page_cover_every_command() {
    let (code, help, _) = rosetta(&["--help"]).await;
    assert_eq!(code, 0);
    for command in ["serve", "check-config", "user", "apikey", "completions", "man"] {
        assert!(help.contains(command), "{command} missing from --help:\n{help}");
    }
    let (code, bash, _) = rosetta(&["completions", "bash"]).await;
    assert_eq!(code, 0);
    assert!(bash.contains("_rosetta()") && bash.contains("apikey"), "a bash completion for rosetta");
    let (code, man, _) = rosetta(&["man"]).await;
    assert_eq!(code, 0);
    assert!(man.contains(".TH rosetta 1") && man.contains(".TH rosetta-apikey"), "a roff page per command");
}
