//! CakePHP validation error bodies: `{"error": {"<field>": {"<rule>": "<message>"}}}` (spec §2.8).
//!
//! Field paths use dots for associated objects (`container.name` →
//! `{"container": {"name": {...}}}`). Numeric path segments address hasMany rows; as with PHP
//! arrays, a level whose keys are exactly `0..n` in order renders as a JSON list.

use serde_json::{Map, Value};

/// The product's generic text for most built-in rules in CakePHP 4.x.
pub const INVALID: &str = "The provided value is invalid";
/// Default `_required` text.
pub const REQUIRED: &str = "This field is required";
/// Default `_empty` text (also used by the hand-built `empty` variant).
pub const EMPTY: &str = "This field cannot be left empty";
/// Default `_isUnique` text.
pub const IS_UNIQUE: &str = "This value is already in use";
/// The `url` rule text used by the product's tables.
pub const NOT_A_URL: &str = "Not a valid URL.";

/// A validation rule with its default message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// `_required`: the field is missing on create.
    Required,
    /// `_empty`: the field is present but empty.
    Empty,
    /// `empty` (no underscore): the hand-built variant of hosts/services add for missing ids.
    HandEmpty,
    /// `integer`.
    Integer,
    /// `numeric`.
    Numeric,
    /// `boolean`.
    Boolean,
    /// `maxLength`.
    MaxLength,
    /// `greaterThan`.
    GreaterThan,
    /// `greaterThanOrEqual`.
    GreaterThanOrEqual,
    /// `range`, rendered as "This value must be between {min} and {max}".
    Range {
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// `_isUnique` (application rule).
    IsUnique,
    /// `unique` (validator rule; the product's tables always give a custom text).
    Unique,
    /// `url`.
    Url,
    /// `custom` (callable rule; the product always gives a text).
    Custom,
    /// Any other rule name, rendered with [`INVALID`] unless a message is given.
    Other(String),
}

impl Rule {
    /// The rule key as it appears in the body.
    pub fn name(&self) -> &str {
        match self {
            Rule::Required => "_required",
            Rule::Empty => "_empty",
            Rule::HandEmpty => "empty",
            Rule::Integer => "integer",
            Rule::Numeric => "numeric",
            Rule::Boolean => "boolean",
            Rule::MaxLength => "maxLength",
            Rule::GreaterThan => "greaterThan",
            Rule::GreaterThanOrEqual => "greaterThanOrEqual",
            Rule::Range { .. } => "range",
            Rule::IsUnique => "_isUnique",
            Rule::Unique => "unique",
            Rule::Url => "url",
            Rule::Custom => "custom",
            Rule::Other(name) => name,
        }
    }

    /// The default message.
    pub fn default_message(&self) -> String {
        match self {
            Rule::Required => REQUIRED.to_string(),
            Rule::Empty | Rule::HandEmpty => EMPTY.to_string(),
            Rule::Range { min, max } => format!("This value must be between {min} and {max}"),
            Rule::IsUnique => IS_UNIQUE.to_string(),
            Rule::Url => NOT_A_URL.to_string(),
            Rule::Integer
            | Rule::Numeric
            | Rule::Boolean
            | Rule::MaxLength
            | Rule::GreaterThan
            | Rule::GreaterThanOrEqual
            | Rule::Unique
            | Rule::Custom
            | Rule::Other(_) => INVALID.to_string(),
        }
    }
}

/// Collected `field → rule → message` errors, in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidationErrors {
    root: Map<String, Value>,
}

impl ValidationErrors {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `rule` with its default message on the dotted `path`.
    pub fn add(&mut self, path: &str, rule: Rule) -> &mut Self {
        let message = rule.default_message();
        self.add_message(path, rule.name(), &message)
    }

    /// Adds a rule with a custom message on the dotted `path`. A later message for the same
    /// field and rule replaces the earlier one.
    pub fn add_message(&mut self, path: &str, rule: &str, message: &str) -> &mut Self {
        let mut level = &mut self.root;
        for segment in path.split('.') {
            let entry = level
                .entry(segment.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            level = match entry {
                Value::Object(map) => map,
                _ => return self,
            };
        }
        level.insert(rule.to_string(), Value::String(message.to_string()));
        self
    }

    /// Nests another entity's errors under `prefix` (e.g. an associated `container`).
    pub fn merge_under(&mut self, prefix: &str, other: &ValidationErrors) -> &mut Self {
        fn walk(target: &mut ValidationErrors, path: &str, map: &Map<String, Value>) {
            for (key, value) in map {
                match value {
                    Value::Object(inner) => walk(target, &format!("{path}.{key}"), inner),
                    Value::String(message) => {
                        target.add_message(path, key, message);
                    }
                    _ => {}
                }
            }
        }
        walk(self, prefix, &other.root);
        self
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.root.is_empty()
    }

    /// True when `field` (a top-level field name) has at least one error.
    pub fn has(&self, field: &str) -> bool {
        self.root.contains_key(field)
    }

    /// The inner error object (the value of `"error"`).
    pub fn to_value(&self) -> Value {
        listify(&self.root)
    }

    /// The full response body `{"error": {...}}`.
    pub fn to_body(&self) -> Value {
        let mut body = Map::new();
        body.insert("error".to_string(), self.to_value());
        Value::Object(body)
    }
}

fn listify(map: &Map<String, Value>) -> Value {
    let convert = |v: &Value| match v {
        Value::Object(inner) => listify(inner),
        other => other.clone(),
    };
    let sequential = !map.is_empty() && map.keys().enumerate().all(|(i, k)| *k == i.to_string());
    if sequential {
        Value::Array(map.values().map(convert).collect())
    } else {
        Value::Object(map.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use serde_json::json;

    #[test]
    fn renders_spec_example() {
        let mut e = ValidationErrors::new();
        e.add("name", Rule::Empty)
            .add("priority", Rule::Range { min: 1, max: 5 })
            .add("check_interval", Rule::Integer);
        assert_eq!(
            json::encode(&e.to_body()),
            r#"{"error":{"name":{"_empty":"This field cannot be left empty"},"priority":{"range":"This value must be between 1 and 5"},"check_interval":{"integer":"The provided value is invalid"}}}"#
        );
        assert!(e.has("name"));
        assert!(!e.has("address"));
    }

    #[test]
    fn nested_and_hand_built_variants() {
        let mut e = ValidationErrors::new();
        e.add_message(
            "container.name",
            "_empty",
            "This field cannot be left blank.",
        );
        assert_eq!(
            e.to_body(),
            json!({"error": {"container": {"name": {"_empty": "This field cannot be left blank."}}}})
        );
        let mut e = ValidationErrors::new();
        e.add("container_id", Rule::HandEmpty)
            .add("hosttemplate_id", Rule::HandEmpty);
        assert_eq!(
            e.to_body(),
            json!({"error": {"container_id": {"empty": "This field cannot be left empty"},
                             "hosttemplate_id": {"empty": "This field cannot be left empty"}}})
        );
        let mut e = ValidationErrors::new();
        e.add_message(
            "object_id",
            "_empty",
            "You have to select at least on object.",
        );
        assert_eq!(
            e.to_value(),
            json!({"object_id": {"_empty": "You have to select at least on object."}})
        );
    }

    #[test]
    fn default_messages() {
        assert_eq!(Rule::Required.default_message(), "This field is required");
        assert_eq!(Rule::Url.default_message(), "Not a valid URL.");
        assert_eq!(Rule::Boolean.default_message(), INVALID);
        assert_eq!(Rule::Numeric.name(), "numeric");
        assert_eq!(Rule::IsUnique.name(), "_isUnique");
        assert_eq!(Rule::Unique.name(), "unique");
        assert_eq!(Rule::Other("notBlank".into()).name(), "notBlank");
        assert_eq!(
            Rule::Range { min: -1, max: 10 }.default_message(),
            "This value must be between -1 and 10"
        );
        let mut e = ValidationErrors::new();
        e.add_message(
            "name",
            "unique",
            "This command name has already been taken.",
        )
        .add("name", Rule::Required);
        assert_eq!(
            e.to_value(),
            json!({"name": {"unique": "This command name has already been taken.", "_required": "This field is required"}})
        );
    }

    #[test]
    fn has_many_rows_render_as_lists_when_sequential() {
        let mut e = ValidationErrors::new();
        e.add_message("customvariables.0.name", "macroNameUnique", "dup")
            .add_message("customvariables.1.name", "macroNameUnique", "dup");
        assert_eq!(
            e.to_value(),
            json!({"customvariables": [{"name": {"macroNameUnique": "dup"}}, {"name": {"macroNameUnique": "dup"}}]})
        );
        let mut e = ValidationErrors::new();
        e.add_message("customvariables.1.name", "x", "y");
        assert_eq!(
            e.to_value(),
            json!({"customvariables": {"1": {"name": {"x": "y"}}}})
        );
    }

    #[test]
    fn merge_and_conflicts() {
        let mut inner = ValidationErrors::new();
        inner.add("name", Rule::Empty);
        let mut outer = ValidationErrors::new();
        outer
            .add("description", Rule::MaxLength)
            .merge_under("container", &inner);
        assert_eq!(
            outer.to_value(),
            json!({"description": {"maxLength": INVALID}, "container": {"name": {"_empty": EMPTY}}})
        );
        let mut e = ValidationErrors::new();
        e.add_message("a", "r", "m").add_message("a.r", "x", "y");
        assert_eq!(e.to_value(), json!({"a": {"r": {"x": "y"}}}));
        let mut e = ValidationErrors::new();
        e.add_message("", "r", "m").add_message("a..b", "r", "m");
        assert_eq!(
            e.to_value(),
            json!({"": {"r": "m"}, "a": {"": {"b": {"r": "m"}}}})
        );
        assert!(ValidationErrors::new().is_empty());
        assert_eq!(ValidationErrors::new().to_body(), json!({"error": {}}));
    }
}
