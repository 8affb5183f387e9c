//! The one error type of the gateway. Each dialect renders it in its product's shape, in one place.

use http::StatusCode;
use rosetta_auth::AuthError;
use rosetta_store::StoreError;

/// What went wrong, independent of any product's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Malformed or invalid input.
    BadRequest,
    /// Input that parsed but failed validation (per-field errors in [`GatewayError::fields`]).
    Validation,
    /// No credentials, or credentials that do not verify.
    Unauthenticated,
    /// Authenticated but not allowed.
    Forbidden,
    /// No such route or object.
    NotFound,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// The request conflicts with the current state (duplicate, reload running).
    Conflict,
    /// The body is larger than allowed.
    PayloadTooLarge,
    /// The headers are larger than allowed.
    HeadersTooLarge,
    /// The body's media type is not supported.
    UnsupportedMediaType,
    /// Rate limit or lockout.
    TooManyRequests,
    /// The product feature exists but is not available here.
    NotImplemented,
    /// A dependency (store, upstream) is down.
    Unavailable,
    /// An upstream answered badly.
    BadGateway,
    /// An upstream did not answer in time.
    GatewayTimeout,
    /// The request took longer than allowed.
    Timeout,
    /// A bug or unexpected failure.
    Internal,
}

impl ErrorKind {
    /// The HTTP status of this kind. One `match` with no wildcard: a new kind forces a decision here.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Validation => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::NotImplemented => StatusCode::NOT_IMPLEMENTED,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::BadGateway => StatusCode::BAD_GATEWAY,
            ErrorKind::GatewayTimeout => StatusCode::GATEWAY_TIMEOUT,
            ErrorKind::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable snake-case name for logs, metrics and Rosetta's own error bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Validation => "validation",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Conflict => "conflict",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::HeadersTooLarge => "headers_too_large",
            ErrorKind::UnsupportedMediaType => "unsupported_media_type",
            ErrorKind::TooManyRequests => "too_many_requests",
            ErrorKind::NotImplemented => "not_implemented",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::BadGateway => "bad_gateway",
            ErrorKind::GatewayTimeout => "gateway_timeout",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Internal => "internal",
        }
    }
}

/// Where an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorSource {
    /// The caller sent something wrong.
    Client,
    /// An upstream product failed (proxy mode).
    Upstream,
    /// The gateway itself failed.
    Internal,
}

/// Why the credentials were refused, when that is the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No credentials at all.
    Missing,
    /// Unknown user, wrong password, unknown token or key.
    Invalid,
    /// The session token expired.
    Expired,
    /// The user is disabled.
    Disabled,
    /// Too many failures.
    LockedOut,
}

/// A failed request: a kind that decides the status, a message for the client, and context.
#[derive(Debug, Clone)]
pub struct GatewayError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Client-facing message, in plain words, without a trailing period. Never contains secrets.
    pub message: String,
    /// Optional client-facing detail.
    pub detail: Option<String>,
    /// Where it came from.
    pub source: ErrorSource,
    /// Per-field validation errors or other structured detail, for dialects that show them.
    pub fields: Option<serde_json::Value>,
    /// For authentication errors, why.
    pub auth: Option<AuthFailure>,
    /// Internal cause, for logs only.
    pub cause: Option<String>,
}

impl GatewayError {
    /// An error of `kind` with a client-facing message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> GatewayError {
        let source = match kind {
            ErrorKind::Internal | ErrorKind::Unavailable | ErrorKind::Timeout => ErrorSource::Internal,
            ErrorKind::BadGateway | ErrorKind::GatewayTimeout => ErrorSource::Upstream,
            _ => ErrorSource::Client,
        };
        GatewayError { kind, message: message.into(), detail: None, source, fields: None, auth: None, cause: None }
    }

    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> GatewayError {
        GatewayError::new(ErrorKind::BadRequest, message)
    }

    /// 404 with a message.
    pub fn not_found(message: impl Into<String>) -> GatewayError {
        GatewayError::new(ErrorKind::NotFound, message)
    }

    /// 403 with a message.
    pub fn forbidden(message: impl Into<String>) -> GatewayError {
        GatewayError::new(ErrorKind::Forbidden, message)
    }

    /// 409 with a message.
    pub fn conflict(message: impl Into<String>) -> GatewayError {
        GatewayError::new(ErrorKind::Conflict, message)
    }

    /// 500 with a cause kept for the logs only.
    pub fn internal(cause: impl Into<String>) -> GatewayError {
        GatewayError { cause: Some(cause.into()), ..GatewayError::new(ErrorKind::Internal, "Internal server error") }
    }

    /// 401 for a request that carries no credentials.
    pub fn unauthenticated() -> GatewayError {
        GatewayError { auth: Some(AuthFailure::Missing), ..GatewayError::new(ErrorKind::Unauthenticated, "Authentication required") }
    }

    /// Adds a client-facing detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> GatewayError {
        self.detail = Some(detail.into());
        self
    }

    /// Adds structured detail.
    pub fn with_fields(mut self, fields: serde_json::Value) -> GatewayError {
        self.fields = Some(fields);
        self
    }

    /// Adds an internal cause for the logs.
    pub fn with_cause(mut self, cause: impl Into<String>) -> GatewayError {
        self.cause = Some(cause.into());
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }
}

impl std::fmt::Display for GatewayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, " ({cause})")?;
        }
        Ok(())
    }
}

impl std::error::Error for GatewayError {}

impl From<StoreError> for GatewayError {
    fn from(err: StoreError) -> GatewayError {
        match err {
            StoreError::Unavailable(_) => GatewayError::new(ErrorKind::Unavailable, "The store is unavailable")
                .with_cause(err.to_string()),
            StoreError::Conflict { .. } => GatewayError::conflict("The object was changed concurrently; retry"),
            StoreError::Backend(_) | StoreError::Corrupt { .. } => GatewayError::internal(err.to_string()),
        }
    }
}

impl From<AuthError> for GatewayError {
    fn from(err: AuthError) -> GatewayError {
        let (kind, failure, message) = match err {
            AuthError::InvalidCredentials => {
                (ErrorKind::Unauthenticated, AuthFailure::Invalid, "Invalid username or password".to_owned())
            }
            AuthError::Expired => (ErrorKind::Unauthenticated, AuthFailure::Expired, "Token has expired".to_owned()),
            AuthError::Disabled => (ErrorKind::Unauthenticated, AuthFailure::Disabled, "User is disabled".to_owned()),
            locked @ AuthError::LockedOut { .. } => (ErrorKind::TooManyRequests, AuthFailure::LockedOut, locked.to_string()),
            AuthError::Store(store) => return GatewayError::from(store),
        };
        GatewayError { auth: Some(failure), ..GatewayError::new(kind, message) }
    }
}
