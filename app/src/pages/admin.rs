//! `/admin`: for administrators, the server at a glance (accounts, groups, this node's
//! connections, messages today), every account (disable / enable) and every group. The
//! server functions check the caller is an administrator on every call; anyone else
//! sees the `forbidden` message where the data would be.

use crate::api;
use crate::components::{ActionButton, ErrorMessage, LoadedList, ProblemAlert, SignedIn};
use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use penguin_protocol::admin::{AdminGroup, AdminUser, ServerOverview};

#[component]
pub fn AdminPage() -> impl IntoView {
    let t = use_i18n();
    view! {
        <Title text=move || t(Key::AdminHeading) />
        <SignedIn let:_user>
            <AdminConsole />
        </SignedIn>
    }
}

#[component]
fn AdminConsole() -> impl IntoView {
    let t = use_i18n();
    let overview = Resource::new(|| (), |()| api::admin_overview());
    let users = Resource::new(|| (), |()| api::admin_users());
    let groups = Resource::new(|| (), |()| api::admin_groups());
    let set_disabled = Action::new(|(username, disabled): &(String, bool)| {
        api::admin_set_disabled(username.clone(), *disabled)
    });
    let problem = RwSignal::new(None);
    Effect::new(move || match set_disabled.value().get() {
        Some(Ok(_)) => {
            users.refetch();
            overview.refetch();
        }
        Some(Err(error)) => problem.set(Some(error.into())),
        None => {}
    });
    let row = move |user: AdminUser| {
        let username = user.username.clone();
        let disabled = user.disabled;
        view! {
            <li data-testid="admin-user">
                <span class="name">{user.display_name}</span>
                <span class="hint">{format!("@{}", user.username)}</span>
                {user.is_admin.then(|| view! { <span class="role role-admin">{move || t(Key::AdminIsAdmin)}</span> })}
                {disabled.then(|| view! { <span class="role role-disabled">{move || t(Key::AdminDisabled)}</span> })}
                <ActionButton
                    label=if disabled { Key::AdminEnable } else { Key::AdminDisable }
                    subject=username.clone()
                    secondary=disabled
                    danger=!disabled
                    on_click=move || {
                        set_disabled.dispatch((username.clone(), !disabled));
                    }
                />
            </li>
        }
    };
    let group_row = move |group: AdminGroup| {
        view! {
            <li data-testid="admin-group">
                <span class="name">{group.name}</span>
                <span class="hint">
                    {move || t(Key::AdminOwner)} " @" {group.owner_username.clone()} " · "
                    {format!("{}/{}", group.member_count, group.member_limit)}
                </span>
            </li>
        }
    };
    view! {
        <section class="card" aria-labelledby="admin-heading">
            <h1 id="admin-heading">{move || t(Key::AdminHeading)}</h1>
            <Transition fallback=move || view! { <p class="notice">{move || t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <Overview overview /> }.into_any(),
                        Err(error) => view! { <ErrorMessage problem=error /> }.into_any(),
                    }
                })}
            </Transition>
            <ProblemAlert problem />
            <LoadedList heading=Key::AdminUsers empty=Key::AdminNoUsers items=users row />
            <LoadedList
                heading=Key::AdminGroups
                empty=Key::AdminNoGroups
                items=groups
                row=group_row
                class="groups"
            />
        </section>
    }
}

#[component]
fn Overview(overview: ServerOverview) -> impl IntoView {
    let t = use_i18n();
    view! {
        <dl class="facts" data-testid="admin-overview">
            <dt>{move || t(Key::ServerVersion)}</dt>
            <dd>{overview.version}</dd>
            <dt>{move || t(Key::ServerAccounts)}</dt>
            <dd data-testid="admin-users-count">{overview.users}</dd>
            <dt>{move || t(Key::AdminDisabledUsers)}</dt>
            <dd>{overview.disabled_users}</dd>
            <dt>{move || t(Key::AdminGroups)}</dt>
            <dd>{overview.groups}</dd>
            <dt>{move || t(Key::AdminConnections)}</dt>
            <dd data-testid="admin-connections">{overview.connections}</dd>
            <dt>{move || t(Key::AdminMessagesToday)}</dt>
            <dd data-testid="admin-messages-today">{overview.messages_today}</dd>
        </dl>
    }
}
