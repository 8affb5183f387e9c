//! List query parameters: paging and ordering (v1 and v2) and the v1 property filters of
//! `OnmsRestService.applyQueryFilters` (`comparator`, `match`, `prop=value`, `null`/`notnull`).
//!
//! Differences from the Java code, all in the lenient direction: an empty `limit`/`offset`
//! means the default, and `order` is always reserved (Java only consumes it next to `orderBy`).

use thiserror::Error;

use crate::filter::{Expr, Pattern, Predicate};

/// Default page size of every list endpoint.
pub const DEFAULT_LIMIT: usize = 10;

/// Keys consumed by [`parse_paging`] / [`parse_v1_query`] and never treated as filters.
pub const CONTROL_KEYS: [&str; 6] = ["limit", "offset", "orderBy", "order", "comparator", "match"];

/// Why query parameters were rejected (maps to HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParamError {
    /// `limit` is not a non-negative integer.
    #[error("Invalid limit {0:?}: expected a non-negative integer")]
    InvalidLimit(String),
    /// `offset` is not a non-negative integer.
    #[error("Invalid offset {0:?}: expected a non-negative integer")]
    InvalidOffset(String),
    /// `comparator` is not one of the supported names.
    #[error("Unknown comparator {0:?}: expected one of eq, ne, ilike, like, gt, lt, ge, le, iplike, contains")]
    UnknownComparator(String),
}

/// Paging and ordering of a list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// Page size; `0` means unlimited (see [`Paging::effective_limit`]).
    pub limit: usize,
    /// Number of matching rows to skip.
    pub offset: usize,
    /// Every non-empty `orderBy` value in request order (v1 honours only the first).
    pub order_by: Vec<String>,
    /// `order=desc` (any case) was given; anything else is ascending.
    pub descending: bool,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            offset: 0,
            order_by: Vec::new(),
            descending: false,
        }
    }
}

impl Paging {
    /// The page size, `None` when unlimited (`limit=0`).
    pub fn effective_limit(&self) -> Option<usize> {
        (self.limit != 0).then_some(self.limit)
    }
}

/// The single comparator applied to every v1 property filter of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Comparator {
    /// Equality (default).
    #[default]
    Eq,
    /// Inequality (SQL `<>`: NULL does not match).
    Ne,
    /// Case-insensitive `LIKE` (`%`, `_` wildcards).
    ILike,
    /// Case-sensitive `LIKE`.
    Like,
    /// Greater than.
    Gt,
    /// Less than.
    Lt,
    /// Greater than or equal.
    Ge,
    /// Less than or equal.
    Le,
    /// OpenNMS `iplike` address pattern.
    IpLike,
    /// Case-insensitive substring.
    Contains,
}

impl Comparator {
    /// Parses a comparator name in any case (`eq`, `ILIKE`, …).
    pub fn parse(name: &str) -> Option<Self> {
        const NAMES: [(&str, Comparator); 10] = [
            ("eq", Comparator::Eq),
            ("ne", Comparator::Ne),
            ("ilike", Comparator::ILike),
            ("like", Comparator::Like),
            ("gt", Comparator::Gt),
            ("lt", Comparator::Lt),
            ("ge", Comparator::Ge),
            ("le", Comparator::Le),
            ("iplike", Comparator::IpLike),
            ("contains", Comparator::Contains),
        ];
        let name = name.trim();
        NAMES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, comparator)| *comparator)
    }

    /// The predicate this comparator builds for `value`.
    pub fn predicate(self, value: &str) -> Predicate {
        let value = value.to_owned();
        match self {
            Comparator::Eq => Predicate::Eq(value),
            Comparator::Ne => Predicate::Ne(value),
            Comparator::ILike => Predicate::ILike(Pattern::from_sql(&value)),
            Comparator::Like => Predicate::Like(Pattern::from_sql(&value)),
            Comparator::Gt => Predicate::Gt(value),
            Comparator::Lt => Predicate::Lt(value),
            Comparator::Ge => Predicate::Ge(value),
            Comparator::Le => Predicate::Le(value),
            Comparator::IpLike => Predicate::IpLike(value),
            Comparator::Contains => Predicate::Contains(value),
        }
    }
}

/// A parsed v1 list query.
#[derive(Debug, Clone, PartialEq)]
pub struct V1Query {
    /// Paging and ordering.
    pub paging: Paging,
    /// The comparator given (or `eq`).
    pub comparator: Comparator,
    /// `match=any`: filters are ORed instead of ANDed.
    pub match_any: bool,
    /// The property filters in request order, as `(property, raw value)`.
    pub properties: Vec<(String, String)>,
    /// The filters as one expression, `None` when there are none.
    pub filter: Option<Expr>,
}

/// Extracts `limit`, `offset`, `orderBy` (repeatable) and `order` from request pairs; for
/// repeated `limit`/`offset`/`order` the first wins. Other keys are ignored.
pub fn parse_paging<K, V>(pairs: &[(K, V)]) -> Result<Paging, ParamError>
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut paging = Paging::default();
    let first = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v.as_ref().trim())
    };
    if let Some(raw) = first("limit").filter(|raw| !raw.is_empty()) {
        paging.limit = raw
            .parse()
            .map_err(|_| ParamError::InvalidLimit(raw.to_owned()))?;
    }
    if let Some(raw) = first("offset").filter(|raw| !raw.is_empty()) {
        paging.offset = raw
            .parse()
            .map_err(|_| ParamError::InvalidOffset(raw.to_owned()))?;
    }
    paging.order_by = pairs
        .iter()
        .filter(|(k, _)| k.as_ref() == "orderBy")
        .map(|(_, v)| v.as_ref().trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    paging.descending = first("order").is_some_and(|order| order.eq_ignore_ascii_case("desc"));
    Ok(paging)
}

/// Parses a v1 list query: paging, `comparator`, `match`, and every other pair (except keys in
/// `reserved` and [`CONTROL_KEYS`]) as a property filter. `null` / `notnull` (any case) mean
/// IS NULL / IS NOT NULL whatever the comparator. Repeated property keys give one filter each.
pub fn parse_v1_query<K, V>(pairs: &[(K, V)], reserved: &[&str]) -> Result<V1Query, ParamError>
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let paging = parse_paging(pairs)?;
    let comparator = match pairs.iter().find(|(k, _)| k.as_ref() == "comparator") {
        Some((_, raw)) => Comparator::parse(raw.as_ref())
            .ok_or_else(|| ParamError::UnknownComparator(raw.as_ref().to_owned()))?,
        None => Comparator::Eq,
    };
    let match_any = pairs
        .iter()
        .find(|(k, _)| k.as_ref() == "match")
        .is_some_and(|(_, v)| v.as_ref().trim().eq_ignore_ascii_case("any"));

    let properties: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .filter(|(k, _)| !k.is_empty() && !CONTROL_KEYS.contains(k) && !reserved.contains(k))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();

    let mut conditions: Vec<Expr> = properties
        .iter()
        .map(|(key, value)| {
            let predicate = if value.eq_ignore_ascii_case("null") {
                Predicate::IsNull
            } else if value.eq_ignore_ascii_case("notnull") {
                Predicate::IsNotNull
            } else {
                comparator.predicate(value)
            };
            Expr::condition(key.as_str(), predicate)
        })
        .collect();
    let filter = match conditions.len() {
        0 => None,
        1 => conditions.pop(),
        _ if match_any => Some(Expr::Or(conditions)),
        _ => Some(Expr::And(conditions)),
    };
    Ok(V1Query {
        paging,
        comparator,
        match_any,
        properties,
        filter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{PropType, PropValue};

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults() {
        let query = parse_v1_query::<&str, &str>(&[], &[]).expect("parses");
        assert_eq!(query.paging, Paging::default());
        assert_eq!(query.paging.limit, 10);
        assert_eq!(query.paging.effective_limit(), Some(10));
        assert_eq!(query.comparator, Comparator::Eq);
        assert!(!query.match_any);
        assert_eq!(query.filter, None);
    }

    #[test]
    fn paging_and_ordering() {
        let p = parse_paging(&pairs(&[
            ("limit", "0"),
            ("offset", "20"),
            ("orderBy", "lastEventTime"),
            ("orderBy", "id"),
            ("order", "DESC"),
            ("limit", "5"),
        ]))
        .expect("parses");
        assert_eq!(p.limit, 0);
        assert_eq!(p.effective_limit(), None);
        assert_eq!(p.offset, 20);
        assert_eq!(p.order_by, vec!["lastEventTime", "id"]);
        assert!(p.descending);
        let asc = parse_paging(&[("order", "ASC")]).expect("parses");
        assert!(!asc.descending);
        let other = parse_paging(&[("order", "sideways")]).expect("parses");
        assert!(!other.descending);
        let empty = parse_paging(&[("limit", ""), ("offset", " ")]).expect("parses");
        assert_eq!((empty.limit, empty.offset), (10, 0));
    }

    #[test]
    fn bad_numbers_are_errors() {
        assert_eq!(
            parse_paging(&[("limit", "ten")]),
            Err(ParamError::InvalidLimit("ten".into()))
        );
        assert_eq!(
            parse_paging(&[("limit", "-1")]),
            Err(ParamError::InvalidLimit("-1".into()))
        );
        assert_eq!(
            parse_paging(&[("offset", "1.5")]),
            Err(ParamError::InvalidOffset("1.5".into()))
        );
        assert!(parse_paging(&[("limit", "99999999999999999999999")]).is_err());
    }

    #[test]
    fn property_filters_use_the_single_comparator() {
        let query = parse_v1_query(
            &pairs(&[
                ("id", "100"),
                ("comparator", "GT"),
                ("eventAckTime", "notnull"),
            ]),
            &[],
        )
        .expect("parses");
        assert_eq!(query.comparator, Comparator::Gt);
        assert_eq!(
            query.filter,
            Some(Expr::And(vec![
                Expr::condition("id", Predicate::Gt("100".into())),
                Expr::condition("eventAckTime", Predicate::IsNotNull),
            ]))
        );
        assert_eq!(
            query.properties,
            vec![
                ("id".to_owned(), "100".to_owned()),
                ("eventAckTime".to_owned(), "notnull".to_owned())
            ]
        );
    }

    #[test]
    fn null_values_ignore_comparator_and_match_any_ors() {
        let query = parse_v1_query(
            &pairs(&[
                ("match", "ANY"),
                ("ackUser", "NULL"),
                ("label", "web%"),
                ("comparator", "like"),
            ]),
            &[],
        )
        .expect("parses");
        assert!(query.match_any);
        assert_eq!(
            query.filter,
            Some(Expr::Or(vec![
                Expr::condition("ackUser", Predicate::IsNull),
                Expr::condition("label", Predicate::Like(Pattern::from_sql("web%"))),
            ]))
        );
    }

    #[test]
    fn reserved_and_control_keys_are_skipped() {
        let query = parse_v1_query(
            &pairs(&[
                ("ack", "true"),
                ("_s", "x==1"),
                ("limit", "1"),
                ("", "x"),
                ("uei", "uei.opennms.org/x"),
                ("uei", "uei.opennms.org/y"),
            ]),
            &["ack", "_s"],
        )
        .expect("parses");
        assert_eq!(
            query.filter,
            Some(Expr::And(vec![
                Expr::condition("uei", Predicate::Eq("uei.opennms.org/x".into())),
                Expr::condition("uei", Predicate::Eq("uei.opennms.org/y".into())),
            ]))
        );
    }

    #[test]
    fn every_comparator() {
        for (name, expected) in [
            ("eq", Predicate::Eq("v".into())),
            ("ne", Predicate::Ne("v".into())),
            ("ilike", Predicate::ILike(Pattern::from_sql("v"))),
            ("like", Predicate::Like(Pattern::from_sql("v"))),
            ("gt", Predicate::Gt("v".into())),
            ("lt", Predicate::Lt("v".into())),
            ("ge", Predicate::Ge("v".into())),
            ("le", Predicate::Le("v".into())),
            ("iplike", Predicate::IpLike("v".into())),
            ("contains", Predicate::Contains("v".into())),
        ] {
            let query = parse_v1_query(&[("comparator", name), ("p", "v")], &[]).expect(name);
            assert_eq!(query.filter, Some(Expr::condition("p", expected)), "{name}");
        }
        assert_eq!(
            parse_v1_query(&[("comparator", "between")], &[]),
            Err(ParamError::UnknownComparator("between".into()))
        );
        assert!(parse_v1_query(&[("comparator", "")], &[]).is_err());
    }

    #[test]
    fn shares_the_evaluator_with_fiql() {
        let query =
            parse_v1_query(&[("comparator", "ge"), ("severity", "MINOR")], &[]).expect("parses");
        let filter = query
            .filter
            .expect("filter")
            .compile(|s| (s == "severity").then_some(PropType::Severity))
            .expect("compiles");
        assert!(filter.matches(|_| PropValue::Severity(6)));
        assert!(!filter.matches(|_| PropValue::Severity(4)));
    }
}
