//! Parser for the v2 `_s` FIQL search (Apache CXF `FiqlParser` as configured by OpenNMS).
//!
//! Input is the `_s` query value after the usual (single) URL decoding. Grammar:
//! `selector op value` with ops `==`, `!=`, `=lt=`, `=le=`, `=gt=`, `=ge=`; `;` is AND, `,` is
//! OR (AND binds tighter); parentheses group. The expression is split first, then every value is
//! URL-decoded a second time (`+` becomes a space, `%2C` becomes `,`), as CXF does with
//! `search.decode.values`. Parentheses inside a value are allowed when balanced (CXF counts them).
//!
//! Mapping to [`Expr`] (as OpenNMS' `CriteriaBuilderSearchVisitor`):
//! * value `\u{0}` (sent as `%00`) or a date equal to the epoch (`1970-01-01T00:00:00.000+0000`)
//!   ⇒ `==` is [`Predicate::IsNull`], `!=` is [`Predicate::IsNotNull`];
//! * `*` in a `==` / `!=` value ⇒ case-sensitive [`Predicate::Like`] / [`Predicate::NotLike`];
//!   `*` is the only wildcard (`_` and `%` are literal);
//! * any other `!=v` ⇒ `Or[Ne(v), IsNull]`: rows where the property is NULL match too.

use percent_encoding::percent_decode_str;
use thiserror::Error;

use crate::datetime::parse_iso8601;
use crate::filter::{Expr, Pattern, Predicate};

/// Longest accepted expression, in bytes.
pub const MAX_LENGTH: usize = 64 * 1024;

/// Deepest accepted parenthesis nesting.
pub const MAX_DEPTH: usize = 32;

/// Most comparisons accepted in one expression.
pub const MAX_CONDITIONS: usize = 512;

/// Why a FIQL expression was rejected (maps to HTTP 400). Messages start with
/// `Error parsing FIQL search:` as OpenNMS' do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FiqlError {
    /// The expression is empty (callers usually treat a blank `_s` as "no filter" instead).
    #[error("Error parsing FIQL search: empty expression")]
    Empty,
    /// The expression is longer than [`MAX_LENGTH`].
    #[error("Error parsing FIQL search: expression longer than {MAX_LENGTH} bytes")]
    TooLong,
    /// Parentheses nest deeper than [`MAX_DEPTH`].
    #[error("Error parsing FIQL search: parentheses nested deeper than {MAX_DEPTH}")]
    TooDeep,
    /// More than [`MAX_CONDITIONS`] comparisons.
    #[error("Error parsing FIQL search: more than {MAX_CONDITIONS} comparisons")]
    TooManyConditions,
    /// A `)` without its `(`.
    #[error("Error parsing FIQL search: unexpected closing bracket at position {0}")]
    UnexpectedClosingBracket(usize),
    /// A `(` without its `)`.
    #[error(
        "Error parsing FIQL search: unmatched opening and closing brackets in expression: {0:?}"
    )]
    UnmatchedBrackets(String),
    /// Text after the `)` closing a group, as in `(a==1)b`.
    #[error("Error parsing FIQL search: unexpected text after closing bracket in {0:?}")]
    TextAfterGroup(String),
    /// An empty operand of `;` / `,` or an empty group `()`.
    #[error("Error parsing FIQL search: empty sub-expression in {0:?}")]
    EmptySubExpression(String),
    /// A `;` or `,` at the end.
    #[error("Error parsing FIQL search: dangling operator at the end of expression: {0:?}")]
    DanglingOperator(String),
    /// No comparison operator, or an empty value.
    #[error("Error parsing FIQL search: not a comparison expression: {0:?}")]
    NotAComparison(String),
    /// An operator of the `=name=` form other than `lt`, `le`, `gt`, `ge`.
    #[error("Error parsing FIQL search: unknown operator {0:?}")]
    UnknownOperator(String),
    /// A selector with characters outside `[A-Za-z0-9_.-]`.
    #[error("Error parsing FIQL search: invalid selector {0:?}")]
    InvalidSelector(String),
    /// The null sentinel `\u{0}` used with an ordering operator.
    #[error("Error parsing FIQL search: null value used with an ordering operator in {0:?}")]
    NullWithOrdering(String),
}

/// Parses a FIQL expression (already URL-decoded once) into an [`Expr`].
pub fn parse(input: &str) -> Result<Expr, FiqlError> {
    if input.len() > MAX_LENGTH {
        return Err(FiqlError::TooLong);
    }
    if input.is_empty() {
        return Err(FiqlError::Empty);
    }
    let mut conditions = 0;
    parse_group(input, 0, &mut conditions)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Joiner {
    And,
    Or,
}

fn parse_group(expr: &str, depth: usize, conditions: &mut usize) -> Result<Expr, FiqlError> {
    if depth > MAX_DEPTH {
        return Err(FiqlError::TooDeep);
    }
    let mut parts: Vec<(&str, Option<Joiner>)> = Vec::new();
    let mut level: usize = 0;
    let mut start = 0;
    for (index, byte) in expr.bytes().enumerate() {
        match byte {
            b'(' => level += 1,
            b')' => {
                level = level
                    .checked_sub(1)
                    .ok_or(FiqlError::UnexpectedClosingBracket(index))?;
            }
            b';' | b',' if level == 0 => {
                let joiner = if byte == b';' {
                    Joiner::And
                } else {
                    Joiner::Or
                };
                parts.push((expr.get(start..index).unwrap_or_default(), Some(joiner)));
                start = index + 1;
            }
            _ => {}
        }
    }
    if level != 0 {
        return Err(FiqlError::UnmatchedBrackets(expr.to_owned()));
    }
    let tail = expr.get(start..).unwrap_or_default();
    if tail.is_empty() && !parts.is_empty() {
        return Err(FiqlError::DanglingOperator(expr.to_owned()));
    }
    parts.push((tail, None));

    let mut ors: Vec<Expr> = Vec::new();
    let mut ands: Vec<Expr> = Vec::new();
    for (part, joiner) in parts {
        if part.is_empty() {
            return Err(FiqlError::EmptySubExpression(expr.to_owned()));
        }
        let node = if part.starts_with('(') {
            parse_group(group_body(part)?, depth + 1, conditions)?
        } else {
            *conditions += 1;
            if *conditions > MAX_CONDITIONS {
                return Err(FiqlError::TooManyConditions);
            }
            parse_comparison(part)?
        };
        push_flat(&mut ands, node, Joiner::And);
        if joiner != Some(Joiner::And) {
            push_flat(
                &mut ors,
                collapse(std::mem::take(&mut ands), Joiner::And),
                Joiner::Or,
            );
        }
    }
    Ok(collapse(ors, Joiner::Or))
}

/// The inside of `( ... )`, which must span the whole part.
fn group_body(part: &str) -> Result<&str, FiqlError> {
    let mut level: usize = 0;
    for (index, byte) in part.bytes().enumerate() {
        match byte {
            b'(' => level += 1,
            b')' => {
                level = level.saturating_sub(1);
                if level == 0 {
                    if index + 1 != part.len() {
                        return Err(FiqlError::TextAfterGroup(part.to_owned()));
                    }
                    let body = part.get(1..index).unwrap_or_default();
                    if body.is_empty() {
                        return Err(FiqlError::EmptySubExpression(part.to_owned()));
                    }
                    return Ok(body);
                }
            }
            _ => {}
        }
    }
    Err(FiqlError::UnmatchedBrackets(part.to_owned()))
}

/// Adds `node` to `items`, splicing in the children of a node of the same kind.
fn push_flat(items: &mut Vec<Expr>, node: Expr, kind: Joiner) {
    match (node, kind) {
        (Expr::And(children), Joiner::And) | (Expr::Or(children), Joiner::Or) => {
            items.extend(children);
        }
        (node, _) => items.push(node),
    }
}

fn collapse(mut items: Vec<Expr>, kind: Joiner) -> Expr {
    if items.len() == 1 {
        if let Some(only) = items.pop() {
            return only;
        }
    }
    match kind {
        Joiner::And => Expr::And(items),
        Joiner::Or => Expr::Or(items),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Parses `selector op value`, splitting at the first operator.
fn parse_comparison(text: &str) -> Result<Expr, FiqlError> {
    let not_comparison = || FiqlError::NotAComparison(text.to_owned());
    let equals = text.find('=').ok_or_else(not_comparison)?;
    let (selector, op, value) = if equals > 0 && text.as_bytes().get(equals - 1) == Some(&b'!') {
        (text.get(..equals - 1), Op::Ne, text.get(equals + 1..))
    } else if text.as_bytes().get(equals + 1) == Some(&b'=') {
        (text.get(..equals), Op::Eq, text.get(equals + 2..))
    } else {
        let rest = text.get(equals + 1..).unwrap_or_default();
        let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        if name_len == 0 || rest.as_bytes().get(name_len) != Some(&b'=') {
            return Err(not_comparison());
        }
        let name = rest.get(..name_len).unwrap_or_default();
        let op = match name {
            "lt" => Op::Lt,
            "le" => Op::Le,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            _ => return Err(FiqlError::UnknownOperator(format!("={name}="))),
        };
        (text.get(..equals), op, rest.get(name_len + 1..))
    };
    let selector = selector.unwrap_or_default();
    let raw_value = value.unwrap_or_default();
    if raw_value.is_empty() {
        return Err(not_comparison());
    }
    if selector.is_empty()
        || !selector
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(FiqlError::InvalidSelector(selector.to_owned()));
    }
    let value = decode_value(raw_value);
    let is_null_sentinel = value == "\u{0}";
    let is_null_date = !is_null_sentinel && is_epoch_date(&value);

    let predicate = match op {
        Op::Eq | Op::Ne if is_null_sentinel || is_null_date => {
            if op == Op::Eq {
                Predicate::IsNull
            } else {
                Predicate::IsNotNull
            }
        }
        Op::Eq if value.contains('*') => Predicate::Like(Pattern::from_fiql(&value)),
        Op::Ne if value.contains('*') => Predicate::NotLike(Pattern::from_fiql(&value)),
        Op::Eq => Predicate::Eq(value),
        Op::Ne => {
            return Ok(Expr::Or(vec![
                Expr::condition(selector, Predicate::Ne(value)),
                Expr::condition(selector, Predicate::IsNull),
            ]));
        }
        _ if is_null_sentinel => return Err(FiqlError::NullWithOrdering(text.to_owned())),
        Op::Lt => Predicate::Lt(value),
        Op::Le => Predicate::Le(value),
        Op::Gt => Predicate::Gt(value),
        Op::Ge => Predicate::Ge(value),
    };
    Ok(Expr::condition(selector, predicate))
}

/// The second URL decoding of a value: `+` ⇒ space, `%XX` ⇒ byte; invalid escapes stay literal
/// and invalid UTF-8 becomes U+FFFD.
pub fn decode_value(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// Whether `value` is an ISO-8601 date denoting the epoch, OpenNMS' null date.
fn is_epoch_date(value: &str) -> bool {
    value.starts_with("1970-") && parse_iso8601(value) == Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(selector: &str, predicate: Predicate) -> Expr {
        Expr::condition(selector, predicate)
    }

    fn eq(selector: &str, value: &str) -> Expr {
        cond(selector, Predicate::Eq(value.into()))
    }

    /// `severity%3Dge%3DMAJOR%3BalarmAckTime%3D%3D%00` after one URL decoding (§6.1.6).
    #[test]
    fn opennms_js_wire_example() {
        let once: String = form_decode("severity%3Dge%3DMAJOR%3BalarmAckTime%3D%3D%00");
        assert_eq!(once, "severity=ge=MAJOR;alarmAckTime==\u{0}");
        assert_eq!(
            parse(&once),
            Ok(Expr::And(vec![
                cond("severity", Predicate::Ge("MAJOR".into())),
                cond("alarmAckTime", Predicate::IsNull),
            ]))
        );
    }

    #[test]
    fn wire_example_filters_alarms_end_to_end() {
        use crate::filter::{PropType, PropValue};
        let once = form_decode("severity%3Dge%3DMAJOR%3BalarmAckTime%3D%3D%00");
        let filter = parse(&once)
            .expect("parses")
            .compile(|selector| match selector {
                "severity" => Some(PropType::Severity),
                "alarmAckTime" => Some(PropType::Time),
                _ => None,
            })
            .expect("compiles");
        let alarm = |severity: u8, ack: Option<i64>| {
            move |selector: &str| match (selector, ack) {
                ("severity", _) => PropValue::Severity(severity),
                ("alarmAckTime", Some(ms)) => PropValue::Time(ms),
                _ => PropValue::Null,
            }
        };
        assert!(filter.matches(alarm(7, None)));
        assert!(filter.matches(alarm(6, None)));
        assert!(!filter.matches(alarm(5, None)));
        assert!(!filter.matches(alarm(7, Some(1_714_557_600_123))));
        let unknown = parse("bogus==1").expect("parses");
        assert_eq!(unknown.selectors(), vec!["bogus"]);
        assert!(unknown.compile(|_| None).is_err());
    }

    fn form_decode(raw: &str) -> String {
        percent_decode_str(raw).decode_utf8_lossy().into_owned()
    }

    #[test]
    fn operators() {
        assert_eq!(parse("id==1"), Ok(eq("id", "1")));
        assert_eq!(parse("id=lt=1"), Ok(cond("id", Predicate::Lt("1".into()))));
        assert_eq!(parse("id=le=1"), Ok(cond("id", Predicate::Le("1".into()))));
        assert_eq!(parse("id=gt=1"), Ok(cond("id", Predicate::Gt("1".into()))));
        assert_eq!(parse("id=ge=1"), Ok(cond("id", Predicate::Ge("1".into()))));
        assert_eq!(
            parse("id!=1"),
            Ok(Expr::Or(vec![
                cond("id", Predicate::Ne("1".into())),
                cond("id", Predicate::IsNull),
            ]))
        );
    }

    #[test]
    fn and_binds_tighter_than_or() {
        assert_eq!(
            parse("a==1;b==2,c==3;d==4"),
            Ok(Expr::Or(vec![
                Expr::And(vec![eq("a", "1"), eq("b", "2")]),
                Expr::And(vec![eq("c", "3"), eq("d", "4")]),
            ]))
        );
        assert_eq!(
            parse("a==1,b==2;c==3"),
            Ok(Expr::Or(vec![
                eq("a", "1"),
                Expr::And(vec![eq("b", "2"), eq("c", "3")]),
            ]))
        );
    }

    #[test]
    fn parentheses_group_and_flatten() {
        assert_eq!(
            parse("a==1;(b==2,c==3)"),
            Ok(Expr::And(vec![
                eq("a", "1"),
                Expr::Or(vec![eq("b", "2"), eq("c", "3")]),
            ]))
        );
        assert_eq!(parse("((a==1))"), Ok(eq("a", "1")));
        assert_eq!(
            parse("(a==1;b==2);c==3"),
            Ok(Expr::And(vec![eq("a", "1"), eq("b", "2"), eq("c", "3")]))
        );
    }

    #[test]
    fn balanced_parentheses_inside_values() {
        assert_eq!(parse("label==foo(bar)"), Ok(eq("label", "foo(bar)")));
    }

    #[test]
    fn values_are_decoded_a_second_time_after_splitting() {
        assert_eq!(
            parse("label==a%2Cb;uei==x%3By"),
            Ok(Expr::And(vec![eq("label", "a,b"), eq("uei", "x;y")]))
        );
        assert_eq!(parse("label==a+b"), Ok(eq("label", "a b")));
        assert_eq!(parse("label==a%2Bb"), Ok(eq("label", "a+b")));
        assert_eq!(parse("label==100%"), Ok(eq("label", "100%")));
        assert_eq!(parse("label==%zz"), Ok(eq("label", "%zz")));
        assert_eq!(parse("label==%FF"), Ok(eq("label", "\u{FFFD}")));
        assert_eq!(parse("label==caf%C3%A9"), Ok(eq("label", "café")));
        assert_eq!(
            parse("lastEventTime=gt=2024-05-01T10:00:00.000%2B0000"),
            Ok(cond(
                "lastEventTime",
                Predicate::Gt("2024-05-01T10:00:00.000+0000".into())
            ))
        );
    }

    #[test]
    fn null_sentinels() {
        assert_eq!(
            parse("ackTime==\u{0}"),
            Ok(cond("ackTime", Predicate::IsNull))
        );
        assert_eq!(
            parse("ackTime!=\u{0}"),
            Ok(cond("ackTime", Predicate::IsNotNull))
        );
        assert_eq!(
            parse("ackTime==%00"),
            Ok(cond("ackTime", Predicate::IsNull))
        );
        assert_eq!(
            parse("ackTime==1970-01-01T00:00:00.000%2B0000"),
            Ok(cond("ackTime", Predicate::IsNull))
        );
        assert_eq!(
            parse("ackTime!=1970-01-01T00:00:00.000Z"),
            Ok(cond("ackTime", Predicate::IsNotNull))
        );
        assert_eq!(
            parse("ackTime=gt=1970-01-01T00:00:00.000Z"),
            Ok(cond(
                "ackTime",
                Predicate::Gt("1970-01-01T00:00:00.000Z".into())
            ))
        );
        assert_eq!(parse("id==0"), Ok(eq("id", "0")));
        assert!(matches!(
            parse("ackTime=gt=\u{0}"),
            Err(FiqlError::NullWithOrdering(_))
        ));
        assert_eq!(parse("label==\u{0}x"), Ok(eq("label", "\u{0}x")));
    }

    #[test]
    fn wildcards() {
        assert_eq!(
            parse("alarm.reductionKey==uei.opennms.org/nodes/nodeDown::*"),
            Ok(cond(
                "alarm.reductionKey",
                Predicate::Like(Pattern::from_fiql("uei.opennms.org/nodes/nodeDown::*"))
            ))
        );
        assert_eq!(
            parse("label!=web*"),
            Ok(cond(
                "label",
                Predicate::NotLike(Pattern::from_fiql("web*"))
            ))
        );
        assert_eq!(
            parse("label=gt=a*"),
            Ok(cond("label", Predicate::Gt("a*".into())))
        );
    }

    #[test]
    fn first_operator_wins() {
        assert_eq!(parse("label==a==b"), Ok(eq("label", "a==b")));
        assert_eq!(parse("label==x=gt=y"), Ok(eq("label", "x=gt=y")));
    }

    #[test]
    fn malformed_inputs_are_typed_errors() {
        type Check = fn(&FiqlError) -> bool;
        let cases: [(&str, Check); 20] = [
            ("", |e| *e == FiqlError::Empty),
            ("label", |e| matches!(e, FiqlError::NotAComparison(_))),
            ("label==", |e| matches!(e, FiqlError::NotAComparison(_))),
            ("label=x", |e| matches!(e, FiqlError::NotAComparison(_))),
            ("label=x=1", |e| matches!(e, FiqlError::UnknownOperator(_))),
            ("label=in=1", |e| matches!(e, FiqlError::UnknownOperator(_))),
            ("==1", |e| matches!(e, FiqlError::InvalidSelector(_))),
            ("la bel==1", |e| matches!(e, FiqlError::InvalidSelector(_))),
            ("lé==1", |e| matches!(e, FiqlError::InvalidSelector(_))),
            ("a==1;", |e| matches!(e, FiqlError::DanglingOperator(_))),
            ("a==1,", |e| matches!(e, FiqlError::DanglingOperator(_))),
            (";a==1", |e| matches!(e, FiqlError::EmptySubExpression(_))),
            ("a==1;;b==1", |e| {
                matches!(e, FiqlError::EmptySubExpression(_))
            }),
            ("()", |e| matches!(e, FiqlError::EmptySubExpression(_))),
            ("(a==1", |e| matches!(e, FiqlError::UnmatchedBrackets(_))),
            ("a==1)", |e| {
                matches!(e, FiqlError::UnexpectedClosingBracket(4))
            }),
            (")(", |e| {
                matches!(e, FiqlError::UnexpectedClosingBracket(0))
            }),
            ("(a==1)b==2", |e| matches!(e, FiqlError::TextAfterGroup(_))),
            (";", |e| matches!(e, FiqlError::DanglingOperator(_))),
            ("!=1", |e| matches!(e, FiqlError::InvalidSelector(_))),
        ];
        for (input, check) in cases {
            let error = parse(input).expect_err(input);
            assert!(check(&error), "{input:?} gave {error:?}");
            assert!(error.to_string().starts_with("Error parsing FIQL search: "));
        }
    }

    #[test]
    fn limits() {
        let deep = format!(
            "{}a==1{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(parse(&deep), Err(FiqlError::TooDeep));
        let ok = format!("{}a==1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(parse(&ok), Ok(eq("a", "1")));
        let many = vec!["a==1"; MAX_CONDITIONS + 1].join(";");
        assert_eq!(parse(&many), Err(FiqlError::TooManyConditions));
        let huge = "(".repeat(MAX_LENGTH + 1);
        assert_eq!(parse(&huge), Err(FiqlError::TooLong));
        let unbalanced = "(".repeat(10_000);
        assert!(matches!(
            parse(&unbalanced),
            Err(FiqlError::UnmatchedBrackets(_))
        ));
    }

    #[test]
    fn never_panics_on_awkward_input() {
        let samples = [
            "é",
            "=",
            "==",
            "!=",
            "!",
            "=gt=",
            "a=gt",
            "a=gt=",
            "(",
            ")",
            "(()",
            "a==(",
            "a==)",
            "a==1;(b==2",
            "a==é;b=le=ü",
            "\u{0}",
            "%",
            "%%",
            "a==%",
            "a==%0",
            "ü=ü=ü",
            "a!",
            "a!==",
            "(a==1)(b==2)",
            "a==1,(b==2;(c==3,(d==4)))",
            "*==*",
            "a=GT=1",
        ];
        for sample in samples {
            let _ = parse(sample);
        }
        let mut seed: u32 = 0x1234_5678;
        let alphabet: Vec<char> = "ab=!;,()*%0é\u{0}lgte".chars().collect();
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..(seed % 24) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let index = (seed >> 16) as usize % alphabet.len();
                text.push(alphabet[index]);
            }
            if let Ok(expr) = parse(&text) {
                assert!(!expr.selectors().is_empty());
            }
        }
    }

    #[test]
    fn selectors_listed_for_validation() {
        let expr = parse("severity=ge=MAJOR;(node.label==a*,node.label!=b);alarmAckTime==\u{0}")
            .expect("parses");
        assert_eq!(
            expr.selectors(),
            vec!["severity", "node.label", "alarmAckTime"]
        );
    }
}
