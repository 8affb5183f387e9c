//! The pooled upstream client: hyper-util's legacy client over a connector that speaks plain TCP or
//! TLS (rustls with the ring provider, trusting a configured CA file or the system bundle).

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rosetta_core::RequestBody;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use crate::ProxyConfig;

/// The system CA bundle used when no `ca_file` is configured.
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The pooled client type.
pub type UpstreamClient = Client<UpstreamConnector, RequestBody>;

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The CA file could not be read or holds no certificate.
    #[error("cannot load CA certificates from {path}: {message}")]
    CaFile {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Tls(String),
}

/// When a pooled connection was opened; attached to every connection so a failure can tell a reused
/// connection (which the upstream may have closed while idle) from a fresh one.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionOpened(pub Instant);

/// Connects to the upstream over TCP, then TLS for `https` URIs.
#[derive(Clone)]
pub struct UpstreamConnector {
    http: HttpConnector,
    tls: Option<TlsConnector>,
    connect_timeout: Duration,
}

impl std::fmt::Debug for UpstreamConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamConnector").field("tls", &self.tls.is_some()).finish_non_exhaustive()
    }
}

/// A connection to the upstream.
#[derive(Debug)]
pub enum UpstreamStream {
    /// Plain TCP.
    Plain(TcpStream, Instant),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>, Instant),
}

impl UpstreamConnector {
    /// A connector; `tls` is `None` when the upstream is plain http.
    pub fn new(tls: Option<TlsConnector>, connect_timeout: Duration) -> UpstreamConnector {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect_timeout));
        UpstreamConnector { http, tls, connect_timeout }
    }
}

impl tower::Service<http::Uri> for UpstreamConnector {
    type Response = TokioIo<UpstreamStream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, io::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        tower::Service::<http::Uri>::poll_ready(&mut self.http, cx).map_err(io::Error::other)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let mut http = self.http.clone();
        let tls = self.tls.clone();
        let timeout = self.connect_timeout;
        Box::pin(async move {
            let https = uri.scheme_str() == Some("https");
            let host = uri.host().unwrap_or_default().trim_matches(['[', ']']).to_owned();
            let connect = async {
                let tcp = tower::Service::call(&mut http, uri).await.map_err(|err| {
                    let timed_out = std::error::Error::source(&err)
                        .and_then(|source| source.downcast_ref::<io::Error>())
                        .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
                        || err.to_string().contains("timed out");
                    if timed_out {
                        io::Error::new(io::ErrorKind::TimedOut, err)
                    } else {
                        io::Error::other(err)
                    }
                })?;
                let tcp = tcp.into_inner();
                let opened = Instant::now();
                if !https {
                    return Ok(UpstreamStream::Plain(tcp, opened));
                }
                let Some(tls) = tls else {
                    return Err(io::Error::other("https upstream without a TLS configuration"));
                };
                let name = ServerName::try_from(host).map_err(|err| io::Error::new(io::ErrorKind::InvalidInput, err))?;
                let stream = tls.connect(name, tcp).await?;
                Ok(UpstreamStream::Tls(Box::new(stream), opened))
            };
            match tokio::time::timeout(timeout, connect).await {
                Ok(result) => result.map(TokioIo::new),
                Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
            }
        })
    }
}

impl Connection for UpstreamStream {
    fn connected(&self) -> Connected {
        match self {
            UpstreamStream::Plain(_, opened) => Connected::new().extra(ConnectionOpened(*opened)),
            UpstreamStream::Tls(stream, opened) => {
                let connected = Connected::new().extra(ConnectionOpened(*opened));
                if stream.get_ref().1.alpn_protocol() == Some(b"h2") {
                    connected.negotiated_h2()
                } else {
                    connected
                }
            }
        }
    }
}

impl AsyncRead for UpstreamStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            UpstreamStream::Plain(stream, _) => Pin::new(stream).poll_read(cx, buf),
            UpstreamStream::Tls(stream, _) => Pin::new(stream.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for UpstreamStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            UpstreamStream::Plain(stream, _) => Pin::new(stream).poll_write(cx, buf),
            UpstreamStream::Tls(stream, _) => Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            UpstreamStream::Plain(stream, _) => Pin::new(stream).poll_flush(cx),
            UpstreamStream::Tls(stream, _) => Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            UpstreamStream::Plain(stream, _) => Pin::new(stream).poll_shutdown(cx),
            UpstreamStream::Tls(stream, _) => Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The rustls client configuration for an https upstream: TLS 1.2 and 1.3 with the ring provider,
/// trusting the certificates of `ca_file`, or of the system bundle when `ca_file` is `None`.
pub fn tls_connector(ca_file: Option<&Path>) -> Result<TlsConnector, ClientError> {
    let path = ca_file.unwrap_or_else(|| Path::new(SYSTEM_CA_BUNDLE));
    let ca_error = |message: String| ClientError::CaFile { path: path.display().to_string(), message };
    let mut roots = rustls::RootCertStore::empty();
    let certificates = CertificateDer::pem_file_iter(path).map_err(|err| ca_error(err.to_string()))?;
    for certificate in certificates {
        let certificate = certificate.map_err(|err| ca_error(err.to_string()))?;
        // A system bundle may hold a certificate rustls cannot parse; skip it rather than fail.
        if let Err(err) = roots.add(certificate) {
            tracing::debug!(error = %err, file = %path.display(), "skipping a CA certificate");
        }
    }
    if roots.is_empty() {
        return Err(ca_error("no usable certificate".to_owned()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| ClientError::Tls(err.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The pooled client for one upstream.
pub fn build_client(config: &ProxyConfig, https: bool) -> Result<UpstreamClient, ClientError> {
    let tls = if https { Some(tls_connector(config.ca_file.as_deref())?) } else { None };
    let connector = UpstreamConnector::new(tls, config.connect_timeout());
    let client = Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .pool_idle_timeout(Duration::from_millis(config.pool_idle_timeout_ms))
        .pool_max_idle_per_host(config.pool_max_idle)
        .build(connector);
    Ok(client)
}

/// The upstream's base URL, split so forwarded paths can be joined onto it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamUrl {
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    base_path: String,
    host: http::HeaderValue,
}

impl UpstreamUrl {
    /// Parses an `http` or `https` base URL.
    pub fn parse(url: &str) -> Result<UpstreamUrl, String> {
        let uri: http::Uri = url.parse().map_err(|err| format!("`{url}` is not a URL: {err}"))?;
        let parts = uri.into_parts();
        let scheme = parts.scheme.ok_or_else(|| format!("`{url}` has no scheme"))?;
        if scheme != http::uri::Scheme::HTTP && scheme != http::uri::Scheme::HTTPS {
            return Err(format!("`{url}`: the scheme must be http or https"));
        }
        let authority = parts.authority.ok_or_else(|| format!("`{url}` has no host"))?;
        let base_path = parts.path_and_query.map(|path| path.path().trim_end_matches('/').to_owned()).unwrap_or_default();
        // What hyper's client would write itself: the port only when it is not the scheme's default.
        let default_port = if scheme == http::uri::Scheme::HTTPS { 443 } else { 80 };
        let host = match authority.port() {
            Some(port) if port.as_u16() != default_port => format!("{}:{port}", authority.host()),
            _ => authority.host().to_owned(),
        };
        let host = http::HeaderValue::from_str(&host).map_err(|err| format!("`{url}`: the host is not a valid header value: {err}"))?;
        Ok(UpstreamUrl { scheme, authority, base_path, host })
    }

    /// The `Host` field of requests to the upstream, built once so no request formats it.
    pub fn host(&self) -> &http::HeaderValue {
        &self.host
    }

    /// True for an https upstream.
    pub fn is_https(&self) -> bool {
        self.scheme == http::uri::Scheme::HTTPS
    }

    /// The upstream's address as `scheme://authority`, for logs and metrics labels.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    /// The URI of `path_and_query` (starting with `/`) on the upstream.
    pub fn uri(&self, path_and_query: &str) -> Result<http::Uri, rosetta_core::GatewayError> {
        let joined = format!("{}{}", self.base_path, path_and_query);
        http::Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(joined)
            .build()
            .map_err(|err| rosetta_core::GatewayError::bad_request("The path cannot be forwarded").with_cause(err.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_field_names_the_port_only_when_it_is_not_the_default() {
        let host = |url: &str| UpstreamUrl::parse(url).expect("url").host().clone();
        assert_eq!(host("http://127.0.0.1:8980/opennms"), "127.0.0.1:8980");
        assert_eq!(host("https://opsview.example.org"), "opsview.example.org");
        assert_eq!(host("https://opsview.example.org:443/"), "opsview.example.org");
        assert_eq!(host("http://oitc.example.org:80"), "oitc.example.org");
        assert_eq!(host("http://oitc.example.org:443"), "oitc.example.org:443");
        assert_eq!(host("http://[::1]:8980"), "[::1]:8980");
    }
}
