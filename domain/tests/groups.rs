//! QQ groups on both real backends: creation rules, invitations and invite codes, the
//! member limit under concurrent joins, roles and who may do what, and that a group is
//! invisible ("not found") to everyone who is not in it.

mod common;

use common::{make_friends, quick_user, refusal, register, with_group_member_limit};
use penguin_domain::entity::{group, group_member};
use penguin_domain::{Caller, Core, NewGroup};
use penguin_protocol::{ErrorCode, GroupDetails, GroupId, GroupRole, UserId};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::sync::Arc;

on_both_backends!(
    create_makes_the_creator_owner,
    group_names_are_unique_case_insensitively,
    invalid_groups_are_refused,
    members_invite_their_friends,
    join_with_an_invite_code,
    concurrent_joins_never_overshoot_the_limit = with_group_member_limit(5),
    leave_a_group,
    who_may_remove_whom,
    strangers_get_not_found_for_everything,
    only_the_owner_appoints_admins,
    transfer_ownership,
    disband_deletes_the_group_for_everybody,
    reset_invite_code_invalidates_the_old_one,
);

fn new_group(name: &str) -> NewGroup {
    NewGroup {
        name: name.to_owned(),
        description: String::new(),
        member_limit: None,
    }
}

async fn create(core: &Core, owner: &Caller, name: &str) -> GroupDetails {
    core.create_group(owner, new_group(name))
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
}

async fn invite_code(core: &Core, admin: &Caller, group: GroupId) -> String {
    core.group_details(admin, group)
        .await
        .unwrap()
        .invite_code
        .expect("owners and admins see the invite code")
}

async fn group_row(core: &Core, id: GroupId) -> Option<group::Model> {
    group::Entity::find_by_id(id)
        .one(&core.db.conn)
        .await
        .unwrap()
}

async fn member_rows(core: &Core, id: GroupId) -> u64 {
    group_member::Entity::find()
        .filter(group_member::Column::GroupId.eq(id))
        .count(&core.db.conn)
        .await
        .unwrap()
}

/// (user id, role) of every member, in the order `group_members` gives them.
async fn roles(core: &Core, caller: &Caller, group: GroupId) -> Vec<(UserId, GroupRole)> {
    core.group_members(caller, group)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.user.id, m.role))
        .collect()
}

async fn my_group_ids(core: &Core, caller: &Caller) -> Vec<GroupId> {
    core.my_groups(caller)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect()
}

/// Checks the stored count against the rows and the summary members see.
async fn assert_member_count(core: &Core, member: &Caller, group: GroupId, expected: u32) {
    let details = core.group_details(member, group).await.unwrap();
    assert_eq!(details.group.member_count, expected, "summary");
    assert_eq!(details.members.len(), expected as usize, "member list");
    assert_eq!(member_rows(core, group).await, u64::from(expected), "rows");
    assert_eq!(
        group_row(core, group).await.unwrap().member_count,
        i32::try_from(expected).unwrap(),
        "stored count"
    );
}

/// A member who joined with the invite code.
async fn member(core: &Core, group: GroupId, code: &str, username: &str) -> Caller {
    let caller = quick_user(core, username, username).await;
    core.join_group(&caller, code).await.unwrap();
    assert!(core.is_group_member(group, caller.id()).await.unwrap());
    caller
}

async fn create_makes_the_creator_owner(core: &Core) {
    let alice = register(core, "alice").await;
    let owner = alice.caller;
    let details = core
        .create_group(
            &owner,
            NewGroup {
                name: "  Chess Club ".into(),
                description: " Weekly games.\r\nBring a board. ".into(),
                member_limit: None,
            },
        )
        .await
        .unwrap();
    let summary = &details.group;
    assert_eq!(summary.name, "Chess Club");
    assert_eq!(summary.description, "Weekly games.\nBring a board.");
    assert_eq!(summary.owner_id, owner.id());
    assert_eq!(summary.member_count, 1);
    assert_eq!(summary.member_limit, 200, "the server default");
    assert_eq!(summary.my_role, GroupRole::Owner);
    assert_eq!(details.members.len(), 1);
    assert_eq!(details.members[0].user, alice.user);
    assert_eq!(details.members[0].role, GroupRole::Owner);
    let code = details
        .invite_code
        .clone()
        .expect("the owner sees the code");
    assert_eq!(code.len(), 10);
    assert!(
        code.bytes()
            .all(|b| b"ABCDEFGHJKMNPQRSTUVWXYZ23456789".contains(&b)),
        "{code}"
    );
    assert_eq!(
        core.group_details(&owner, summary.id).await.unwrap(),
        details
    );
    assert_eq!(core.my_groups(&owner).await.unwrap(), vec![summary.clone()]);
    assert!(core.is_group_member(summary.id, owner.id()).await.unwrap());
    let stored = group_row(core, summary.id).await.unwrap();
    assert_eq!(stored.name_key, "chess club");
    assert_eq!(stored.invite_code, code);

    // Member limits: 2 up to the server's maximum (2000 by default).
    for limit in [2, 2000] {
        let created = core
            .create_group(
                &owner,
                NewGroup {
                    name: format!("Limit {limit}"),
                    description: String::new(),
                    member_limit: Some(limit),
                },
            )
            .await
            .unwrap();
        assert_eq!(created.group.member_limit, limit);
    }
    for limit in [0, 1, 2001, i32::MAX as u32 + 1, u32::MAX] {
        assert_eq!(
            refusal(
                core.create_group(
                    &owner,
                    NewGroup {
                        name: format!("Bad limit {limit}"),
                        description: String::new(),
                        member_limit: Some(limit),
                    },
                )
                .await
            ),
            ErrorCode::InvalidMemberLimit,
            "{limit}"
        );
    }
    // My groups, by name, case-insensitively.
    let names: Vec<String> = core
        .my_groups(&owner)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, ["Chess Club", "Limit 2", "Limit 2000"]);
    create(core, &owner, "aardvarks").await;
    assert_eq!(
        core.my_groups(&owner).await.unwrap()[0].name,
        "aardvarks",
        "sorted case-insensitively"
    );
    let other = register(core, "bob").await.caller;
    assert!(core.my_groups(&other).await.unwrap().is_empty());
}

async fn group_names_are_unique_case_insensitively(core: &Core) {
    let a = register(core, "alice").await.caller;
    let b = register(core, "bob").await.caller;
    create(core, &a, "Chess Club").await;
    for name in ["Chess Club", "chess club", "CHESS CLUB", "  Chess Club  "] {
        assert_eq!(
            refusal(core.create_group(&a, new_group(name)).await),
            ErrorCode::GroupNameTaken,
            "{name:?}"
        );
        assert_eq!(
            refusal(core.create_group(&b, new_group(name)).await),
            ErrorCode::GroupNameTaken,
            "{name:?}, another user"
        );
    }
    assert_eq!(group::Entity::find().count(&core.db.conn).await.unwrap(), 1);
    assert!(core.my_groups(&b).await.unwrap().is_empty());
    create(core, &b, "Chess Club 2").await;
}

async fn invalid_groups_are_refused(core: &Core) {
    let a = register(core, "alice").await.caller;
    let long_name = "n".repeat(65);
    for name in ["", "   ", "two\nlines", "tab\there", &long_name] {
        assert_eq!(
            refusal(core.create_group(&a, new_group(name)).await),
            ErrorCode::InvalidGroupName,
            "{name:?}"
        );
    }
    let long_description = "d".repeat(501);
    for description in [long_description.as_str(), "bell\u{7}", "nul\0"] {
        assert_eq!(
            refusal(
                core.create_group(
                    &a,
                    NewGroup {
                        name: "Fine".into(),
                        description: description.into(),
                        member_limit: None,
                    },
                )
                .await
            ),
            ErrorCode::InvalidGroupDescription,
            "{description:?}"
        );
    }
    assert_eq!(group::Entity::find().count(&core.db.conn).await.unwrap(), 0);
    assert_eq!(
        group_member::Entity::find()
            .count(&core.db.conn)
            .await
            .unwrap(),
        0
    );
    assert!(core.my_groups(&a).await.unwrap().is_empty());
    // The longest allowed texts.
    let created = core
        .create_group(
            &a,
            NewGroup {
                name: "群".repeat(64),
                description: "述".repeat(500),
                member_limit: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(created.group.name.chars().count(), 64);
    assert_eq!(created.group.description.chars().count(), 500);
}

async fn members_invite_their_friends(core: &Core) {
    let owner = register(core, "owner").await.caller;
    let friend = quick_user(core, "friend", "Friend").await;
    let other_friend = quick_user(core, "other", "Other").await;
    let friends_friend = quick_user(core, "ff", "Friend's friend").await;
    let stranger = quick_user(core, "stranger", "Stranger").await;
    make_friends(core, &owner, &friend).await;
    make_friends(core, &owner, &other_friend).await;
    make_friends(core, &friend, &friends_friend).await;
    let group = create(core, &owner, "Club").await.group.id;

    assert_eq!(
        refusal(core.invite_to_group(&owner, group, stranger.id()).await),
        ErrorCode::NotFriends
    );
    assert_eq!(
        refusal(
            core.invite_to_group(&owner, group, friends_friend.id())
                .await
        ),
        ErrorCode::NotFriends,
        "a friend of a friend is not a friend"
    );
    assert_eq!(
        refusal(
            core.invite_to_group(&owner, group, stranger.id() + 1000)
                .await
        ),
        ErrorCode::NotFriends
    );
    core.invite_to_group(&owner, group, friend.id())
        .await
        .unwrap();
    let theirs = core.my_groups(&friend).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].id, group);
    assert_eq!(theirs[0].my_role, GroupRole::Member);
    assert_eq!(theirs[0].member_count, 2);
    let details = core.group_details(&friend, group).await.unwrap();
    assert_eq!(
        details.invite_code, None,
        "plain members do not see the code"
    );
    assert_eq!(
        refusal(core.invite_to_group(&owner, group, friend.id()).await),
        ErrorCode::AlreadyMember
    );
    assert_eq!(
        refusal(core.invite_to_group(&friend, group, owner.id()).await),
        ErrorCode::AlreadyMember
    );
    // A plain member invites their own friends.
    core.invite_to_group(&friend, group, friends_friend.id())
        .await
        .unwrap();
    assert_member_count(core, &owner, group, 3).await;
    assert_eq!(
        roles(core, &owner, group).await,
        vec![
            (owner.id(), GroupRole::Owner),
            (friend.id(), GroupRole::Member),
            (friends_friend.id(), GroupRole::Member),
        ]
    );

    // A block ends the friendship, and with it the right to invite.
    core.block_user(&owner, other_friend.id()).await.unwrap();
    assert_eq!(
        refusal(core.invite_to_group(&owner, group, other_friend.id()).await),
        ErrorCode::NotFriends
    );
    core.unblock_user(&owner, other_friend.id()).await.unwrap();
    make_friends(core, &owner, &other_friend).await;

    // Invitations respect the member limit.
    let small = core
        .create_group(
            &owner,
            NewGroup {
                name: "Pair".into(),
                description: String::new(),
                member_limit: Some(2),
            },
        )
        .await
        .unwrap()
        .group
        .id;
    core.invite_to_group(&owner, small, friend.id())
        .await
        .unwrap();
    assert_eq!(
        refusal(core.invite_to_group(&owner, small, other_friend.id()).await),
        ErrorCode::GroupFull
    );
    assert_member_count(core, &owner, small, 2).await;
    assert!(
        !core
            .is_group_member(small, other_friend.id())
            .await
            .unwrap()
    );
}

async fn join_with_an_invite_code(core: &Core) {
    let owner = register(core, "owner").await.caller;
    let joiner = quick_user(core, "joiner", "Joiner").await;
    let created = create(core, &owner, "Club").await;
    let group = created.group.id;
    let code = created.invite_code.unwrap();

    // Case, spaces and dashes do not matter.
    let typed = format!(
        "  {}-{} ",
        code[..5].to_lowercase(),
        code[5..].to_lowercase()
    );
    let joined = core.join_group(&joiner, &typed).await.unwrap();
    assert_eq!(joined.id, group);
    assert_eq!(joined.name, "Club");
    assert_eq!(joined.my_role, GroupRole::Member);
    assert_eq!(joined.member_count, 2);
    assert_eq!(joined.owner_id, owner.id());
    assert_eq!(my_group_ids(core, &joiner).await, vec![group]);

    for again in [&joiner, &owner] {
        assert_eq!(
            refusal(core.join_group(again, &code).await),
            ErrorCode::AlreadyMember
        );
    }
    let other_char = if code.starts_with('A') { "B" } else { "A" };
    let wrong = format!("{other_char}{}", &code[1..]);
    let longer = format!("{code}A");
    let lookalike = code.replace(['A', 'B'], "0");
    let late = quick_user(core, "late", "Late").await;
    for bad in [
        wrong.as_str(),
        &code[1..],
        &longer,
        "",
        "   ",
        "ABCDE",
        &lookalike,
        "%%%%%%%%%%",
    ] {
        if bad == code {
            continue;
        }
        assert_eq!(
            refusal(core.join_group(&late, bad).await),
            ErrorCode::InvalidInviteCode,
            "{bad:?}"
        );
    }
    assert_member_count(core, &owner, group, 2).await;
    assert!(core.my_groups(&late).await.unwrap().is_empty());
}

/// Settings: new groups have a member limit of 5.
async fn concurrent_joins_never_overshoot_the_limit(core: &Core) {
    let owner = register(core, "owner").await.caller;
    let created = create(core, &owner, "Popular").await;
    assert_eq!(created.group.member_limit, 5, "the configured default");
    let group = created.group.id;
    let code = created.invite_code.unwrap();

    let mut joiners = Vec::new();
    for i in 0..12 {
        joiners.push(quick_user(core, &format!("joiner{i:02}"), "Joiner").await);
    }
    let start = Arc::new(tokio::sync::Barrier::new(joiners.len()));
    let tasks: Vec<_> = joiners
        .iter()
        .map(|caller| {
            let (core, code, start, caller) = (core.clone(), code.clone(), start.clone(), *caller);
            tokio::spawn(async move {
                start.wait().await;
                (caller, core.join_group(&caller, &code).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            (caller, Ok(summary)) => {
                assert_eq!(summary.id, group);
                assert!((2..=5).contains(&summary.member_count));
                winners.push(caller);
            }
            (caller, Err(error)) => {
                assert_eq!(refusal::<()>(Err(error)), ErrorCode::GroupFull);
                losers.push(caller);
            }
        }
    }
    assert_eq!(winners.len(), 4, "1 owner + 4 joiners fill 5 seats");
    assert_eq!(losers.len(), 8);
    assert_member_count(core, &owner, group, 5).await;
    for winner in &winners {
        assert_eq!(my_group_ids(core, winner).await, vec![group]);
    }
    for loser in &losers {
        assert!(core.my_groups(loser).await.unwrap().is_empty());
        assert!(!core.is_group_member(group, loser.id()).await.unwrap());
    }

    // A seat freed by leaving can be taken once.
    core.leave_group(&winners[0], group).await.unwrap();
    assert_member_count(core, &owner, group, 4).await;
    core.join_group(&losers[0], &code).await.unwrap();
    assert_eq!(
        refusal(core.join_group(&losers[1], &code).await),
        ErrorCode::GroupFull
    );
    assert_member_count(core, &owner, group, 5).await;

    // Joins racing invitations share the same seats.
    let created = core
        .create_group(
            &owner,
            NewGroup {
                name: "Mixed".into(),
                description: String::new(),
                member_limit: Some(5),
            },
        )
        .await
        .unwrap();
    let mixed = created.group.id;
    let mixed_code = created.invite_code.unwrap();
    let invited = &joiners[..3];
    for friend in invited {
        make_friends(core, &owner, friend).await;
    }
    let start = Arc::new(tokio::sync::Barrier::new(joiners.len()));
    let tasks: Vec<_> = joiners
        .iter()
        .enumerate()
        .map(|(i, caller)| {
            let (core, code, start, caller, owner) = (
                core.clone(),
                mixed_code.clone(),
                start.clone(),
                *caller,
                owner,
            );
            tokio::spawn(async move {
                start.wait().await;
                if i < 3 {
                    core.invite_to_group(&owner, mixed, caller.id()).await
                } else {
                    core.join_group(&caller, &code).await.map(|_| ())
                }
            })
        })
        .collect();
    let mut seated = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => seated += 1,
            Err(error) => assert_eq!(refusal::<()>(Err(error)), ErrorCode::GroupFull),
        }
    }
    assert_eq!(seated, 4);
    assert_member_count(core, &owner, mixed, 5).await;
}

async fn leave_a_group(core: &Core) {
    let owner = register(core, "owner").await.caller;
    let created = create(core, &owner, "Club").await;
    let group = created.group.id;
    let code = created.invite_code.unwrap();
    let m = member(core, group, &code, "member").await;
    assert_member_count(core, &owner, group, 2).await;

    assert_eq!(
        refusal(core.leave_group(&owner, group).await),
        ErrorCode::OwnerCannotLeave
    );
    core.leave_group(&m, group).await.unwrap();
    assert_member_count(core, &owner, group, 1).await;
    assert!(core.my_groups(&m).await.unwrap().is_empty());
    assert_eq!(
        refusal(core.group_details(&m, group).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        refusal(core.leave_group(&m, group).await),
        ErrorCode::NotFound
    );
    assert_eq!(my_group_ids(core, &owner).await, vec![group]);
    // Leaving is not banishment: the code still works.
    core.join_group(&m, &code).await.unwrap();
    assert_member_count(core, &owner, group, 2).await;
}

async fn who_may_remove_whom(core: &Core) {
    let owner = register(core, "owner").await.caller;
    let created = create(core, &owner, "Club").await;
    let group = created.group.id;
    let code = created.invite_code.unwrap();
    let a1 = member(core, group, &code, "admin1").await;
    let a2 = member(core, group, &code, "admin2").await;
    let m1 = member(core, group, &code, "member1").await;
    let m2 = member(core, group, &code, "member2").await;
    let m3 = member(core, group, &code, "member3").await;
    let outsider = quick_user(core, "outsider", "Outsider").await;
    core.set_group_admin(&owner, group, a1.id(), true)
        .await
        .unwrap();
    core.set_group_admin(&owner, group, a2.id(), true)
        .await
        .unwrap();
    // Owner first, then admins, then members, each by join time.
    assert_eq!(
        roles(core, &m1, group).await,
        vec![
            (owner.id(), GroupRole::Owner),
            (a1.id(), GroupRole::Admin),
            (a2.id(), GroupRole::Admin),
            (m1.id(), GroupRole::Member),
            (m2.id(), GroupRole::Member),
            (m3.id(), GroupRole::Member),
        ]
    );
    assert_eq!(invite_code(core, &a1, group).await, code);
    assert_eq!(
        core.group_details(&m1, group).await.unwrap().invite_code,
        None
    );

    // A plain member removes nobody, not even themself (that is leaving).
    for target in [&owner, &a1, &m2, &m1] {
        assert_eq!(
            refusal(core.remove_group_member(&m1, group, target.id()).await),
            ErrorCode::Forbidden
        );
    }
    // An admin removes plain members only.
    for target in [&owner, &a2, &a1] {
        assert_eq!(
            refusal(core.remove_group_member(&a1, group, target.id()).await),
            ErrorCode::Forbidden
        );
    }
    assert_member_count(core, &owner, group, 6).await;
    core.remove_group_member(&a1, group, m1.id()).await.unwrap();
    // The owner removes admins and members, but not themself.
    core.remove_group_member(&owner, group, a2.id())
        .await
        .unwrap();
    core.remove_group_member(&owner, group, m2.id())
        .await
        .unwrap();
    assert_eq!(
        refusal(core.remove_group_member(&owner, group, owner.id()).await),
        ErrorCode::Forbidden
    );
    // Whoever is not (or no longer) in the group is "not found".
    for target in [&outsider, &m1] {
        assert_eq!(
            refusal(core.remove_group_member(&owner, group, target.id()).await),
            ErrorCode::NotFound
        );
    }
    assert_eq!(
        refusal(
            core.remove_group_member(&owner, group, outsider.id() + 1000)
                .await
        ),
        ErrorCode::NotFound
    );
    assert_member_count(core, &owner, group, 3).await;
    assert_eq!(
        roles(core, &owner, group).await,
        vec![
            (owner.id(), GroupRole::Owner),
            (a1.id(), GroupRole::Admin),
            (m3.id(), GroupRole::Member),
        ]
    );

    // The removed no longer see the group at all.
    for kicked in [&m1, &a2, &m2] {
        assert_eq!(
            refusal(core.group_details(kicked, group).await),
            ErrorCode::NotFound
        );
        assert_eq!(
            refusal(core.group_members(kicked, group).await),
            ErrorCode::NotFound
        );
        assert!(core.my_groups(kicked).await.unwrap().is_empty());
        assert!(!core.is_group_member(group, kicked.id()).await.unwrap());
        assert_eq!(
            refusal(core.leave_group(kicked, group).await),
            ErrorCode::NotFound
        );
        assert_eq!(
            refusal(core.reset_invite_code(kicked, group).await),
            ErrorCode::NotFound
        );
        assert_eq!(
            refusal(core.remove_group_member(kicked, group, m3.id()).await),
            ErrorCode::NotFound
        );
    }
}

async fn strangers_get_not_found_for_everything(core: &Core) {
    let owner = register(core, "owner").await.caller;
    let created = create(core, &owner, "Club").await;
    let group = created.group.id;
    let code = created.invite_code.clone().unwrap();
    let m = member(core, group, &code, "member").await;
    let stranger = quick_user(core, "stranger", "Stranger").await;
    let strangers_friend = quick_user(core, "pal", "Pal").await;
    make_friends(core, &stranger, &strangers_friend).await;
    make_friends(core, &owner, &strangers_friend).await;
    let before = core.group_details(&owner, group).await.unwrap();

    // The stranger on the real group, and the owner on a group that does not exist:
    // the same answer for every operation.
    let missing = group + 1000;
    for (caller, id) in [(&stranger, group), (&owner, missing), (&m, missing)] {
        let who = (caller.id(), id);
        let nf = ErrorCode::NotFound;
        assert_eq!(refusal(core.group_details(caller, id).await), nf, "{who:?}");
        assert_eq!(refusal(core.group_members(caller, id).await), nf, "{who:?}");
        assert_eq!(
            refusal(
                core.invite_to_group(caller, id, strangers_friend.id())
                    .await
            ),
            nf,
            "{who:?}"
        );
        assert_eq!(refusal(core.leave_group(caller, id).await), nf, "{who:?}");
        assert_eq!(
            refusal(core.remove_group_member(caller, id, m.id()).await),
            nf,
            "{who:?}"
        );
        assert_eq!(
            refusal(core.set_group_admin(caller, id, m.id(), true).await),
            nf,
            "{who:?}"
        );
        assert_eq!(
            refusal(core.transfer_group(caller, id, m.id()).await),
            nf,
            "{who:?}"
        );
        assert_eq!(
            refusal(core.transfer_group(caller, id, caller.id()).await),
            nf,
            "{who:?}"
        );
        assert_eq!(refusal(core.disband_group(caller, id).await), nf, "{who:?}");
        assert_eq!(
            refusal(core.reset_invite_code(caller, id).await),
            nf,
            "{who:?}"
        );
    }
    // Nothing changed.
    assert_eq!(core.group_details(&owner, group).await.unwrap(), before);
    assert!(core.my_groups(&stranger).await.unwrap().is_empty());
    assert!(
        !core
            .is_group_member(group, strangers_friend.id())
            .await
            .unwrap()
    );
    assert!(group_row(core, missing).await.is_none());
}

async fn only_the_owner_appoints_admins(core: &Core) {
    let owner = register(core, "owner").await.caller;
    let created = create(core, &owner, "Club").await;
    let group = created.group.id;
    let code = created.invite_code.unwrap();
    let x = member(core, group, &code, "xavier").await;
    let y = member(core, group, &code, "yvonne").await;
    let outsider = quick_user(core, "outsider", "Outsider").await;

    // Plain members appoint nobody.
    for (target, admin) in [(&y, true), (&x, true), (&owner, false)] {
        assert_eq!(
            refusal(core.set_group_admin(&y, group, target.id(), admin).await),
            ErrorCode::Forbidden
        );
    }
    assert_eq!(
        refusal(core.reset_invite_code(&y, group).await),
        ErrorCode::Forbidden
    );

    core.set_group_admin(&owner, group, x.id(), true)
        .await
        .unwrap();
    core.set_group_admin(&owner, group, x.id(), true)
        .await
        .unwrap(); // again: no change
    assert_eq!(
        core.group_details(&x, group).await.unwrap().group.my_role,
        GroupRole::Admin
    );
    assert_eq!(invite_code(core, &x, group).await, code);
    // Admins do not appoint or demote either, and nobody changes the owner's role.
    for (target, admin) in [(&y, true), (&x, false), (&owner, false)] {
        assert_eq!(
            refusal(core.set_group_admin(&x, group, target.id(), admin).await),
            ErrorCode::Forbidden
        );
    }
    for admin in [true, false] {
        assert_eq!(
            refusal(core.set_group_admin(&owner, group, owner.id(), admin).await),
            ErrorCode::Forbidden
        );
    }
    assert_eq!(
        refusal(
            core.set_group_admin(&owner, group, outsider.id(), true)
                .await
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        roles(core, &y, group).await,
        vec![
            (owner.id(), GroupRole::Owner),
            (x.id(), GroupRole::Admin),
            (y.id(), GroupRole::Member),
        ]
    );

    // Demoted, x loses what admins have.
    core.set_group_admin(&owner, group, x.id(), false)
        .await
        .unwrap();
    let details = core.group_details(&x, group).await.unwrap();
    assert_eq!(details.group.my_role, GroupRole::Member);
    assert_eq!(details.invite_code, None);
    assert_eq!(
        refusal(core.reset_invite_code(&x, group).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        refusal(core.remove_group_member(&x, group, y.id()).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        core.my_groups(&x).await.unwrap()[0].my_role,
        GroupRole::Member
    );
    assert_member_count(core, &owner, group, 3).await;
}

async fn transfer_ownership(core: &Core) {
    let old = register(core, "old").await.caller;
    let created = create(core, &old, "Club").await;
    let group = created.group.id;
    let code = created.invite_code.unwrap();
    let admin = member(core, group, &code, "admin").await;
    let new = member(core, group, &code, "new").await;
    let outsider = quick_user(core, "outsider", "Outsider").await;
    core.set_group_admin(&old, group, admin.id(), true)
        .await
        .unwrap();

    // Only the owner transfers, only to another member.
    assert_eq!(
        refusal(core.transfer_group(&admin, group, new.id()).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        refusal(core.transfer_group(&new, group, new.id()).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        refusal(core.transfer_group(&old, group, old.id()).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        refusal(core.transfer_group(&old, group, outsider.id()).await),
        ErrorCode::NotFound
    );

    core.transfer_group(&old, group, new.id()).await.unwrap();
    let details = core.group_details(&old, group).await.unwrap();
    assert_eq!(details.group.owner_id, new.id());
    assert_eq!(details.group.my_role, GroupRole::Admin);
    assert_eq!(group_row(core, group).await.unwrap().owner_id, new.id());
    assert_eq!(
        roles(core, &new, group).await,
        vec![
            (new.id(), GroupRole::Owner),
            (old.id(), GroupRole::Admin),
            (admin.id(), GroupRole::Admin),
        ]
    );
    assert_eq!(
        core.my_groups(&new).await.unwrap()[0].my_role,
        GroupRole::Owner
    );
    assert_eq!(
        core.my_groups(&old).await.unwrap()[0].my_role,
        GroupRole::Admin
    );

    // The old owner is an admin now: owner-only operations are refused.
    assert_eq!(
        refusal(core.disband_group(&old, group).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        refusal(core.transfer_group(&old, group, admin.id()).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        refusal(core.set_group_admin(&old, group, admin.id(), false).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        refusal(core.remove_group_member(&old, group, new.id()).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        refusal(core.leave_group(&new, group).await),
        ErrorCode::OwnerCannotLeave
    );
    // The new owner rules: they may remove the old owner, now an admin.
    core.remove_group_member(&new, group, old.id())
        .await
        .unwrap();
    assert_member_count(core, &new, group, 2).await;
    core.disband_group(&new, group).await.unwrap();
    assert!(group_row(core, group).await.is_none());
    assert!(core.my_groups(&admin).await.unwrap().is_empty());
}

async fn disband_deletes_the_group_for_everybody(core: &Core) {
    let owner = register(core, "owner").await.caller;
    let created = create(core, &owner, "Club").await;
    let group = created.group.id;
    let code = created.invite_code.unwrap();
    let admin = member(core, group, &code, "admin").await;
    let m = member(core, group, &code, "member").await;
    core.set_group_admin(&owner, group, admin.id(), true)
        .await
        .unwrap();
    let other = create(core, &m, "Other").await.group.id;
    core.join_group(&owner, &invite_code(core, &m, other).await)
        .await
        .unwrap();

    for not_owner in [&admin, &m] {
        assert_eq!(
            refusal(core.disband_group(not_owner, group).await),
            ErrorCode::Forbidden
        );
    }
    assert_member_count(core, &owner, group, 3).await;

    core.disband_group(&owner, group).await.unwrap();
    for former in [&owner, &admin, &m] {
        assert!(!my_group_ids(core, former).await.contains(&group));
        assert_eq!(
            refusal(core.group_details(former, group).await),
            ErrorCode::NotFound
        );
        assert_eq!(
            refusal(core.group_members(former, group).await),
            ErrorCode::NotFound
        );
        assert_eq!(
            refusal(core.disband_group(former, group).await),
            ErrorCode::NotFound
        );
    }
    assert!(group_row(core, group).await.is_none());
    assert_eq!(member_rows(core, group).await, 0, "memberships go with it");
    assert_eq!(
        refusal(core.join_group(&m, &code).await),
        ErrorCode::InvalidInviteCode
    );
    // Other groups are untouched, and the name is free again.
    assert_eq!(my_group_ids(core, &owner).await, vec![other]);
    assert_member_count(core, &m, other, 2).await;
    let again = create(core, &owner, "club").await;
    assert_ne!(again.group.id, group);
    assert_eq!(again.group.member_count, 1);
}

async fn reset_invite_code_invalidates_the_old_one(core: &Core) {
    let owner = register(core, "owner").await.caller;
    let created = create(core, &owner, "Club").await;
    let group = created.group.id;
    let old_code = created.invite_code.unwrap();
    let admin = member(core, group, &old_code, "admin").await;
    let plain = member(core, group, &old_code, "plain").await;
    core.set_group_admin(&owner, group, admin.id(), true)
        .await
        .unwrap();
    let late = quick_user(core, "late", "Late").await;

    assert_eq!(
        refusal(core.reset_invite_code(&plain, group).await),
        ErrorCode::Forbidden
    );
    let new_code = core.reset_invite_code(&owner, group).await.unwrap();
    assert_ne!(new_code, old_code);
    assert_eq!(new_code.len(), 10);
    assert_eq!(invite_code(core, &owner, group).await, new_code);
    assert_eq!(invite_code(core, &admin, group).await, new_code);
    assert_eq!(
        refusal(core.join_group(&late, &old_code).await),
        ErrorCode::InvalidInviteCode
    );
    core.join_group(&late, &new_code.to_lowercase())
        .await
        .unwrap();

    // Admins may reset it too.
    let newest = core.reset_invite_code(&admin, group).await.unwrap();
    assert_ne!(newest, new_code);
    assert_eq!(invite_code(core, &owner, group).await, newest);
    let later = quick_user(core, "later", "Later").await;
    assert_eq!(
        refusal(core.join_group(&later, &new_code).await),
        ErrorCode::InvalidInviteCode
    );
    core.join_group(&later, &newest).await.unwrap();
    assert_member_count(core, &owner, group, 5).await;
}
