//! Writing replies (spec §3.3–§3.7, §4): every scalar becomes a string as Opsview's Perl
//! serialisers produce them, the body is written in the negotiated format, and `alwaysReturn200`
//! wraps it as `{"rest": ..., "status": ...}`. Success and error bodies both go through [`reply`].

use http::StatusCode;
use rosetta_core::request::respond;
use rosetta_core::Response;
use serde_json::{json, Value};

use crate::call::Output;
use crate::codec::{dumper, xml, yaml};
use crate::negotiate::Format;

/// How JSON scalars are typed in a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    /// Every number and boolean becomes a string (`"1"`, `"0"`), as everywhere in Opsview.
    Strings,
    /// Numbers stay numbers (`/rest/detail` only).
    Native,
}

/// A reply body with its typing rule.
#[derive(Debug, Clone)]
pub struct Body {
    /// The value.
    pub value: Value,
    /// How its scalars are typed.
    pub typing: Typing,
}

impl Body {
    /// A body whose scalars are all written as strings.
    pub fn strings(value: Value) -> Body {
        Body { value, typing: Typing::Strings }
    }
}

/// Every number and boolean in `value` as a string (booleans as `"1"`/`"0"`); `null` stays.
pub fn stringify(value: Value) -> Value {
    match value {
        Value::Number(number) => Value::String(number.to_string()),
        Value::Bool(flag) => Value::String(if flag { "1" } else { "0" }.to_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(stringify).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(key, value)| (key, stringify(value))).collect()),
        other => other,
    }
}

/// Writes `body` with `status` in the negotiated format.
pub fn reply(output: Output, status: StatusCode, body: Body) -> Response {
    let value = match body.typing {
        Typing::Strings => stringify(body.value),
        Typing::Native => body.value,
    };
    let (status, value) = if output.always_200 {
        (StatusCode::OK, json!({"rest": value, "status": status.as_u16().to_string()}))
    } else {
        (status, value)
    };
    let text = match output.format {
        Format::Json => serde_json::to_string(&value).unwrap_or_default(),
        Format::Perl => dumper::dump(&value, true),
        Format::Xml => xml::to_xml(&value),
        Format::Yaml => yaml::to_yaml(&value),
    };
    respond(status, output.format.content_type(), text)
}

/// A 200 reply.
pub fn ok(output: Output, value: Value) -> Response {
    reply(output, StatusCode::OK, Body::strings(value))
}
