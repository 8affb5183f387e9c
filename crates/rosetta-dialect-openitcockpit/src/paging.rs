//! Pagination parameters (`page`, `limit`, `scroll`) and the `paging`/`scroll` blocks (spec §2.3).

use serde_json::{json, Value};

use crate::php;

/// The product's default page size (users' `paginatorlength`).
pub const DEFAULT_LIMIT: u64 = 25;

/// Which of the two pagination styles a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Scroll mode: no COUNT query, a `scroll` block with `hasNextPage`.
    Scroll,
    /// Paginator mode (the default): COUNT query, a `paging` block with `count`/`pageCount`.
    Paginator,
}

/// Pagination parameters parsed from a query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number (always ≥ 1).
    pub page: u64,
    /// Page size (always ≥ 1; no upper cap, as in the product).
    pub limit: u64,
    /// Scroll or paginator mode.
    pub mode: Mode,
}

impl PageRequest {
    /// Parses `page`, `limit` and `scroll` from decoded query pairs.
    ///
    /// Values go through PHP's `(int)` cast (`"3abc"` → 3); a result ≤ 0 falls back to page 1 and
    /// `default_limit` (itself clamped to ≥ 1). The last occurrence of a key wins. Scroll mode is
    /// selected when `scroll` is present with any value other than the literal `false` (so
    /// `scroll=0` and `scroll=` select scroll mode, as in the product).
    pub fn from_query(pairs: &[(String, String)], default_limit: u64) -> Self {
        let mut page = None;
        let mut limit = None;
        let mut scroll = None;
        for (key, value) in pairs {
            match key.as_str() {
                "page" => page = Some(value.as_str()),
                "limit" => limit = Some(value.as_str()),
                "scroll" => scroll = Some(value.as_str()),
                _ if key.starts_with("scroll[") => scroll = Some(""),
                _ => {}
            }
        }
        let positive = |v: Option<&str>| {
            v.map(php::int_value)
                .and_then(|n| u64::try_from(n).ok())
                .filter(|n| *n > 0)
        };
        let mode = match scroll {
            Some(v) if v != "false" => Mode::Scroll,
            _ => Mode::Paginator,
        };
        PageRequest {
            page: positive(page).unwrap_or(1),
            limit: positive(limit).unwrap_or(default_limit.max(1)),
            mode,
        }
    }

    /// True in scroll mode (the caller can then skip the COUNT query).
    pub fn is_scroll(&self) -> bool {
        self.mode == Mode::Scroll
    }

    /// Rows to skip: `limit * (page - 1)`, saturating.
    pub fn offset(&self) -> u64 {
        offset(self.page, self.limit)
    }

    /// Builds the response block once the page has been fetched.
    ///
    /// `rows` is the number of rows on this page; `count` the total number of matching rows,
    /// only used in paginator mode (pass anything, e.g. 0, in scroll mode).
    pub fn result(&self, rows: u64, count: u64) -> Paging {
        match self.mode {
            Mode::Scroll => Paging::scroll(self.page, self.limit, rows),
            Mode::Paginator => Paging::paginator(self.page, self.limit, rows, count),
        }
    }
}

fn offset(page: u64, limit: u64) -> u64 {
    limit.saturating_mul(page.saturating_sub(1))
}

/// A finished pagination block, ready to be appended to the response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// The `scroll` block.
    Scroll {
        /// Page number (≥ 1).
        page: u64,
        /// Page size (≥ 1).
        limit: u64,
        /// Whether this page was full (`rows == limit`).
        has_next_page: bool,
    },
    /// The `paging` block.
    Paginator {
        /// Page number (≥ 1).
        page: u64,
        /// Page size (≥ 1).
        limit: u64,
        /// Rows on this page.
        current: u64,
        /// Total matching rows.
        count: u64,
    },
}

impl Paging {
    /// A scroll block for `page`/`limit` (each clamped to ≥ 1) with `rows` rows returned.
    pub fn scroll(page: u64, limit: u64, rows: u64) -> Self {
        let limit = limit.max(1);
        Paging::Scroll {
            page: page.max(1),
            limit,
            has_next_page: rows == limit,
        }
    }

    /// A paginator block for `page`/`limit` (each clamped to ≥ 1), `rows` on this page and `count`
    /// rows in total.
    pub fn paginator(page: u64, limit: u64, rows: u64, count: u64) -> Self {
        Paging::Paginator {
            page: page.max(1),
            limit: limit.max(1),
            current: rows,
            count,
        }
    }

    /// The response key: `"scroll"` or `"paging"`.
    pub fn key(&self) -> &'static str {
        match self {
            Paging::Scroll { .. } => "scroll",
            Paging::Paginator { .. } => "paging",
        }
    }

    /// Rows to skip for this block's page.
    pub fn offset(&self) -> u64 {
        match *self {
            Paging::Scroll { page, limit, .. } | Paging::Paginator { page, limit, .. } => {
                offset(page, limit)
            }
        }
    }

    /// The block's JSON value with the product's exact key order.
    pub fn to_value(&self) -> Value {
        match *self {
            Paging::Scroll {
                page,
                limit,
                has_next_page,
            } => json!({
                "page": page,
                "limit": limit,
                "offset": offset(page, limit),
                "hasPrevPage": page > 1,
                "prevPage": if page > 1 { page - 1 } else { 1 },
                "nextPage": page.saturating_add(1),
                "current": page,
                "hasNextPage": has_next_page,
            }),
            Paging::Paginator {
                page,
                limit,
                current,
                count,
            } => {
                let page_count = if count == 0 { 1 } else { count.div_ceil(limit) };
                json!({
                    "page": page,
                    "current": current,
                    "count": count,
                    "prevPage": page != 1,
                    "nextPage": page.saturating_mul(limit) < count,
                    "pageCount": page_count,
                    "limit": limit,
                    "options": [],
                    "paramType": "named",
                    "queryScope": null,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults() {
        let r = PageRequest::from_query(&[], DEFAULT_LIMIT);
        assert_eq!(
            r,
            PageRequest {
                page: 1,
                limit: 25,
                mode: Mode::Paginator
            }
        );
        assert_eq!(r.offset(), 0);
        assert_eq!(PageRequest::from_query(&[], 0).limit, 1);
    }

    #[test]
    fn page_and_limit_parsing() {
        let r = PageRequest::from_query(&q(&[("page", "3"), ("limit", "10")]), 25);
        assert_eq!((r.page, r.limit, r.offset()), (3, 10, 20));
        let r = PageRequest::from_query(&q(&[("page", "0"), ("limit", "-5")]), 40);
        assert_eq!((r.page, r.limit), (1, 40));
        let r = PageRequest::from_query(&q(&[("page", "abc"), ("limit", "x")]), 25);
        assert_eq!((r.page, r.limit), (1, 25));
        let r = PageRequest::from_query(&q(&[("page", "2abc"), ("limit", "1e2")]), 25);
        assert_eq!((r.page, r.limit), (2, 100));
        let r = PageRequest::from_query(&q(&[("limit", "100000")]), 25);
        assert_eq!(r.limit, 100_000);
        let r = PageRequest::from_query(&q(&[("page", "1"), ("page", "4")]), 25);
        assert_eq!(r.page, 4);
        let r = PageRequest::from_query(&q(&[("page", "99999999999999999999999")]), 25);
        assert_eq!(r.page, i64::MAX as u64);
        assert_eq!(r.offset(), 25u64.saturating_mul(i64::MAX as u64 - 1));
    }

    #[test]
    fn scroll_detection() {
        let mode = |pairs: &[(&str, &str)]| PageRequest::from_query(&q(pairs), 25).mode;
        assert_eq!(mode(&[("scroll", "true")]), Mode::Scroll);
        assert_eq!(mode(&[("scroll", "1")]), Mode::Scroll);
        assert_eq!(mode(&[("scroll", "0")]), Mode::Scroll);
        assert_eq!(mode(&[("scroll", "")]), Mode::Scroll);
        assert_eq!(mode(&[("scroll", "FALSE")]), Mode::Scroll);
        assert_eq!(mode(&[("scroll[]", "x")]), Mode::Scroll);
        assert_eq!(mode(&[("scroll", "false")]), Mode::Paginator);
        assert_eq!(
            mode(&[("scroll", "true"), ("scroll", "false")]),
            Mode::Paginator
        );
        assert_eq!(mode(&[("angular", "true")]), Mode::Paginator);
    }

    #[test]
    fn scroll_block_matches_spec() {
        let r = PageRequest::from_query(&q(&[("scroll", "true"), ("page", "2")]), 25);
        let block = r.result(3, 0);
        assert_eq!(block.key(), "scroll");
        assert_eq!(block.offset(), 25);
        assert_eq!(
            json::encode(&block.to_value()),
            r#"{"page":2,"limit":25,"offset":25,"hasPrevPage":true,"prevPage":1,"nextPage":3,"current":2,"hasNextPage":false}"#
        );
        let first = Paging::scroll(1, 50, 50).to_value();
        assert_eq!(
            json::encode(&first),
            r#"{"page":1,"limit":50,"offset":0,"hasPrevPage":false,"prevPage":1,"nextPage":2,"current":1,"hasNextPage":true}"#
        );
        assert_eq!(Paging::scroll(5, 10, 0).to_value()["prevPage"], 4);
    }

    #[test]
    fn paging_block_matches_spec() {
        let block = Paging::paginator(1, 20, 3, 3);
        assert_eq!(block.key(), "paging");
        assert_eq!(
            json::encode(&block.to_value()),
            r#"{"page":1,"current":3,"count":3,"prevPage":false,"nextPage":false,"pageCount":1,"limit":20,"options":[],"paramType":"named","queryScope":null}"#
        );
        let v = Paging::paginator(2, 10, 10, 35).to_value();
        assert_eq!(v["prevPage"], true);
        assert_eq!(v["nextPage"], true);
        assert_eq!(v["pageCount"], 4);
        let v = Paging::paginator(4, 10, 5, 35).to_value();
        assert_eq!(v["nextPage"], false);
        let empty = Paging::paginator(1, 25, 0, 0).to_value();
        assert_eq!(empty["pageCount"], 1);
        let past_end = Paging::paginator(9, 25, 0, 3).to_value();
        assert_eq!(past_end["current"], 0);
        assert_eq!(past_end["pageCount"], 1);
        let huge = Paging::paginator(u64::MAX, u64::MAX, 0, u64::MAX).to_value();
        assert_eq!(huge["nextPage"], false);
        assert_eq!(Paging::paginator(0, 0, 0, 5).to_value()["pageCount"], 5);
    }
}
