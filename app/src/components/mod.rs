//! Pieces of UI shared by several pages.

mod avatar;
mod confirm;
mod email_code;
mod field;
mod language_switch;
mod list_items;
mod problem;
mod role_badge;
mod signed_in;
mod top_bar;
mod user_name;

pub use avatar::Avatar;
pub use confirm::confirm;
pub use email_code::{CodeField, CodeSentNotice, EmailCodeFlow, EmailField};
pub use field::Field;
pub use language_switch::LanguageSwitch;
pub use list_items::{ActionButton, EmptyItem, LoadedList};
pub use problem::{ErrorMessage, Problem, ProblemAlert};
pub use role_badge::{RoleBadge, role_key};
pub use signed_in::SignedIn;
pub use top_bar::TopBar;
pub use user_name::{UserName, with_names};
