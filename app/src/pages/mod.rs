//! One module per route (or group of routes).

mod account;
mod admin;
mod chat;
mod contacts;
mod group;
mod home;
mod login;
mod not_found;
mod register;

pub use account::AccountPage;
pub use admin::AdminPage;
pub use chat::{ChatPane, ChatShell, NoChatSelected, UnreadFavicon, unread_title};
pub use contacts::Contacts;
pub use group::GroupPage;
pub use home::Home;
pub use login::Login;
pub use not_found::NotFound;
pub use register::Register;
