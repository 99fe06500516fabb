//! Who the signed-in user can chat with: friends, groups and incoming friend requests,
//! loaded once when the chat opens and shared by the contact panel and the chat box (so
//! switching chats never waits for them), plus the member names of the groups opened.

use crate::realtime::Realtime;
use crate::{AppError, api};
use leptos::prelude::*;
use penguin_protocol::{Destination, Friend, FriendRequests, GroupId, GroupSummary, UserId};
use std::collections::HashMap;

#[derive(Clone, Copy)]
pub struct Directory {
    pub friends: Resource<Result<Vec<Friend>, AppError>>,
    pub groups: Resource<Result<Vec<GroupSummary>, AppError>>,
    pub requests: Resource<Result<FriendRequests, AppError>>,
    /// Display names of the members of each group whose chat was opened.
    pub members: RwSignal<HashMap<GroupId, HashMap<UserId, String>>>,
}

impl Directory {
    /// Creates and provides it; the panel and the chat box use it through context.
    pub fn provide(realtime: Realtime) -> Self {
        let directory = Self {
            friends: Resource::new(|| (), |()| api::friends()),
            groups: Resource::new(|| (), |()| api::my_groups()),
            requests: Resource::new(|| (), |()| api::friend_requests()),
            members: RwSignal::new(HashMap::new()),
        };
        provide_context(directory);
        // Previews and read positions of every conversation, also those the socket's
        // catch-up does not mention (nothing unread).
        Effect::new(move |_| realtime.look_up_conversations());
        // A conversation with someone not listed (a friendship or group joined since the
        // lists loaded, say on another device): load the lists again.
        Effect::new(move |_| {
            let partners: Vec<Destination> = realtime
                .conversations
                .with(|map| map.keys().copied().collect());
            let unknown = partners.into_iter().any(|to| match to {
                Destination::Direct { user_id } => directory.friends.with_untracked(
                    |f| matches!(f, Some(Ok(list)) if !list.iter().any(|f| f.user.id == user_id)),
                ),
                Destination::Group { group_id } => directory.groups.with_untracked(
                    |g| matches!(g, Some(Ok(list)) if !list.iter().any(|g| g.id == group_id)),
                ),
            });
            if unknown {
                directory.refresh();
            }
        });
        directory
    }

    pub fn refresh(&self) {
        self.friends.refetch();
        self.groups.refetch();
        self.requests.refetch();
    }

    /// Loads the member names of `group_id` unless they are known.
    pub fn load_members(&self, group_id: GroupId) {
        if self.members.with_untracked(|m| m.contains_key(&group_id)) {
            return;
        }
        let members = self.members;
        // Asked for: an empty entry until the answer, so nobody asks twice.
        members.update(|m| {
            m.insert(group_id, HashMap::new());
        });
        leptos::task::spawn_local(async move {
            let answer = api::group_members(group_id).await;
            members.update(|m| match answer {
                Ok(list) => {
                    let names = list
                        .into_iter()
                        .map(|m| (m.user.id, m.user.display_name))
                        .collect();
                    m.insert(group_id, names);
                }
                // The next opening asks again.
                Err(_) => {
                    m.remove(&group_id);
                }
            });
        });
    }

    /// `user` wrote in `group_id`: if the group's names are loaded and do not have them
    /// (they joined since), load the names again.
    pub fn know_sender(&self, group_id: GroupId, user: UserId) {
        let stale = self.members.with_untracked(|m| {
            m.get(&group_id)
                .is_some_and(|names| !names.is_empty() && !names.contains_key(&user))
        });
        if stale {
            self.members.update(|m| {
                m.remove(&group_id);
            });
            self.load_members(group_id);
        }
    }

    /// The display name of `user` as seen in the chat with `to` (tracked).
    pub fn name_in(&self, to: Destination, user: UserId) -> Option<String> {
        match to {
            Destination::Direct { user_id } if user_id == user => self.friends.with(|f| {
                f.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|list| list.iter().find(|f| f.user.id == user))
                    .map(|f| f.user.display_name.clone())
            }),
            Destination::Direct { .. } => None,
            Destination::Group { group_id } => self
                .members
                .with(|m| m.get(&group_id).and_then(|names| names.get(&user).cloned())),
        }
    }
}

pub fn use_directory() -> Directory {
    expect_context::<Directory>()
}
