//! API-key extraction from a request (spec §1.1).
//!
//! Mirrors the product's `ApikeyAuthenticator`: sources are read in the order `Authorization`
//! header, cookie named `Authorization`, `apikey` query parameter, each overriding the previous
//! one. Header and cookie count only when non-empty (PHP `empty()`, so `"0"` is skipped too); they
//! lose their first 10 characters (the length of `X-OITC-API`, whose presence is not checked) and
//! are trimmed. The query parameter counts whenever present — even empty, which then discards a
//! header key — and is trimmed. A final key of at most one character means "no key".

use percent_encoding::percent_decode_str;

use crate::php;

/// Length of the `X-OITC-API` prefix that is cut off unchecked.
pub const PREFIX_CHARS: usize = 10;

/// The key carried by an `Authorization` header value: characters 10.. trimmed.
///
/// Returns `None` when the value is empty or `"0"` (PHP-falsy) — i.e. when the product would not
/// consider the header at all; otherwise the (possibly empty) remainder.
pub fn from_authorization_header(value: &str) -> Option<String> {
    if !php::is_truthy(value) {
        return None;
    }
    Some(strip_prefix(value))
}

/// The key carried by a `Cookie` header: the first cookie named exactly `Authorization`,
/// URL-decoded (`+` as space, `%XX` escapes), then treated like the header value.
pub fn from_cookie_header(cookie_header: &str) -> Option<String> {
    let raw = cookie_header.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (php::trim(name) == "Authorization").then_some(value)
    })?;
    let decoded = url_decode(php::trim(raw));
    if !php::is_truthy(&decoded) {
        return None;
    }
    Some(strip_prefix(&decoded))
}

/// The key from decoded query pairs: the last `apikey` value, trimmed; `Some("")` when present
/// but empty (it still overrides the other sources).
pub fn from_query(pairs: &[(String, String)]) -> Option<String> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "apikey")
        .map(|(_, v)| php::trim(v).to_string())
}

/// The effective key of a request, applying precedence header < cookie < query and the
/// "longer than one character" rule.
pub fn extract(
    authorization: Option<&str>,
    cookie_header: Option<&str>,
    query: &[(String, String)],
) -> Option<String> {
    let mut key = None;
    if let Some(k) = authorization.and_then(from_authorization_header) {
        key = Some(k);
    }
    if let Some(k) = cookie_header.and_then(from_cookie_header) {
        key = Some(k);
    }
    if let Some(k) = from_query(query) {
        key = Some(k);
    }
    key.filter(|k| k.chars().count() > 1)
}

fn strip_prefix(value: &str) -> String {
    let rest = value
        .char_indices()
        .nth(PREFIX_CHARS)
        .and_then(|(i, _)| value.get(i..))
        .unwrap_or("");
    php::trim(rest).to_string()
}

fn url_decode(s: &str) -> String {
    let plus_as_space = s.replace('+', " ");
    percent_decode_str(&plus_as_space)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "d2083e61fee067077ac239b7d89084f31c16a66f5e2908f6f74009492b600d3d";

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn header_forms() {
        assert_eq!(
            from_authorization_header(&format!("X-OITC-API {KEY}")).as_deref(),
            Some(KEY)
        );
        assert_eq!(
            from_authorization_header(&format!("X-OITC-API{KEY}")).as_deref(),
            Some(KEY)
        );
        assert_eq!(
            from_authorization_header(&format!("X-OITC-API  {KEY} \t")).as_deref(),
            Some(KEY)
        );
        assert_eq!(
            from_authorization_header(&format!("Bearer {KEY}")).as_deref(),
            Some(&KEY[3..])
        );
        assert_eq!(from_authorization_header("X-OITC-API").as_deref(), Some(""));
        assert_eq!(from_authorization_header("short").as_deref(), Some(""));
        assert_eq!(from_authorization_header(""), None);
        assert_eq!(from_authorization_header("0"), None);
        assert_eq!(
            from_authorization_header("ääääääääääkey").as_deref(),
            Some("key")
        );
        assert_eq!(
            from_authorization_header("😀😀😀😀😀😀😀😀😀").as_deref(),
            Some("")
        );
        assert_eq!(
            from_authorization_header("😀😀😀😀😀😀😀😀😀😀é").as_deref(),
            Some("é")
        );
    }

    #[test]
    fn cookie_forms() {
        let header = format!("csrfToken=abc; Authorization=X-OITC-API%20{KEY}; other=1");
        assert_eq!(from_cookie_header(&header).as_deref(), Some(KEY));
        let header = format!("Authorization=X-OITC-API+{KEY}");
        assert_eq!(from_cookie_header(&header).as_deref(), Some(KEY));
        let header = format!("Authorization=X-OITC-API{KEY}; Authorization=X-OITC-APIsecond");
        assert_eq!(from_cookie_header(&header).as_deref(), Some(KEY));
        assert_eq!(from_cookie_header("authorization=X-OITC-APIabc"), None);
        assert_eq!(from_cookie_header("Authorization="), None);
        assert_eq!(from_cookie_header("Authorization"), None);
        assert_eq!(from_cookie_header(""), None);
        assert_eq!(from_cookie_header(";;;=;"), None);
        assert_eq!(
            from_cookie_header("Authorization=%ff%fe%41%").as_deref(),
            Some("")
        );
        assert_eq!(
            from_cookie_header("Authorization=X-OITC-API%E2%82%AC%E2").as_deref(),
            Some("€\u{FFFD}")
        );
    }

    #[test]
    fn query_form() {
        assert_eq!(from_query(&q(&[("apikey", KEY)])).as_deref(), Some(KEY));
        assert_eq!(
            from_query(&q(&[("apikey", "a"), ("apikey", "b")])).as_deref(),
            Some("b")
        );
        assert_eq!(
            from_query(&q(&[("apikey", " spaced\n")])).as_deref(),
            Some("spaced")
        );
        assert_eq!(from_query(&q(&[("apikey", "")])).as_deref(), Some(""));
        assert_eq!(from_query(&q(&[("apikey[]", KEY)])), None);
        assert_eq!(from_query(&[]), None);
    }

    #[test]
    fn precedence_and_length_rule() {
        let header = format!("X-OITC-API {KEY}");
        assert_eq!(extract(Some(&header), None, &[]).as_deref(), Some(KEY));
        assert_eq!(
            extract(
                Some(&header),
                Some("Authorization=X-OITC-APIcookiekey"),
                &[]
            )
            .as_deref(),
            Some("cookiekey")
        );
        assert_eq!(
            extract(
                Some(&header),
                Some("Authorization=X-OITC-APIcookiekey"),
                &q(&[("apikey", "querykey")])
            )
            .as_deref(),
            Some("querykey")
        );
        assert_eq!(
            extract(Some(&header), Some("a=b"), &[]).as_deref(),
            Some(KEY)
        );
        assert_eq!(extract(Some(&header), None, &q(&[("apikey", "")])), None);
        assert_eq!(
            extract(Some(&header), Some("Authorization=0"), &[]).as_deref(),
            Some(KEY)
        );
        assert_eq!(
            extract(Some(&header), Some("Authorization=X-OITC-APIx"), &[]),
            None
        );
        assert_eq!(extract(Some("X-OITC-API "), None, &[]), None);
        assert_eq!(
            extract(Some("X-OITC-API ab"), None, &[]).as_deref(),
            Some("ab")
        );
        assert_eq!(extract(None, None, &q(&[("apikey", "é")])), None);
        assert_eq!(extract(None, None, &[]), None);
    }
}
