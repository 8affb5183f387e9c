//! A short-lived cache of GET answers, keyed by upstream identity, path, query and `Accept`, honouring
//! `Cache-Control` on both the request and the response.

use std::time::{Duration, Instant};

use bytes::Bytes;
use dashmap::DashMap;
use http::header::{self, HeaderMap};
use http::StatusCode;

/// Most entries kept; expired entries are swept when the cache is full.
const MAX_ENTRIES: usize = 4096;

/// A cached answer.
#[derive(Debug, Clone)]
pub struct CachedResponse {
    /// Status (always 200 today).
    pub status: StatusCode,
    /// Response headers, already rewritten for the caller.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
    expires: Instant,
}

/// The cache of one upstream.
#[derive(Debug, Default)]
pub struct ResponseCache {
    entries: DashMap<String, CachedResponse>,
}

impl ResponseCache {
    /// An empty cache.
    pub fn new() -> ResponseCache {
        ResponseCache::default()
    }

    /// The cache key of a request made with the upstream identity `identity`.
    pub fn key(identity: &str, path_and_query: &str, headers: &HeaderMap) -> String {
        let accept = headers.get(header::ACCEPT).and_then(|value| value.to_str().ok()).unwrap_or_default();
        let content_type =
            headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
        format!("{identity}\n{path_and_query}\n{accept}\n{content_type}")
    }

    /// The fresh answer under `key`, if any.
    pub fn get(&self, key: &str) -> Option<CachedResponse> {
        let hit = self.entries.get(key).map(|entry| entry.value().clone())?;
        if hit.expires <= Instant::now() {
            self.entries.remove(key);
            return None;
        }
        Some(hit)
    }

    /// Stores an answer for `ttl`.
    pub fn insert(&self, key: String, status: StatusCode, headers: HeaderMap, body: Bytes, ttl: Duration) {
        let now = Instant::now();
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.retain(|_, entry| entry.expires > now);
            if self.entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        self.entries.insert(key, CachedResponse { status, headers, body, expires: now + ttl });
    }

    /// Number of entries (fresh or not).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// True when the request lets a cached answer be used (`Cache-Control: no-cache`/`no-store`,
/// `max-age=0` and `Pragma: no-cache` do not).
pub fn request_allows_cache(headers: &HeaderMap) -> bool {
    let cache_control = directives_of(headers, header::CACHE_CONTROL);
    let pragma = directives_of(headers, header::PRAGMA);
    !cache_control.iter().any(|(name, value)| {
        name == "no-cache" || name == "no-store" || (name == "max-age" && value.as_deref() == Some("0"))
    }) && !pragma.iter().any(|(name, _)| name == "no-cache")
}

/// How long a response may be cached, given the mount's TTL: `None` when it must not be (not a 200,
/// `no-store`, `no-cache`, `private`, `max-age=0`, a cookie, `Vary: *`).
pub fn response_ttl(status: StatusCode, headers: &HeaderMap, mount_ttl: Duration) -> Option<Duration> {
    if status != StatusCode::OK || headers.contains_key(header::SET_COOKIE) {
        return None;
    }
    if headers.get_all(header::VARY).iter().any(|value| value.as_bytes().trim_ascii() == b"*") {
        return None;
    }
    let mut ttl = mount_ttl;
    for (name, value) in directives_of(headers, header::CACHE_CONTROL) {
        match name.as_str() {
            "no-store" | "no-cache" | "private" => return None,
            "max-age" | "s-maxage" => {
                let seconds: u64 = value.as_deref().and_then(|value| value.parse().ok())?;
                ttl = ttl.min(Duration::from_secs(seconds));
            }
            _ => {}
        }
    }
    (!ttl.is_zero()).then_some(ttl)
}

fn directives_of(headers: &HeaderMap, name: header::HeaderName) -> Vec<(String, Option<String>)> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|directive| {
            let (name, value) = match directive.split_once('=') {
                Some((name, value)) => (name, Some(value.trim().trim_matches('"').to_owned())),
                None => (directive, None),
            };
            (name.trim().to_ascii_lowercase(), value)
        })
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with_cache_control(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn response_directives_decide_the_ttl() {
        let ttl = Duration::from_secs(5);
        assert_eq!(response_ttl(StatusCode::OK, &HeaderMap::new(), ttl), Some(ttl));
        assert_eq!(response_ttl(StatusCode::OK, &with_cache_control("max-age=2"), ttl), Some(Duration::from_secs(2)));
        assert_eq!(response_ttl(StatusCode::OK, &with_cache_control("public, max-age=60"), ttl), Some(ttl));
        for refused in ["no-store", "private", "no-cache", "max-age=0", "max-age=abc"] {
            assert_eq!(response_ttl(StatusCode::OK, &with_cache_control(refused), ttl), None, "{refused}");
        }
        assert_eq!(response_ttl(StatusCode::NOT_FOUND, &HeaderMap::new(), ttl), None);
    }

    #[test]
    fn request_directives_bypass_the_cache() {
        assert!(request_allows_cache(&HeaderMap::new()));
        assert!(!request_allows_cache(&with_cache_control("no-cache")));
        assert!(!request_allows_cache(&with_cache_control("max-age=0")));
        assert!(request_allows_cache(&with_cache_control("max-age=10")));
    }
}
