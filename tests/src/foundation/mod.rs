//! Foundation tests: auth, the request pipeline, the store, the CLI and process behaviour.

mod auth;
mod cli;
mod connection;
mod deploy;
mod hardening;
mod isolation;
mod pipeline;
mod process;
mod reload;
pub(crate) mod store;
