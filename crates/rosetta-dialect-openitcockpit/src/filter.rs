//! `filter[...]` extraction and evaluation (spec §2.5).
//!
//! Two entry points build a [`Filters`] set: [`Filters::from_query`] for GET requests
//! (`filter[Hosts.name]=web`, `filter[Hosts.id][]=1&filter[Hosts.id][]=2`) and
//! [`Filters::from_body`] for POSTed index requests (`{"filter": {...}}`; the product then
//! ignores query-string filters, so callers pick exactly one source).
//!
//! [`compile`] turns the set into [`Condition`]s using a per-action table of `(field, FieldKind)`;
//! fields missing from the table are ignored and so are empty values (`""`, `[]`), as in the
//! product. Evaluation mirrors the SQL the product generates:
//!
//! | kind | semantics here |
//! | --- | --- |
//! | `Like` | SQL `LIKE '%v%'`: case-insensitive, `%` and `_` in `v` stay wildcards (the product does not escape them), `\` is literal; `""`/`"0"` are ignored (PHP-falsy); a list matches if any element does (the product would search for the text `Array`) |
//! | `LikeOrRlike` | `Like`, or with `filter[<field>_regex]` = `1`/`true` a case-insensitive regex search for `(v1\|v2…)` using [`crate::regex`]; an invalid regex drops the filter |
//! | `Rlike` / `NotRlike` | tag search for `(k1\|k2…)`: list elements are regex fragments (as in the product); a scalar is split on commas, trimmed and matched literally (the product `preg_quote`s scalars); list fragments that do not form a valid pattern are matched as literal substrings instead of failing |
//! | `Equals` | `=` / `IN`: numeric comparison when both sides are numbers, otherwise case-insensitive string equality; `"0"` is a valid value, a scalar `""` is ignored, list elements are kept as given |
//! | `Bool` | exactly `1`/`true` → true, `0`/`false` → false (anything else drops the filter) |
//! | `State` | `up`/`ok`→0, `down`/`warning`→1, `unreachable`/`critical`→2, `unknown`→3, or an integer; `IN` |
//! | `Downtime` | true → depth ≥ 1, false → depth = 0 |
//! | `IntervalOlder` | `[N, "SECOND"\|"MINUTE"\|"HOUR"\|"DAY"]` → timestamp `< now − N·unit` |
//!
//! A field the lookup reports as absent behaves like SQL `NULL`: no condition matches it
//! (including `NotRlike` — return `Some("")` for "no tags").
//!
//! JSON body values are converted as PHP would see them: numbers to their decimal text,
//! `true`/`false` to `"1"`/`"0"`, arrays and objects to lists of their scalar elements; `null` and
//! nested containers are dropped.

use serde_json::Value;

use crate::php;
use crate::regex::{self, Regex};

/// Time unit of an `interval_older` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntervalUnit {
    /// `SECOND`.
    Second,
    /// `MINUTE`.
    Minute,
    /// `HOUR`.
    Hour,
    /// `DAY`.
    Day,
}

impl IntervalUnit {
    /// Parses a unit name (ASCII case-insensitive, trimmed).
    pub fn parse(s: &str) -> Option<Self> {
        let s = php::trim(s);
        [
            ("SECOND", IntervalUnit::Second),
            ("MINUTE", IntervalUnit::Minute),
            ("HOUR", IntervalUnit::Hour),
            ("DAY", IntervalUnit::Day),
        ]
        .into_iter()
        .find(|(name, _)| s.eq_ignore_ascii_case(name))
        .map(|(_, unit)| unit)
    }

    /// The canonical upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            IntervalUnit::Second => "SECOND",
            IntervalUnit::Minute => "MINUTE",
            IntervalUnit::Hour => "HOUR",
            IntervalUnit::Day => "DAY",
        }
    }

    /// Length of one unit in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            IntervalUnit::Second => 1,
            IntervalUnit::Minute => 60,
            IntervalUnit::Hour => 3_600,
            IntervalUnit::Day => 86_400,
        }
    }
}

/// One normalised filter value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    /// A single value (`filter[f]=v`).
    Scalar(String),
    /// A list (`filter[f][]=a&filter[f][]=b`, or a JSON array).
    List(Vec<String>),
    /// A two-element list `[N, unit]` with an integer `N` and a valid unit name.
    Interval(i64, IntervalUnit),
}

impl FilterValue {
    /// The value as a list of strings (a scalar is a one-element list; an interval is
    /// `[N, UNIT]`).
    pub fn values(&self) -> Vec<String> {
        match self {
            FilterValue::Scalar(s) => vec![s.clone()],
            FilterValue::List(items) => items.clone(),
            FilterValue::Interval(n, unit) => vec![n.to_string(), unit.as_str().to_string()],
        }
    }

    /// True for `""`, and for lists without any non-empty element.
    pub fn is_empty(&self) -> bool {
        match self {
            FilterValue::Scalar(s) => s.is_empty(),
            FilterValue::List(items) => items.iter().all(String::is_empty),
            FilterValue::Interval(..) => false,
        }
    }

    fn from_list(items: Vec<String>) -> Self {
        if let [n, unit] = items.as_slice() {
            if let (Some(n), Some(unit)) = (php::strict_int(n), IntervalUnit::parse(unit)) {
                return FilterValue::Interval(n, unit);
            }
        }
        FilterValue::List(items)
    }
}

/// The filters of one request, in first-appearance order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    entries: Vec<(String, FilterValue)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ArrayKey {
    Int(i64),
    Str(String),
}

enum Raw {
    Scalar(String),
    Array {
        items: Vec<(ArrayKey, String)>,
        next: Option<i64>,
    },
}

/// PHP treats a canonical decimal integer string as an integer array key.
fn array_key(s: &str) -> ArrayKey {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0";
    match s.parse::<i64>() {
        Ok(n) if canonical => ArrayKey::Int(n),
        _ => ArrayKey::Str(s.to_string()),
    }
}

/// Splits `filter[field][sub]...` into `field` and the optional first sub-key.
fn split_filter_key(key: &str) -> Option<(&str, Option<&str>)> {
    let rest = key.strip_prefix("filter[")?;
    let (field, after) = rest.split_once(']')?;
    let sub = after
        .strip_prefix('[')
        .and_then(|a| a.split_once(']'))
        .map(|(sub, _)| sub);
    Some((field, sub))
}

impl Filters {
    /// Extracts filters from decoded query pairs with PHP's array semantics: a later scalar
    /// replaces an earlier list and vice versa, `[]` appends, explicit keys replace in place.
    /// Deeper nesting (`filter[f][a][b]`) is flattened to its first sub-key.
    pub fn from_query(pairs: &[(String, String)]) -> Self {
        let mut raw: Vec<(String, Raw)> = Vec::new();
        for (key, value) in pairs {
            let Some((field, sub)) = split_filter_key(key) else {
                continue;
            };
            let slot = match raw.iter().position(|(f, _)| f == field) {
                Some(i) => &mut raw[i].1,
                None => {
                    raw.push((field.to_string(), Raw::Scalar(String::new())));
                    match raw.last_mut() {
                        Some((_, slot)) => slot,
                        None => continue,
                    }
                }
            };
            let Some(sub) = sub else {
                *slot = Raw::Scalar(value.clone());
                continue;
            };
            if let Raw::Scalar(_) = slot {
                *slot = Raw::Array {
                    items: Vec::new(),
                    next: Some(0),
                };
            }
            if let Raw::Array { items, next } = slot {
                let key = if sub.is_empty() {
                    // PHP drops the element once the next integer key would overflow.
                    let Some(n) = *next else { continue };
                    ArrayKey::Int(n)
                } else {
                    array_key(sub)
                };
                if let ArrayKey::Int(n) = key {
                    *next = match (*next, n.checked_add(1)) {
                        (Some(current), Some(after)) => Some(current.max(after)),
                        _ => None,
                    };
                }
                match items.iter_mut().find(|(k, _)| *k == key) {
                    Some(item) => item.1 = value.clone(),
                    None => items.push((key, value.clone())),
                }
            }
        }
        let entries = raw
            .into_iter()
            .map(|(field, raw)| {
                let value = match raw {
                    Raw::Scalar(s) => FilterValue::Scalar(s),
                    Raw::Array { items, .. } => {
                        FilterValue::from_list(items.into_iter().map(|(_, v)| v).collect())
                    }
                };
                (field, value)
            })
            .collect();
        Filters { entries }
    }

    /// Extracts filters from a POSTed JSON body's `filter` object; anything else (no `filter`
    /// key, a non-object) yields no filters.
    pub fn from_body(body: &Value) -> Self {
        let Some(map) = body.get("filter").and_then(Value::as_object) else {
            return Filters::default();
        };
        let entries = map
            .iter()
            .filter_map(|(field, value)| {
                let value = match value {
                    Value::Array(items) => {
                        FilterValue::from_list(items.iter().filter_map(json_scalar).collect())
                    }
                    Value::Object(items) => {
                        FilterValue::from_list(items.values().filter_map(json_scalar).collect())
                    }
                    other => FilterValue::Scalar(json_scalar(other)?),
                };
                Some((field.clone(), value))
            })
            .collect();
        Filters { entries }
    }

    /// The value given for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&FilterValue> {
        self.entries
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v)
    }

    /// All `(field, value)` pairs in first-appearance order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FilterValue)> {
        self.entries.iter().map(|(f, v)| (f.as_str(), v))
    }

    /// Number of fields present.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no filter was given.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn json_scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
        Value::Number(n) => Some(match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => crate::json::format_float(f),
            _ => n.to_string(),
        }),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// How a filterable field is compared (the product's filter "kinds").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// `LIKE '%v%'`.
    Like,
    /// `LIKE`, or `RLIKE` when `filter[<field>_regex]` is truthy.
    LikeOrRlike,
    /// Tag keywords, `RLIKE '.*(a|b).*'`.
    Rlike,
    /// Tag keywords, `NOT RLIKE '.*(a|b).*'`.
    NotRlike,
    /// `=` or `IN (…)`.
    Equals,
    /// Boolean column compared with 1/0.
    Bool,
    /// Host/service state names or codes, `IN (…)`.
    State,
    /// Downtime depth: true → ≥ 1, false → 0.
    Downtime,
    /// Timestamp older than `[N, unit]`.
    IntervalOlder,
}

/// How tag keywords are matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeywordMatcher {
    /// The keywords form a valid pattern `(k1|k2|…)`.
    Regex(Regex),
    /// The keywords are not a valid pattern; matched as case-insensitive substrings.
    Literal(Vec<String>),
}

impl KeywordMatcher {
    fn is_match(&self, text: &str) -> bool {
        match self {
            KeywordMatcher::Regex(re) => re.is_match(text),
            KeywordMatcher::Literal(words) => {
                let text = text.to_lowercase();
                words.iter().any(|w| text.contains(&w.to_lowercase()))
            }
        }
    }
}

/// A compiled comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operator {
    /// Any of the needles matches `LIKE '%needle%'`.
    Like(Vec<String>),
    /// Regex search for any of `alternatives`.
    Regex {
        /// The user's alternatives, as given.
        alternatives: Vec<String>,
        /// `(a|b|…)` compiled.
        regex: Regex,
    },
    /// Tag keywords; `negate` for `NOT RLIKE`.
    Keywords {
        /// The alternatives as pattern fragments (list elements raw, scalar keywords escaped).
        patterns: Vec<String>,
        /// The matcher built from them.
        matcher: KeywordMatcher,
        /// True for `NotRlike`.
        negate: bool,
    },
    /// Equal to any of the values.
    In(Vec<String>),
    /// Boolean column equal to the flag.
    Bool(bool),
    /// State code in the set.
    StateIn(Vec<i64>),
    /// true → depth ≥ 1, false → depth = 0.
    Downtime(bool),
    /// Timestamp strictly older than `now - seconds`.
    OlderThan {
        /// Interval length in seconds (saturating).
        seconds: i64,
    },
}

/// One filter condition on one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The filter field name (`Hosts.name`), as passed to the lookup.
    pub field: String,
    /// The comparison.
    pub operator: Operator,
}

impl Condition {
    /// Evaluates the condition against a row. `lookup` returns the row's value for a field name
    /// (tags as their comma list, timestamps as epoch seconds, booleans as `0`/`1`), `None` for
    /// SQL `NULL`; `now` is the current time in epoch seconds.
    pub fn matches<F>(&self, lookup: F, now: i64) -> bool
    where
        F: Fn(&str) -> Option<String>,
    {
        let Some(value) = lookup(&self.field) else {
            return false;
        };
        match &self.operator {
            Operator::Like(needles) => needles.iter().any(|n| like_contains(&value, n)),
            Operator::Regex { regex, .. } => regex.is_match(&value),
            Operator::Keywords {
                matcher, negate, ..
            } => matcher.is_match(&value) != *negate,
            Operator::In(values) => values.iter().any(|v| loosely_equal(&value, v)),
            Operator::Bool(want) => stored_bool(&value) == *want,
            Operator::StateIn(codes) => {
                php::strict_int(&value).is_some_and(|code| codes.contains(&code))
            }
            Operator::Downtime(want) => match php::strict_int(&value) {
                Some(depth) if *want => depth >= 1,
                Some(depth) => depth == 0,
                None => false,
            },
            Operator::OlderThan { seconds } => {
                php::strict_int(&value).is_some_and(|ts| ts < now.saturating_sub(*seconds))
            }
        }
    }
}

/// True when every condition matches (an empty list matches everything).
pub fn matches_all<F>(conditions: &[Condition], lookup: F, now: i64) -> bool
where
    F: Fn(&str) -> Option<String>,
{
    conditions.iter().all(|c| c.matches(&lookup, now))
}

/// Parses a boolean filter value exactly as the product does: `1`/`true` → true, `0`/`false` →
/// false, anything else (including `TRUE` or ` 1`) → `None`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    }
}

/// Maps a state name (`up ok down warning unreachable critical unknown`, case-insensitive) or a
/// non-negative integer to its state code.
pub fn parse_state(s: &str) -> Option<i64> {
    let s = php::trim(s);
    let by_name = [
        ("up", 0),
        ("ok", 0),
        ("down", 1),
        ("warning", 1),
        ("unreachable", 2),
        ("critical", 2),
        ("unknown", 3),
    ]
    .into_iter()
    .find(|(name, _)| s.eq_ignore_ascii_case(name))
    .map(|(_, code)| code);
    by_name.or_else(|| php::strict_int(s).filter(|n| *n >= 0))
}

fn stored_bool(s: &str) -> bool {
    let s = php::trim(s);
    if s.eq_ignore_ascii_case("true") {
        return true;
    }
    if s.is_empty() || s.eq_ignore_ascii_case("false") {
        return false;
    }
    match s.parse::<f64>() {
        Ok(f) => f != 0.0,
        Err(_) => false,
    }
}

fn as_number(s: &str) -> Option<f64> {
    let t = php::trim(s);
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn loosely_equal(stored: &str, wanted: &str) -> bool {
    match (as_number(stored), as_number(wanted)) {
        (Some(a), Some(b)) => a == b,
        _ => stored.to_lowercase() == wanted.to_lowercase(),
    }
}

fn fold_chars(s: &str) -> Vec<char> {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// SQL `text LIKE '%needle%'` with MySQL's case-insensitive comparison; `%` and `_` inside the
/// needle act as wildcards.
pub fn like_contains(text: &str, needle: &str) -> bool {
    let mut pattern = vec!['%'];
    pattern.extend(fold_chars(needle));
    pattern.push('%');
    like_match(&fold_chars(text), &pattern)
}

/// Iterative wildcard matching with single-star backtracking: O(text × pattern) worst case.
fn like_match(text: &[char], pattern: &[char]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('%') => {
                star = Some((p, t));
                p += 1;
            }
            Some('_') => {
                t += 1;
                p += 1;
            }
            Some(c) if Some(c) == text.get(t) => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '%'))
}

fn non_empty(values: Vec<String>) -> Vec<String> {
    values.into_iter().filter(|v| !v.is_empty()).collect()
}

fn single(value: &FilterValue) -> Option<&str> {
    match value {
        FilterValue::Scalar(s) => Some(s),
        _ => None,
    }
}

/// Compiles the request's filters against an action's field table. Fields absent from the
/// table, empty values and values invalid for their kind are ignored; conditions come out in
/// table order.
pub fn compile(field_table: &[(&str, FieldKind)], filters: &Filters) -> Vec<Condition> {
    field_table
        .iter()
        .filter_map(|(field, kind)| {
            let value = filters.get(field)?;
            let operator = compile_one(field, *kind, value, filters)?;
            Some(Condition {
                field: (*field).to_string(),
                operator,
            })
        })
        .collect()
}

/// Values of a `like` filter: a PHP-falsy scalar (`""`, `"0"`) is ignored, lists keep their
/// non-empty elements.
fn like_values(value: &FilterValue) -> Option<Vec<String>> {
    let values = match value {
        FilterValue::Scalar(s) if !php::is_truthy(s) => return None,
        other => non_empty(other.values()),
    };
    (!values.is_empty()).then_some(values)
}

fn compile_one(
    field: &str,
    kind: FieldKind,
    value: &FilterValue,
    filters: &Filters,
) -> Option<Operator> {
    match kind {
        FieldKind::Like => like_values(value).map(Operator::Like),
        FieldKind::LikeOrRlike => {
            let values = like_values(value)?;
            let regex_flag = filters
                .get(&format!("{field}_regex"))
                .and_then(single)
                .and_then(parse_bool)
                .unwrap_or(false);
            if !regex_flag {
                return Some(Operator::Like(values));
            }
            let regex = Regex::any_of(&values).ok()?;
            Some(Operator::Regex {
                alternatives: values,
                regex,
            })
        }
        FieldKind::Rlike | FieldKind::NotRlike => {
            let patterns: Vec<String> = match value {
                FilterValue::Scalar(s) if !php::is_truthy(s) => return None,
                FilterValue::Scalar(s) => s
                    .split(',')
                    .map(php::trim)
                    .filter(|k| !k.is_empty())
                    .map(regex::escape)
                    .collect(),
                other => non_empty(other.values()),
            };
            if patterns.is_empty() {
                return None;
            }
            let matcher = match Regex::any_of(&patterns) {
                Ok(re) => KeywordMatcher::Regex(re),
                Err(_) => KeywordMatcher::Literal(patterns.clone()),
            };
            Some(Operator::Keywords {
                patterns,
                matcher,
                negate: kind == FieldKind::NotRlike,
            })
        }
        FieldKind::Equals => match value {
            FilterValue::Scalar(s) if s.is_empty() => None,
            other => {
                let values = other.values();
                (!values.is_empty()).then_some(Operator::In(values))
            }
        },
        FieldKind::Bool => single(value).and_then(parse_bool).map(Operator::Bool),
        FieldKind::State => {
            let codes: Vec<i64> = value
                .values()
                .iter()
                .filter_map(|v| parse_state(v))
                .collect();
            (!codes.is_empty()).then_some(Operator::StateIn(codes))
        }
        FieldKind::Downtime => single(value).and_then(parse_bool).map(Operator::Downtime),
        FieldKind::IntervalOlder => match value {
            FilterValue::Interval(n, unit) => Some(Operator::OlderThan {
                seconds: n.saturating_mul(unit.seconds()),
            }),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn row(fields: &[(&str, &str)]) -> HashMap<String, String> {
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn check(conditions: &[Condition], row: &HashMap<String, String>, now: i64) -> bool {
        matches_all(conditions, |f| row.get(f).cloned(), now)
    }

    const HOSTS: &[(&str, FieldKind)] = &[
        ("Hosts.name", FieldKind::LikeOrRlike),
        ("Hosts.description", FieldKind::Like),
        ("Hosts.keywords", FieldKind::Rlike),
        ("Hosts.not_keywords", FieldKind::NotRlike),
        ("Hosts.id", FieldKind::Equals),
        ("Hosts.disabled", FieldKind::Equals),
        ("Hoststatus.problem_has_been_acknowledged", FieldKind::Bool),
        ("Hoststatus.current_state", FieldKind::State),
        ("Hoststatus.scheduled_downtime_depth", FieldKind::Downtime),
        ("Hoststatus.last_state_change", FieldKind::IntervalOlder),
    ];

    #[test]
    fn query_extraction_scalars_lists_and_intervals() {
        let f = Filters::from_query(&q(&[
            ("angular", "true"),
            ("filter[Hosts.name]", "web"),
            ("filter[Hosts.id][]", "1"),
            ("filter[Hosts.id][]", "2"),
            ("filter[Hosts.name_regex]", "1"),
            ("filter[Hoststatus.last_state_change][]", "5"),
            ("filter[Hoststatus.last_state_change][]", "minute"),
            ("filterx[a]", "b"),
            ("filter[broken", "c"),
        ]));
        assert_eq!(f.len(), 4);
        assert_eq!(
            f.get("Hosts.name"),
            Some(&FilterValue::Scalar("web".into()))
        );
        assert_eq!(
            f.get("Hosts.id"),
            Some(&FilterValue::List(vec!["1".into(), "2".into()]))
        );
        assert_eq!(
            f.get("Hoststatus.last_state_change"),
            Some(&FilterValue::Interval(5, IntervalUnit::Minute))
        );
        assert_eq!(f.get("broken"), None);
        let fields: Vec<&str> = f.iter().map(|(k, _)| k).collect();
        assert_eq!(
            fields,
            [
                "Hosts.name",
                "Hosts.id",
                "Hosts.name_regex",
                "Hoststatus.last_state_change"
            ]
        );
    }

    #[test]
    fn query_extraction_php_array_semantics() {
        let f = Filters::from_query(&q(&[
            ("filter[a]", "x"),
            ("filter[a][]", "1"),
            ("filter[b][]", "1"),
            ("filter[b]", "y"),
            ("filter[c][5]", "p"),
            ("filter[c][]", "q"),
            ("filter[c][5]", "r"),
            ("filter[d][k][deep]", "v"),
            ("filter[e][0]", "1"),
            ("filter[e][00]", "2"),
        ]));
        assert_eq!(f.get("a"), Some(&FilterValue::List(vec!["1".into()])));
        assert_eq!(f.get("b"), Some(&FilterValue::Scalar("y".into())));
        assert_eq!(
            f.get("c"),
            Some(&FilterValue::List(vec!["r".into(), "q".into()]))
        );
        assert_eq!(f.get("d"), Some(&FilterValue::List(vec!["v".into()])));
        assert_eq!(
            f.get("e"),
            Some(&FilterValue::List(vec!["1".into(), "2".into()]))
        );
        let f = Filters::from_query(&q(&[
            ("filter[x][9223372036854775807]", "a"),
            ("filter[x][]", "b"),
        ]));
        assert_eq!(f.get("x"), Some(&FilterValue::List(vec!["a".into()])));
    }

    #[test]
    fn body_extraction() {
        let body = json!({"filter": {
            "Hosts.name": "web", "Hosts.id": [1, "2", null, [3]], "Hosts.disabled": false,
            "Hoststatus.current_state": {"0": "down", "1": 2}, "x": null, "f": 1.5,
            "Hoststatus.last_state_change": [10, "DAY"]
        }});
        let f = Filters::from_body(&body);
        assert_eq!(
            f.get("Hosts.name"),
            Some(&FilterValue::Scalar("web".into()))
        );
        assert_eq!(
            f.get("Hosts.id"),
            Some(&FilterValue::List(vec!["1".into(), "2".into()]))
        );
        assert_eq!(
            f.get("Hosts.disabled"),
            Some(&FilterValue::Scalar("0".into()))
        );
        assert_eq!(
            f.get("Hoststatus.current_state"),
            Some(&FilterValue::List(vec!["down".into(), "2".into()]))
        );
        assert_eq!(f.get("x"), None);
        assert_eq!(f.get("f"), Some(&FilterValue::Scalar("1.5".into())));
        assert_eq!(
            f.get("Hoststatus.last_state_change"),
            Some(&FilterValue::Interval(10, IntervalUnit::Day))
        );
        assert!(Filters::from_body(&json!({})).is_empty());
        assert!(Filters::from_body(&json!({"filter": []})).is_empty());
        assert!(Filters::from_body(&json!({"filter": "x"})).is_empty());
        assert!(Filters::from_body(&json!([1, 2])).is_empty());
        assert!(Filters::from_body(&Value::Null).is_empty());
    }

    #[test]
    fn unknown_and_empty_filters_are_ignored() {
        let f = Filters::from_query(&q(&[
            ("filter[Nope.field]", "x"),
            ("filter[Hosts.name]", ""),
            ("filter[Hosts.id]", ""),
            ("filter[Hosts.description]", "0"),
            ("filter[Hoststatus.current_state][]", "bogus"),
            ("filter[Hoststatus.problem_has_been_acknowledged]", "maybe"),
            ("filter[Hoststatus.last_state_change]", "5"),
            ("filter[Hosts.keywords]", " , ,"),
            ("filter[Hosts.not_keywords]", "0"),
        ]));
        assert!(compile(HOSTS, &f).is_empty());
        let f = Filters::from_query(&q(&[("filter[Hosts.id][]", "")]));
        let c = compile(HOSTS, &f);
        assert_eq!(c[0].operator, Operator::In(vec![String::new()]));
        assert!(!check(&c, &row(&[("Hosts.id", "1")]), 0));
    }

    #[test]
    fn like_semantics() {
        let f = Filters::from_query(&q(&[("filter[Hosts.name]", "WEB")]));
        let c = compile(HOSTS, &f);
        assert!(check(&c, &row(&[("Hosts.name", "my-web-01")]), 0));
        assert!(!check(&c, &row(&[("Hosts.name", "db-01")]), 0));
        assert!(!check(&c, &row(&[]), 0));
        assert!(like_contains("web_01", "b_0"));
        assert!(like_contains("webX01", "web_01"));
        assert!(like_contains("abc", "a%c"));
        assert!(!like_contains("abc", "a%d"));
        assert!(like_contains("a\\b", "\\"));
        assert!(like_contains("GRÜSSE", "grü"));
        assert!(like_contains("anything", ""));
        assert!(!like_contains("", "x"));
        assert!(like_contains("aaaaaaaaaaaaaaaaaaaaaaaaaaab", "a%a%a%a%b"));
        let f = Filters::from_query(&q(&[
            ("filter[Hosts.description][]", "x"),
            ("filter[Hosts.description][]", "prod"),
        ]));
        let c = compile(HOSTS, &f);
        assert!(check(&c, &row(&[("Hosts.description", "Production")]), 0));
    }

    #[test]
    fn like_or_rlike_with_regex_flag() {
        let f = Filters::from_query(&q(&[
            ("filter[Hosts.name]", "^web0[12]$"),
            ("filter[Hosts.name_regex]", "true"),
        ]));
        let c = compile(HOSTS, &f);
        assert!(matches!(c[0].operator, Operator::Regex { .. }));
        assert!(check(&c, &row(&[("Hosts.name", "WEB01")]), 0));
        assert!(!check(&c, &row(&[("Hosts.name", "web03")]), 0));
        let f = Filters::from_query(&q(&[
            ("filter[Hosts.name]", "web("),
            ("filter[Hosts.name_regex]", "1"),
        ]));
        assert!(compile(HOSTS, &f).is_empty());
        let f = Filters::from_query(&q(&[
            ("filter[Hosts.name]", "^web"),
            ("filter[Hosts.name_regex]", "0"),
        ]));
        let c = compile(HOSTS, &f);
        assert!(matches!(c[0].operator, Operator::Like(_)));
        assert!(!check(&c, &row(&[("Hosts.name", "web01")]), 0));
        let body = json!({"filter": {"Hosts.name": ["db", "web"], "Hosts.name_regex": true}});
        let c = compile(HOSTS, &Filters::from_body(&body));
        assert!(check(&c, &row(&[("Hosts.name", "web01")]), 0));
        assert!(check(&c, &row(&[("Hosts.name", "mydb")]), 0));
        assert!(!check(&c, &row(&[("Hosts.name", "mail")]), 0));
    }

    #[test]
    fn keyword_semantics() {
        let f = Filters::from_query(&q(&[("filter[Hosts.keywords]", "linux, db")]));
        let c = compile(HOSTS, &f);
        assert!(check(&c, &row(&[("Hosts.keywords", "prod,DB")]), 0));
        assert!(!check(&c, &row(&[("Hosts.keywords", "windows")]), 0));
        assert!(!check(&c, &row(&[]), 0));
        let f = Filters::from_query(&q(&[("filter[Hosts.not_keywords][]", "linux")]));
        let c = compile(HOSTS, &f);
        assert!(check(&c, &row(&[("Hosts.not_keywords", "windows")]), 0));
        assert!(check(&c, &row(&[("Hosts.not_keywords", "")]), 0));
        assert!(!check(&c, &row(&[("Hosts.not_keywords", "linux,prod")]), 0));
        assert!(!check(&c, &row(&[]), 0));
        let f = Filters::from_query(&q(&[("filter[Hosts.keywords]", "c++, a.b")]));
        let c = compile(HOSTS, &f);
        assert!(matches!(
            &c[0].operator,
            Operator::Keywords {
                matcher: KeywordMatcher::Regex(_),
                ..
            }
        ));
        assert!(check(&c, &row(&[("Hosts.keywords", "C++,java")]), 0));
        assert!(check(&c, &row(&[("Hosts.keywords", "x,a.b")]), 0));
        assert!(!check(&c, &row(&[("Hosts.keywords", "c,axb")]), 0));
        let f = Filters::from_query(&q(&[
            ("filter[Hosts.keywords][]", "^prod"),
            ("filter[Hosts.keywords][]", ""),
        ]));
        let c = compile(HOSTS, &f);
        assert!(check(&c, &row(&[("Hosts.keywords", "production,eu")]), 0));
        assert!(!check(&c, &row(&[("Hosts.keywords", "eu,production")]), 0));
        let f = Filters::from_query(&q(&[("filter[Hosts.keywords][]", "c++")]));
        let c = compile(HOSTS, &f);
        assert!(matches!(
            &c[0].operator,
            Operator::Keywords {
                matcher: KeywordMatcher::Literal(_),
                ..
            }
        ));
        assert!(check(&c, &row(&[("Hosts.keywords", "C++,java")]), 0));
        assert!(!check(&c, &row(&[("Hosts.keywords", "c,java")]), 0));
    }

    #[test]
    fn equals_semantics() {
        let f = Filters::from_query(&q(&[
            ("filter[Hosts.id][]", "1"),
            ("filter[Hosts.id][]", "02"),
        ]));
        let c = compile(HOSTS, &f);
        assert!(check(&c, &row(&[("Hosts.id", "2")]), 0));
        assert!(check(&c, &row(&[("Hosts.id", "1")]), 0));
        assert!(!check(&c, &row(&[("Hosts.id", "3")]), 0));
        let f = Filters::from_query(&q(&[("filter[Hosts.disabled]", "0")]));
        let c = compile(HOSTS, &f);
        assert_eq!(c.len(), 1);
        assert!(check(&c, &row(&[("Hosts.disabled", "0")]), 0));
        assert!(!check(&c, &row(&[("Hosts.disabled", "1")]), 0));
        assert!(loosely_equal("ABC-def", "abc-DEF"));
        assert!(!loosely_equal("abc", "abd"));
        assert!(loosely_equal("1.0", "1"));
    }

    #[test]
    fn bool_state_downtime_interval() {
        let f = Filters::from_query(&q(&[
            ("filter[Hoststatus.problem_has_been_acknowledged]", "false"),
            ("filter[Hoststatus.current_state][]", "down"),
            ("filter[Hoststatus.current_state][]", "Unreachable"),
            ("filter[Hoststatus.scheduled_downtime_depth]", "true"),
            ("filter[Hoststatus.last_state_change][]", "2"),
            ("filter[Hoststatus.last_state_change][]", "HOUR"),
        ]));
        let c = compile(HOSTS, &f);
        assert_eq!(c.len(), 4);
        let now = 100_000;
        let good = row(&[
            ("Hoststatus.problem_has_been_acknowledged", "0"),
            ("Hoststatus.current_state", "2"),
            ("Hoststatus.scheduled_downtime_depth", "1"),
            ("Hoststatus.last_state_change", "92799"),
        ]);
        assert!(check(&c, &good, now));
        let mut bad = good.clone();
        bad.insert("Hoststatus.last_state_change".into(), "92800".into());
        assert!(!check(&c, &bad, now));
        let mut bad = good.clone();
        bad.insert("Hoststatus.current_state".into(), "0".into());
        assert!(!check(&c, &bad, now));
        let mut bad = good.clone();
        bad.insert("Hoststatus.scheduled_downtime_depth".into(), "0".into());
        assert!(!check(&c, &bad, now));
        let mut bad = good.clone();
        bad.insert(
            "Hoststatus.problem_has_been_acknowledged".into(),
            "1".into(),
        );
        assert!(!check(&c, &bad, now));

        let f = Filters::from_query(&q(&[
            ("filter[Hoststatus.scheduled_downtime_depth]", "0"),
            ("filter[Hoststatus.problem_has_been_acknowledged]", "1"),
        ]));
        let c = compile(HOSTS, &f);
        assert!(check(
            &c,
            &row(&[
                ("Hoststatus.scheduled_downtime_depth", "0"),
                ("Hoststatus.problem_has_been_acknowledged", "true")
            ]),
            0
        ));
    }

    #[test]
    fn value_parsers() {
        assert_eq!(parse_bool("1"), Some(true));
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("TRUE"), None);
        assert_eq!(parse_bool(" 1"), None);
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_bool(""), None);
        for (name, code) in [
            ("up", 0),
            ("ok", 0),
            ("down", 1),
            ("warning", 1),
            ("unreachable", 2),
            ("critical", 2),
            ("unknown", 3),
            ("2", 2),
            ("7", 7),
        ] {
            assert_eq!(parse_state(name), Some(code), "{name}");
        }
        assert_eq!(parse_state("-1"), None);
        assert_eq!(parse_state("pending"), None);
        assert_eq!(IntervalUnit::parse("day"), Some(IntervalUnit::Day));
        assert_eq!(IntervalUnit::parse("WEEK"), None);
        assert_eq!(IntervalUnit::Hour.seconds(), 3600);
        assert_eq!(IntervalUnit::Minute.as_str(), "MINUTE");
        assert!(stored_bool("2"));
        assert!(!stored_bool("0.0"));
        assert!(!stored_bool("abc"));
    }

    #[test]
    fn hostile_input_never_panics() {
        let junk = [
            "",
            "[",
            "]",
            "[]",
            "filter[",
            "filter[]",
            "filter[][]",
            "filter[ä][ö]",
            "filter[a][",
            "filter[a][b",
            "filter[a]]",
            "filter[😀][😀]",
            "filter[a][-0]",
            "filter[a][-5]",
            "filter[a][99999999999999999999]",
        ];
        let pairs: Vec<(String, String)> = junk
            .iter()
            .flat_map(|k| junk.iter().map(move |v| (k.to_string(), v.to_string())))
            .collect();
        let f = Filters::from_query(&pairs);
        let table: Vec<(&str, FieldKind)> = f
            .iter()
            .map(|(k, _)| k)
            .flat_map(|k| {
                [
                    FieldKind::Like,
                    FieldKind::LikeOrRlike,
                    FieldKind::Rlike,
                    FieldKind::Equals,
                    FieldKind::Bool,
                    FieldKind::State,
                    FieldKind::Downtime,
                    FieldKind::IntervalOlder,
                ]
                .map(|kind| (k, kind))
            })
            .collect();
        let c = compile(&table, &f);
        for cond in &c {
            for v in junk {
                let _ = cond.matches(|_| Some(v.to_string()), i64::MIN);
                let _ = cond.matches(|_| Some(v.to_string()), i64::MAX);
            }
        }
        let f = Filters::from_query(&q(&[
            ("filter[t][]", "-9223372036854775808"),
            ("filter[t][]", "day"),
        ]));
        let c = compile(&[("t", FieldKind::IntervalOlder)], &f);
        assert_eq!(c.len(), 1);
        assert!(c[0].matches(|_| Some("0".into()), 0));
        assert!(!c[0].matches(|_| Some("0".into()), i64::MIN));
    }
}
