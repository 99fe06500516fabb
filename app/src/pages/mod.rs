//! One module per route.

mod home;
mod login;
mod not_found;
mod register;

pub use home::Home;
pub use login::Login;
pub use not_found::NotFound;
pub use register::Register;
