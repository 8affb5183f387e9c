//! Rosetta's integration tests, one binary with a module per area.
//!
//! - [`harness`]: live servers (in process or as a child process) and an HTTP client.
//! - `bridge`: the three dialects over one store agree (identity, state, acks, downtimes, tenancy).
//! - `foundation`: the store, auth, pipeline, CLI and process behaviour every dialect relies on.
//! - `native`: Rosetta's own API for dashboards (lists, cursor paging, the event stream).
//! - `replicas`: several gateways sharing one PostgreSQL store, and database outages.
//! - `ui`: the status page in headless Chromium.
//! - `readme`: the README's tour, run as written.
//! - `proxy`: mounts in proxy mode in front of another gateway, with credential translation.
//! - `opsview`, `opennms`, `openitcockpit`: each dialect against a live server, with its real client.

pub mod harness;

#[cfg(test)]
mod bridge;
#[cfg(test)]
mod foundation;
#[cfg(test)]
mod native;
#[cfg(test)]
mod openitcockpit;
#[cfg(test)]
mod opennms;
#[cfg(test)]
mod opsview;
#[cfg(test)]
mod proxy;
#[cfg(test)]
mod readme;
#[cfg(test)]
mod replicas;
#[cfg(test)]
mod ui;
