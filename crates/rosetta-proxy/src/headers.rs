//! Header and query rewriting: hop-by-hop fields (RFC 9110 §7.6.1), the caller's own credentials, and
//! the forwarding fields Rosetta adds.

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// Fields that describe one connection and never travel further (RFC 9110 §7.6.1, plus the
/// de-facto `Proxy-Connection` and `Keep-Alive`).
/// Names are `HeaderName`s, not strings, so removing one does not parse it first.
const HOP_BY_HOP: [HeaderName; 9] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Fields carrying the caller's credentials for Rosetta; the upstream gets its own instead.
const CALLER_CREDENTIALS: [HeaderName; 5] = [
    header::AUTHORIZATION,
    HeaderName::from_static("x-opsview-username"),
    HeaderName::from_static("x-opsview-token"),
    header::COOKIE,
    HeaderName::from_static("x-csrf-token"),
];

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Removes the hop-by-hop fields, including every field the `Connection` header names.
pub fn remove_hop_by_hop(headers: &mut HeaderMap) {
    if headers.contains_key(header::CONNECTION) {
        let named: Vec<HeaderName> = headers
            .get_all(header::CONNECTION)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
            .collect();
        for name in named {
            headers.remove(name);
        }
    }
    for name in &HOP_BY_HOP {
        headers.remove(name);
    }
}

/// Prepares the caller's request headers for the upstream: hop-by-hop fields, the caller's credentials
/// and `Host` go; `Via` and `X-Forwarded-For` are added.
pub fn request_headers(headers: &mut HeaderMap, client_ip: Option<&str>) {
    remove_hop_by_hop(headers);
    for name in &CALLER_CREDENTIALS {
        headers.remove(name);
    }
    headers.remove(header::HOST);
    append_via(headers);
    if let Some(ip) = client_ip {
        let value = match headers.get(&X_FORWARDED_FOR).and_then(|value| value.to_str().ok()) {
            Some(previous) => HeaderValue::from_str(&format!("{previous}, {ip}")),
            None => HeaderValue::from_str(ip),
        };
        if let Ok(value) = value {
            headers.insert(X_FORWARDED_FOR, value);
        }
    }
}

/// Prepares the upstream's response headers for the caller: hop-by-hop fields go, and so do cookies
/// (they belong to the upstream session of Rosetta's upstream account, not to the caller).
pub fn response_headers(headers: &mut HeaderMap) {
    remove_hop_by_hop(headers);
    headers.remove(header::SET_COOKIE);
    append_via(headers);
}

fn append_via(headers: &mut HeaderMap) {
    headers.append(header::VIA, HeaderValue::from_static("1.1 rosetta"));
}

/// The query string without the caller's `apikey` parameters (openITCOCKPIT accepts a key there);
/// `None` when nothing is left.
pub fn strip_query_credentials(query: Option<&str>) -> Option<String> {
    let query = query?;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            !name.eq_ignore_ascii_case("apikey")
        })
        .collect();
    if kept.is_empty() {
        None
    } else {
        Some(kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_fields_and_the_ones_connection_names_are_removed() {
        let mut headers = HeaderMap::new();
        headers.insert("connection", HeaderValue::from_static("keep-alive, X-Secret-Hop"));
        headers.insert("x-secret-hop", HeaderValue::from_static("1"));
        headers.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        headers.insert("te", HeaderValue::from_static("trailers"));
        headers.insert("upgrade", HeaderValue::from_static("websocket"));
        headers.insert("accept", HeaderValue::from_static("application/json"));
        headers.insert("authorization", HeaderValue::from_static("Basic YWRtaW46YWRtaW4="));
        headers.insert("x-opsview-token", HeaderValue::from_static("abc"));
        headers.insert("cookie", HeaderValue::from_static("session=1"));
        request_headers(&mut headers, Some("10.0.0.9"));
        let names: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, vec!["accept", "via", "x-forwarded-for"]);
        assert_eq!(headers["x-forwarded-for"], "10.0.0.9");
    }

    #[test]
    fn apikey_query_values_are_stripped() {
        assert_eq!(strip_query_credentials(Some("apikey=abc&angular=true")), Some("angular=true".to_owned()));
        assert_eq!(strip_query_credentials(Some("APIKEY=abc")), None);
        assert_eq!(strip_query_credentials(Some("a=1&api%6Bey=x&b=2")), Some("a=1&b=2".to_owned()));
        assert_eq!(strip_query_credentials(None), None);
    }
}
