//! Request parsing and response building helpers every dialect uses.

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use http_body_util::{BodyExt, Full};

use crate::{ErrorKind, GatewayError, RequestBody, Response, ResponseBody};

/// Query or form parameters in order, repeated keys kept (`state=1&state=2`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Parses `a=1&b=2` (percent- and plus-decoded).
    pub fn parse(query: &str) -> Params {
        Params(form_urlencoded::parse(query.as_bytes()).into_owned().collect())
    }

    /// The query parameters of a URI.
    pub fn from_uri(uri: &http::Uri) -> Params {
        Params::parse(uri.query().unwrap_or_default())
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(name, _)| name == key).map(|(_, value)| value.as_str())
    }

    /// The last value of `key` (form bodies override query strings this way).
    pub fn last(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(name, _)| name == key).map(|(_, value)| value.as_str())
    }

    /// Every value of `key`, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(name, _)| name == key).map(|(_, value)| value.as_str())
    }

    /// True when `key` is present (with any value).
    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(name, _)| name == key)
    }

    /// Appends every pair of `other`.
    pub fn extend(&mut self, other: Params) {
        self.0.extend(other.0);
    }

    /// True when there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Reads a request body, refusing more than `limit` bytes with 413.
pub async fn read_body(mut body: RequestBody, limit: usize) -> Result<Bytes, GatewayError> {
    let mut buffer = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|err| {
            GatewayError::bad_request("Could not read the request body").with_cause(err.to_string())
        })?;
        if let Ok(data) = frame.into_data() {
            if buffer.len() + data.len() > limit {
                return Err(GatewayError::new(
                    ErrorKind::PayloadTooLarge,
                    format!("Request body larger than {limit} bytes"),
                ));
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(buffer.freeze())
}

/// The media type of a `Content-Type` (or `Accept` item), lower-cased, without parameters.
pub fn media_type(value: &str) -> String {
    value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// The request's `Content-Type` media type, if any.
pub fn content_type(parts: &http::request::Parts) -> Option<String> {
    parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(media_type)
        .filter(|media| !media.is_empty())
}

/// A header's value as text, if present and valid.
pub fn header<'a>(parts: &'a http::request::Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|value| value.to_str().ok())
}

/// A one-buffer response body.
pub fn full(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed()
}

/// An empty response body.
pub fn empty() -> ResponseBody {
    full(Bytes::new())
}

/// A response with a status, a content type (a constant: a valid header value) and a body.
pub fn respond(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response {
    let mut response = http::Response::new(full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSON response.
pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    // Most answers are under a kilobyte: one allocation instead of doubling from serde_json's 128 bytes.
    let mut body = Vec::with_capacity(1024);
    match serde_json::to_writer(&mut body, value) {
        Ok(()) => respond(status, "application/json", body),
        Err(_) => respond(status, "application/json", Vec::new()),
    }
}

/// A `text/plain` response.
pub fn text(status: StatusCode, body: impl Into<String>) -> Response {
    respond(status, "text/plain; charset=utf-8", body.into())
}

/// A response with no body.
pub fn no_content(status: StatusCode) -> Response {
    let mut response = http::Response::new(empty());
    *response.status_mut() = status;
    response
}

/// Splits a path into its non-empty segments (so `//` and trailing slashes do not matter).
pub fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|segment| !segment.is_empty()).collect()
}

/// Percent-decodes a path segment (`node%5B1%5D` → `node[1]`).
pub fn decode_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_keep_order_and_repeats() {
        let params = Params::parse("state=1&state=2&x=a+b&y=%2F");
        assert_eq!(params.get_all("state").collect::<Vec<_>>(), vec!["1", "2"]);
        assert_eq!(params.get("x"), Some("a b"));
        assert_eq!(params.get("y"), Some("/"));
        assert_eq!(params.last("state"), Some("2"));
        assert!(!params.has("z"));
    }

    #[test]
    fn segments_ignore_doubled_and_trailing_slashes() {
        assert_eq!(segments("/opennms/rest//nodes/"), vec!["opennms", "rest", "nodes"]);
        assert_eq!(decode_segment("node%5B1%5D"), "node[1]");
        assert_eq!(media_type("Application/JSON; charset=utf-8"), "application/json");
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused() {
        let body = full(vec![b'x'; 100]);
        let err = read_body(body, 10).await.expect_err("too large");
        assert_eq!(err.kind, ErrorKind::PayloadTooLarge);
        assert_eq!(read_body(full("ok"), 10).await.expect("fits"), "ok");
    }
}
