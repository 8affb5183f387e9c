//! OpenNMS REST dialect: `/opennms/rest/...` (v1, XML by default) and `/opennms/api/v2/...` (JSON,
//! FIQL search) over Rosetta's shared monitoring store.
//!
//! Request flow: [`dialect`] (auth, URL roles, body, parameters) → [`routes`] (the route table) →
//! [`endpoints`] (handlers) using [`entity`] (rows, search schemas and wire forms over the model),
//! [`search`] (filter, order, page), [`call`] (formats and envelopes), [`wire`] (XML/JSON trees) and
//! [`emit`] (the same bytes written straight into the response buffer).
//!
//! Pure codecs and parsers with no I/O:
//! * [`fiql`] — v2 `_s` FIQL search parser; [`filter_params`] — v1 list query parameters;
//!   both produce a [`filter::Expr`] evaluated by [`filter::Filter`].
//! * [`xml`] — JAXB-style XML writer and a lenient bounded XML reader.
//! * [`datetime`] — `xsd:dateTime` formatting and client date parsing.
//! * [`event_body`] — lenient parsing of posted OpenNMS events (XML or JSON).
//! * [`negotiate`] — response format choice from `Accept`.
//! * [`severity`] — severity ids and labels.
//! * [`perfdata`] — Nagios performance data (the samples resources and measurements serve).

pub mod access;
pub mod alarm_index;
pub mod call;
pub mod datetime;
pub mod dialect;
pub mod documents;
pub mod emit;
pub mod endpoints;
pub mod entity;
pub mod event_body;
pub mod filter;
pub mod filter_params;
pub mod fiql;
pub mod negotiate;
pub mod perfdata;
pub mod provision;
pub mod roles;
pub mod route_specs;
pub mod routes;
pub mod search;
pub mod seed;
pub mod severity;
pub mod wire;
pub mod xml;

#[cfg(test)]
mod tests;

pub use dialect::OpennmsDialect;
