//! Logging set-up and secret redaction.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogConfig;

/// Query parameters whose values never reach a log line.
const SECRET_PARAMS: &[&str] = &["apikey", "password", "token", "x-opsview-token", "passwd", "secret"];

/// Installs the global subscriber (text or JSON lines on stderr). Safe to call more than once.
pub fn init(config: &LogConfig) {
    let filter: Targets = config.level.parse().unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if config.format == "json" {
        registry.with(tracing_subscriber::fmt::layer().json().with_writer(std::io::stderr)).try_init()
    } else {
        registry
            .with(tracing_subscriber::fmt::layer().with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).with_writer(std::io::stderr))
            .try_init()
    };
    // A second initialisation (tests) keeps the first subscriber.
    let _ = result;
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
