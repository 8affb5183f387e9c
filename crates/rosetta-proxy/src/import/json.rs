//! Lenient access to upstream JSON: ids and numbers may come as strings or numbers, lists may be
//! wrapped in an object.

use serde_json::Value;

/// The value at `key` as text (strings as they are, numbers and booleans printed), if present.
pub fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The value at `key` as text, or an empty string.
pub fn text_or_empty(value: &Value, key: &str) -> String {
    text(value, key).unwrap_or_default()
}

/// The array at `key` (or `value` itself when it is an array); empty when absent.
pub fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    if let Some(items) = value.as_array() {
        return items;
    }
    value.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// True for `true`, `1`, `"1"` and `"true"`.
pub fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::Number(number)) => number.as_i64().is_some_and(|n| n != 0),
        Some(Value::String(text)) => text == "1" || text.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// The last path segment of an Opsview `ref` (`/rest/config/hostgroup/2` → `2`).
pub fn ref_id(value: &Value) -> Option<String> {
    let reference = value.get("ref")?.as_str()?;
    reference.trim_end_matches('/').rsplit('/').next().filter(|id| !id.is_empty()).map(str::to_owned)
}

/// True when a last-check time (epoch seconds or a date, as a number or text) says the object was
/// checked; `0`, `""`, `null` and the epoch itself (in any date format or offset) mean never.
pub fn checked(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Number(number)) => number.as_f64().is_some_and(|n| n > 0.0),
        Some(Value::String(text)) => !matches!(text.trim(), "" | "0") && !text.contains("1970") && !text.contains("1969"),
        _ => false,
    }
}
