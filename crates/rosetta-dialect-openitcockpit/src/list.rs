//! Filtering, sorting and paging of in-memory rows, the way the product's index actions do it in SQL.

use std::cmp::Ordering;

use rosetta_core::GatewayError;

use crate::call::Call;
use crate::filter::{self, FieldKind, Filters};
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

fn compare_values(left: Option<&String>, right: Option<&String>) -> Ordering {
    match (left, right) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(left), Some(right)) => match (left.parse::<f64>(), right.parse::<f64>()) {
            (Ok(a), Ok(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            _ => left.to_lowercase().cmp(&right.to_lowercase()),
        },
    }
}

/// Filters, sorts and pages `rows`; `lookup(row, column)` gives a row's value of a filter or sort
/// column. A `sort` failing the product's guard, or naming an unknown column, is a 500.
pub fn page<T>(
    call: &Call<'_>,
    spec: &ListSpec<'_>,
    rows: Vec<T>,
    lookup: impl Fn(&T, &str) -> Option<String>,
) -> Result<(Vec<T>, Paging), GatewayError> {
    let order = sort::parse(&call.query, spec.default_order)
        .map_err(|err| GatewayError::internal(err.to_string()))?;
    let mut columns = Vec::with_capacity(order.len() + 1);
    for key in &order {
        let column = known_column(spec, &key.column)
            .ok_or_else(|| GatewayError::internal(format!("unknown sort column {}", key.column)))?;
        columns.push((column, key.direction));
    }
    columns.push((spec.tie_breaker, Direction::Asc));
    let conditions = filter::compile(spec.filters, &filters_of(call, spec.body_filters));
    let now = call.now_secs();
    let mut keyed: Vec<(Vec<Option<String>>, T)> = rows
        .into_iter()
        .filter(|row| filter::matches_all(&conditions, |field| lookup(row, field), now))
        .map(|row| (columns.iter().map(|(column, _)| lookup(&row, column)).collect(), row))
        .collect();
    keyed.sort_by(|(left, _), (right, _)| {
        for (index, (_, direction)) in columns.iter().enumerate() {
            let ordering = compare_values(left.get(index).and_then(Option::as_ref), right.get(index).and_then(Option::as_ref));
            let ordering = if *direction == Direction::Desc { ordering.reverse() } else { ordering };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    });
    let request = call.page_request();
    let count = keyed.len() as u64;
    let offset = usize::try_from(request.offset()).unwrap_or(usize::MAX);
    let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
    let page: Vec<T> = keyed.into_iter().skip(offset).take(limit).map(|(_, row)| row).collect();
    let paging = request.result(page.len() as u64, count);
    Ok((page, paging))
}

/// A boolean as the `0`/`1` text filters compare with.
pub fn flag(value: bool) -> Option<String> {
    Some(if value { "1" } else { "0" }.to_owned())
}

/// Text for a lookup.
pub fn text(value: impl ToString) -> Option<String> {
    Some(value.to_string())
}

