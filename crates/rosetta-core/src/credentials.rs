//! Generic credential extractors shared by every mount: any credential kind works anywhere, and each
//! dialect adds its product's own quirks on top.

use http::request::Parts;
use rosetta_auth::{parse_basic, Credentials};

/// `Authorization: Basic …`.
pub fn basic(parts: &Parts) -> Option<Credentials> {
    parse_basic(parts.headers.get(http::header::AUTHORIZATION)?.as_bytes())
}

/// `X-Opsview-Username` + `X-Opsview-Token` (header names are case-insensitive by construction).
pub fn opsview_token(parts: &Parts) -> Option<Credentials> {
    let login = parts.headers.get("x-opsview-username")?.to_str().ok()?.trim();
    let token = parts.headers.get("x-opsview-token")?.to_str().ok()?.trim();
    if login.is_empty() || token.is_empty() {
        return None;
    }
    Some(Credentials::Token { login: login.to_owned(), token: token.to_owned() })
}

/// `Authorization: X-OITC-API <key>` in its strict form (the openITCOCKPIT dialect adds the product's
/// lenient parsing, cookies and `?apikey=`).
pub fn api_key(parts: &Parts) -> Option<Credentials> {
    let value = parts.headers.get(http::header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, key) = value.split_at_checked(10)?;
    if !scheme.eq_ignore_ascii_case("X-OITC-API") {
        return None;
    }
    let key = key.trim();
    (key.len() > 1).then(|| Credentials::ApiKey { key: key.to_owned() })
}

/// The first credentials found in any supported form: Opsview token, API key, then Basic.
pub fn any(parts: &Parts) -> Option<Credentials> {
    opsview_token(parts).or_else(|| api_key(parts)).or_else(|| basic(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder();
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).expect("request").into_parts().0
    }

    #[test]
    fn each_kind_is_recognised() {
        let token = any(&parts(&[("X-OPSVIEW-USERNAME", "admin"), ("x-opsview-token", "abc")]));
        assert_eq!(token, Some(Credentials::Token { login: "admin".into(), token: "abc".into() }));
        let key = any(&parts(&[("Authorization", "X-OITC-API  k3y ")]));
        assert_eq!(key, Some(Credentials::ApiKey { key: "k3y".into() }));
        let basic = any(&parts(&[("Authorization", "Basic YTpi")]));
        assert_eq!(basic, Some(Credentials::Basic { login: "a".into(), password: "b".into() }));
        assert_eq!(any(&parts(&[("Authorization", "Bearer x")])), None);
        assert_eq!(any(&parts(&[("Authorization", "X-OITC-API")])), None);
        assert_eq!(any(&parts(&[("Authorization", "éééééééééééé")])), None);
    }
}
