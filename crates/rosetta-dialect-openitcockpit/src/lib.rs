//! Pure, self-contained codecs and parsers for the openITCOCKPIT (oITC) dialect.
//!
//! Nothing here touches HTTP or storage; every function is deterministic given its inputs (the
//! current time is always a parameter) and never panics on malformed input.
//!
//! - [`apikey`]: API-key extraction from the `Authorization` header, cookie and `apikey` query.
//! - [`datefmt`]: PHP `date()` formatting, duration/relative words and date-input parsing.
//! - [`filter`]: `filter[...]` extraction and compilation into matchable conditions.
//! - [`json`]: PHP-style JSON encoding (`JSON_HEX_*` flags, `\/`, `\uXXXX`).
//! - [`paging`]: `page`/`limit`/`scroll` parsing and the `paging`/`scroll` response blocks.
//! - [`php`]: PHP scalar conversions (`(int)` casts, truthiness, `trim`) shared by the parsers.
//! - [`regex`]: a small, linear-time regular expression engine standing in for MySQL `RLIKE`.
//! - [`sort`]: `sort`/`direction` parsing with the product's column-name guard.
//! - [`validation`]: CakePHP-style validation error bodies (`{"error": {...}}`).
//!
//! Query strings are passed around as decoded `(key, value)` pairs in request order, exactly as
//! `form_urlencoded::parse(query).into_owned().collect()` produces them.

pub mod apikey;
pub mod datefmt;
pub mod filter;
pub mod json;
pub mod paging;
pub mod php;
pub mod regex;
pub mod sort;
pub mod validation;
pub mod dialect;

pub use dialect::OpenitcockpitDialect;
