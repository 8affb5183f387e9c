//! opennms dialect tests against a live gateway.
//!
//! - `client`: the real opennms-js 2.7.1 client (`tests/clients/opennms`).
//! - `fixtures`: data-driven request/response cases (`fixtures/*.json`), XML and JSON.
//! - `errors`: bad input is a readable 400 and writes nothing; auth and role failures.
//! - `flows`: multi-step behaviour (alarm actions, events to state, requisition import).

mod client;
mod errors;
mod fixtures;
mod flows;
mod support;
