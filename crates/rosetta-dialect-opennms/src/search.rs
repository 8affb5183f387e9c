//! Search schemas: the properties of each collection (what `/properties` lists, what FIQL and v1
//! filters may name, what `orderBy` accepts), and the one list pipeline that filters, orders and
//! pages rows with them.

use std::cmp::Ordering;

use rosetta_core::GatewayError;
use rosetta_model::query::{Page, Window};
use serde_json::{json, Value};

use crate::filter::{Expr, Filter, PropType, PropValue};
use crate::filter_params::Paging;
use crate::severity::severity_label;

/// One search property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prop {
    /// Id used in FIQL and `orderBy` (`node.label`).
    pub id: &'static str,
    /// Human name shown by `/properties`.
    pub name: &'static str,
    /// Value type.
    pub kind: PropType,
}

/// Shorthand for a [`Prop`].
pub const fn prop(id: &'static str, name: &'static str, kind: PropType) -> Prop {
    Prop { id, name, kind }
}

/// The searchable shape of one collection of rows `R`.
pub struct Schema<R> {
    /// Properties, in `/properties` order.
    pub props: &'static [Prop],
    /// Other names for properties (`nodeId` → `node.id`, v1 Hibernate paths).
    pub aliases: &'static [(&'static str, &'static str)],
    /// Prefixes that name the entity itself (`alarm.` in `alarm.id`).
    pub prefixes: &'static [&'static str],
    /// A row's value of a (canonical) property.
    pub lookup: fn(&R, &str) -> PropValue,
}

/// Tiebreaker order appended after the requested one: (property, descending).
pub type DefaultOrder = &'static [(&'static str, bool)];

/// A list request compiled against a [`Schema`] (see [`Schema::plan`]).
#[derive(Debug)]
pub struct Plan {
    /// The typed filter, if any.
    pub filter: Option<Filter>,
    /// Each selector of the filter with the canonical property it names.
    selectors: Vec<(String, &'static str)>,
    /// The full order: (canonical property, descending), requested first, then the default order.
    pub order: Vec<(&'static str, bool)>,
}

impl Plan {
    /// True when the row whose (canonical) property values `lookup` gives passes the filter.
    pub fn matches(&self, lookup: impl Fn(&'static str) -> PropValue) -> bool {
        self.filter.as_ref().is_none_or(|filter| {
            filter.matches(|selector| {
                self.selectors.iter().find(|(known, _)| known == selector).map_or(PropValue::Null, |(_, id)| lookup(id))
            })
        })
    }

    /// The canonical properties the filter reads.
    pub fn filter_props(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.selectors.iter().map(|(_, id)| *id)
    }

    /// A row's sort key: its value of each property of the order, computed once so that comparing two
    /// rows allocates nothing.
    pub fn keys(&self, lookup: impl Fn(&'static str) -> PropValue) -> Vec<PropValue> {
        self.order.iter().map(|(id, _)| lookup(id)).collect()
    }

    /// Compares two sort keys made by [`Plan::keys`] in the order of the plan.
    pub fn compare_keys(&self, left: &[PropValue], right: &[PropValue]) -> Ordering {
        self.order
            .iter()
            .zip(left.iter().zip(right))
            .map(|((_, descending), (left, right))| {
                let ordering = compare(left, right);
                if *descending {
                    ordering.reverse()
                } else {
                    ordering
                }
            })
            .find(|ordering| *ordering != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    }
}

impl<R> Schema<R> {
    /// The property a selector names, after aliases and prefixes.
    pub fn resolve(&self, selector: &str) -> Option<&'static Prop> {
        let mut name = selector.trim();
        for prefix in self.prefixes {
            if let Some(rest) = name.strip_prefix(prefix) {
                if self.find(rest).is_some() || self.aliases.iter().any(|(alias, _)| *alias == rest) {
                    name = rest;
                }
            }
        }
        if let Some(found) = self.find(name) {
            return Some(found);
        }
        let canonical = self.aliases.iter().find(|(alias, _)| alias.eq_ignore_ascii_case(name))?.1;
        self.find(canonical)
    }

    fn find(&self, id: &str) -> Option<&'static Prop> {
        self.props.iter().find(|prop| prop.id == id)
    }

    /// Compiles a list request against the schema: the typed filter, its selectors resolved once, and
    /// the full order (the requested properties, then `default_order`). Unknown properties and bad
    /// operands are 400s.
    pub fn plan(
        &self,
        filter: Option<&Expr>,
        paging: &Paging,
        default_order: DefaultOrder,
    ) -> Result<Plan, GatewayError> {
        let (filter, selectors) = match filter {
            Some(expr) => {
                let compiled = expr
                    .compile(|selector| self.resolve(selector).map(|prop| prop.kind))
                    .map_err(|err| GatewayError::bad_request(err.to_string()))?;
                let selectors = expr
                    .selectors()
                    .into_iter()
                    .filter_map(|selector| self.resolve(selector).map(|prop| (selector.to_owned(), prop.id)))
                    .collect();
                (Some(compiled), selectors)
            }
            None => (None, Vec::new()),
        };
        let mut order: Vec<(&'static str, bool)> = Vec::new();
        for name in &paging.order_by {
            let prop = self
                .resolve(name)
                .ok_or_else(|| GatewayError::bad_request(format!("Unknown orderBy property: {name:?}")))?;
            order.push((prop.id, paging.descending));
        }
        order.extend(default_order.iter().copied());
        Ok(Plan { filter, selectors, order })
    }

    /// Filters, orders and pages `rows`. Unknown properties and bad operands are 400s.
    pub fn query(
        &self,
        rows: Vec<R>,
        filter: Option<&Expr>,
        paging: &Paging,
        default_order: DefaultOrder,
    ) -> Result<Page<R>, GatewayError> {
        let plan = self.plan(filter, paging, default_order)?;
        let mut matching: Vec<(Vec<PropValue>, R)> = rows
            .into_iter()
            .filter(|row| plan.matches(|id| (self.lookup)(row, id)))
            .map(|row| (plan.keys(|id| (self.lookup)(&row, id)), row))
            .collect();
        matching.sort_by(|left, right| plan.compare_keys(&left.0, &right.0));
        let matching = matching.into_iter().map(|(_, row)| row).collect();
        Ok(Page::of(matching, Window { offset: paging.offset, limit: paging.effective_limit() }))
    }

    /// The `/properties` body: every property with its type (severities carry their labels).
    pub fn properties_json(&self) -> Value {
        let items: Vec<Value> = self.props.iter().map(property_json).collect();
        json!({"count": items.len(), "totalCount": items.len(), "offset": 0, "searchProperty": items})
    }

    /// The distinct values of one property over `rows`, for `/properties/{id}`.
    pub fn distinct_values(&self, rows: &[R], prop: &Prop, limit: usize) -> Vec<Value> {
        let mut values: Vec<PropValue> = Vec::new();
        for row in rows {
            let value = (self.lookup)(row, prop.id);
            let scalars = match value {
                PropValue::List(items) => items,
                other => vec![other],
            };
            for scalar in scalars {
                if scalar != PropValue::Null && !values.contains(&scalar) {
                    values.push(scalar);
                }
            }
        }
        values.sort_by(compare);
        values.into_iter().take(if limit == 0 { usize::MAX } else { limit }).map(value_json).collect()
    }
}

fn property_json(prop: &Prop) -> Value {
    let kind = match prop.kind {
        PropType::Str | PropType::Bool => "STRING",
        PropType::Int | PropType::Severity => "INTEGER",
        PropType::Float => "FLOAT",
        PropType::Time => "TIMESTAMP",
        PropType::Ip => "IP_ADDRESS",
    };
    let mut value = json!({
        "id": prop.id,
        "name": prop.name,
        "type": kind,
        "orderBy": true,
        "iplike": prop.kind == PropType::Ip,
    });
    if prop.kind == PropType::Severity {
        let labels: serde_json::Map<String, Value> = (1u8..=7)
            .filter_map(|id| severity_label(id).map(|label| (id.to_string(), Value::String(title_case(label)))))
            .collect();
        value["values"] = Value::Object(labels);
    }
    value
}

fn title_case(label: &str) -> String {
    let lower = label.to_ascii_lowercase();
    let mut chars = lower.chars();
    chars.next().map_or_else(String::new, |first| first.to_ascii_uppercase().to_string() + chars.as_str())
}

fn value_json(value: PropValue) -> Value {
    match value {
        PropValue::Int(number) | PropValue::Time(number) => json!(number),
        PropValue::Severity(id) => json!(severity_label(id).unwrap_or_default()),
        PropValue::Float(number) => json!(number),
        PropValue::Bool(flag) => json!(flag),
        other => json!(other.text().map(|text| text.into_owned()).unwrap_or_default()),
    }
}

/// Total order for sorting: NULLs last (PostgreSQL ascending), then by value.
fn compare(left: &PropValue, right: &PropValue) -> Ordering {
    use PropValue as V;
    match (left, right) {
        (V::Null, V::Null) => Ordering::Equal,
        (V::Null, _) => Ordering::Greater,
        (_, V::Null) => Ordering::Less,
        (V::Str(a), V::Str(b)) => a.cmp(b),
        (V::Int(a), V::Int(b)) | (V::Time(a), V::Time(b)) => a.cmp(b),
        (V::Float(a), V::Float(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
        (V::Bool(a), V::Bool(b)) => a.cmp(b),
        (V::Severity(a), V::Severity(b)) => a.cmp(b),
        (V::Ip(a), V::Ip(b)) => a.cmp(b),
        (V::List(a), V::List(b)) => match (a.first(), b.first()) {
            (Some(x), Some(y)) => compare(x, y),
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
        },
        (a, b) => a.text().cmp(&b.text()),
    }
}

/// A text property value, NULL when empty.
pub fn text_value(text: &str) -> PropValue {
    if text.is_empty() {
        PropValue::Null
    } else {
        PropValue::Str(text.to_owned())
    }
}

/// An optional text property value.
pub fn opt_text(text: Option<&str>) -> PropValue {
    text.map_or(PropValue::Null, text_value)
}

/// An address property value: an IP when it parses, else text.
pub fn ip_value(address: &str) -> PropValue {
    match address.trim().parse() {
        Ok(ip) => PropValue::Ip(ip),
        Err(_) => text_value(address),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter_params::parse_paging;
    use crate::fiql;

    const PROPS: &[Prop] = &[prop("id", "ID", PropType::Int), prop("severity", "Severity", PropType::Severity)];

    fn schema() -> Schema<(i64, u8)> {
        Schema {
            props: PROPS,
            aliases: &[("alarmId", "id")],
            prefixes: &["alarm."],
            lookup: |row, id| match id {
                "id" => PropValue::Int(row.0),
                "severity" => PropValue::Severity(row.1),
                _ => PropValue::Null,
            },
        }
    }

    #[test]
    fn filters_orders_and_pages() {
        let rows = vec![(1, 6), (2, 7), (3, 4), (4, 6)];
        let expr = fiql::parse("alarm.severity=ge=MAJOR").expect("fiql");
        let paging = parse_paging(&[("limit", "2"), ("orderBy", "severity")]).expect("paging");
        let page = schema().query(rows, Some(&expr), &paging, &[("id", true)]).expect("query");
        assert_eq!(page.total, 3);
        assert_eq!(page.items, vec![(4, 6), (1, 6)]);
    }

    #[test]
    fn unknown_properties_are_bad_requests() {
        let paging = parse_paging(&[("orderBy", "nope")]).expect("paging");
        assert!(schema().query(vec![(1, 1)], None, &paging, &[]).is_err());
        let expr = fiql::parse("nope==1").expect("fiql");
        assert!(schema().query(vec![(1, 1)], Some(&expr), &Paging::default(), &[]).is_err());
        assert!(schema().resolve("alarmId").is_some());
    }
}
