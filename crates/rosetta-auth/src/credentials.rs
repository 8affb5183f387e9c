//! What a caller presents, before it is verified.

use base64::Engine;

/// How a principal authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// Login name and password in a login request.
    Password,
    /// HTTP Basic on the request itself.
    Basic,
    /// An Opsview-style session token.
    Token,
    /// An openITCOCKPIT-style API key.
    ApiKey,
}

impl AuthMethod {
    /// Stable lower-case name for logs, metrics and `/api/v1/whoami`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Password => "password",
            AuthMethod::Basic => "basic",
            AuthMethod::Token => "token",
            AuthMethod::ApiKey => "apikey",
        }
    }
}

/// Unverified credentials, as a dialect extracted them from a request.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// HTTP Basic.
    Basic {
        /// Login name.
        login: String,
        /// Password.
        password: String,
    },
    /// An Opsview session token with the login it was issued to.
    Token {
        /// Login name (`X-Opsview-Username`).
        login: String,
        /// The token (`X-Opsview-Token`).
        token: String,
    },
    /// An API key.
    ApiKey {
        /// The key.
        key: String,
    },
}

impl Credentials {
    /// How these credentials authenticate.
    pub fn method(&self) -> AuthMethod {
        match self {
            Credentials::Basic { .. } => AuthMethod::Basic,
            Credentials::Token { .. } => AuthMethod::Token,
            Credentials::ApiKey { .. } => AuthMethod::ApiKey,
        }
    }

    /// The login name the credentials claim, if they name one.
    pub fn claimed_login(&self) -> Option<&str> {
        match self {
            Credentials::Basic { login, .. } | Credentials::Token { login, .. } => Some(login),
            Credentials::ApiKey { .. } => None,
        }
    }
}

/// Never prints secrets.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { login, .. } => write!(f, "Basic({login}, <redacted>)"),
            Credentials::Token { login, .. } => write!(f, "Token({login}, <redacted>)"),
            Credentials::ApiKey { .. } => write!(f, "ApiKey(<redacted>)"),
        }
    }
}

/// Parses an `Authorization: Basic <base64>` header value. Returns `None` for any other scheme or a
/// malformed value.
pub fn parse_basic(header: &[u8]) -> Option<Credentials> {
    let header = std::str::from_utf8(header).ok()?.trim();
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (login, password) = decoded.split_once(':')?;
    if login.is_empty() {
        return None;
    }
    Some(Credentials::Basic { login: login.to_owned(), password: password.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_headers_parse_and_malformed_ones_do_not() {
        let creds = parse_basic(b"Basic YWRtaW46YTpi").expect("valid");
        assert_eq!(creds, Credentials::Basic { login: "admin".into(), password: "a:b".into() });
        assert!(parse_basic(b"basic   YWRtaW46YTpi  ").is_some());
        for bad in [&b"Bearer abc"[..], b"Basic", b"Basic !!!", b"Basic OmFiYw==", b"\xff\xfe", b""] {
            assert!(parse_basic(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let creds = Credentials::Basic { login: "admin".into(), password: "hunter2".into() };
        assert!(!format!("{creds:?}").contains("hunter2"));
        let key = Credentials::ApiKey { key: "deadbeef".into() };
        assert!(!format!("{key:?}").contains("deadbeef"));
    }
}
