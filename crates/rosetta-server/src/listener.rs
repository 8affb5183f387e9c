//! Listeners: TCP (optionally TLS through rustls), HTTP/1.1 and HTTP/2 by hyper, connection limits and
//! graceful shutdown that lets in-flight requests finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper::server::conn::{http1, http2};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::config::{LimitsConfig, TlsConfig};
use crate::pipeline::Gateway;

/// Connection-level settings.
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    /// Time allowed to receive request headers (and the TLS handshake).
    pub header_read_timeout: Duration,
    /// Largest header block (HTTP/1 read buffer, HTTP/2 header list).
    pub max_header_bytes: usize,
    /// Most concurrent HTTP/2 streams per connection.
    pub max_http2_streams: u32,
    /// HTTP/2 streams a client may reset before they are accepted (rapid-reset flood bound).
    pub max_http2_pending_resets: usize,
    /// HTTP/2 streams reset for a client's errors before the connection is closed.
    pub max_http2_error_resets: usize,
    /// Most open connections.
    pub max_connections: usize,
    /// Time to let in-flight requests finish on shutdown.
    pub shutdown_grace: Duration,
}

impl ConnectionSettings {
    /// The settings of a configuration.
    pub fn from_config(limits: &LimitsConfig) -> ConnectionSettings {
        ConnectionSettings {
            header_read_timeout: Duration::from_secs(limits.header_read_timeout_secs),
            max_header_bytes: limits.max_header_bytes,
            max_http2_streams: limits.max_http2_streams,
            max_http2_pending_resets: limits.max_http2_pending_resets,
            max_http2_error_resets: limits.max_http2_error_resets,
            max_connections: limits.max_connections,
            shutdown_grace: Duration::from_secs(limits.shutdown_grace_secs),
        }
    }
}

/// The TLS acceptor in use; a configuration reload swaps in new certificates without a restart, and
/// connections accepted from then on use them.
#[derive(Clone)]
pub struct TlsHandle(Arc<std::sync::RwLock<TlsAcceptor>>);

impl std::fmt::Debug for TlsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsHandle").finish_non_exhaustive()
    }
}

impl TlsHandle {
    /// A handle over an acceptor.
    pub fn new(acceptor: TlsAcceptor) -> TlsHandle {
        TlsHandle(Arc::new(std::sync::RwLock::new(acceptor)))
    }

    /// The acceptor for the next connection.
    pub fn current(&self) -> TlsAcceptor {
        self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Loads the certificate and key again and uses them from now on.
    pub fn reload(&self, tls: &TlsConfig) -> anyhow::Result<()> {
        let acceptor = tls_acceptor(tls)?;
        *self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = acceptor;
        Ok(())
    }
}

/// Builds a rustls acceptor from PEM files, offering HTTP/2 and HTTP/1.1 through ALPN.
pub fn tls_acceptor(tls: &TlsConfig) -> anyhow::Result<TlsAcceptor> {
    let certs = load_certs(&tls.cert)?;
    let key = PrivateKeyDer::from_pem_file(&tls.key)
        .map_err(|err| anyhow::anyhow!("cannot read private key {}: {err}", tls.key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn load_certs(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|err| anyhow::anyhow!("cannot read certificate {}: {err}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| anyhow::anyhow!("bad certificate {}: {err}", path.display()))?;
    anyhow::ensure!(!certs.is_empty(), "no certificate in {}", path.display());
    Ok(certs)
}

/// Serves `gateway` on every listener until `shutdown` resolves, then stops accepting and waits up to
/// the grace period for in-flight requests.
pub async fn serve(
    listeners: Vec<TcpListener>,
    gateway: Arc<Gateway>,
    tls: Option<TlsHandle>,
    settings: ConnectionSettings,
    shutdown: impl Future<Output = ()> + Send,
) {
    let graceful = Arc::new(GracefulShutdown::new());
    let connections = Arc::new(Semaphore::new(settings.max_connections));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut accept_loops = Vec::new();
    for listener in listeners {
        let accept = accept_loop(
            listener,
            Arc::clone(&gateway),
            tls.clone(),
            settings.clone(),
            Arc::clone(&graceful),
            Arc::clone(&connections),
            stop_rx.clone(),
        );
        accept_loops.push(tokio::spawn(accept));
    }
    shutdown.await;
    tracing::info!("shutting down: no new connections, finishing in-flight requests");
    let _ = stop_tx.send(true);
    for task in accept_loops {
        let _ = task.await;
    }
    let Ok(graceful) = Arc::try_unwrap(graceful) else {
        tracing::warn!("connections still referenced; not waiting for them");
        return;
    };
    match tokio::time::timeout(settings.shutdown_grace, graceful.shutdown()).await {
        Ok(()) => tracing::info!("all connections closed"),
        Err(_) => tracing::warn!(grace_secs = settings.shutdown_grace.as_secs(), "grace period over; closing"),
    }
}

async fn accept_loop(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    tls: Option<TlsHandle>,
    settings: ConnectionSettings,
    graceful: Arc<GracefulShutdown>,
    connections: Arc<Semaphore>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let protocols = Arc::new(Protocols::new(&settings));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
            tracing::warn!(%peer, "connection limit reached; closing the new connection");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        crate::metrics::connection_opened();
        let permit = ConnectionPermit { _slot: permit };
        let service = ConnectionService { gateway: Arc::clone(&gateway), peer };
        let protocols = Arc::clone(&protocols);
        // Subscribed now, so a shutdown that starts while the connection is being set up waits for it.
        let watcher = graceful.watcher();
        let handshake_timeout = settings.header_read_timeout;
        let acceptor = tls.as_ref().map(TlsHandle::current);
        tokio::spawn(async move {
            let served = match acceptor {
                None => {
                    let h2 = opens_with_h2_preface(&stream, handshake_timeout).await;
                    protocols.serve(stream, h2, service, watcher).await
                }
                Some(acceptor) => {
                    let stream = match tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(err)) => {
                            tracing::debug!(%peer, error = %err, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    };
                    let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                    protocols.serve(stream, h2, service, watcher).await
                }
            };
            if let Err(err) = served {
                tracing::debug!(%peer, error = %err, "connection ended with an error");
            }
            drop(permit);
        });
    }
}

/// The HTTP/2 connection preface, which a plaintext client with prior knowledge opens with.
const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Whether a plaintext connection opens with the HTTP/2 preface. Peeks, so nothing is consumed; answers as
/// soon as the bytes received stop matching it (an HTTP/1 request line), and waits for more only while they
/// match, up to `timeout`.
async fn opens_with_h2_preface(stream: &tokio::net::TcpStream, timeout: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut seen = [0u8; H2_PREFACE.len()];
    loop {
        let read = match tokio::time::timeout_at(deadline, stream.peek(&mut seen)).await {
            Ok(Ok(read)) => read,
            _ => return false,
        };
        if read == 0 || seen.get(..read) != H2_PREFACE.get(..read) {
            return false;
        }
        if read == H2_PREFACE.len() {
            return true;
        }
        // Part of the preface: peeking again at once would return the same bytes, so give the rest a moment.
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The pipeline as hyper's service for one connection, with the peer's address.
#[derive(Clone)]
struct ConnectionService {
    gateway: Arc<Gateway>,
    peer: SocketAddr,
}

impl hyper::service::Service<http::Request<Incoming>> for ConnectionService {
    type Response = rosetta_core::Response;
    type Error = Infallible;
    /// Boxed: hyper keeps the slot of a connection's request future for the connection's life, so an idle
    /// keep-alive connection holds a pointer rather than the pipeline's whole state.
    type Future = Pin<Box<dyn Future<Output = Result<rosetta_core::Response, Infallible>> + Send>>;

    fn call(&self, request: http::Request<Incoming>) -> Self::Future {
        let (gateway, peer) = (Arc::clone(&self.gateway), self.peer);
        Box::pin(async move {
            let request = request.map(|body| body.map_err(rosetta_core::BoxError::from).boxed());
            Ok(gateway.handle(request, Some(peer)).await)
        })
    }
}

/// The HTTP/1.1 and HTTP/2 connection settings, built once per listener. Each connection is served by the
/// one protocol it speaks: hyper-util's auto connection is sized for an HTTP/2 connection even when it
/// serves HTTP/1.1, which made every idle keep-alive connection hold ~6 KiB more.
struct Protocols {
    http1: http1::Builder,
    http2: http2::Builder<TokioExecutor>,
}

impl Protocols {
    fn new(settings: &ConnectionSettings) -> Protocols {
        let mut http1 = http1::Builder::new();
        http1
            .timer(TokioTimer::new())
            .header_read_timeout(settings.header_read_timeout)
            .max_buf_size(settings.max_header_bytes.max(8192))
            .keep_alive(true);
        let mut http2 = http2::Builder::new(TokioExecutor::new());
        http2
            .timer(TokioTimer::new())
            .max_concurrent_streams(settings.max_http2_streams)
            .max_header_list_size(u32::try_from(settings.max_header_bytes).unwrap_or(u32::MAX))
            .max_pending_accept_reset_streams(Some(settings.max_http2_pending_resets))
            .max_local_error_reset_streams(Some(settings.max_http2_error_resets));
        Protocols { http1, http2 }
    }

    /// Serves `io` with HTTP/2 when `h2`, else HTTP/1.1, until the connection ends or a shutdown closes it.
    async fn serve<I>(&self, io: I, h2: bool, service: ConnectionService, watcher: Watcher) -> Result<(), hyper::Error>
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        // Each boxed, so the task holds only the protocol it serves.
        if h2 {
            Box::pin(watcher.watch(self.http2.serve_connection(TokioIo::new(io), service))).await
        } else {
            Box::pin(watcher.watch(self.http1.serve_connection(TokioIo::new(io), service))).await
        }
    }
}

/// Holds a connection slot and keeps the open-connections gauge right, however the connection ends.
struct ConnectionPermit {
    _slot: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        crate::metrics::connection_closed();
    }
}

/// Binds every configured address.
pub async fn bind(addresses: &[String]) -> anyhow::Result<Vec<TcpListener>> {
    let mut listeners = Vec::new();
    for address in addresses {
        let addr: SocketAddr = address.parse().map_err(|err| anyhow::anyhow!("bad listen address {address}: {err}"))?;
        let listener = TcpListener::bind(addr).await.map_err(|err| anyhow::anyhow!("cannot listen on {addr}: {err}"))?;
        listeners.push(listener);
    }
    Ok(listeners)
}

/// Resolves when the process gets SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpStream;

    use super::*;

    /// What `opens_with_h2_preface` says of a connection whose client writes `parts`, `pause` apart, and
    /// how long it took.
    async fn sniffed(parts: &[&'static [u8]], pause: Duration) -> (bool, Duration) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let parts = parts.to_vec();
        let client = tokio::spawn(async move {
            let mut stream = TcpStream::connect(address).await.expect("connect");
            for part in parts {
                stream.write_all(part).await.expect("write");
                tokio::time::sleep(pause).await;
            }
            stream
        });
        let (server, _) = listener.accept().await.expect("accept");
        let started = std::time::Instant::now();
        let verdict = opens_with_h2_preface(&server, Duration::from_millis(300)).await;
        let took = started.elapsed();
        drop(client.await);
        (verdict, took)
    }

    #[tokio::test]
    async fn the_protocol_is_told_by_the_first_bytes_without_consuming_them() {
        let quick = Duration::from_millis(250);
        let requests =
            [&b"GET /healthz HTTP/1.1\r\n\r\n"[..], b"POST /rest/login HTTP/1.1\r\n\r\n", b"PRI * HTTP/1.1\r\n\r\n"];
        for request in requests {
            let (h2, took) = sniffed(&[request], Duration::ZERO).await;
            assert!(!h2 && took < quick, "HTTP/1 told at once: {h2} after {took:?}");
        }
        let (h2, took) = sniffed(&[H2_PREFACE], Duration::ZERO).await;
        assert!(h2 && took < quick, "{took:?}");
        let split = [&b"PRI * HTTP/2"[..], b".0\r\n\r\nSM\r\n\r\n"];
        assert!(sniffed(&split, Duration::from_millis(30)).await.0, "a preface in two writes");
        let (h2, took) = sniffed(&[b"PRI * HT"], Duration::ZERO).await;
        assert!(!h2 && took >= Duration::from_millis(300), "a client stopping mid-preface is given up at the timeout");

        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let mut client = TcpStream::connect(address).await.expect("connect");
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.expect("write");
        let (server, _) = listener.accept().await.expect("accept");
        assert!(!opens_with_h2_preface(&server, Duration::from_secs(2)).await);
        let mut first = [0u8; 3];
        server.peek(&mut first).await.expect("peek");
        assert_eq!(&first, b"GET", "nothing was consumed");
    }
}
