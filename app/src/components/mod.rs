//! Pieces of UI shared by several pages.

mod language_switch;
mod top_bar;

pub use language_switch::LanguageSwitch;
pub use top_bar::TopBar;
