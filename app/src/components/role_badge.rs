//! A group member's role (Owner / Admin / Member) as a small label.

use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use penguin_protocol::GroupRole;

pub fn role_key(role: GroupRole) -> Key {
    match role {
        GroupRole::Owner => Key::RoleOwner,
        GroupRole::Admin => Key::RoleAdmin,
        GroupRole::Member => Key::RoleMember,
    }
}

/// A member's role, as a small label.
#[component]
pub fn RoleBadge(role: GroupRole) -> impl IntoView {
    let t = use_i18n();
    view! {
        <span class=format!("role role-{}", role.as_str())>{move || t(role_key(role))}</span>
    }
}
