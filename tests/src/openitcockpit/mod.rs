//! openitcockpit dialect tests against a live gateway.
//!
//! - [`client`]: the official Python example flow (`requests`) from `tests/clients/openitcockpit/`;
//! - [`fixtures`]: data-driven request/response cases covering spec §9, every error shape included;
//! - [`bad_input`]: broken bodies and odd parameters end in the product's error shape, nothing written;
//! - [`paging`]: the index-ordered hosts index equals the general sorted path.

mod bad_input;
pub mod client;
mod fixtures;
mod support;
mod history;
mod paging;
