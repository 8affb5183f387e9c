//! Filtering, sorting and paging of in-memory rows, the way the product's index actions do it in SQL.

use std::cmp::Ordering;

use rosetta_core::GatewayError;
use rosetta_model::query::{Page, Window};

use crate::call::Call;
use crate::filter::{self, Condition, FieldKind, Filters};
use crate::paging::Paging;
use crate::sort::{self, Direction};

/// How one index action filters and sorts.
pub struct ListSpec<'a> {
    /// Filterable fields and their kinds.
    pub filters: &'a [(&'a str, FieldKind)],
    /// Sortable columns besides the filter fields.
    pub sortable: &'a [&'a str],
    /// Default order.
    pub default_order: &'a [(&'a str, Direction)],
    /// Always-appended tie-breaker column (ascending).
    pub tie_breaker: &'a str,
    /// True when a POSTed `{"filter": ...}` body replaces query filters (hosts/services index).
    pub body_filters: bool,
}

/// The filters of a request: the POSTed body's when allowed and present, else the query's.
pub fn filters_of(call: &Call<'_>, body_filters: bool) -> Filters {
    if body_filters && call.is_post() && call.body.get("filter").is_some() {
        Filters::from_body(&call.body)
    } else {
        Filters::from_query(&call.query)
    }
}

fn known_column<'a>(spec: &'a ListSpec<'_>, column: &str) -> Option<&'a str> {
    let all = spec.filters.iter().map(|(field, _)| *field).chain(spec.sortable.iter().copied());
    let mut fallback = None;
    for candidate in all {
        if candidate.eq_ignore_ascii_case(column) {
            return Some(candidate);
        }
        if fallback.is_none() && candidate.rsplit('.').next().is_some_and(|last| last.eq_ignore_ascii_case(column)) {
            fallback = Some(candidate);
        }
    }
    fallback
}

/// A row's value of one sort column, folded once so comparisons allocate nothing. Numbers sort
/// before text so the order stays total (MySQL's typed columns never mix the two).
#[derive(Debug)]
enum SortValue {
    Missing,
    Number(f64),
    Text(String),
}

impl SortValue {
    fn of(value: Option<String>) -> SortValue {
        match value {
            None => SortValue::Missing,
            Some(text) => match text.parse::<f64>() {
                Ok(number) if !number.is_nan() => SortValue::Number(number),
                _ => SortValue::Text(text.to_lowercase()),
            },
        }
    }

    fn compare(&self, other: &SortValue) -> Ordering {
        use SortValue::{Missing, Number, Text};
        match (self, other) {
            (Missing, Missing) => Ordering::Equal,
            (Missing, _) => Ordering::Less,
            (_, Missing) => Ordering::Greater,
            (Number(a), Number(b)) => a.total_cmp(b),
            (Number(_), Text(_)) => Ordering::Less,
            (Text(_), Number(_)) => Ordering::Greater,
            (Text(a), Text(b)) => a.cmp(b),
        }
    }
}

/// One request's compiled filters and order for an index action.
pub struct Plan<'s> {
    conditions: Vec<Condition>,
    columns: Vec<(&'s str, Direction)>,
    default_order: bool,
    now: i64,
}

impl<'s> Plan<'s> {
    /// Compiles the request's filters and `sort`; a `sort` failing the product's guard, or naming an
    /// unknown column, is a 500.
    pub fn new(call: &Call<'_>, spec: &'s ListSpec<'s>) -> Result<Plan<'s>, GatewayError> {
        let order = sort::parse(&call.query, spec.default_order).map_err(|err| GatewayError::internal(err.to_string()))?;
        let mut columns = Vec::with_capacity(order.len() + 1);
        for key in &order {
            let column = known_column(spec, &key.column)
                .ok_or_else(|| GatewayError::internal(format!("unknown sort column {}", key.column)))?;
            columns.push((column, key.direction));
        }
        let default_order = columns.len() == spec.default_order.len()
            && columns.iter().zip(spec.default_order).all(|(have, want)| have.0 == want.0 && have.1 == want.1);
        columns.push((spec.tie_breaker, Direction::Asc));
        let conditions = filter::compile(spec.filters, &filters_of(call, spec.body_filters));
        Ok(Plan { conditions, columns, default_order, now: call.now_secs() })
    }

    /// True when no filter applies and the order is the action's default, so the action may read its
    /// rows from an index already in that order (see [`page_ordered`]).
    pub fn is_unfiltered_default(&self) -> bool {
        self.conditions.is_empty() && self.default_order
    }

    /// Filters, sorts and pages `rows`; `lookup(row, column)` gives a row's value of a filter or sort
    /// column. Only the rows up to the end of the page are fully sorted.
    pub fn page<T>(&self, call: &Call<'_>, rows: Vec<T>, lookup: impl Fn(&T, &str) -> Option<String>) -> (Vec<T>, Paging) {
        let keyed: Vec<(Vec<SortValue>, T)> = rows
            .into_iter()
            .filter(|row| filter::matches_all(&self.conditions, |field| lookup(row, field), self.now))
            .map(|row| (self.columns.iter().map(|(column, _)| SortValue::of(lookup(&row, column))).collect(), row))
            .collect();
        let request = call.page_request();
        let window = Window {
            offset: usize::try_from(request.offset()).unwrap_or(usize::MAX),
            limit: Some(usize::try_from(request.limit).unwrap_or(usize::MAX)),
        };
        let page = Page::sorted(keyed, window, |(left, _), (right, _)| {
            for ((a, b), (_, direction)) in left.iter().zip(right).zip(&self.columns) {
                let ordering = a.compare(b);
                let ordering = if *direction == Direction::Desc { ordering.reverse() } else { ordering };
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
            Ordering::Equal
        });
        let rows: Vec<T> = page.items.into_iter().map(|(_, row)| row).collect();
        let paging = request.result(rows.len() as u64, page.total as u64);
        (rows, paging)
    }
}

/// Filters, sorts and pages `rows` (see [`Plan::page`]).
pub fn page<T>(
    call: &Call<'_>,
    spec: &ListSpec<'_>,
    rows: Vec<T>,
    lookup: impl Fn(&T, &str) -> Option<String>,
) -> Result<(Vec<T>, Paging), GatewayError> {
    Ok(Plan::new(call, spec)?.page(call, rows, lookup))
}

/// Pages rows that already come filtered and in the requested order: skips to the page and takes it;
/// only paginator mode asks `count` for the number of all rows (which it can work out without building
/// them). Scroll mode stops after the page, which is why the product offers it.
pub fn page_ordered<T>(call: &Call<'_>, mut rows: impl Iterator<Item = T>, count: impl FnOnce() -> usize) -> (Vec<T>, Paging) {
    let request = call.page_request();
    let offset = usize::try_from(request.offset()).unwrap_or(usize::MAX);
    let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
    rows.by_ref().take(offset).for_each(drop);
    let page: Vec<T> = rows.take(limit).collect();
    let count = if request.is_scroll() { 0 } else { count() };
    let paging = request.result(page.len() as u64, count as u64);
    (page, paging)
}

/// A boolean as the `0`/`1` text filters compare with.
pub fn flag(value: bool) -> Option<String> {
    Some(if value { "1" } else { "0" }.to_owned())
}

/// Text for a lookup.
pub fn text(value: impl ToString) -> Option<String> {
    Some(value.to_string())
}

