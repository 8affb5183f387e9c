//! The `json_filter` list parameter (spec §5.2): a JSON document in Perl `SQL::Abstract` form,
//! parsed into a [`Filter`] and evaluated against rows by [`matches()`].
//!
//! Supported, with `SQL::Abstract` semantics:
//! * a hash is an AND of its members, an array is an OR of its items (`["name", "x", ...]` pairs
//!   a string item with the next one as `column => value`);
//! * `-and`, `-or` (with an array or a hash), `-not`, `-nest`;
//! * `{"col": "v"}` equality, `{"col": null}` IS NULL, `{"col": ["a", "b"]}` IN (an array may
//!   start with `"-and"` or `"-or"` to choose how its items combine, and may hold operator
//!   hashes), `{"col": {...}}` an AND of operators;
//! * operators, case-insensitive with or without a leading `-` and with `_` or space:
//!   `=`, `!=` / `<>`, `<`, `>`, `<=`, `>=`, `like`, `not_like` (`ilike` alike), `in`,
//!   `not_in`, `between`, `not_between`, `is` / `is_not` (with `null`). An operator given an
//!   array applies to each item, OR-ed (or as the leading `-and`/`-or` says).
//!
//! Evaluation follows SQL three-valued logic: any test other than `IS [NOT] NULL` on a NULL column
//! is unknown, and a row matches only when the whole filter is true. Comparisons are numeric when
//! both sides parse as numbers, otherwise case-insensitive string comparisons (MySQL's default
//! `_ci` collations, which Opsview runs on). LIKE uses `%`, `_` and `\` escapes and is
//! case-insensitive. Column names are passed to the lookup verbatim.

use crate::codec::relaxed_json;
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// Deepest nesting of logic groups and column tests accepted.
pub const MAX_DEPTH: usize = 64;

/// Why a `json_filter` was rejected (the dialect answers 400 `Error executing search`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// The parameter is not valid (relaxed) JSON.
    #[error("json_filter is not valid JSON: {0}")]
    InvalidJson(String),
    /// A top-level or nested value that is neither a hash nor an array.
    #[error("expected a hash or an array, found {0}")]
    NotAFilter(String),
    /// A `-keyword` or operator this implementation does not know.
    #[error("unknown operator {0:?}")]
    UnknownOperator(String),
    /// An operator given an operand of the wrong shape.
    #[error("invalid operand for {op:?} on column {column:?}")]
    InvalidOperand {
        /// The column being tested.
        column: String,
        /// The operator as written.
        op: String,
    },
    /// A string item at the end of an array, with no value to pair it with.
    #[error("array key {0:?} has no value")]
    DanglingKey(String),
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("json_filter nested deeper than {} levels", MAX_DEPTH)]
    TooDeep,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
}

/// A test on one column's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// `col <op> value`.
    Compare(CmpOp, String),
    /// `col [NOT] LIKE pattern`.
    Like {
        /// The SQL LIKE pattern (`%`, `_`, `\` escapes).
        pattern: String,
        /// NOT LIKE.
        negated: bool,
    },
    /// `col [NOT] IN (values)`.
    In {
        /// The candidate values.
        values: Vec<String>,
        /// NOT IN.
        negated: bool,
    },
    /// `col [NOT] BETWEEN low AND high` (inclusive).
    Between {
        /// Lower bound.
        low: String,
        /// Upper bound.
        high: String,
        /// NOT BETWEEN.
        negated: bool,
    },
    /// `col IS [NOT] NULL`.
    Null {
        /// IS NOT NULL.
        negated: bool,
    },
}

/// A parsed `json_filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Matches every row (an empty filter).
    True,
    /// Matches no row (for example `{"col": []}`).
    False,
    /// All of the parts.
    And(Vec<Filter>),
    /// Any of the parts.
    Or(Vec<Filter>),
    /// The negation of the part.
    Not(Box<Filter>),
    /// A test on one column.
    Condition {
        /// The column name, as written in the filter.
        column: String,
        /// The test applied to its value.
        test: Test,
    },
}

impl Filter {
    /// The distinct column names the filter refers to, in first-seen order.
    pub fn columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut pending = vec![self];
        while let Some(filter) = pending.pop() {
            match filter {
                Filter::True | Filter::False => {}
                Filter::And(parts) | Filter::Or(parts) => pending.extend(parts.iter().rev()),
                Filter::Not(inner) => pending.push(inner),
                Filter::Condition { column, .. } => {
                    if !out.contains(&column.as_str()) {
                        out.push(column.as_str());
                    }
                }
            }
        }
        out
    }
}

/// Parses the `json_filter` parameter. An empty or blank value, `{}`, `[]` and `null` give
/// [`Filter::True`].
pub fn parse(text: &str) -> Result<Filter, FilterError> {
    match relaxed_json::parse(text.as_bytes()) {
        Ok(None) => Ok(Filter::True),
        Ok(Some(value)) => from_value(&value),
        Err(e) => Err(FilterError::InvalidJson(e.to_string())),
    }
}

/// Converts an already decoded JSON value into a [`Filter`].
pub fn from_value(value: &Value) -> Result<Filter, FilterError> {
    where_clause(value, 0)
}

/// Whether the row whose column values `lookup` returns (`None` for NULL) satisfies `filter`.
pub fn matches(filter: &Filter, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
    eval(filter, lookup) == Some(true)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Logic {
    And,
    Or,
}

fn combine(logic: Logic, mut parts: Vec<Filter>) -> Filter {
    match parts.len() {
        0 => Filter::True,
        1 => parts.pop().unwrap_or(Filter::True),
        _ => match logic {
            Logic::And => Filter::And(parts),
            Logic::Or => Filter::Or(parts),
        },
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "a hash".into(),
    }
}

fn where_clause(value: &Value, depth: usize) -> Result<Filter, FilterError> {
    if depth > MAX_DEPTH {
        return Err(FilterError::TooDeep);
    }
    match value {
        Value::Null => Ok(Filter::True),
        Value::Object(map) => hash_clause(map, Logic::And, depth),
        Value::Array(items) => array_clause(items, Logic::Or, depth),
        other => Err(FilterError::NotAFilter(describe(other))),
    }
}

fn hash_clause(
    map: &Map<String, Value>,
    logic: Logic,
    depth: usize,
) -> Result<Filter, FilterError> {
    let parts = map
        .iter()
        .map(|(key, value)| key_clause(key, value, depth + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(combine(logic, parts))
}

fn array_clause(items: &[Value], logic: Logic, depth: usize) -> Result<Filter, FilterError> {
    if depth > MAX_DEPTH {
        return Err(FilterError::TooDeep);
    }
    let mut parts = Vec::new();
    let mut iter = items.iter();
    while let Some(item) = iter.next() {
        let part = match item {
            Value::String(key) => match iter.next() {
                Some(value) => key_clause(key, value, depth + 1)?,
                None => return Err(FilterError::DanglingKey(key.clone())),
            },
            Value::Object(map) => hash_clause(map, Logic::And, depth + 1)?,
            Value::Array(inner) => array_clause(inner, Logic::Or, depth + 1)?,
            other => return Err(FilterError::NotAFilter(describe(other))),
        };
        parts.push(part);
    }
    Ok(combine(logic, parts))
}

fn key_clause(key: &str, value: &Value, depth: usize) -> Result<Filter, FilterError> {
    if depth > MAX_DEPTH {
        return Err(FilterError::TooDeep);
    }
    let Some(keyword) = key.strip_prefix('-') else {
        return column_clause(key, value, depth);
    };
    let logic = match keyword.to_ascii_lowercase().as_str() {
        "and" => Logic::And,
        "or" => Logic::Or,
        "not" => return Ok(Filter::Not(Box::new(where_clause(value, depth + 1)?))),
        "nest" => return where_clause(value, depth + 1),
        _ => return Err(FilterError::UnknownOperator(key.to_owned())),
    };
    match value {
        Value::Array(items) => array_clause(items, logic, depth + 1),
        Value::Object(map) => hash_clause(map, logic, depth + 1),
        other => Err(FilterError::NotAFilter(describe(other))),
    }
}

fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Splits a leading `"-and"` / `"-or"` modifier off an array.
fn array_logic(items: &[Value]) -> (Logic, &[Value]) {
    if let Some((Value::String(first), rest)) = items.split_first() {
        match first.to_ascii_lowercase().as_str() {
            "-and" => return (Logic::And, rest),
            "-or" => return (Logic::Or, rest),
            _ => {}
        }
    }
    (Logic::Or, items)
}

fn condition(column: &str, test: Test) -> Filter {
    Filter::Condition {
        column: column.to_owned(),
        test,
    }
}

fn column_clause(column: &str, value: &Value, depth: usize) -> Result<Filter, FilterError> {
    if depth > MAX_DEPTH {
        return Err(FilterError::TooDeep);
    }
    match value {
        Value::Null => Ok(condition(column, Test::Null { negated: false })),
        Value::Array(items) => {
            let (logic, items) = array_logic(items);
            if items.is_empty() {
                return Ok(Filter::False);
            }
            if logic == Logic::Or {
                if let Some(values) = items.iter().map(scalar_string).collect::<Option<Vec<_>>>() {
                    return Ok(condition(
                        column,
                        Test::In {
                            values,
                            negated: false,
                        },
                    ));
                }
            }
            let parts = items
                .iter()
                .map(|item| column_clause(column, item, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(combine(logic, parts))
        }
        Value::Object(ops) => {
            let parts = ops
                .iter()
                .map(|(op, operand)| op_clause(column, op, operand, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(combine(Logic::And, parts))
        }
        scalar => Ok(condition(
            column,
            Test::Compare(CmpOp::Eq, scalar_string(scalar).unwrap_or_default()),
        )),
    }
}

/// An operator name folded to lower case, without a leading `-`, with `_` as a space.
fn normalise_op(op: &str) -> String {
    let folded = op
        .trim()
        .trim_start_matches('-')
        .to_lowercase()
        .replace('_', " ");
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn op_clause(column: &str, op: &str, operand: &Value, depth: usize) -> Result<Filter, FilterError> {
    if depth > MAX_DEPTH {
        return Err(FilterError::TooDeep);
    }
    let norm = normalise_op(op);
    let invalid = || FilterError::InvalidOperand {
        column: column.to_owned(),
        op: op.to_owned(),
    };
    let takes_list = matches!(norm.as_str(), "in" | "not in" | "between" | "not between");
    if let (Value::Array(items), false) = (operand, takes_list) {
        let (logic, items) = array_logic(items);
        if items.is_empty() {
            let negative = matches!(norm.as_str(), "!=" | "<>" | "ne" | "not like" | "not ilike");
            return Ok(if negative {
                Filter::True
            } else {
                Filter::False
            });
        }
        let parts = items
            .iter()
            .map(|item| op_clause(column, op, item, depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(combine(logic, parts));
    }
    let cmp = |cmp_op: CmpOp| -> Result<Filter, FilterError> {
        let rhs = scalar_string(operand).ok_or_else(invalid)?;
        Ok(condition(column, Test::Compare(cmp_op, rhs)))
    };
    let like = |negated: bool| -> Result<Filter, FilterError> {
        let pattern = scalar_string(operand).ok_or_else(invalid)?;
        Ok(condition(column, Test::Like { pattern, negated }))
    };
    match norm.as_str() {
        "=" | "==" | "eq" if operand.is_null() => {
            Ok(condition(column, Test::Null { negated: false }))
        }
        "!=" | "<>" | "ne" if operand.is_null() => {
            Ok(condition(column, Test::Null { negated: true }))
        }
        "=" | "==" | "eq" => cmp(CmpOp::Eq),
        "!=" | "<>" | "ne" => cmp(CmpOp::Ne),
        "<" | "lt" => cmp(CmpOp::Lt),
        ">" | "gt" => cmp(CmpOp::Gt),
        "<=" | "le" => cmp(CmpOp::Le),
        ">=" | "ge" => cmp(CmpOp::Ge),
        "like" | "ilike" => like(false),
        "not like" | "not ilike" => like(true),
        "is" if operand.is_null() => Ok(condition(column, Test::Null { negated: false })),
        "is not" if operand.is_null() => Ok(condition(column, Test::Null { negated: true })),
        "in" | "not in" => {
            let negated = norm == "not in";
            let items: &[Value] = match operand {
                Value::Array(items) => items,
                single => std::slice::from_ref(single),
            };
            let mut values = Vec::with_capacity(items.len());
            let mut has_null = false;
            for item in items {
                match item {
                    Value::Null => has_null = true,
                    other => values.push(scalar_string(other).ok_or_else(invalid)?),
                }
            }
            let null_test = condition(column, Test::Null { negated });
            let list_test = condition(
                column,
                Test::In {
                    values: values.clone(),
                    negated,
                },
            );
            Ok(match (values.is_empty(), has_null, negated) {
                (true, false, false) => Filter::False,
                (true, false, true) => Filter::True,
                (true, true, _) => null_test,
                (false, false, _) => list_test,
                (false, true, false) => Filter::Or(vec![list_test, null_test]),
                (false, true, true) => Filter::And(vec![list_test, null_test]),
            })
        }
        "between" | "not between" => {
            let bounds = match operand {
                Value::Array(items) if items.len() == 2 => items,
                _ => return Err(invalid()),
            };
            let (Some(low), Some(high)) = (
                bounds.first().and_then(scalar_string),
                bounds.get(1).and_then(scalar_string),
            ) else {
                return Err(invalid());
            };
            let negated = norm == "not between";
            Ok(condition(column, Test::Between { low, high, negated }))
        }
        "is" | "is not" => Err(invalid()),
        _ => Err(FilterError::UnknownOperator(op.to_owned())),
    }
}

fn eval(filter: &Filter, lookup: &dyn Fn(&str) -> Option<String>) -> Option<bool> {
    match filter {
        Filter::True => Some(true),
        Filter::False => Some(false),
        Filter::And(parts) => {
            let mut unknown = false;
            for part in parts {
                match eval(part, lookup) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        Filter::Or(parts) => {
            let mut unknown = false;
            for part in parts {
                match eval(part, lookup) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(false)
            }
        }
        Filter::Not(inner) => eval(inner, lookup).map(|b| !b),
        Filter::Condition { column, test } => match (test, lookup(column)) {
            (Test::Null { negated }, value) => Some(value.is_none() != *negated),
            (_, None) => None,
            (Test::Compare(op, rhs), Some(value)) => {
                let ord = compare(&value, rhs);
                Some(match op {
                    CmpOp::Eq => ord == Ordering::Equal,
                    CmpOp::Ne => ord != Ordering::Equal,
                    CmpOp::Lt => ord == Ordering::Less,
                    CmpOp::Gt => ord == Ordering::Greater,
                    CmpOp::Le => ord != Ordering::Greater,
                    CmpOp::Ge => ord != Ordering::Less,
                })
            }
            (Test::Like { pattern, negated }, Some(value)) => {
                Some(like(&value, pattern) != *negated)
            }
            (Test::In { values, negated }, Some(value)) => {
                Some(values.iter().any(|v| compare(&value, v) == Ordering::Equal) != *negated)
            }
            (Test::Between { low, high, negated }, Some(value)) => {
                let inside = compare(&value, low) != Ordering::Less
                    && compare(&value, high) != Ordering::Greater;
                Some(inside != *negated)
            }
        },
    }
}

/// A finite number, when `s` is written as one (no `inf`/`nan` words).
fn as_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t.bytes().any(|b| b.is_ascii_digit())
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Numeric when both sides are numbers, else case-insensitive.
fn compare(a: &str, b: &str) -> Ordering {
    if let (Some(x), Some(y)) = (as_number(a), as_number(b)) {
        return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
    }
    a.to_lowercase().cmp(&b.to_lowercase())
}

enum LikeToken {
    Any,
    One,
    Char(char),
}

/// SQL LIKE, case-insensitive, with `\` as the escape character. Runs in O(len(text) ×
/// len(pattern)) at worst.
pub fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let mut tokens = Vec::new();
    let mut chars = pattern
        .to_lowercase()
        .chars()
        .collect::<Vec<_>>()
        .into_iter();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '%' => LikeToken::Any,
            '_' => LikeToken::One,
            '\\' => LikeToken::Char(chars.next().unwrap_or('\\')),
            other => LikeToken::Char(other),
        });
    }
    let (mut t, mut p) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        match tokens.get(p) {
            Some(LikeToken::Any) => {
                backtrack = Some((p + 1, t));
                p += 1;
            }
            Some(LikeToken::One) => {
                t += 1;
                p += 1;
            }
            Some(LikeToken::Char(pc)) if *pc == c => {
                t += 1;
                p += 1;
            }
            _ => match backtrack {
                Some((after_any, start)) => {
                    p = after_any;
                    t = start + 1;
                    backtrack = Some((after_any, start + 1));
                }
                None => return false,
            },
        }
    }
    while let Some(LikeToken::Any) = tokens.get(p) {
        p += 1;
    }
    p == tokens.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    fn row(pairs: &[(&str, Option<&str>)]) -> HashMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
            .collect()
    }

    fn check(filter: &str, row: &HashMap<String, Option<String>>) -> bool {
        let f = parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        matches(&f, &|col| row.get(col).cloned().flatten())
    }

    fn hosts() -> Vec<HashMap<String, Option<String>>> {
        vec![
            row(&[
                ("id", Some("1")),
                ("name", Some("opsview")),
                ("ip", Some("127.0.0.1")),
                ("alias", None),
            ]),
            row(&[
                ("id", Some("2")),
                ("name", Some("web1")),
                ("ip", Some("10.0.0.5")),
                ("alias", Some("Web")),
            ]),
            row(&[
                ("id", Some("10")),
                ("name", Some("WEB_2")),
                ("ip", Some("10.0.0.6")),
                ("alias", Some("")),
            ]),
        ]
    }

    fn ids(filter: &str) -> Vec<String> {
        hosts()
            .iter()
            .filter(|r| check(filter, r))
            .filter_map(|r| r.get("id").cloned().flatten())
            .collect()
    }

    #[test]
    fn spec_examples() {
        assert_eq!(ids(r#"{"name":"web1"}"#), ["2"]);
        assert_eq!(ids(r#"{"id":{"!=":1}}"#), ["2", "10"]);
        assert_eq!(ids(r#"{"name":{"-like":"%web%"}}"#), ["2", "10"]);
        assert_eq!(ids(r#"{"name":{"-not_like":"%web%"}}"#), ["1"]);
        assert_eq!(
            ids(r#"{"-or":[{"name":"opsview"},{"ip":"10.0.0.6"}]}"#),
            ["1", "10"]
        );
        assert_eq!(
            ids(r#"{"-and":[{"name":{"-like":"web%"}},{"id":{">":5}}]}"#),
            ["10"]
        );
        assert_eq!(ids(r#"{"name":["opsview","web1"]}"#), ["1", "2"]);
        assert_eq!(ids(r#"{"name":{"-in":["opsview","web1"]}}"#), ["1", "2"]);
        assert_eq!(ids(r#"{"name":{"-not_in":["opsview","web1"]}}"#), ["10"]);
        assert_eq!(ids(r#"{"alias":null}"#), ["1"]);
        assert_eq!(ids(r#"{"alias":{"!=":null}}"#), ["2", "10"]);
        assert_eq!(ids(r#"{"ip":"10.0.0.5","name":"web1"}"#), ["2"]);
    }

    #[test]
    fn comparisons_are_numeric_when_possible() {
        assert_eq!(ids(r#"{"id":{"<":"9"}}"#), ["1", "2"]);
        assert_eq!(ids(r#"{"id":{">=":2}}"#), ["2", "10"]);
        assert_eq!(ids(r#"{"id":{"<=":2.0}}"#), ["1", "2"]);
        assert_eq!(ids(r#"{"id":"01"}"#), ["1"]);
        assert_eq!(ids(r#"{"name":{">":"p"}}"#), ["2", "10"]);
        assert_eq!(ids(r#"{"id":{"-between":[2,10]}}"#), ["2", "10"]);
        assert_eq!(ids(r#"{"id":{"-not_between":[2,10]}}"#), ["1"]);
        assert_eq!(ids(r#"{"name":"WEB1"}"#), ["2"]);
        assert_eq!(ids(r#"{"name":{"<>":"inf"}}"#), ["1", "2", "10"]);
    }

    #[test]
    fn null_follows_sql_three_valued_logic() {
        assert_eq!(ids(r#"{"alias":{"!=":"Web"}}"#), ["10"]);
        assert_eq!(ids(r#"{"-not":{"alias":"Web"}}"#), ["10"]);
        assert_eq!(ids(r#"{"-not":{"alias":null}}"#), ["2", "10"]);
        assert_eq!(ids(r#"{"-or":[{"alias":"x"},{"id":1}]}"#), ["1"]);
        assert_eq!(ids(r#"{"alias":{"-in":["Web",null]}}"#), ["1", "2"]);
        assert_eq!(ids(r#"{"alias":{"-not_in":["Web",null]}}"#), ["10"]);
        assert_eq!(ids(r#"{"alias":{"-is":null}}"#), ["1"]);
        assert_eq!(ids(r#"{"alias":{"-is_not":null}}"#), ["2", "10"]);
        assert_eq!(ids(r#"{"missing_column":"x"}"#), Vec::<String>::new());
    }

    #[test]
    fn sql_abstract_shapes() {
        assert_eq!(ids(r#"[{"name":"opsview"},{"id":2}]"#), ["1", "2"]);
        assert_eq!(ids(r#"["name","opsview","id",2]"#), ["1", "2"]);
        assert_eq!(ids(r#"{"-or":{"name":"opsview","id":2}}"#), ["1", "2"]);
        assert_eq!(ids(r#"{"-and":{"name":{"-like":"w%"},"id":2}}"#), ["2"]);
        assert_eq!(
            ids(r#"{"name":["-and",{"-like":"w%"},{"-like":"%1"}]}"#),
            ["2"]
        );
        assert_eq!(ids(r#"{"name":[{"-like":"o%"},"web1"]}"#), ["1", "2"]);
        assert_eq!(ids(r#"{"name":{"-like":["o%","%2"]}}"#), ["1", "10"]);
        assert_eq!(ids(r#"{"id":{"!=":["-and",1,2]}}"#), ["10"]);
        assert_eq!(ids(r#"{"id":{">":1,"<":10}}"#), ["2"]);
        assert_eq!(ids(r#"{"-nest":{"id":1}}"#), ["1"]);
        assert_eq!(
            ids(r#"{"NAME":{"LIKE":"x"},"-OR":[]}"#),
            Vec::<String>::new()
        );
        assert_eq!(ids(r#"{"name":{"-LIKE":"OPS%"}}"#), ["1"]);
        assert_eq!(ids(r#"{"name":{"not like":"%web%"}}"#), ["1"]);
        assert_eq!(ids(r#"{"id":true}"#), ["1"]);
    }

    #[test]
    fn empty_forms() {
        for all in [
            "",
            "  ",
            "{}",
            "[]",
            "null",
            r#"{"-and":[]}"#,
            r#"{"name":{}}"#,
            r#"{"id":{"-not_in":[]}}"#,
            r#"{"id":{"!=":[]}}"#,
        ] {
            assert_eq!(ids(all), ["1", "2", "10"], "{all}");
        }
        for none in [
            r#"{"name":[]}"#,
            r#"{"id":{"-in":[]}}"#,
            r#"{"id":{"=":[]}}"#,
        ] {
            assert_eq!(ids(none), Vec::<String>::new(), "{none}");
        }
        assert_eq!(parse("").ok(), Some(Filter::True));
    }

    #[test]
    fn relaxed_json_is_accepted() {
        assert_eq!(ids(r#"{"name":["opsview","web1",],}"#), ["1", "2"]);
    }

    #[test]
    fn ast_shape() {
        assert_eq!(
            parse(r#"{"-or":[{"name":"x"},{"id":{"!=":1}}]}"#).ok(),
            Some(Filter::Or(vec![
                Filter::Condition {
                    column: "name".into(),
                    test: Test::Compare(CmpOp::Eq, "x".into())
                },
                Filter::Condition {
                    column: "id".into(),
                    test: Test::Compare(CmpOp::Ne, "1".into())
                },
            ]))
        );
        let f = parse(r#"{"b":1,"-or":[{"a":1},{"b":{"-like":"x"}}],"c":null}"#).ok();
        assert_eq!(f.as_ref().map(Filter::columns), Some(vec!["b", "a", "c"]));
    }

    type ErrorCheck = fn(&FilterError) -> bool;

    #[test]
    fn malformed_filters() {
        let cases: &[(&str, ErrorCheck)] = &[
            ("{", |e| matches!(e, FilterError::InvalidJson(_))),
            ("{name:1}", |e| matches!(e, FilterError::InvalidJson(_))),
            ("\"name\"", |e| matches!(e, FilterError::NotAFilter(_))),
            ("42", |e| matches!(e, FilterError::NotAFilter(_))),
            (r#"[1]"#, |e| matches!(e, FilterError::NotAFilter(_))),
            (r#"["name"]"#, |e| matches!(e, FilterError::DanglingKey(_))),
            (r#"{"-xor":[]}"#, |e| {
                matches!(e, FilterError::UnknownOperator(_))
            }),
            (r#"{"-or":"x"}"#, |e| {
                matches!(e, FilterError::NotAFilter(_))
            }),
            (r#"{"name":{"-regexp":"x"}}"#, |e| {
                matches!(e, FilterError::UnknownOperator(_))
            }),
            (r#"{"name":{"-like":null}}"#, |e| {
                matches!(e, FilterError::InvalidOperand { .. })
            }),
            (r#"{"name":{"<":{"a":1}}}"#, |e| {
                matches!(e, FilterError::InvalidOperand { .. })
            }),
            (r#"{"name":{"-in":[{"a":1}]}}"#, |e| {
                matches!(e, FilterError::InvalidOperand { .. })
            }),
            (r#"{"id":{"-between":[1]}}"#, |e| {
                matches!(e, FilterError::InvalidOperand { .. })
            }),
            (r#"{"id":{"-between":[1,null]}}"#, |e| {
                matches!(e, FilterError::InvalidOperand { .. })
            }),
            (r#"{"id":{"-is":1}}"#, |e| {
                matches!(e, FilterError::InvalidOperand { .. })
            }),
        ];
        for (text, check) in cases {
            match parse(text) {
                Err(e) => assert!(check(&e), "{text}: wrong error {e:?}"),
                Ok(f) => panic!("{text} unexpectedly parsed as {f:?}"),
            }
        }
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!("{}{}", r#"{"-and":["#.repeat(60), "]}".repeat(60));
        assert_eq!(parse(&deep), Err(FilterError::TooDeep));
        let mut value = json!({"id": 1});
        for _ in 0..1000 {
            value = json!({"-not": value});
        }
        assert_eq!(from_value(&value), Err(FilterError::TooDeep));
        let shallow = format!("{}{}", r#"{"-and":["#.repeat(10), "]}".repeat(10));
        assert!(parse(&shallow).is_ok());
    }

    #[test]
    fn like_semantics() {
        assert!(like("web1", "web%"));
        assert!(like("WEB1", "web_"));
        assert!(like("web1", "%"));
        assert!(like("", "%"));
        assert!(!like("", "_"));
        assert!(like("a%b", "a\\%b"));
        assert!(!like("axb", "a\\%b"));
        assert!(like("a_b", "a\\_b"));
        assert!(!like("axb", "a\\_b"));
        assert!(like("back\\", "back\\\\"));
        assert!(like("trailing\\", "trailing\\"));
        assert!(like("mississippi", "%iss%ppi"));
        assert!(!like("mississippi", "%iss%ppx"));
        assert!(like("caf\u{c9}", "CAF\u{e9}"));
        assert!(like("\u{1f600}x", "_x"));
        assert!(!like("abc", "ab"));
        assert!(like(&"a".repeat(5000), &"%a".repeat(50)));
        assert!(!like(&"a".repeat(2000), &format!("{}b", "%a".repeat(50))));
    }
}
