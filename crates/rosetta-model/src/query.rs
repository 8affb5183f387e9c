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

    /// Cuts `window` out of `all` ordered by `compare`, without sorting what lies past the window:
    /// a partial selection (linear) and a sort of the window's prefix only, so a page of 50 out of
    /// 100k rows costs one pass. `compare` must be a total order (end it with a unique tie-breaker),
    /// since rows comparing equal may come out in any order.
    pub fn sorted(mut all: Vec<T>, window: Window, mut compare: impl FnMut(&T, &T) -> std::cmp::Ordering) -> Page<T> {
        let total = all.len();
        let end = window.limit.map_or(total, |limit| window.offset.saturating_add(limit)).min(total);
        if window.offset >= end {
            return Page { items: Vec::new(), total };
        }
        if end < total {
            all.select_nth_unstable_by(end, &mut compare);
            all.truncate(end);
        }
        all.sort_unstable_by(&mut compare);
        all.drain(..window.offset);
        Page { items: all, total }
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
    fn sorted_window_matches_a_full_sort() {
        let all: Vec<u32> = (0..500).map(|i| (i * 7919) % 1009).collect();
        let mut expected = all.clone();
        expected.sort_unstable_by(|a, b| b.cmp(a));
        for (offset, limit) in [(0, Some(50)), (120, Some(50)), (480, Some(50)), (499, Some(1)), (0, None), (600, Some(10)), (10, Some(0))] {
            let page = Page::sorted(all.clone(), Window { offset, limit }, |a, b| b.cmp(a));
            let want: Vec<u32> = expected.iter().copied().skip(offset).take(limit.unwrap_or(usize::MAX)).collect();
            assert_eq!(page.items, want, "offset {offset} limit {limit:?}");
            assert_eq!(page.total, 500);
        }
    }

    #[test]
    fn page_counts_total_before_window() {
        let page = Page::of((0..10).collect(), Window { offset: 8, limit: Some(5) });
        assert_eq!(page.items, vec![8, 9]);
        assert_eq!(page.total, 10);
    }
}
