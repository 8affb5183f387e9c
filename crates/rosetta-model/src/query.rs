//! Paging and sorting shared by every dialect.

use serde::{Deserialize, Serialize};

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Direction {
    /// Ascending (the default).
    #[default]
    Asc,
    /// Descending.
    Desc,
}

impl Direction {
    /// `desc` (any case) is descending, anything else ascending, as OpenNMS and openITCOCKPIT read it.
    pub fn parse_lenient(text: &str) -> Direction {
        if text.trim().eq_ignore_ascii_case("desc") {
            Direction::Desc
        } else {
            Direction::Asc
        }
    }

    /// Applies the direction to an ascending ordering.
    pub fn apply(self, ordering: std::cmp::Ordering) -> std::cmp::Ordering {
        match self {
            Direction::Asc => ordering,
            Direction::Desc => ordering.reverse(),
        }
    }
}

/// A window into a result list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    /// Items to skip.
    pub offset: usize,
    /// Items to return at most; `None` means all.
    pub limit: Option<usize>,
}

/// One page of results with the total count before paging.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Matching items before paging.
    pub total: usize,
}

impl<T> Page<T> {
    /// Cuts `window` out of all matching items.
    pub fn of(all: Vec<T>, window: Window) -> Page<T> {
        let total = all.len();
        let items = all
            .into_iter()
            .skip(window.offset)
            .take(window.limit.unwrap_or(usize::MAX))
            .collect();
        Page { items, total }
    }

    /// Converts the items, keeping the total.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), total: self.total }
    }
}

/// SQL `LIKE` matching with `%` and `_` wildcards, case-insensitive (MySQL's default collation, which
/// Opsview and openITCOCKPIT run on).
pub fn like(pattern: &str, text: &str) -> bool {
    // Classic wildcard matching with one backtrack point: linear in practice, O(n*m) at worst.
    let pattern: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('%') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&ch) if ch == '_' || ch == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|ch| *ch == '%')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matches_sql_wildcards() {
        assert!(like("web%", "Web01"));
        assert!(like("%eb_1", "web01"));
        assert!(!like("web_1", "web011"));
        assert!(like("%", ""));
        assert!(!like("a", ""));
    }

    #[test]
    fn page_counts_total_before_window() {
        let page = Page::of((0..10).collect(), Window { offset: 8, limit: Some(5) });
        assert_eq!(page.items, vec![8, 9]);
        assert_eq!(page.total, 10);
    }
}
