//! Request handlers, one module per resource family; [`crate::routes`] maps paths onto them.

pub mod accounts;
pub mod alarms;
pub mod events;
pub mod nodes;
pub mod outages;
pub mod requisitions;
pub mod resources;
pub mod system;
