//! `sort` and `direction` query parameters (spec §2.4).
//!
//! Accepted forms, as the product's `Filter::getOrderForPaginator` reads them:
//! - `sort=Hosts.name&direction=desc`: `direction` must be exactly `asc` or `desc`, anything else
//!   means the action's default direction; `sort=` (empty) means the action's default order;
//! - the array form `sort[Hosts.name]=asc&sort[Hosts.id]=desc`: each entry is `desc` when its
//!   value is exactly `desc` and `asc` otherwise; `direction` is ignored.
//!
//! PHP query semantics apply: the last assignment of `sort` wins, a scalar `sort` replaces an
//! earlier array and vice versa, and a repeated array key keeps its first position but takes the
//! last value. Every resulting column must pass the product's guard ([`is_valid_column`]).

use thiserror::Error;

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

impl Direction {
    /// Parses exactly `asc` or `desc` (case-sensitive, as the product compares with `===`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "asc" => Some(Direction::Asc),
            "desc" => Some(Direction::Desc),
            _ => None,
        }
    }

    /// `"asc"` or `"desc"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }
}

/// One ordering term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    /// The column as the client named it (`Table.column`), already validated.
    pub column: String,
    /// The direction.
    pub direction: Direction,
}

/// Why a `sort` parameter was rejected; the dialect answers these with a generic 500.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SortError {
    /// The column does not match `^[a-zA-Z_]+(\.[a-zA-Z_]+)*$` (the product's "Bobby Tables" guard).
    #[error("invalid sort column {0:?}")]
    InvalidColumn(String),
}

/// True when `column` matches `^[a-zA-Z_]+(\.[a-zA-Z_]+)*$`.
///
/// Unlike PCRE's `$`, a trailing newline is not accepted.
pub fn is_valid_column(column: &str) -> bool {
    !column.is_empty()
        && column.split('.').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
        })
}

enum Raw<'a> {
    Scalar(&'a str),
    Array(Vec<(&'a str, &'a str)>),
}

/// Parses the requested order from decoded query pairs.
///
/// `defaults` is the action's default order, returned when `sort` is absent or empty; its first
/// direction (or ascending when empty) is also the default for `sort=<column>` without a valid
/// `direction`. Returns
/// [`SortError::InvalidColumn`] for a column failing the product's guard; the caller appends any
/// always-present tie-breakers (e.g. `Hosts.id asc`).
pub fn parse(
    pairs: &[(String, String)],
    defaults: &[(&str, Direction)],
) -> Result<Vec<SortKey>, SortError> {
    let mut raw: Option<Raw<'_>> = None;
    let mut direction = None;
    for (key, value) in pairs {
        if key == "sort" {
            raw = Some(Raw::Scalar(value));
        } else if key == "direction" {
            direction = Some(value.as_str());
        } else if let Some(rest) = key.strip_prefix("sort[") {
            let column = rest.split_once(']').map_or(rest, |(inner, _)| inner);
            let mut entries = match raw.take() {
                Some(Raw::Array(entries)) => entries,
                _ => Vec::new(),
            };
            match entries.iter_mut().find(|(c, _)| *c == column) {
                Some(entry) => entry.1 = value,
                None => entries.push((column, value)),
            }
            raw = Some(Raw::Array(entries));
        }
    }
    let default_direction = defaults.first().map_or(Direction::Asc, |(_, d)| *d);
    let validated = |column: &str, direction: Direction| {
        if is_valid_column(column) {
            Ok(SortKey {
                column: column.to_string(),
                direction,
            })
        } else {
            Err(SortError::InvalidColumn(column.to_string()))
        }
    };
    match raw {
        Some(Raw::Scalar(column)) if !column.is_empty() => {
            let direction = direction
                .and_then(Direction::parse)
                .unwrap_or(default_direction);
            Ok(vec![validated(column, direction)?])
        }
        Some(Raw::Array(entries)) if !entries.is_empty() => entries
            .into_iter()
            .map(|(column, dir)| {
                let direction = if dir == "desc" {
                    Direction::Desc
                } else {
                    Direction::Asc
                };
                validated(column, direction)
            })
            .collect(),
        _ => Ok(defaults
            .iter()
            .map(|(column, direction)| SortKey {
                column: (*column).to_string(),
                direction: *direction,
            })
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn keys(v: &[SortKey]) -> Vec<(&str, Direction)> {
        v.iter().map(|k| (k.column.as_str(), k.direction)).collect()
    }

    const HOSTS: &[(&str, Direction)] = &[("Hoststatus.current_state", Direction::Desc)];

    #[test]
    fn column_guard() {
        assert!(is_valid_column("Hosts.name"));
        assert!(is_valid_column("servicename"));
        assert!(is_valid_column("_a._b_.c"));
        assert!(!is_valid_column(""));
        assert!(!is_valid_column("Hosts."));
        assert!(!is_valid_column(".name"));
        assert!(!is_valid_column("Hosts..name"));
        assert!(!is_valid_column("Hosts.name2"));
        assert!(!is_valid_column("Hosts.name;DROP TABLE hosts"));
        assert!(!is_valid_column("Hosts.name\n"));
        assert!(!is_valid_column("Hösts.name"));
        assert!(!is_valid_column("Hosts name"));
    }

    #[test]
    fn defaults_when_absent_or_empty() {
        let d = parse(&[], HOSTS).expect("ok");
        assert_eq!(
            keys(&d),
            vec![("Hoststatus.current_state", Direction::Desc)]
        );
        let d = parse(&q(&[("sort", "")]), HOSTS).expect("ok");
        assert_eq!(
            keys(&d),
            vec![("Hoststatus.current_state", Direction::Desc)]
        );
        assert!(parse(&q(&[("sort", "0")]), HOSTS).is_err());
        assert!(parse(&[], &[]).expect("ok").is_empty());
    }

    #[test]
    fn scalar_sort_with_direction() {
        let d = parse(&q(&[("sort", "Hosts.name"), ("direction", "asc")]), HOSTS).expect("ok");
        assert_eq!(keys(&d), vec![("Hosts.name", Direction::Asc)]);
        let d = parse(&q(&[("direction", "desc"), ("sort", "Hosts.name")]), &[]).expect("ok");
        assert_eq!(keys(&d), vec![("Hosts.name", Direction::Desc)]);
        let d = parse(&q(&[("direction", "ASC"), ("sort", "Hosts.name")]), HOSTS).expect("ok");
        assert_eq!(keys(&d), vec![("Hosts.name", Direction::Desc)]);
        let d = parse(&q(&[("sort", "Hosts.name"), ("direction", "up")]), HOSTS).expect("ok");
        assert_eq!(keys(&d), vec![("Hosts.name", Direction::Desc)]);
        let d = parse(&q(&[("sort", "Hosts.name")]), &[]).expect("ok");
        assert_eq!(keys(&d), vec![("Hosts.name", Direction::Asc)]);
    }

    #[test]
    fn invalid_column_is_an_error() {
        let err = parse(&q(&[("sort", "Hosts.name desc")]), HOSTS).expect_err("invalid");
        assert_eq!(err, SortError::InvalidColumn("Hosts.name desc".into()));
        assert!(parse(&q(&[("sort", "1")]), HOSTS).is_err());
        assert!(parse(&q(&[("sort[]", "asc")]), HOSTS).is_err());
        assert!(parse(&q(&[("sort[Hosts.id) ]", "asc")]), HOSTS).is_err());
        assert!(parse(&q(&[("sort", "ä")]), HOSTS).is_err());
    }

    #[test]
    fn array_form() {
        let d = parse(
            &q(&[("sort[Hosts.name]", "asc"), ("sort[Hosts.id]", "desc")]),
            HOSTS,
        )
        .expect("ok");
        assert_eq!(
            keys(&d),
            vec![
                ("Hosts.name", Direction::Asc),
                ("Hosts.id", Direction::Desc)
            ]
        );
        let d = parse(
            &q(&[
                ("sort[Hosts.name]", "asc"),
                ("sort[Hosts.id]", "bogus"),
                ("sort[Hosts.name]", "desc"),
            ]),
            HOSTS,
        )
        .expect("ok");
        assert_eq!(
            keys(&d),
            vec![
                ("Hosts.name", Direction::Desc),
                ("Hosts.id", Direction::Asc)
            ]
        );
        let d = parse(
            &q(&[("sort[Hosts.name]", "DESC"), ("direction", "desc")]),
            HOSTS,
        )
        .expect("ok");
        assert_eq!(keys(&d), vec![("Hosts.name", Direction::Asc)]);
        let d = parse(&q(&[("sort[Hosts.name]x", "asc")]), HOSTS).expect("ok");
        assert_eq!(keys(&d), vec![("Hosts.name", Direction::Asc)]);
    }

    #[test]
    fn last_assignment_wins() {
        let d = parse(
            &q(&[("sort[Hosts.name]", "asc"), ("sort", "Hosts.id")]),
            HOSTS,
        )
        .expect("ok");
        assert_eq!(keys(&d), vec![("Hosts.id", Direction::Desc)]);
        let d = parse(
            &q(&[("sort", "Hosts.id"), ("sort[Hosts.name]", "asc")]),
            HOSTS,
        )
        .expect("ok");
        assert_eq!(keys(&d), vec![("Hosts.name", Direction::Asc)]);
        let d = parse(&q(&[("sort", "x;"), ("sort", "Hosts.id")]), HOSTS).expect("ok");
        assert_eq!(keys(&d), vec![("Hosts.id", Direction::Desc)]);
    }

    #[test]
    fn direction_parse() {
        assert_eq!(Direction::parse("asc"), Some(Direction::Asc));
        assert_eq!(Direction::parse("desc"), Some(Direction::Desc));
        assert_eq!(Direction::parse(" asc "), None);
        assert_eq!(Direction::parse("Desc"), None);
        assert_eq!(Direction::parse(""), None);
        assert_eq!(Direction::parse("ascending"), None);
        assert_eq!(Direction::Asc.as_str(), "asc");
        assert_eq!(Direction::Desc.as_str(), "desc");
    }
}
