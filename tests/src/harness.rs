//! The test harness: a live gateway on a real port (in process or as a child process), an HTTP client,
//! and helpers that read like the products' docs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rosetta_server::config::Config;
use rosetta_server::listener::{self, ConnectionSettings};
use rosetta_store::Db;

/// The administrator password every test server starts with.
pub const ADMIN_PASSWORD: &str = "admin-password-1";

/// A fresh temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a new empty directory under the system temp dir.
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("rosetta-{label}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL URL when the suite runs on PostgreSQL (`ROSETTA_TEST_STORE=postgres`), else `None`
/// (SQLite).
pub fn postgres_url() -> Option<String> {
    if std::env::var("ROSETTA_TEST_STORE").ok().as_deref() != Some("postgres") {
        return None;
    }
    let url = std::env::var("ROSETTA_TEST_DATABASE_URL").unwrap_or_default();
    assert!(!url.is_empty(), "ROSETTA_TEST_STORE=postgres needs ROSETTA_TEST_DATABASE_URL");
    Some(url)
}

/// The configuration of a test server: SQLite in `dir` (or a fresh PostgreSQL schema when the suite runs
/// on PostgreSQL), cheap argon2, a known admin password.
pub fn test_config(dir: &Path) -> Config {
    let mut config = Config::default();
    config.server.listen = vec!["127.0.0.1:0".to_owned()];
    config.server.reload_duration_ms = 300;
    config.store.path = dir.join("rosetta.db");
    config.store.synchronous = "normal".to_owned();
    if let Some(url) = postgres_url() {
        config.store.url = Some(url);
        config.store.schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        config.store.pool_size = 4;
    }
    config.auth.admin_password = Some(ADMIN_PASSWORD.to_owned());
    config.auth.argon2_memory_kib = 8;
    config.auth.argon2_iterations = 1;
    config.auth.argon2_parallelism = 1;
    config
}

/// A gateway running in this process on 127.0.0.1 with a random port.
pub struct TestServer {
    /// The bound address.
    pub addr: SocketAddr,
    /// The store, for arranging and checking state directly.
    pub db: Arc<Db>,
    /// The shared application context (auth service, settings).
    pub app: rosetta_core::AppContext,
    /// The configuration it runs with.
    pub config: Config,
    /// The request pipeline.
    pub gateway: Arc<rosetta_server::Gateway>,
    /// Where a configuration reloader can be installed.
    pub reloader: rosetta_server::reload::ReloadSlot,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    background: tokio::task::JoinHandle<()>,
    _dir: Option<TempDir>,
}

impl TestServer {
    /// Starts a server on a fresh store.
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    /// Starts a server on a fresh store after `tweak` adjusted the configuration.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        let dir = TempDir::new("server");
        let mut config = test_config(dir.path());
        tweak(&mut config);
        let mut server = TestServer::start_config(config).await;
        server._dir = Some(dir);
        server
    }

    /// Starts a server with exactly this configuration.
    pub async fn start_config(config: Config) -> TestServer {
        let built = rosetta_server::build(&config).await.expect("build gateway");
        let listeners = listener::bind(&config.server.listen).await.expect("bind");
        let addr = listeners[0].local_addr().expect("local addr");
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let settings = ConnectionSettings::from_config(&config.server.limits);
        let gateway = Arc::clone(&built.gateway);
        let app = gateway.app().clone();
        let built_gateway = Arc::clone(&built.gateway);
        let task = tokio::spawn(async move {
            listener::serve(listeners, gateway, None, settings, async {
                let _ = stop_rx.await;
            })
            .await;
        });
        let background = rosetta_server::background::spawn(Arc::clone(&built.db), config.store.history_limit);
        TestServer {
            addr,
            db: built.db,
            app,
            gateway: built_gateway,
            reloader: built.reloader,
            config,
            stop: Some(stop_tx),
            task: Some(task),
            background,
            _dir: None,
        }
    }

    /// `http://127.0.0.1:<port>` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The base URL without a trailing slash.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting and waits for in-flight requests.
    pub async fn stop(mut self) {
        self.shutdown().await;
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.background.abort();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.background.abort();
        drop_test_schema(&self.config);
    }
}

/// Drops the PostgreSQL schema of a test configuration (nothing to do on SQLite).
pub fn drop_test_schema(config: &Config) {
    let Some(url) = config.store.url.clone() else { return };
    let schema = config.store.schema.clone();
    // Drop runs outside async context; a short-lived runtime on its own thread does the clean-up.
    let _ = std::thread::spawn(move || {
        if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
            let _ = runtime.block_on(rosetta_store_postgres::drop_schema(&url, &schema));
        }
    })
    .join();
}

/// Opens another `Db` on the store of `config` (a second process's view of the same data).
pub async fn reopen_db(config: &Config) -> Arc<Db> {
    rosetta_server::app::open_db(config).await.expect("reopen the store")
}

/// The `[store]` section of a configuration file for `config`'s store.
pub fn store_toml(config: &Config) -> String {
    match &config.store.url {
        Some(url) => format!(
            "[store]\nurl = \"{url}\"\nschema = \"{}\"\npool_size = 4\n",
            config.store.schema
        ),
        None => format!("[store]\npath = \"{}\"\nsynchronous = \"normal\"\n", config.store.path.display()),
    }
}

/// An HTTP reply, fully read.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON; panics with the body text when it is not JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}), status {}: {}", self.status, self.text()))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Call {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Call {
    /// A request with no headers and no body.
    pub fn new(method: Method, url: impl Into<String>) -> Call {
        Call { method, url: url.into(), headers: Vec::new(), body: Bytes::new() }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds `Authorization: Basic`.
    pub fn basic(self, login: &str, password: &str) -> Call {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
        self.header("authorization", &format!("Basic {encoded}"))
    }

    /// Sets a body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Call {
        self.body = body.into();
        self
    }

    /// Sets a JSON body and its content type.
    pub fn json(self, value: &serde_json::Value) -> Call {
        self.header("content-type", "application/json").body(serde_json::to_vec(value).expect("json"))
    }

    /// Sends the request; `None` when the connection fails (the server went away).
    pub async fn send_checked(self) -> Option<Reply> {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let mut builder = http::Request::builder().method(self.method).uri(&self.url);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let request = builder.body(Full::new(self.body)).ok()?;
        let response = client.request(request).await.ok()?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.ok()?.to_bytes();
        Some(Reply { status: parts.status, headers: parts.headers, body })
    }

    /// Sends the request.
    pub async fn send(self) -> Reply {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let mut builder = http::Request::builder().method(self.method).uri(&self.url);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let request = builder.body(Full::new(self.body)).expect("request");
        let response = tokio::time::timeout(Duration::from_secs(30), client.request(request))
            .await
            .expect("response within 30 s")
            .expect("response");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        Reply { status: parts.status, headers: parts.headers, body }
    }
}

/// `GET url`.
pub fn get(url: impl Into<String>) -> Call {
    Call::new(Method::GET, url)
}

/// `POST url`.
pub fn post(url: impl Into<String>) -> Call {
    Call::new(Method::POST, url)
}

/// `PUT url`.
pub fn put(url: impl Into<String>) -> Call {
    Call::new(Method::PUT, url)
}

/// `DELETE url`.
pub fn delete(url: impl Into<String>) -> Call {
    Call::new(Method::DELETE, url)
}

/// The `rosetta` binary, built on first use when it is missing.
pub fn rosetta_binary() -> PathBuf {
    if let Ok(path) = std::env::var("ROSETTA_BIN") {
        return PathBuf::from(path);
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_owned();
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(|_| workspace.join("target"), PathBuf::from);
    let binary = target.join("debug").join("rosetta");
    static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = BUILD.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !binary.is_file() {
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "-p", "rosetta-server", "--bin", "rosetta"])
            .current_dir(&workspace)
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building the rosetta binary failed");
    }
    binary
}

/// A gateway running as a child process (for signal and crash tests).
pub struct ServerProcess {
    /// The child.
    pub child: tokio::process::Child,
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its configuration file.
    pub config_path: PathBuf,
}

impl ServerProcess {
    /// Writes a configuration for `config`'s store into `dir` and starts `rosetta serve` on a free port.
    pub async fn spawn(dir: &Path, config: &Config, extra_toml: &str) -> ServerProcess {
        ServerProcess::spawn_with_log(dir, config, extra_toml, None).await
    }

    /// [`ServerProcess::spawn`], with debug logs written to `log` when given.
    pub async fn spawn_with_log(dir: &Path, config: &Config, extra_toml: &str, log: Option<&Path>) -> ServerProcess {
        let port = free_port();
        let config_path = dir.join("gateway.toml");
        let text = format!(
            "[server]\nlisten = [\"127.0.0.1:{port}\"]\n{extra_toml}\n{}\n[auth]\nadmin_password = \"{ADMIN_PASSWORD}\"\nargon2_memory_kib = 8\nargon2_iterations = 1\n",
            store_toml(config)
        );
        std::fs::write(&config_path, text).expect("write config");
        let (level, stderr) = match log {
            Some(path) => ("debug", std::process::Stdio::from(std::fs::File::create(path).expect("log file"))),
            None => ("warn", std::process::Stdio::null()),
        };
        let child = tokio::process::Command::new(rosetta_binary())
            .arg("serve")
            .arg("--config")
            .arg(&config_path)
            .env("ROSETTA_LOG_LEVEL", level)
            .stdout(std::process::Stdio::null())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .expect("spawn rosetta");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let process = ServerProcess { child, addr, config_path };
        process.wait_ready().await;
        process
    }

    async fn wait_ready(&self) {
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(self.addr).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("rosetta did not start listening on {}", self.addr);
    }

    /// `http://addr` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Sends a signal to the process.
    pub fn signal(&self, signal: i32) {
        let pid = self.child.id().expect("running");
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {pid} failed");
    }
}

/// A TCP port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// Signal numbers used by the tests.
pub mod signals {
    /// SIGTERM.
    pub const TERM: i32 = 15;
    /// SIGKILL.
    pub const KILL: i32 = 9;
    /// SIGHUP.
    pub const HUP: i32 = 1;
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_owned()
}

/// Runs a real client's set-up script (`tests/clients/<name>/setup.sh`, idempotent and locked against
/// parallel runs) and returns the client folder. Panics with the script's output when it fails, so a
/// missing client is a loud failure, never a silent skip.
pub fn client_dir(name: &str) -> PathBuf {
    let dir = workspace_root().join("tests").join("clients").join(name);
    let output = std::process::Command::new("bash")
        .arg(dir.join("setup.sh"))
        .current_dir(&dir)
        .output()
        .expect("run setup.sh");
    assert!(
        output.status.success(),
        "setting up the {name} client failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}

/// Runs a program to completion without blocking the runtime; returns (exit code, stdout, stderr).
pub async fn run_program(program: &Path, args: &[&str], cwd: &Path) -> (i32, String, String) {
    let output = tokio::process::Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .await
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", program.display()));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
