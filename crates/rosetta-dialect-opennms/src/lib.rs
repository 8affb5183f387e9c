//! OpenNMS REST dialect building blocks: pure codecs and parsers with no I/O.
//!
//! * [`fiql`] — v2 `_s` FIQL search parser; [`filter_params`] — v1 list query parameters;
//!   both produce a [`filter::Expr`] evaluated by [`filter::Filter`].
//! * [`xml`] — JAXB-style XML writer and a lenient bounded XML reader.
//! * [`datetime`] — `xsd:dateTime` formatting and client date parsing.
//! * [`event_body`] — lenient parsing of posted OpenNMS events (XML or JSON).
//! * [`negotiate`] — response format choice from `Accept`.
//! * [`severity`] — severity ids and labels.

pub mod datetime;
pub mod event_body;
pub mod filter;
pub mod filter_params;
pub mod fiql;
pub mod negotiate;
pub mod severity;
pub mod xml;
pub mod dialect;

pub use dialect::OpennmsDialect;
