//! One parsed `/rest` request ([`Call`]): the effective method (after `x-tunneled-method` and
//! `X-HTTP-Method-Override`), the path below `/rest`, URL and form parameters, the decoded body and
//! the negotiated response format (spec §1, §3).

use http::Method;
use rosetta_core::request::{decode_segment, header, read_body, segments, Params};
use rosetta_core::{GatewayError, Request};
use serde_json::{Map, Value};

use crate::codec::{perl_literal, relaxed_json, xml};
use crate::negotiate::{body_kind, response_format, BodyKind, Format};

/// Per-request switches that change how replies are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    /// The negotiated serializer.
    pub format: Format,
    /// `alwaysReturn200=1`: status line 200, body `{"rest": ..., "status": ...}`.
    pub always_200: bool,
    /// `format_datetime=1`: times as `YYYY-MM-DD HH:MM:SS` instead of epoch seconds.
    pub format_datetime: bool,
}

impl Output {
    /// The output switches of a request, from its headers and URL alone (so errors raised before
    /// or outside the handler are written the same way).
    pub fn of(parts: &http::request::Parts, default: Format) -> Output {
        let query = Params::from_uri(&parts.uri);
        let format = response_format(
            header(parts, "content-type"),
            parts.method == Method::GET,
            query.get("content-type"),
            header(parts, "accept"),
            default,
        );
        Output {
            format,
            always_200: truthy(query.get("alwaysReturn200")),
            format_datetime: truthy(query.get("format_datetime")),
        }
    }
}

/// A decoded request.
#[derive(Debug, Clone)]
pub struct Call {
    /// The effective method.
    pub method: Method,
    /// Decoded path segments below `/rest`.
    pub path: Vec<String>,
    /// URL parameters followed by form-body parameters (use [`Params::last`] so the body wins).
    pub params: Params,
    /// The decoded data body; `None` when absent, empty or the literal `null`.
    pub body: Option<Value>,
    /// How to write the reply.
    pub output: Output,
}

impl Call {
    /// Reads and decodes the request.
    pub async fn read(
        request: Request,
        limit: usize,
        default: Format,
    ) -> Result<(Call, http::request::Parts), GatewayError> {
        let (parts, body) = request.into_parts();
        let output = Output::of(&parts, default);
        let bytes = read_body(body, limit).await?;
        let mut params = Params::from_uri(&parts.uri);
        let body = match body_kind(header(&parts, "content-type")) {
            BodyKind::Data(format) => decode(format, &bytes)?,
            BodyKind::Form => {
                params.extend(Params::parse(&String::from_utf8_lossy(&bytes)));
                None
            }
            BodyKind::Multipart => None,
            BodyKind::Unspecified | BodyKind::Unsupported => sniff(&bytes, &mut params)?,
        };
        let body = body.filter(|value| !value.is_null());
        let mut method = parts.method.clone();
        if method == Method::POST {
            let tunneled = params
                .last("x-tunneled-method")
                .map(str::to_owned)
                .or_else(|| header(&parts, "x-http-method-override").map(str::to_owned));
            if let Some(name) = tunneled {
                method = Method::from_bytes(name.trim().to_ascii_uppercase().as_bytes())
                    .map_err(|_| GatewayError::bad_request(format!("Unknown tunneled method {name}")))?;
            }
        }
        let path: Vec<String> = segments(parts.uri.path()).into_iter().skip(1).map(decode_segment).collect();
        Ok((Call { method, path, params, body, output }, parts))
    }

    /// The body as a hash, unwrapping `{"object": {...}}` when `object` is its only key.
    pub fn object(&self) -> Option<&Map<String, Value>> {
        let map = self.body.as_ref()?.as_object()?;
        if map.len() == 1 {
            if let Some(Value::Object(inner)) = map.get("object") {
                return Some(inner);
            }
        }
        Some(map)
    }

    /// Parameters from the URL, then the form body, then the scalar members of a data body: for
    /// the action endpoints, where a key in the body wins over the URL (use [`Params::last`]).
    pub fn merged_params(&self) -> Params {
        let mut params = self.params.clone();
        if let Some(map) = self.object() {
            for (key, value) in map {
                match value {
                    Value::Array(items) => {
                        params.0.retain(|(name, _)| name != key);
                        for item in items {
                            if let Some(text) = scalar_text(item) {
                                params.0.push((key.clone(), text));
                            }
                        }
                    }
                    other => {
                        if let Some(text) = scalar_text(other) {
                            params.0.retain(|(name, _)| name != key);
                            params.0.push((key.clone(), text));
                        }
                    }
                }
            }
        }
        params
    }
}

/// A scalar JSON value as text (`true` → `1`); `None` for null, arrays and hashes.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(if *flag { "1" } else { "0" }.to_owned()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// True for `1`, `true`, `yes` and `on`.
pub fn truthy(value: Option<&str>) -> bool {
    matches!(value.map(|text| text.trim().to_ascii_lowercase()).as_deref(), Some("1" | "true" | "yes" | "on"))
}

fn parse_error(detail: String) -> GatewayError {
    GatewayError::bad_request("Error when parsing data").with_detail(detail)
}

fn decode(format: Format, bytes: &[u8]) -> Result<Option<Value>, GatewayError> {
    match format {
        Format::Json => relaxed_json::parse(bytes)
            .map_err(|err| parse_error(format!("{} at line {} column {}", err.message, err.line, err.column))),
        Format::Perl => perl_literal::parse_body(bytes)
            .map_err(|err| parse_error(format!("{} at offset {}", err.kind, err.position))),
        Format::Xml => xml::from_xml(bytes).map_err(|err| parse_error(err.to_string())),
        Format::Yaml => {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                Ok(None)
            } else {
                Err(GatewayError::bad_request("Content-Type text/x-yaml had a problem with your request.")
                    .with_detail("YAML request bodies are not supported; send JSON, a Perl literal or XML"))
            }
        }
    }
}

/// A body without a usable `Content-Type`: JSON when it looks like JSON, else form parameters.
fn sniff(bytes: &[u8], params: &mut Params) -> Result<Option<Value>, GatewayError> {
    let text = String::from_utf8_lossy(bytes);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') || trimmed == "null" {
        return decode(Format::Json, bytes);
    }
    if trimmed.contains('=') {
        params.extend(Params::parse(trimmed));
        return Ok(None);
    }
    Err(parse_error("The body is neither JSON nor form parameters".to_owned()))
}
