//! Reading one object's input hash the way Opsview's write engine does (spec §5.4): scalars may be
//! strings or numbers, booleans `1`/`"1"`/`true`, related objects a `{name}` hash, a scalar id or a
//! list of either; `ref` keys and unknown keys are ignored.

use rosetta_core::GatewayError;
use rosetta_model::Id;
use rosetta_store::Read;
use serde_json::{Map, Value};

use super::ObjectType;

/// One object's input hash.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    map: &'a Map<String, Value>,
}

fn invalid(key: &str, what: &str) -> GatewayError {
    GatewayError::bad_request(format!("{key}: {what}"))
}

impl<'a> Input<'a> {
    /// Wraps a hash.
    pub fn new(map: &'a Map<String, Value>) -> Input<'a> {
        Input { map }
    }

    /// The raw hash.
    pub fn map(&self) -> &'a Map<String, Value> {
        self.map
    }

    /// True when `key` was sent (even as `null`).
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The raw value of `key`.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// A text field: `None` when not sent; `null` reads as `""`.
    pub fn text(&self, key: &str) -> Result<Option<String>, GatewayError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(String::new())),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(Value::Number(number)) => Ok(Some(number.to_string())),
            Some(Value::Bool(flag)) => Ok(Some(if *flag { "1" } else { "0" }.to_owned())),
            Some(_) => Err(invalid(key, "Invalid value, expected a string")),
        }
    }

    /// A boolean field (`1`, `"1"`, `true`, `0`, `"0"`, `false`, `""`).
    pub fn flag(&self, key: &str) -> Result<Option<bool>, GatewayError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(false)),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(Value::Number(number)) => Ok(Some(number.as_f64().is_some_and(|n| n != 0.0))),
            Some(Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
                "" | "0" | "false" | "no" | "off" => Ok(Some(false)),
                "1" | "true" | "yes" | "on" => Ok(Some(true)),
                _ => Err(invalid(key, "Invalid value, expected 0 or 1")),
            },
            Some(_) => Err(invalid(key, "Invalid value, expected 0 or 1")),
        }
    }

    /// A non-negative integer field; `""` and `null` read as "not set" (`Some(None)`).
    pub fn number(&self, key: &str) -> Result<Option<Option<u32>>, GatewayError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::Number(number)) => number
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(|n| Some(Some(n)))
                .ok_or_else(|| invalid(key, "Invalid number")),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(Some(None)),
            Some(Value::String(text)) => {
                text.trim().parse::<u32>().map(|n| Some(Some(n))).map_err(|_| invalid(key, "Invalid number"))
            }
            Some(_) => Err(invalid(key, "Invalid number")),
        }
    }

    /// A single-valued relation: `None` when not sent, `Some(None)` when cleared.
    pub fn one(&self, store: &impl Read, key: &str, target: ObjectType) -> Result<Option<Option<Id>>, GatewayError> {
        let Some(value) = self.map.get(key) else {
            return Ok(None);
        };
        let value = match value {
            Value::Array(items) => match items.first() {
                Some(first) => first,
                None => return Ok(Some(None)),
            },
            other => other,
        };
        match value {
            Value::Null => Ok(Some(None)),
            Value::String(text) if text.is_empty() => Ok(Some(None)),
            other => resolve(store, key, target, other).map(|id| Some(Some(id))),
        }
    }

    /// A many-valued relation: `None` when not sent; a single value is wrapped as a list and
    /// duplicates are dropped, order kept.
    pub fn many(&self, store: &impl Read, key: &str, target: ObjectType) -> Result<Option<Vec<Id>>, GatewayError> {
        let Some(value) = self.map.get(key) else {
            return Ok(None);
        };
        let items: Vec<&Value> = match value {
            Value::Null => vec![],
            Value::Array(items) => items.iter().collect(),
            Value::String(text) if text.is_empty() => vec![],
            other => vec![other],
        };
        let mut ids = Vec::new();
        for item in items {
            let id = resolve(store, key, target, item)?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(Some(ids))
    }

    /// A list of hashes (sub-records); `None` when not sent.
    pub fn records(&self, key: &str) -> Result<Option<Vec<&'a Map<String, Value>>>, GatewayError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(vec![])),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_object().ok_or_else(|| {
                        GatewayError::bad_request("Error when parsing data").with_detail(format!("Not a HASH: {key}"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(Value::Object(map)) => Ok(Some(vec![map])),
            Some(_) => {
                Err(GatewayError::bad_request("Error when parsing data").with_detail(format!("Not a HASH: {key}")))
            }
        }
    }
}

/// Resolves one related-object reference: a hash looked up by `name` (or `id`), or a scalar id.
pub fn resolve(store: &impl Read, key: &str, target: ObjectType, value: &Value) -> Result<Id, GatewayError> {
    let missing = |what: String| GatewayError::bad_request(format!("No related object for {key} '{what}'"));
    match value {
        Value::Object(map) => {
            if let Some(name) = map.get("name").and_then(crate::call::scalar_text) {
                let matpath = map.get("matpath").and_then(Value::as_str);
                return target.find(store, &name, matpath).ok_or_else(|| missing(format!("name={name}")));
            }
            if let Some(id) = map.get("id").and_then(crate::call::scalar_text) {
                return id
                    .trim()
                    .parse::<Id>()
                    .ok()
                    .filter(|id| target.exists(store, *id))
                    .ok_or_else(|| missing(format!("id={id}")));
            }
            Err(GatewayError::bad_request(format!("No related object for {key} ''")).with_detail("Missing name"))
        }
        Value::Number(_) | Value::String(_) => {
            let text = crate::call::scalar_text(value).unwrap_or_default();
            match text.trim().parse::<Id>() {
                Ok(id) if target.exists(store, id) => Ok(id),
                Ok(_) => Err(missing(format!("id={text}"))),
                Err(_) => target.find(store, &text, None).ok_or_else(|| missing(format!("name={text}"))),
            }
        }
        _ => Err(GatewayError::bad_request("Error when parsing data").with_detail(format!("Not a HASH: {key}"))),
    }
}
