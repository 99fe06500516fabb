//! The groups half of `/contacts`: create a group, join one with an invite code, and the
//! list of the user's groups, each linking to its page.

use crate::components::{LoadedList, Problem, ProblemAlert, RoleBadge};
use crate::i18n::{Key, use_i18n};
use crate::{AppError, api};
use leptos::prelude::*;
use leptos_router::components::A;
use penguin_protocol::{ErrorCode, GroupSummary, rules};

pub type MyGroups = Resource<Result<Vec<GroupSummary>, AppError>>;

#[component]
pub fn GroupsPanel() -> impl IntoView {
    let t = use_i18n();
    let groups: MyGroups = Resource::new(|| (), |()| api::my_groups());
    view! {
        <section class="card panel" aria-labelledby="groups-heading">
            <h2 id="groups-heading">{move || t(Key::GroupsHeading)}</h2>
            <MyGroupList groups />
            <CreateGroupForm groups />
            <JoinGroupForm groups />
        </section>
    }
}

#[derive(Debug, Clone)]
struct NewGroup {
    name: String,
    description: String,
    member_limit: Option<u32>,
}

/// The shared rules, checked before sending; an empty limit means the server's default.
fn check_new_group(name: &str, description: &str, limit: &str) -> Result<NewGroup, ErrorCode> {
    let name = rules::group_name(name)?;
    let description = rules::group_description(description)?;
    let limit = limit.trim();
    let member_limit = if limit.is_empty() {
        None
    } else {
        Some(
            limit
                .parse::<u32>()
                .map_err(|_| ErrorCode::InvalidMemberLimit)?,
        )
    };
    Ok(NewGroup {
        name,
        description,
        member_limit,
    })
}

#[component]
fn CreateGroupForm(groups: MyGroups) -> impl IntoView {
    let t = use_i18n();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let limit = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let create = Action::new(move |group: &NewGroup| {
        let group = group.clone();
        async move {
            let result = api::create_group(group.name, group.description, group.member_limit).await;
            match &result {
                Ok(_) => {
                    problem.set(None);
                    name.set(String::new());
                    description.set(String::new());
                    limit.set(String::new());
                    groups.refetch();
                }
                Err(error) => problem.set(Some(error.into())),
            }
            result
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match check_new_group(
            &name.get_untracked(),
            &description.get_untracked(),
            &limit.get_untracked(),
        ) {
            Ok(group) => {
                problem.set(None);
                create.dispatch(group);
            }
            Err(code) => problem.set(Some(code.into())),
        }
    };
    view! {
        <div class="subsection" id="create-group">
            <h3>{move || t(Key::CreateGroupHeading)}</h3>
            <form class="stacked-form" on:submit=submit>
                <label>
                    <span>{move || t(Key::GroupName)}</span>
                    <input type="text" name="name" required bind:value=name />
                </label>
                <label>
                    <span>{move || t(Key::GroupDescription)}</span>
                    <textarea name="description" rows="2" bind:value=description></textarea>
                </label>
                <label>
                    <span>{move || t(Key::MemberLimit)}</span>
                    <input
                        type="number"
                        name="member_limit"
                        min="2"
                        inputmode="numeric"
                        bind:value=limit
                    />
                </label>
                <ProblemAlert problem />
                <button type="submit" disabled=create.pending()>
                    {move || t(Key::CreateGroupButton)}
                </button>
            </form>
        </div>
    }
}

#[component]
fn JoinGroupForm(groups: MyGroups) -> impl IntoView {
    let t = use_i18n();
    let code = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let join = Action::new(move |invite_code: &String| {
        let invite_code = invite_code.clone();
        async move {
            let result = api::join_group(invite_code).await;
            match &result {
                Ok(_) => {
                    problem.set(None);
                    code.set(String::new());
                    groups.refetch();
                }
                Err(error) => problem.set(Some(error.into())),
            }
            result
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let invite_code = code.get_untracked().trim().to_owned();
        if invite_code.is_empty() {
            problem.set(Some(ErrorCode::InvalidInviteCode.into()));
        } else {
            problem.set(None);
            join.dispatch(invite_code);
        }
    };
    view! {
        <div class="subsection">
            <h3>{move || t(Key::JoinGroupHeading)}</h3>
            <form class="inline-form" on:submit=submit>
                <input
                    type="text"
                    name="invite_code"
                    autocomplete="off"
                    aria-label=move || t(Key::InviteCode)
                    placeholder=move || t(Key::InviteCode)
                    bind:value=code
                />
                <button type="submit" disabled=join.pending()>
                    {move || t(Key::JoinButton)}
                </button>
            </form>
            <ProblemAlert problem />
        </div>
    }
}

#[component]
fn MyGroupList(groups: MyGroups) -> impl IntoView {
    view! {
        <LoadedList
            heading=Key::MyGroupsHeading
            empty=Key::NoGroups
            items=groups
            row=|group| view! { <GroupItem group /> }
            class="groups"
        />
    }
}

#[component]
fn GroupItem(group: GroupSummary) -> impl IntoView {
    let t = use_i18n();
    view! {
        <li>
            <A href=format!("/groups/{}", group.id)>{group.name}</A>
            <span class="meta">
                {move || t(Key::MembersCount)}
                ": "
                {group.member_count}
                " / "
                {group.member_limit}
            </span>
            <RoleBadge role=group.my_role />
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_groups_are_checked_before_sending() {
        let group = check_new_group(" Chess club ", "", "").unwrap();
        assert_eq!(group.name, "Chess club");
        assert_eq!(group.member_limit, None);
        assert_eq!(
            check_new_group("Chess", "", " 50 ").unwrap().member_limit,
            Some(50)
        );
        assert_eq!(
            check_new_group("", "", "").unwrap_err(),
            ErrorCode::InvalidGroupName
        );
        assert_eq!(
            check_new_group("Chess", "", "many").unwrap_err(),
            ErrorCode::InvalidMemberLimit
        );
    }
}
