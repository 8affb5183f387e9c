//! The README's five-minute tour, run as written against a live gateway.

use crate::harness::{rosetta_binary, store_toml, workspace_root, TempDir, TestServer, ADMIN_PASSWORD};

/// The shell block after the `<!-- tour -->` marker in README.md.
fn tour_script() -> String {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).expect("README.md");
    let after = readme.split("<!-- tour -->").nth(1).expect("the README has a tour");
    let block = after.split("```sh").nth(1).expect("a sh block").split("```").next().expect("closed block");
    block.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_tour_works_as_written() {
    let server = TestServer::start().await;
    let dir = TempDir::new("tour");
    let config = dir.path().join("gateway.toml");
    std::fs::write(&config, format!("{}[auth]\nargon2_memory_kib = 8\nargon2_iterations = 1\n", store_toml(&server.config)))
        .expect("config");
    let script = tour_script().replace("localhost:8080", &server.addr.to_string());
    let bin_dir = rosetta_binary().parent().expect("bin dir").to_owned();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let output = tokio::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .env("PASSWORD", ADMIN_PASSWORD)
        .env("ROSETTA_CONFIG", &config)
        .env("PATH", path)
        .output()
        .await
        .expect("run the tour");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the tour failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    for expected in [
        r#""login":"admin""#,
        r#""name":"web1""#,
        r#""configuration_status":"uptodate""#,
        r#""hostname":"web1""#,
        r#""accepted":1"#,
        r#""severity":"MAJOR""#,
        r#""nodeLabel":"web1""#,
        r#""state":"down""#,
        r#""humanState":"down""#,
    ] {
        assert!(stdout.contains(expected), "{expected} missing from the tour's output:\n{stdout}");
    }
}
