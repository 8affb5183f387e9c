//! opsview dialect tests against a live gateway.
//!
//! - `client`: the real pyopsview 6.2.3 client (`tests/clients/opsview`) and a Perl script that
//!   talks to the API the way the official `opsview_rest` CLI does (Perl literals in and out).
//! - `fixtures`: data-driven request/response cases (`fixtures/*.json`), including error cases.
//! - `flows`: multi-step behaviour (reload, passive results to status, acknowledgements,
//!   downtimes, rechecks, rollbacks, permissions).

pub mod client;
mod fixtures;
mod flows;
mod support;
mod settings;
