//! `/groups/:id`: one group for one of its members: who is in it with which role, the
//! invite code (owner and admins), inviting friends, and what the user's role allows
//! (remove members, appoint admins, hand over ownership, leave, disband). Anyone else
//! reads the server's "not found".

use crate::components::{
    ActionButton, EmptyItem, ErrorMessage, Problem, ProblemAlert, RoleBadge, SignedIn, UserName,
    confirm, role_key,
};
use crate::i18n::{Key, Locale, use_i18n, use_locale};
use crate::{AppError, api};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use penguin_protocol::{ErrorCode, Friend, GroupDetails, GroupId, GroupMember, GroupRole, UserId};

#[component]
pub fn GroupPage() -> impl IntoView {
    let t = use_i18n();
    let params = use_params_map();
    let group_id = Memo::new(move |_| {
        params
            .read()
            .get_str("id")
            .and_then(|id| id.parse::<GroupId>().ok())
    });
    view! {
        <Title text=move || t(Key::GroupPageTitle) />
        <SignedIn let:user>
            <GroupView group_id me=user.id />
        </SignedIn>
    }
}

/// Everything the page can ask the server to change in the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupCommand {
    Invite(UserId),
    Remove(UserId),
    SetAdmin(UserId, bool),
    Transfer(UserId),
    NewInviteCode,
    Leave,
    Disband,
}

impl GroupCommand {
    /// After these the user is no longer in the group (or there is no group).
    fn ends_membership(self) -> bool {
        matches!(self, Self::Leave | Self::Disband)
    }
}

async fn run(group: GroupId, command: GroupCommand) -> Result<(), AppError> {
    match command {
        GroupCommand::Invite(user) => api::invite_to_group(group, user).await,
        GroupCommand::Remove(user) => api::remove_group_member(group, user).await,
        GroupCommand::SetAdmin(user, admin) => api::set_group_admin(group, user, admin).await,
        GroupCommand::Transfer(user) => api::transfer_group(group, user).await,
        GroupCommand::NewInviteCode => api::reset_invite_code(group).await.map(|_| ()),
        GroupCommand::Leave => api::leave_group(group).await,
        GroupCommand::Disband => api::disband_group(group).await,
    }
}

/// The page's data and its one action, shared by its parts.
#[derive(Clone, Copy)]
struct GroupState {
    me: UserId,
    friends: Resource<Result<Vec<Friend>, AppError>>,
    problem: RwSignal<Option<Problem>>,
    locale: RwSignal<Locale>,
    command: Action<GroupCommand, Result<(), AppError>>,
}

impl GroupState {
    fn send(&self, command: GroupCommand) {
        self.command.dispatch(command);
    }

    fn send_if_confirmed(&self, question: Key, command: GroupCommand) {
        if confirm(question, self.locale.get_untracked()) {
            self.send(command);
        }
    }
}

#[component]
fn GroupView(group_id: Memo<Option<GroupId>>, me: UserId) -> impl IntoView {
    let t = use_i18n();
    let navigate = use_navigate();
    let details = Resource::new(
        move || group_id.get(),
        |id| async move {
            match id {
                Some(id) => api::group(id).await,
                None => Err(AppError::new(ErrorCode::NotFound)),
            }
        },
    );
    let friends = Resource::new(|| (), |()| api::friends());
    let problem = RwSignal::new(None);
    let gone = RwSignal::new(false);
    let command = Action::new(move |command: &GroupCommand| {
        let command = *command;
        async move {
            let Some(group) = group_id.get_untracked() else {
                return Err(AppError::new(ErrorCode::NotFound));
            };
            let result = run(group, command).await;
            match &result {
                Ok(()) if command.ends_membership() => gone.set(true),
                Ok(()) => problem.set(None),
                Err(error) => problem.set(Some(error.into())),
            }
            if !gone.get_untracked() {
                details.refetch();
                friends.refetch();
            }
            result
        }
    });
    Effect::new(move || {
        if gone.get() {
            navigate("/contacts", Default::default());
        }
    });
    let state = GroupState {
        me,
        friends,
        problem,
        locale: use_locale(),
        command,
    };
    view! {
        <Transition fallback=move || view! { <p class="notice">{move || t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(details) => view! { <GroupDetailsView details state /> }.into_any(),
                    Err(error) => {
                        view! {
                            <section class="card narrow">
                                <h1>{move || t(Key::GroupPageTitle)}</h1>
                                <ErrorMessage problem=error />
                                <A href="/contacts">{move || t(Key::BackToContacts)}</A>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn GroupDetailsView(details: GroupDetails, state: GroupState) -> impl IntoView {
    let t = use_i18n();
    let GroupDetails {
        group,
        members,
        invite_code,
    } = details;
    let my_role = group.my_role;
    let member_ids: Vec<UserId> = members.iter().map(|m| m.user.id).collect();
    let description = (!group.description.is_empty())
        .then(|| view! { <p class="description">{group.description.clone()}</p> });
    view! {
        <section class="card group" aria-labelledby="group-heading">
            <p class="breadcrumb">
                <A href="/contacts">{move || t(Key::BackToContacts)}</A>
            </p>
            <h1 id="group-heading">{group.name.clone()}</h1>
            <p class="chat-entry">
                <A href=format!("/chat/group/{}", group.id) attr:class="chat-link">
                    {move || t(Key::ChatLink)}
                </A>
            </p>
            {description}
            <dl class="facts">
                <dt>{move || t(Key::MembersCount)}</dt>
                <dd data-testid="member-count">{group.member_count}" / "{group.member_limit}</dd>
                <dt>{move || t(Key::YourRole)}</dt>
                <dd>
                    <RoleBadge role=my_role />
                </dd>
            </dl>
            <ProblemAlert problem=state.problem />
            {invite_code.map(|code| view! { <InviteCodeBox code state /> })}
        </section>
        <section class="card" aria-labelledby="members-heading">
            <h2 id="members-heading">{move || t(Key::GroupMembersHeading)}</h2>
            <ul class="people members" aria-label=move || t(Key::GroupMembersHeading)>
                {members
                    .into_iter()
                    .map(|member| view! { <MemberItem member my_role state /> })
                    .collect_view()}
            </ul>
            <InviteFriend member_ids state />
        </section>
        <section class="card">
            <GroupExit my_role state />
        </section>
    }
}

#[component]
fn InviteCodeBox(code: String, state: GroupState) -> impl IntoView {
    let t = use_i18n();
    view! {
        <div class="invite-code-box">
            <span id="invite-code-label">{move || t(Key::InviteCode)}</span>
            <code class="invite-code" aria-labelledby="invite-code-label" data-testid="invite-code">
                {code}
            </code>
            <button
                type="button"
                class="secondary"
                on:click=move |_| state.send(GroupCommand::NewInviteCode)
            >
                {move || t(Key::NewInviteCode)}
            </button>
            <p class="hint">{move || t(Key::InviteCodeHint)}</p>
        </div>
    }
}

/// What `my_role` may do to `target` (never to oneself: leaving is separate).
fn member_actions(my_role: GroupRole, target: GroupRole) -> Vec<MemberAction> {
    use MemberAction::*;
    match (my_role, target) {
        (GroupRole::Owner, GroupRole::Admin) => vec![RemoveAdmin, Transfer, Remove],
        (GroupRole::Owner, GroupRole::Member) => vec![MakeAdmin, Transfer, Remove],
        (GroupRole::Admin, GroupRole::Member) => vec![Remove],
        _ => Vec::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemberAction {
    MakeAdmin,
    RemoveAdmin,
    Transfer,
    Remove,
}

#[component]
fn MemberItem(member: GroupMember, my_role: GroupRole, state: GroupState) -> impl IntoView {
    let t = use_i18n();
    let id = member.user.id;
    let name = member.user.display_name.clone();
    let is_me = id == state.me;
    let actions = if is_me {
        Vec::new()
    } else {
        member_actions(my_role, member.role)
    };
    let buttons = actions
        .into_iter()
        .map(|action| {
            let subject = name.clone();
            match action {
                MemberAction::MakeAdmin => view! {
                    <ActionButton
                        label=Key::MakeAdmin
                        subject
                        secondary=true
                        on_click=move || state.send(GroupCommand::SetAdmin(id, true))
                    />
                }
                .into_any(),
                MemberAction::RemoveAdmin => view! {
                    <ActionButton
                        label=Key::RemoveAdmin
                        subject
                        secondary=true
                        on_click=move || state.send(GroupCommand::SetAdmin(id, false))
                    />
                }
                .into_any(),
                MemberAction::Transfer => view! {
                    <ActionButton
                        label=Key::TransferOwnership
                        subject
                        secondary=true
                        on_click=move || {
                            state.send_if_confirmed(Key::ConfirmTransfer, GroupCommand::Transfer(id))
                        }
                    />
                }
                .into_any(),
                MemberAction::Remove => view! {
                    <ActionButton
                        label=Key::RemoveMember
                        subject
                        danger=true
                        on_click=move || {
                            state.send_if_confirmed(Key::ConfirmRemoveMember, GroupCommand::Remove(id))
                        }
                    />
                }
                .into_any(),
            }
        })
        .collect_view();
    view! {
        <li>
            <UserName user=member.user />
            {is_me.then(|| view! { <span class="you">{move || t(Key::You)}</span> })}
            <span
                class=format!("role role-{}", member.role.as_str())
                data-testid="member-role"
            >
                {move || t(role_key(member.role))}
            </span>
            <span class="actions">{buttons}</span>
        </li>
    }
}

#[component]
fn InviteFriend(member_ids: Vec<UserId>, state: GroupState) -> impl IntoView {
    let t = use_i18n();
    let friends = state.friends;
    let member_ids = StoredValue::new(member_ids);
    view! {
        <div class="subsection">
            <h3>{move || t(Key::InviteFriendHeading)}</h3>
            <Transition>
                {move || Suspend::new(async move {
                    match friends.await {
                        Ok(friends) => {
                            let outside: Vec<Friend> = friends
                                .into_iter()
                                .filter(|f| member_ids.with_value(|ids| !ids.contains(&f.user.id)))
                                .collect();
                            if outside.is_empty() {
                                view! {
                                    <ul class="people">
                                        <EmptyItem text=Key::NoFriendsToInvite />
                                    </ul>
                                }
                                    .into_any()
                            } else {
                                view! { <InviteForm friends=outside state /> }.into_any()
                            }
                        }
                        Err(error) => view! { <ErrorMessage problem=error /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn InviteForm(friends: Vec<Friend>, state: GroupState) -> impl IntoView {
    let t = use_i18n();
    let first = friends
        .first()
        .map(|f| f.user.id.to_string())
        .unwrap_or_default();
    let chosen = RwSignal::new(first);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if let Ok(user) = chosen.get_untracked().parse::<UserId>() {
            state.send(GroupCommand::Invite(user));
        }
    };
    view! {
        <form class="inline-form" on:submit=submit>
            <select
                aria-label=move || t(Key::FriendToInvite)
                on:change:target=move |event| chosen.set(event.target().value())
                prop:value=move || chosen.get()
            >
                {friends
                    .into_iter()
                    .map(|friend| {
                        view! {
                            <option value=friend.user.id.to_string()>
                                // An option holds text only: the name is isolated with FSI … PDI.
                                {format!("\u{2068}{}\u{2069} (@{})", friend.user.display_name, friend.user.username)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit">{move || t(Key::InviteButton)}</button>
        </form>
    }
}

#[component]
fn GroupExit(my_role: GroupRole, state: GroupState) -> impl IntoView {
    let t = use_i18n();
    if my_role == GroupRole::Owner {
        view! {
            <button
                type="button"
                class="danger"
                on:click=move |_| state.send_if_confirmed(Key::ConfirmDisband, GroupCommand::Disband)
            >
                {move || t(Key::DisbandGroup)}
            </button>
        }
        .into_any()
    } else {
        view! {
            <button
                type="button"
                class="danger"
                on:click=move |_| state.send_if_confirmed(Key::ConfirmLeave, GroupCommand::Leave)
            >
                {move || t(Key::LeaveGroup)}
            </button>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_follow_the_roles() {
        use MemberAction::*;
        assert_eq!(
            member_actions(GroupRole::Owner, GroupRole::Member),
            vec![MakeAdmin, Transfer, Remove]
        );
        assert_eq!(
            member_actions(GroupRole::Owner, GroupRole::Admin),
            vec![RemoveAdmin, Transfer, Remove]
        );
        assert_eq!(
            member_actions(GroupRole::Admin, GroupRole::Member),
            vec![Remove]
        );
        assert!(member_actions(GroupRole::Admin, GroupRole::Admin).is_empty());
        assert!(member_actions(GroupRole::Admin, GroupRole::Owner).is_empty());
        assert!(member_actions(GroupRole::Member, GroupRole::Member).is_empty());
    }
}
