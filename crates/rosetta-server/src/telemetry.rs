//! Logging set-up and secret redaction.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogConfig;

/// Query parameters whose values never reach a log line.
const SECRET_PARAMS: &[&str] = &["apikey", "password", "token", "x-opsview-token", "passwd", "secret"];

/// What [`init`] set up; dropping it flushes and stops the span export (if any).
#[derive(Default)]
pub struct Telemetry {
    #[cfg(feature = "otel")]
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry").field("exporting", &self.exporting()).finish()
    }
}

impl Telemetry {
    /// Whether spans are exported over OTLP.
    pub fn exporting(&self) -> bool {
        #[cfg(feature = "otel")]
        return self.provider.is_some();
        #[cfg(not(feature = "otel"))]
        false
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        #[cfg(feature = "otel")]
        if let Some(provider) = self.provider.take() {
            if let Err(err) = provider.shutdown() {
                eprintln!("OpenTelemetry export did not flush: {err}");
            }
        }
    }
}

/// Installs the global subscriber (text or JSON lines on stderr, plus OTLP span export when configured and
/// built with the `otel` feature). Safe to call more than once: later calls keep the first subscriber.
pub fn init(config: &LogConfig) -> Telemetry {
    let filter: Targets = config.level.parse().unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO));
    #[cfg(feature = "otel")]
    let (otel_layer, provider) = match otel::provider(config) {
        Ok(Some(provider)) => {
            use opentelemetry::trace::TracerProvider as _;
            (Some(tracing_opentelemetry::layer().with_tracer(provider.tracer("rosetta"))), Some(provider))
        }
        Ok(None) => (None, None),
        Err(err) => {
            eprintln!("OpenTelemetry export is off: {err}");
            (None, None)
        }
    };
    #[cfg(not(feature = "otel"))]
    let otel_layer: Option<tracing_subscriber::layer::Identity> = None;
    let registry = tracing_subscriber::registry().with(filter).with(otel_layer);
    let installed = if config.format == "json" {
        registry.with(tracing_subscriber::fmt::layer().json().with_writer(std::io::stderr)).try_init()
    } else {
        registry
            .with(tracing_subscriber::fmt::layer().with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).with_writer(std::io::stderr))
            .try_init()
    }
    .is_ok();
    #[cfg(feature = "otel")]
    {
        let provider = provider.filter(|_| installed);
        Telemetry { provider }
    }
    #[cfg(not(feature = "otel"))]
    {
        let _ = installed;
        Telemetry::default()
    }
}

/// Makes `span` a child of the caller's W3C `traceparent` header, so exported spans join the caller's trace.
/// Does nothing without the `otel` feature.
pub fn adopt_parent(span: &tracing::Span, headers: &http::HeaderMap) {
    #[cfg(feature = "otel")]
    otel::adopt_parent(span, headers);
    #[cfg(not(feature = "otel"))]
    let _ = (span, headers);
}

#[cfg(feature = "otel")]
mod otel {
    use opentelemetry::propagation::{Extractor, TextMapPropagator};
    use opentelemetry_otlp::WithExportConfig;
    use opentelemetry_sdk::propagation::TraceContextPropagator;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use tracing_opentelemetry::OpenTelemetrySpanExt;

    /// Request headers as the propagator reads them.
    struct Headers<'a>(&'a http::HeaderMap);

    impl Extractor for Headers<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            self.0.get(key).and_then(|value| value.to_str().ok())
        }

        fn keys(&self) -> Vec<&str> {
            self.0.keys().map(http::HeaderName::as_str).collect()
        }
    }

    pub(super) fn adopt_parent(span: &tracing::Span, headers: &http::HeaderMap) {
        if headers.contains_key("traceparent") {
            let _ = span.set_parent(TraceContextPropagator::new().extract(&Headers(headers)));
        }
    }

    use crate::config::LogConfig;

    /// A tracer provider exporting batches of spans to `log.otlp_endpoint` over OTLP/HTTP (protobuf).
    pub(super) fn provider(config: &LogConfig) -> anyhow::Result<Option<SdkTracerProvider>> {
        let Some(endpoint) = &config.otlp_endpoint else {
            return Ok(None);
        };
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(endpoint.clone())
            .with_timeout(std::time::Duration::from_secs(5))
            .build()?;
        let resource = opentelemetry_sdk::Resource::builder().with_service_name(config.otlp_service_name.clone()).build();
        Ok(Some(SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build()))
    }
}

/// The URI's path and query with secret parameter values replaced by `REDACTED`.
pub fn redact_uri(uri: &http::Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_owned();
    };
    let redacted: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret(key) => format!("{key}=REDACTED"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{}?{}", uri.path(), redacted.join("&"))
}

fn is_secret(key: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(key).decode_utf8_lossy().to_ascii_lowercase();
    SECRET_PARAMS.contains(&decoded.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_queries_are_redacted() {
        let uri: http::Uri = "/rest/login?username=admin&password=hunter2&x=1".parse().expect("uri");
        assert_eq!(redact_uri(&uri), "/rest/login?username=admin&password=REDACTED&x=1");
        let uri: http::Uri = "/hosts/index.json?APIKEY=abc&%61pikey=def".parse().expect("uri");
        let redacted = redact_uri(&uri);
        assert!(!redacted.contains("abc") && !redacted.contains("def"), "{redacted}");
        let uri: http::Uri = "/x?%".parse().expect("uri");
        assert_eq!(redact_uri(&uri), "/x?%");
    }
}
