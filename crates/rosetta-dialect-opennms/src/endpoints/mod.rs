//! Request handlers, one module per resource family; [`crate::routes`] maps paths onto them.

pub mod alarms;
pub mod categories;
pub mod events;
pub mod groups;
pub mod hardware;
pub mod measurements;
pub mod metadata;
pub mod nodes;
pub mod outages;
pub mod requisitions;
pub mod resources;
pub mod system;
pub mod users;
