//! https upstreams: the rustls connector trusts the configured CA, speaks HTTP/2 when the upstream
//! offers it, and refuses an upstream whose certificate it cannot verify.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rosetta_core::ErrorKind;
use rosetta_model::Product;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;

use super::{body_of, caller_request, context};
use crate::{ProxyConfig, Upstream, UpstreamAuth, UpstreamCredentials};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/tests/tls");

/// An https upstream (certificate for 127.0.0.1 and localhost) answering with its HTTP version.
async fn tls_upstream() -> String {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(format!("{DIR}/server.pem"))
        .expect("certs")
        .collect::<Result<_, _>>()
        .expect("certs");
    let key = PrivateKeyDer::from_pem_file(format!("{DIR}/server.key")).expect("key");
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else { return };
                let service = hyper::service::service_fn(|request: http::Request<hyper::body::Incoming>| async move {
                    let version = format!("{:?}", request.version());
                    let authorization = request.headers().get("authorization").cloned();
                    let mut response = http::Response::new(rosetta_core::request::full(version));
                    if let Some(value) = authorization {
                        response.headers_mut().insert("x-seen-authorization", value);
                    }
                    Ok::<_, Infallible>(response)
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("https://127.0.0.1:{}", addr.port())
}

fn config(url: &str, ca_file: Option<&str>) -> ProxyConfig {
    let credentials = UpstreamCredentials::Password { username: "svc".into(), password: "pw".into() };
    let mut config = ProxyConfig::new(url, UpstreamAuth::ServiceAccount(credentials));
    config.ca_file = ca_file.map(Into::into);
    config.health_check_interval_ms = 0;
    config.read_timeout_ms = 2_000;
    config
}

#[tokio::test]
async fn https_upstreams_are_verified_against_the_configured_ca() {
    let url = tls_upstream().await;
    let proxy = Upstream::new(Product::Opennms, config(&url, Some(&format!("{DIR}/ca.pem")))).expect("upstream");
    let ctx = context("alice").await;
    let response = proxy
        .forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "")
        .await
        .expect("forwarded over TLS");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-seen-authorization"], "Basic c3ZjOnB3");
    assert_eq!(body_of(response).await, "HTTP/2.0", "ALPN picked HTTP/2");
}

#[tokio::test]
async fn an_untrusted_upstream_certificate_is_a_502() {
    let url = tls_upstream().await;
    // The server's own certificate is not a CA: nothing the upstream presents chains to it.
    let proxy = Upstream::new(Product::Opennms, config(&url, Some(&format!("{DIR}/server.pem")))).expect("upstream");
    let ctx = context("alice").await;
    let err = proxy
        .forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "")
        .await
        .expect_err("untrusted");
    assert_eq!(err.kind, ErrorKind::BadGateway);
}
