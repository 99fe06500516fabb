//! The friends half of `/contacts`: finding people, friend requests, the friend list and
//! blocked users. Every change refetches all four, so the screen shows the server's state.

use crate::components::{
    ActionButton, EmptyItem, ErrorMessage, LoadedList, Problem, ProblemAlert, UserName, confirm,
};
use crate::i18n::{Key, Locale, use_i18n, use_locale};
use crate::{AppError, api};
use leptos::prelude::*;
use leptos_router::components::A;
use penguin_protocol::{
    Friend, FriendRequestId, FriendRequests, Relation, UserCard, UserId, UserSummary, rules,
};

/// Everything the panel can ask the server to change.
#[derive(Debug, Clone, Copy)]
enum FriendCommand {
    /// Also accepts, when the other user already asked.
    Request(UserId),
    Answer(FriendRequestId, bool),
    Cancel(FriendRequestId),
    Remove(UserId),
    Block(UserId),
    Unblock(UserId),
}

async fn run(command: FriendCommand) -> Result<(), AppError> {
    match command {
        FriendCommand::Request(user) => api::send_friend_request(user).await.map(|_| ()),
        FriendCommand::Answer(request, accept) => api::answer_friend_request(request, accept).await,
        FriendCommand::Cancel(request) => api::cancel_friend_request(request).await,
        FriendCommand::Remove(user) => api::remove_friend(user).await,
        FriendCommand::Block(user) => api::block_user(user).await,
        FriendCommand::Unblock(user) => api::unblock_user(user).await,
    }
}

/// The panel's data and its one action, shared by its parts.
#[derive(Clone, Copy)]
struct FriendsState {
    /// The last submitted search text (empty: no search yet).
    query: RwSignal<String>,
    search: Resource<Result<Vec<UserCard>, AppError>>,
    friends: Resource<Result<Vec<Friend>, AppError>>,
    requests: Resource<Result<FriendRequests, AppError>>,
    blocked: Resource<Result<Vec<UserSummary>, AppError>>,
    problem: RwSignal<Option<Problem>>,
    locale: RwSignal<Locale>,
    command: Action<FriendCommand, Result<(), AppError>>,
}

impl FriendsState {
    fn new() -> Self {
        let query = RwSignal::new(String::new());
        let search = Resource::new(
            move || query.get(),
            |query| async move {
                if query.is_empty() {
                    Ok(Vec::new())
                } else {
                    api::search_users(query).await
                }
            },
        );
        let friends = Resource::new(|| (), |()| api::friends());
        let requests = Resource::new(|| (), |()| api::friend_requests());
        let blocked = Resource::new(|| (), |()| api::blocked_users());
        let problem = RwSignal::new(None);
        let command = Action::new(move |command: &FriendCommand| {
            let command = *command;
            async move {
                let result = run(command).await;
                match &result {
                    Ok(()) => problem.set(None),
                    Err(error) => problem.set(Some(error.into())),
                }
                // Also after a refusal: the other user may have changed things meanwhile.
                search.refetch();
                friends.refetch();
                requests.refetch();
                blocked.refetch();
                result
            }
        });
        Self {
            query,
            search,
            friends,
            requests,
            blocked,
            problem,
            locale: use_locale(),
            command,
        }
    }

    fn send(&self, command: FriendCommand) {
        self.command.dispatch(command);
    }

    /// Sends `command` if the user confirms `question`.
    fn send_if_confirmed(&self, question: Key, command: FriendCommand) {
        if confirm(question, self.locale.get_untracked()) {
            self.send(command);
        }
    }
}

#[component]
pub fn FriendsPanel() -> impl IntoView {
    let t = use_i18n();
    let state = FriendsState::new();
    view! {
        <section class="card panel" aria-labelledby="friends-heading">
            <h2 id="friends-heading">{move || t(Key::FriendsHeading)}</h2>
            <ProblemAlert problem=state.problem />
            <UserSearch state />
            <FriendRequestLists state />
            <FriendList state />
            <BlockedList state />
        </section>
    }
}

#[component]
fn UserSearch(state: FriendsState) -> impl IntoView {
    let t = use_i18n();
    let text = RwSignal::new(String::new());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match rules::search_query(&text.get_untracked()) {
            Ok(query) => {
                state.problem.set(None);
                state.query.set(query);
                // The same text again still asks again: relations may have changed.
                state.search.refetch();
            }
            Err(code) => state.problem.set(Some(code.into())),
        }
    };
    let search = state.search;
    view! {
        <div class="subsection" id="find-people">
            <h3>{move || t(Key::FindPeople)}</h3>
            <form class="inline-form" role="search" on:submit=submit>
                <input
                    type="search"
                    name="query"
                    aria-label=move || t(Key::SearchLabel)
                    placeholder=move || t(Key::SearchLabel)
                    bind:value=text
                />
                <button type="submit">{move || t(Key::SearchButton)}</button>
            </form>
            <Transition>
                {move || Suspend::new(async move {
                    match search.await {
                        Ok(cards) if cards.is_empty() => {
                            (!state.query.get_untracked().is_empty())
                                .then(|| view! { <p class="notice">{move || t(Key::NoResults)}</p> })
                                .into_any()
                        }
                        Ok(cards) => {
                            view! {
                                <ul class="people" aria-label=move || t(Key::SearchResults)>
                                    {cards
                                        .into_iter()
                                        .map(|card| view! { <SearchResult card state /> })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorMessage problem=error /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn SearchResult(card: UserCard, state: FriendsState) -> impl IntoView {
    let t = use_i18n();
    let id = card.user.id;
    let name = card.user.display_name.clone();
    let status = |key: Key| view! { <span class="relation">{move || t(key)}</span> }.into_any();
    let action = match card.relation {
        Relation::Me => status(Key::RelationMe),
        Relation::Friend => status(Key::RelationFriend),
        Relation::RequestSent => status(Key::RelationRequestSent),
        Relation::Blocked => status(Key::RelationBlocked),
        Relation::None => view! {
            <ActionButton
                label=Key::AddFriend
                subject=name
                on_click=move || state.send(FriendCommand::Request(id))
            />
        }
        .into_any(),
        // Asking back accepts their request.
        Relation::RequestReceived => view! {
            <ActionButton
                label=Key::Accept
                subject=name
                on_click=move || state.send(FriendCommand::Request(id))
            />
        }
        .into_any(),
    };
    view! {
        <li>
            <UserName user=card.user />
            <span class="actions">{action}</span>
        </li>
    }
}

#[component]
fn FriendRequestLists(state: FriendsState) -> impl IntoView {
    let t = use_i18n();
    let requests = state.requests;
    view! {
        <div class="subsection">
            <h3>{move || t(Key::FriendRequestsHeading)}</h3>
            <Transition>
                {move || Suspend::new(async move {
                    match requests.await {
                        Ok(FriendRequests { incoming, outgoing }) => {
                            view! {
                                <h4>{move || t(Key::IncomingRequests)}</h4>
                                <ul class="people" aria-label=move || t(Key::IncomingRequests)>
                                    {incoming.is_empty().then(|| view! { <EmptyItem text=Key::NoRequests /> })}
                                    {incoming
                                        .into_iter()
                                        .map(|request| {
                                            let id = request.id;
                                            let name = request.user.display_name.clone();
                                            view! {
                                                <li>
                                                    <UserName user=request.user />
                                                    <span class="actions">
                                                        <ActionButton
                                                            label=Key::Accept
                                                            subject=name.clone()
                                                            on_click=move || state.send(FriendCommand::Answer(id, true))
                                                        />
                                                        <ActionButton
                                                            label=Key::Decline
                                                            subject=name
                                                            secondary=true
                                                            on_click=move || state.send(FriendCommand::Answer(id, false))
                                                        />
                                                    </span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                                <h4>{move || t(Key::OutgoingRequests)}</h4>
                                <ul class="people" aria-label=move || t(Key::OutgoingRequests)>
                                    {outgoing.is_empty().then(|| view! { <EmptyItem text=Key::NoRequests /> })}
                                    {outgoing
                                        .into_iter()
                                        .map(|request| {
                                            let id = request.id;
                                            let name = request.user.display_name.clone();
                                            view! {
                                                <li>
                                                    <UserName user=request.user />
                                                    <span class="actions">
                                                        <ActionButton
                                                            label=Key::CancelRequest
                                                            subject=name
                                                            secondary=true
                                                            on_click=move || state.send(FriendCommand::Cancel(id))
                                                        />
                                                    </span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorMessage problem=error /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn FriendList(state: FriendsState) -> impl IntoView {
    let t = use_i18n();
    let row = move |friend: Friend| {
        let id = friend.user.id;
        let name = friend.user.display_name.clone();
        view! {
            <li>
                <UserName user=friend.user />
                <span class="actions">
                    <A href=format!("/chat/direct/{id}") attr:class="chat-link">
                        {move || t(Key::ChatLink)}
                    </A>
                    <ActionButton
                        label=Key::RemoveFriend
                        subject=name.clone()
                        secondary=true
                        on_click=move || {
                            state.send_if_confirmed(Key::ConfirmRemoveFriend, FriendCommand::Remove(id))
                        }
                    />
                    <ActionButton
                        label=Key::Block
                        subject=name
                        danger=true
                        on_click=move || {
                            state.send_if_confirmed(Key::ConfirmBlock, FriendCommand::Block(id))
                        }
                    />
                </span>
            </li>
        }
    };
    view! {
        <LoadedList heading=Key::MyFriendsHeading empty=Key::NoFriends items=state.friends row />
    }
}

#[component]
fn BlockedList(state: FriendsState) -> impl IntoView {
    let row = move |user: UserSummary| {
        let id = user.id;
        let name = user.display_name.clone();
        view! {
            <li>
                <UserName user />
                <span class="actions">
                    <ActionButton
                        label=Key::Unblock
                        subject=name
                        secondary=true
                        on_click=move || state.send(FriendCommand::Unblock(id))
                    />
                </span>
            </li>
        }
    };
    view! {
        <LoadedList heading=Key::BlockedHeading empty=Key::NoBlocked items=state.blocked row />
    }
}
