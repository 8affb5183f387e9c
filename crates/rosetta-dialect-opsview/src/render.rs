//! Writing replies (spec §3.3–§3.7, §4): every scalar becomes a string as Opsview's Perl
//! serialisers produce them, the body is written in the negotiated format, and `alwaysReturn200`
//! wraps it as `{"rest": ..., "status": ...}`. Success and error bodies both go through [`reply`].

use http::StatusCode;
use rosetta_core::request::respond;
use rosetta_core::Response;
use serde::{Serialize, Serializer};
use serde_json::Value;

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

/// A value written as [`stringify`] would make it, without building the stringified copy.
pub struct AsStrings<'a>(pub &'a Value);

/// An integer written as a string, as Opsview writes every scalar.
pub struct Shown<T>(pub T);

impl<T: itoa::Integer + Copy> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(itoa::Buffer::new().format(self.0))
    }
}

impl Serialize for AsStrings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Number(number) => serializer.collect_str(number),
            Value::Bool(flag) => serializer.serialize_str(if *flag { "1" } else { "0" }),
            Value::Array(items) => serializer.collect_seq(items.iter().map(AsStrings)),
            Value::Object(map) => serializer.collect_map(map.iter().map(|(key, value)| (key, AsStrings(value)))),
            other => other.serialize(serializer),
        }
    }
}

/// Writes `body` with `status` in the negotiated format.
pub fn reply(output: Output, status: StatusCode, body: Body) -> Response {
    let strings = body.typing == Typing::Strings;
    let tree = |value: Value| {
        let value = if output.always_200 {
            let code = Value::String(status.as_u16().to_string());
            Value::Object([("rest".to_owned(), value), ("status".to_owned(), code)].into_iter().collect())
        } else {
            value
        };
        if strings {
            stringify(value)
        } else {
            value
        }
    };
    let text = match output.format {
        Format::Json if strings => json_text(output, status, &AsStrings(&body.value)),
        Format::Json => json_text(output, status, &body.value),
        Format::Perl => dumper::dump(&tree(body.value), true),
        Format::Xml => xml::to_xml(&tree(body.value)),
        Format::Yaml => yaml::to_yaml(&tree(body.value)),
    };
    respond(shown_status(output, status), output.format.content_type(), text)
}

/// `alwaysReturn200`'s wrapper around a body.
#[derive(Serialize)]
struct Wrapped<'a, T> {
    rest: &'a T,
    status: String,
}

/// The JSON text of `body`, wrapped for `alwaysReturn200`.
fn json_text<T: Serialize>(output: Output, status: StatusCode, body: &T) -> String {
    let text = if output.always_200 {
        serde_json::to_string(&Wrapped { rest: body, status: status.as_u16().to_string() })
    } else {
        serde_json::to_string(body)
    };
    text.unwrap_or_default()
}

/// The HTTP status a reply carries: 200 under `alwaysReturn200`, which puts the real one in the body.
fn shown_status(output: Output, status: StatusCode) -> StatusCode {
    if output.always_200 {
        StatusCode::OK
    } else {
        status
    }
}

/// Writes a body that serialises itself with every scalar already a string (see [`Shown`]): JSON is
/// written straight from it, the other formats from its value.
pub fn reply_serialized<T: Serialize>(output: Output, status: StatusCode, body: &T) -> Response {
    if output.format != Format::Json {
        return reply(output, status, Body::strings(serde_json::to_value(body).unwrap_or_default()));
    }
    respond(shown_status(output, status), output.format.content_type(), json_text(output, status, body))
}

/// A 200 reply.
pub fn ok(output: Output, value: Value) -> Response {
    reply(output, StatusCode::OK, Body::strings(value))
}

#[cfg(test)]
mod tests {
    use http::StatusCode;
    use http_body_util::BodyExt;
    use serde_json::json;

    use super::{reply, stringify, AsStrings, Body, Typing};
    use crate::call::Output;
    use crate::negotiate::Format;

    async fn written(always_200: bool, typing: Typing) -> (StatusCode, String) {
        let output = Output { format: Format::Json, always_200, format_datetime: false };
        let response = reply(output, StatusCode::NOT_FOUND, Body { value: json!({"n": 1, "ok": true}), typing });
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8(bytes.to_vec()).expect("text"))
    }

    #[tokio::test]
    async fn always_return_200_wraps_the_body_before_its_status_in_either_typing() {
        let strings = (StatusCode::OK, r#"{"rest":{"n":"1","ok":"1"},"status":"404"}"#.to_owned());
        assert_eq!(written(true, Typing::Strings).await, strings);
        let native = (StatusCode::OK, r#"{"rest":{"n":1,"ok":true},"status":"404"}"#.to_owned());
        assert_eq!(written(true, Typing::Native).await, native);
        assert_eq!(written(false, Typing::Strings).await, (StatusCode::NOT_FOUND, r#"{"n":"1","ok":"1"}"#.to_owned()));
    }

    #[test]
    fn json_is_written_as_the_stringified_copy_would_be() {
        let value = json!({
            "int": 42, "negative": -7, "float": 0.125, "big": 18446744073709551615_u64, "yes": true, "no": false,
            "none": null, "text": "quote \" and \\ and \u{1}", "list": [1, "two", [false, {"deep": 3.5}], {}],
            "ünïcode": {"nested": {"n": 0}},
        });
        let direct = serde_json::to_string(&AsStrings(&value)).expect("direct");
        assert_eq!(direct, serde_json::to_string(&stringify(value)).expect("copy"));
        let expected = [r#""int":"42""#, r#""yes":"1""#, r#""none":null"#];
        assert!(expected.iter().all(|part| direct.contains(part)), "{direct}");
    }
}
