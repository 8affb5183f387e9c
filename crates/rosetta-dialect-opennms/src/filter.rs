//! Filter expressions shared by v2 FIQL (`_s`) and v1 query parameters: the untyped AST
//! ([`Expr`]), its typed compilation against a property schema ([`Expr::compile`]) and the
//! evaluation of the compiled [`Filter`] against one row at a time.
//!
//! Semantics follow the SQL that OpenNMS generates through Hibernate:
//! * comparisons against NULL are false, except [`Predicate::IsNull`] (the FIQL `!=` is parsed
//!   as `ne OR is null`, so it matches NULL as OpenNMS does);
//! * strings compare case-sensitively (`==`, `=lt=`, `like`); `ilike` and `contains` ignore case;
//! * a multi-valued property ([`PropValue::List`], e.g. `category.name` of a node) matches when
//!   any element matches, and an empty list behaves like NULL (an outer join).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::net::IpAddr;

use thiserror::Error;

use crate::datetime::{format_xsd_datetime, parse_datetime};
use crate::severity::{parse_severity, severity_label};

/// A boolean filter expression over entity properties (untyped operands).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Every sub-expression must match.
    And(Vec<Expr>),
    /// At least one sub-expression must match.
    Or(Vec<Expr>),
    /// A single property test.
    Condition(Condition),
}

/// One property test: `selector` + predicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Property id as the client wrote it (`severity`, `node.label`, `alarm.id`).
    pub selector: String,
    /// The test applied to the property value.
    pub predicate: Predicate,
}

/// The test of a [`Condition`]; operands are raw strings, typed by [`Expr::compile`].
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// The property is NULL.
    IsNull,
    /// The property is not NULL.
    IsNotNull,
    /// Equal to the operand.
    Eq(String),
    /// Different from the operand (NULL does not match).
    Ne(String),
    /// Less than the operand.
    Lt(String),
    /// Less than or equal to the operand.
    Le(String),
    /// Greater than the operand.
    Gt(String),
    /// Greater than or equal to the operand.
    Ge(String),
    /// Case-sensitive wildcard match.
    Like(Pattern),
    /// Case-insensitive wildcard match.
    ILike(Pattern),
    /// Negated case-sensitive wildcard match (NULL does not match).
    NotLike(Pattern),
    /// OpenNMS `iplike` address pattern (`10.1.*.1-10`).
    IpLike(String),
    /// Case-insensitive substring match.
    Contains(String),
}

/// Maximum nesting accepted by [`Expr::compile`] (parsers in this crate stay far below it).
pub const MAX_COMPILE_DEPTH: usize = 64;

impl Expr {
    /// Convenience constructor for a [`Expr::Condition`].
    pub fn condition(selector: impl Into<String>, predicate: Predicate) -> Self {
        Expr::Condition(Condition {
            selector: selector.into(),
            predicate,
        })
    }

    /// The distinct selectors used by the expression, in order of first appearance.
    pub fn selectors(&self) -> Vec<&str> {
        let mut found: Vec<&str> = Vec::new();
        let mut stack = vec![self];
        while let Some(expr) = stack.pop() {
            match expr {
                Expr::And(items) | Expr::Or(items) => stack.extend(items.iter().rev()),
                Expr::Condition(condition) => {
                    if !found.contains(&condition.selector.as_str()) {
                        found.push(&condition.selector);
                    }
                }
            }
        }
        found
    }

    /// Types every operand against `schema` (selector ⇒ property type), rejecting unknown
    /// selectors and operands that do not convert, so evaluation itself cannot fail.
    pub fn compile<S>(&self, schema: S) -> Result<Filter, FilterError>
    where
        S: Fn(&str) -> Option<PropType>,
    {
        Ok(Filter {
            root: compile_node(self, &schema, 0)?,
        })
    }
}

fn compile_node<S>(expr: &Expr, schema: &S, depth: usize) -> Result<Node, FilterError>
where
    S: Fn(&str) -> Option<PropType>,
{
    if depth > MAX_COMPILE_DEPTH {
        return Err(FilterError::TooDeep);
    }
    let compile_all = |items: &[Expr]| {
        items
            .iter()
            .map(|item| compile_node(item, schema, depth + 1))
            .collect::<Result<Vec<_>, _>>()
    };
    match expr {
        Expr::And(items) => Ok(Node::And(compile_all(items)?)),
        Expr::Or(items) => Ok(Node::Or(compile_all(items)?)),
        Expr::Condition(condition) => {
            let kind = schema(&condition.selector)
                .ok_or_else(|| FilterError::UnknownProperty(condition.selector.clone()))?;
            Ok(Node::Test {
                selector: condition.selector.clone(),
                test: compile_test(&condition.selector, &condition.predicate, kind)?,
            })
        }
    }
}

fn compile_test(
    selector: &str,
    predicate: &Predicate,
    kind: PropType,
) -> Result<Test, FilterError> {
    let typed = |raw: &str| {
        kind.coerce(raw).ok_or_else(|| FilterError::InvalidValue {
            property: selector.to_owned(),
            value: raw.to_owned(),
            expected: kind.describe(),
        })
    };
    let compare = |op: CmpOp, raw: &str| -> Result<Test, FilterError> {
        Ok(Test::Compare {
            op,
            operand: typed(raw)?,
            raw: raw.to_owned(),
        })
    };
    Ok(match predicate {
        Predicate::IsNull => Test::IsNull,
        Predicate::IsNotNull => Test::IsNotNull,
        Predicate::Eq(raw) => compare(CmpOp::Eq, raw)?,
        Predicate::Ne(raw) => compare(CmpOp::Ne, raw)?,
        Predicate::Lt(raw) => compare(CmpOp::Lt, raw)?,
        Predicate::Le(raw) => compare(CmpOp::Le, raw)?,
        Predicate::Gt(raw) => compare(CmpOp::Gt, raw)?,
        Predicate::Ge(raw) => compare(CmpOp::Ge, raw)?,
        Predicate::Like(pattern) => Test::Like {
            pattern: pattern.clone(),
            ignore_case: false,
            negate: false,
        },
        Predicate::ILike(pattern) => Test::Like {
            pattern: pattern.clone(),
            ignore_case: true,
            negate: false,
        },
        Predicate::NotLike(pattern) => Test::Like {
            pattern: pattern.clone(),
            ignore_case: false,
            negate: true,
        },
        Predicate::IpLike(raw) => {
            Test::IpLike(
                IpLikePattern::parse(raw).ok_or_else(|| FilterError::InvalidValue {
                    property: selector.to_owned(),
                    value: raw.clone(),
                    expected: "an iplike pattern",
                })?,
            )
        }
        Predicate::Contains(raw) => Test::Contains(raw.to_lowercase()),
    })
}

/// Why an expression could not be compiled (maps to HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FilterError {
    /// The selector is not a search property of the collection.
    #[error("Unknown search property: {0:?}")]
    UnknownProperty(String),
    /// The operand does not convert to the property's type.
    #[error("Invalid value {value:?} for property {property:?}: expected {expected}")]
    InvalidValue {
        /// Selector of the offending condition.
        property: String,
        /// Operand as received.
        value: String,
        /// Human description of the expected type.
        expected: &'static str,
    },
    /// The expression nests deeper than [`MAX_COMPILE_DEPTH`].
    #[error("Filter expression is nested too deeply")]
    TooDeep,
}

/// Type of a search property; decides how operands are converted and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropType {
    /// Text, compared case-sensitively.
    Str,
    /// Integer (`INTEGER`/`LONG`).
    Int,
    /// Floating point (`FLOAT`).
    Float,
    /// `true` / `false` (any case).
    Bool,
    /// Timestamp (`TIMESTAMP`): ISO-8601, epoch millis or legacy event time.
    Time,
    /// Severity: label in any case or number 1–7, compared by id.
    Severity,
    /// IP address (`IP_ADDRESS`), compared as an address.
    Ip,
}

impl PropType {
    /// Converts an operand to a value of this type, `None` when it does not convert.
    pub fn coerce(self, raw: &str) -> Option<PropValue> {
        match self {
            PropType::Str => Some(PropValue::Str(raw.to_owned())),
            PropType::Int => raw.trim().parse::<i64>().ok().map(PropValue::Int),
            PropType::Float => raw
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(PropValue::Float),
            PropType::Bool => {
                let raw = raw.trim();
                if raw.eq_ignore_ascii_case("true") {
                    Some(PropValue::Bool(true))
                } else if raw.eq_ignore_ascii_case("false") {
                    Some(PropValue::Bool(false))
                } else {
                    None
                }
            }
            PropType::Time => parse_datetime(raw).map(PropValue::Time),
            PropType::Severity => parse_severity(raw).map(PropValue::Severity),
            PropType::Ip => raw.trim().parse::<IpAddr>().ok().map(PropValue::Ip),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            PropType::Str => "a string",
            PropType::Int => "an integer",
            PropType::Float => "a number",
            PropType::Bool => "true or false",
            PropType::Time => "a date (ISO-8601 or epoch milliseconds)",
            PropType::Severity => "a severity label or id 1-7",
            PropType::Ip => "an IP address",
        }
    }
}

/// A property value of one row, as supplied by the caller's lookup.
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue {
    /// No value (SQL NULL).
    Null,
    /// Text.
    Str(String),
    /// Integer.
    Int(i64),
    /// Floating point.
    Float(f64),
    /// Boolean.
    Bool(bool),
    /// Timestamp in epoch milliseconds.
    Time(i64),
    /// Severity id 1–7.
    Severity(u8),
    /// IP address.
    Ip(IpAddr),
    /// Multi-valued property (joined collection): matches if any element matches.
    List(Vec<PropValue>),
}

impl PropValue {
    fn kind(&self) -> Option<PropType> {
        Some(match self {
            PropValue::Str(_) => PropType::Str,
            PropValue::Int(_) => PropType::Int,
            PropValue::Float(_) => PropType::Float,
            PropValue::Bool(_) => PropType::Bool,
            PropValue::Time(_) => PropType::Time,
            PropValue::Severity(_) => PropType::Severity,
            PropValue::Ip(_) => PropType::Ip,
            PropValue::Null | PropValue::List(_) => return None,
        })
    }

    /// Text form used by wildcard and substring tests (severities as labels, times as
    /// `xsd:dateTime` in UTC); `None` for NULL and lists.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        Some(match self {
            PropValue::Str(s) => Cow::Borrowed(s.as_str()),
            PropValue::Int(i) => Cow::Owned(i.to_string()),
            PropValue::Float(f) => Cow::Owned(f.to_string()),
            PropValue::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            PropValue::Time(ms) => Cow::Owned(format_xsd_datetime(*ms, 0)),
            PropValue::Severity(id) => match severity_label(*id) {
                Some(label) => Cow::Borrowed(label),
                None => Cow::Owned(id.to_string()),
            },
            PropValue::Ip(ip) => Cow::Owned(ip.to_string()),
            PropValue::Null | PropValue::List(_) => return None,
        })
    }
}

/// Compares two scalar values of compatible types.
fn compare_values(left: &PropValue, right: &PropValue) -> Option<Ordering> {
    use PropValue as V;
    match (left, right) {
        (V::Str(a), V::Str(b)) => Some(a.cmp(b)),
        (V::Int(a), V::Int(b)) => Some(a.cmp(b)),
        (V::Float(a), V::Float(b)) => a.partial_cmp(b),
        (V::Int(a), V::Float(b)) => (*a as f64).partial_cmp(b),
        (V::Float(a), V::Int(b)) => a.partial_cmp(&(*b as f64)),
        (V::Bool(a), V::Bool(b)) => Some(a.cmp(b)),
        (V::Time(a), V::Time(b)) => Some(a.cmp(b)),
        (V::Severity(a), V::Severity(b)) => Some(a.cmp(b)),
        (V::Ip(a), V::Ip(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// A compiled, typed filter; evaluate it with [`Filter::matches`].
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    root: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Test { selector: String, test: Test },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    IsNull,
    IsNotNull,
    Compare {
        op: CmpOp,
        operand: PropValue,
        raw: String,
    },
    Like {
        pattern: Pattern,
        ignore_case: bool,
        negate: bool,
    },
    IpLike(IpLikePattern),
    Contains(String),
}

impl Filter {
    /// Evaluates the filter for one row; `lookup` returns the row's value of a selector.
    pub fn matches<F>(&self, mut lookup: F) -> bool
    where
        F: FnMut(&str) -> PropValue,
    {
        eval_node(&self.root, &mut lookup)
    }
}

fn eval_node<F>(node: &Node, lookup: &mut F) -> bool
where
    F: FnMut(&str) -> PropValue,
{
    match node {
        Node::And(items) => items.iter().all(|item| eval_node(item, lookup)),
        Node::Or(items) => items.iter().any(|item| eval_node(item, lookup)),
        Node::Test { selector, test } => eval_test(test, &lookup(selector)),
    }
}

fn eval_test(test: &Test, value: &PropValue) -> bool {
    match value {
        PropValue::Null => matches!(test, Test::IsNull),
        PropValue::List(items) if items.is_empty() => matches!(test, Test::IsNull),
        PropValue::List(items) => items.iter().any(|item| eval_test(test, item)),
        scalar => eval_scalar(test, scalar),
    }
}

fn eval_scalar(test: &Test, value: &PropValue) -> bool {
    match test {
        Test::IsNull => false,
        Test::IsNotNull => true,
        Test::Compare { op, operand, raw } => {
            let ordering = if value.kind() == operand.kind() {
                compare_values(value, operand)
            } else {
                compare_values(value, operand).or_else(|| {
                    value
                        .kind()
                        .and_then(|kind| kind.coerce(raw))
                        .and_then(|retyped| compare_values(value, &retyped))
                })
            };
            match (op, ordering) {
                (CmpOp::Ne, None) => true,
                (_, None) => false,
                (CmpOp::Eq, Some(o)) => o == Ordering::Equal,
                (CmpOp::Ne, Some(o)) => o != Ordering::Equal,
                (CmpOp::Lt, Some(o)) => o == Ordering::Less,
                (CmpOp::Le, Some(o)) => o != Ordering::Greater,
                (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
                (CmpOp::Ge, Some(o)) => o != Ordering::Less,
            }
        }
        Test::Like {
            pattern,
            ignore_case,
            negate,
        } => value.text().is_some_and(|text| {
            let matched = if *ignore_case {
                pattern.matches_ignore_case(&text)
            } else {
                pattern.matches(&text)
            };
            matched != *negate
        }),
        Test::IpLike(pattern) => match value {
            PropValue::Ip(ip) => pattern.matches(*ip),
            PropValue::Str(text) => text
                .trim()
                .parse::<IpAddr>()
                .is_ok_and(|ip| pattern.matches(ip)),
            _ => false,
        },
        Test::Contains(needle) => value
            .text()
            .is_some_and(|text| text.to_lowercase().contains(needle.as_str())),
    }
}

/// A wildcard pattern (SQL `LIKE` semantics) compiled from FIQL `*` or SQL `%`/`_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyOne,
    AnyRun,
}

impl Pattern {
    /// FIQL wildcard: `*` matches any run of characters; everything else is literal.
    pub fn from_fiql(value: &str) -> Self {
        Self {
            tokens: value
                .chars()
                .map(|c| {
                    if c == '*' {
                        Token::AnyRun
                    } else {
                        Token::Literal(c)
                    }
                })
                .collect(),
        }
    }

    /// SQL `LIKE` pattern: `%` any run, `_` any one character, `\` escapes the next character.
    pub fn from_sql(value: &str) -> Self {
        let mut tokens = Vec::with_capacity(value.len());
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '%' => Token::AnyRun,
                '_' => Token::AnyOne,
                '\\' => Token::Literal(chars.next().unwrap_or('\\')),
                other => Token::Literal(other),
            });
        }
        Self { tokens }
    }

    /// Whether the whole of `text` matches, case-sensitively.
    pub fn matches(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        self.matches_chars(&chars, |a, b| a == b)
    }

    /// Whether the whole of `text` matches, ignoring case.
    pub fn matches_ignore_case(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        self.matches_chars(&chars, |a, b| {
            a == b || a.to_lowercase().eq(b.to_lowercase())
        })
    }

    /// Iterative wildcard matching with single-star backtracking: O(pattern × text).
    fn matches_chars(&self, text: &[char], eq: impl Fn(char, char) -> bool) -> bool {
        let tokens = &self.tokens;
        let (mut p, mut t) = (0usize, 0usize);
        let mut backtrack: Option<(usize, usize)> = None;
        while t < text.len() {
            match (tokens.get(p), text.get(t)) {
                (Some(Token::AnyRun), _) => {
                    backtrack = Some((p, t));
                    p += 1;
                }
                (Some(Token::AnyOne), Some(_)) => {
                    p += 1;
                    t += 1;
                }
                (Some(Token::Literal(expected)), Some(actual)) if eq(*expected, *actual) => {
                    p += 1;
                    t += 1;
                }
                _ => match backtrack {
                    Some((star, from)) => {
                        p = star + 1;
                        t = from + 1;
                        backtrack = Some((star, from + 1));
                    }
                    None => return false,
                },
            }
        }
        tokens
            .get(p..)
            .is_some_and(|rest| rest.iter().all(|token| *token == Token::AnyRun))
    }
}

/// OpenNMS `iplike` pattern: per octet (IPv4, 4 decimal parts) or per group (IPv6, 8 hex
/// parts) either `*`, a number, a range `a-b`, or a comma list of those.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpLikePattern {
    v6: bool,
    parts: Vec<Vec<(u32, u32)>>,
}

impl IpLikePattern {
    /// Parses a pattern such as `192.168.*.1-10` or `fe80:*:*:*:*:*:*:1`.
    pub fn parse(pattern: &str) -> Option<Self> {
        let pattern = pattern.trim();
        let pattern = pattern.split('%').next().unwrap_or(pattern);
        let (v6, separator, count, radix, max) = if pattern.contains(':') {
            (true, ':', 8, 16, 0xffff)
        } else {
            (false, '.', 4, 10, 255)
        };
        let parts = pattern
            .split(separator)
            .map(|part| parse_iplike_part(part, radix, max))
            .collect::<Option<Vec<_>>>()?;
        (parts.len() == count).then_some(Self { v6, parts })
    }

    /// Whether `ip` matches the pattern (an IPv4 pattern never matches IPv6 and vice versa).
    pub fn matches(&self, ip: IpAddr) -> bool {
        let values: Vec<u32> = match (ip, self.v6) {
            (IpAddr::V4(v4), false) => v4.octets().iter().map(|o| u32::from(*o)).collect(),
            (IpAddr::V6(v6), true) => v6.segments().iter().map(|s| u32::from(*s)).collect(),
            _ => return false,
        };
        values.len() == self.parts.len()
            && values.iter().zip(&self.parts).all(|(value, ranges)| {
                ranges
                    .iter()
                    .any(|(low, high)| (*low..=*high).contains(value))
            })
    }
}

fn parse_iplike_part(part: &str, radix: u32, max: u32) -> Option<Vec<(u32, u32)>> {
    if part == "*" {
        return Some(vec![(0, max)]);
    }
    part.split(',')
        .map(|item| {
            let number = |text: &str| {
                if text.is_empty() || !text.chars().all(|c| c.is_digit(radix)) {
                    return None;
                }
                u32::from_str_radix(text, radix).ok().filter(|n| *n <= max)
            };
            match item.split_once('-') {
                Some((low, high)) => {
                    let (low, high) = (number(low)?, number(high)?);
                    (low <= high).then_some((low, high))
                }
                None => number(item).map(|n| (n, n)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn schema(selector: &str) -> Option<PropType> {
        Some(match selector {
            "id" => PropType::Int,
            "label" | "uei" | "reductionKey" | "category.name" => PropType::Str,
            "severity" => PropType::Severity,
            "alarmAckTime" | "lastEventTime" => PropType::Time,
            "isSituation" => PropType::Bool,
            "ipAddr" => PropType::Ip,
            "latitude" => PropType::Float,
            _ => return None,
        })
    }

    fn row(pairs: &[(&str, PropValue)]) -> HashMap<String, PropValue> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn eval(expr: &Expr, row: &HashMap<String, PropValue>) -> bool {
        expr.compile(schema)
            .expect("compiles")
            .matches(|selector| row.get(selector).cloned().unwrap_or(PropValue::Null))
    }

    fn cond(selector: &str, predicate: Predicate) -> Expr {
        Expr::condition(selector, predicate)
    }

    #[test]
    fn numeric_and_severity_comparisons() {
        let r = row(&[
            ("id", PropValue::Int(42)),
            ("severity", PropValue::Severity(6)),
        ]);
        assert!(eval(&cond("id", Predicate::Eq("42".into())), &r));
        assert!(eval(&cond("id", Predicate::Gt("41".into())), &r));
        assert!(!eval(&cond("id", Predicate::Lt("42".into())), &r));
        assert!(eval(&cond("id", Predicate::Le("42".into())), &r));
        assert!(eval(&cond("severity", Predicate::Ge("MAJOR".into())), &r));
        assert!(eval(&cond("severity", Predicate::Ge("major".into())), &r));
        assert!(eval(&cond("severity", Predicate::Gt("5".into())), &r));
        assert!(!eval(&cond("severity", Predicate::Gt("Major".into())), &r));
        assert!(eval(
            &cond("severity", Predicate::Lt("CRITICAL".into())),
            &r
        ));
    }

    #[test]
    fn null_semantics() {
        let r = row(&[("id", PropValue::Int(1))]);
        assert!(eval(&cond("alarmAckTime", Predicate::IsNull), &r));
        assert!(!eval(&cond("alarmAckTime", Predicate::IsNotNull), &r));
        assert!(!eval(&cond("alarmAckTime", Predicate::Ne("0".into())), &r));
        assert!(!eval(&cond("alarmAckTime", Predicate::Gt("0".into())), &r));
        assert!(!eval(
            &cond("label", Predicate::Like(Pattern::from_fiql("*"))),
            &r
        ));
        assert!(!eval(
            &cond("label", Predicate::NotLike(Pattern::from_fiql("x*"))),
            &r
        ));
        assert!(eval(&cond("id", Predicate::IsNotNull), &r));
    }

    #[test]
    fn time_comparisons_accept_all_forms() {
        let r = row(&[("lastEventTime", PropValue::Time(1_714_557_600_123))]);
        for text in [
            "2024-05-01T10:00:00.123+0000",
            "2024-05-01T10:00:00.123Z",
            "2024-05-01T10:00:00.123+00:00",
            "1714557600123",
        ] {
            assert!(
                eval(&cond("lastEventTime", Predicate::Eq(text.into())), &r),
                "{text}"
            );
        }
        assert!(eval(
            &cond(
                "lastEventTime",
                Predicate::Gt("2024-05-01T09:00:00.000Z".into())
            ),
            &r
        ));
    }

    #[test]
    fn strings_are_case_sensitive_except_ilike_and_contains() {
        let r = row(&[("label", PropValue::Str("Web01".into()))]);
        assert!(eval(&cond("label", Predicate::Eq("Web01".into())), &r));
        assert!(!eval(&cond("label", Predicate::Eq("web01".into())), &r));
        assert!(eval(&cond("label", Predicate::Ne("web01".into())), &r));
        assert!(!eval(
            &cond("label", Predicate::Like(Pattern::from_sql("web%"))),
            &r
        ));
        assert!(eval(
            &cond("label", Predicate::ILike(Pattern::from_sql("web%"))),
            &r
        ));
        assert!(eval(&cond("label", Predicate::Contains("EB0".into())), &r));
        assert!(eval(&cond("label", Predicate::Lt("Web02".into())), &r));
    }

    #[test]
    fn booleans_floats_and_ips() {
        let r = row(&[
            ("isSituation", PropValue::Bool(false)),
            ("latitude", PropValue::Float(35.7)),
            ("ipAddr", PropValue::Ip("10.0.0.12".parse().expect("ip"))),
        ]);
        assert!(eval(
            &cond("isSituation", Predicate::Eq("FALSE".into())),
            &r
        ));
        assert!(!eval(
            &cond("isSituation", Predicate::Eq("true".into())),
            &r
        ));
        assert!(eval(&cond("latitude", Predicate::Gt("35".into())), &r));
        assert!(eval(&cond("ipAddr", Predicate::Eq("10.0.0.12".into())), &r));
        assert!(eval(&cond("ipAddr", Predicate::Gt("10.0.0.9".into())), &r));
        assert!(eval(
            &cond("ipAddr", Predicate::IpLike("10.0.*.10-20".into())),
            &r
        ));
        assert!(!eval(
            &cond("ipAddr", Predicate::IpLike("10.0.*.1,2,3".into())),
            &r
        ));
        assert!(eval(
            &cond("ipAddr", Predicate::Like(Pattern::from_fiql("10.0.*"))),
            &r
        ));
    }

    #[test]
    fn lists_match_any_element_and_empty_is_null() {
        let r = row(&[(
            "category.name",
            PropValue::List(vec![
                PropValue::Str("Servers".into()),
                PropValue::Str("Routers".into()),
            ]),
        )]);
        assert!(eval(
            &cond("category.name", Predicate::Eq("Routers".into())),
            &r
        ));
        assert!(!eval(
            &cond("category.name", Predicate::Eq("Switches".into())),
            &r
        ));
        let empty = row(&[("category.name", PropValue::List(Vec::new()))]);
        assert!(eval(&cond("category.name", Predicate::IsNull), &empty));
        assert!(!eval(
            &cond("category.name", Predicate::Eq("x".into())),
            &empty
        ));
    }

    #[test]
    fn and_or_combination() {
        let r = row(&[
            ("id", PropValue::Int(5)),
            ("label", PropValue::Str("a".into())),
        ]);
        let both = Expr::And(vec![
            cond("id", Predicate::Eq("5".into())),
            cond("label", Predicate::Eq("b".into())),
        ]);
        let either = Expr::Or(vec![
            cond("id", Predicate::Eq("5".into())),
            cond("label", Predicate::Eq("b".into())),
        ]);
        assert!(!eval(&both, &r));
        assert!(eval(&either, &r));
        assert!(eval(&Expr::And(Vec::new()), &r));
        assert!(!eval(&Expr::Or(Vec::new()), &r));
    }

    #[test]
    fn compile_errors() {
        assert_eq!(
            cond("bogus", Predicate::Eq("1".into())).compile(schema),
            Err(FilterError::UnknownProperty("bogus".into()))
        );
        for (selector, value) in [
            ("id", "abc"),
            ("severity", "HUGE"),
            ("severity", "9"),
            ("alarmAckTime", "yesterday"),
            ("isSituation", "maybe"),
            ("ipAddr", "10.0.0"),
            ("latitude", "NaN"),
        ] {
            let error = cond(selector, Predicate::Eq(value.into()))
                .compile(schema)
                .expect_err(selector);
            assert!(
                matches!(error, FilterError::InvalidValue { .. }),
                "{selector}"
            );
            assert!(error.to_string().contains(selector));
        }
        assert!(cond("ipAddr", Predicate::IpLike("1.2.3".into()))
            .compile(schema)
            .is_err());
        let mut deep = cond("id", Predicate::IsNull);
        for _ in 0..=MAX_COMPILE_DEPTH {
            deep = Expr::And(vec![deep]);
        }
        assert_eq!(deep.compile(schema), Err(FilterError::TooDeep));
    }

    #[test]
    fn mismatched_row_types_fall_back_to_retyping() {
        let r = row(&[("id", PropValue::Str("42".into()))]);
        assert!(eval(&cond("id", Predicate::Eq("42".into())), &r));
        let r = row(&[("id", PropValue::Bool(true))]);
        assert!(!eval(&cond("id", Predicate::Eq("42".into())), &r));
        assert!(eval(&cond("id", Predicate::Ne("42".into())), &r));
    }

    #[test]
    fn selectors_are_distinct_in_order() {
        let expr = Expr::Or(vec![
            Expr::And(vec![
                cond("severity", Predicate::IsNull),
                cond("id", Predicate::IsNull),
            ]),
            cond("severity", Predicate::IsNull),
            cond("label", Predicate::IsNull),
        ]);
        assert_eq!(expr.selectors(), vec!["severity", "id", "label"]);
    }

    #[test]
    fn patterns() {
        let p = Pattern::from_fiql("uei.opennms.org/nodes/nodeDown::*");
        assert!(p.matches("uei.opennms.org/nodes/nodeDown::1"));
        assert!(p.matches("uei.opennms.org/nodes/nodeDown::"));
        assert!(!p.matches("uei.opennms.org/nodes/nodeUp::1"));
        assert!(Pattern::from_fiql("*a*b*").matches("xxaxxbxx"));
        assert!(!Pattern::from_fiql("*a*b").matches("xxaxxbxx"));
        assert!(Pattern::from_fiql("a_b").matches("a_b"));
        assert!(!Pattern::from_fiql("a_b").matches("axb"));
        assert!(Pattern::from_sql("a_b").matches("axb"));
        assert!(Pattern::from_sql("100\\%").matches("100%"));
        assert!(!Pattern::from_sql("100\\%").matches("1000"));
        assert!(Pattern::from_sql("trailing\\").matches("trailing\\"));
        assert!(Pattern::from_sql("ÄB%").matches_ignore_case("äbc"));
        assert!(Pattern::from_sql("%").matches(""));
        assert!(!Pattern::from_sql("_").matches(""));
        assert!(Pattern::from_sql("").matches(""));
        let long = "a".repeat(2000);
        assert!(!Pattern::from_sql(&"%a".repeat(50)).matches(&format!("{long}b")));
    }

    #[test]
    fn iplike_patterns() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let p = IpLikePattern::parse("192.168.*.1-10,20").expect("pattern");
        assert!(p.matches(ip("192.168.7.20")));
        assert!(p.matches(ip("192.168.0.1")));
        assert!(!p.matches(ip("192.168.0.11")));
        assert!(!p.matches(ip("::1")));
        let v6 = IpLikePattern::parse("fe80:*:*:*:*:*:*:1-ff").expect("v6");
        assert!(v6.matches(ip("fe80::1")));
        assert!(!v6.matches(ip("fe81::1")));
        for bad in [
            "",
            "1.2.3",
            "1.2.3.256",
            "1.2.3.5-4",
            "a.b.c.d",
            "1.2.3.-",
            "1..2.3",
            "fe80::1",
        ] {
            assert_eq!(IpLikePattern::parse(bad), None, "{bad}");
        }
    }
}
