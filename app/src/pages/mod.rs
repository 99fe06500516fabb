//! One module per route (or group of routes).

mod accounts_pending;
mod home;
mod not_found;

pub use accounts_pending::{Login, Register};
pub use home::Home;
pub use not_found::NotFound;
