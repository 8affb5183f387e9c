//! One module per controller family; handlers are `async fn(&Call) -> Answer`.

pub mod cmd;
pub mod containers;
pub mod exports;
pub mod host_rows;
pub mod hosts;
pub mod objects;
pub mod profile;
pub mod services;
pub mod status;
pub mod templates;
