//! Friends, friend requests, blocks and user search on both real backends.

mod common;

use common::{make_friends, quick_user, refusal, register, register_named};
use penguin_domain::entity::{friend_request, friendship};
use penguin_domain::{Caller, Core};
use penguin_protocol::{ErrorCode, FriendRequestOutcome, Relation, UserId};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::sync::Arc;

on_both_backends!(
    request_then_accept_makes_mutual_friends,
    declining_deletes_the_request,
    the_sender_can_cancel,
    only_the_addressee_answers_and_only_the_sender_cancels,
    a_duplicate_request_is_harmless,
    mutual_requests_become_friends,
    requests_that_make_no_sense_are_refused,
    remove_friend_ends_it_for_both,
    block_ends_friendship_and_requests_both_ways,
    block_stops_requests_both_ways,
    blocked_users_and_unblock,
    search_hides_users_who_blocked_the_caller,
    search_by_username_prefix_and_display_name,
    search_treats_like_metacharacters_literally,
    search_shows_the_relation,
    search_returns_at_most_twenty,
    search_is_case_insensitive_beyond_ascii,
    simultaneous_mutual_requests_become_friends,
);

/// Ids of the friends of `caller`, in the order `friends()` gives them.
async fn friend_ids(core: &Core, caller: &Caller) -> Vec<UserId> {
    core.friends(caller)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.user.id)
        .collect()
}

/// (incoming senders, outgoing addressees) of `caller`'s pending requests.
async fn pending(core: &Core, caller: &Caller) -> (Vec<UserId>, Vec<UserId>) {
    let requests = core.friend_requests(caller).await.unwrap();
    (
        requests.incoming.iter().map(|r| r.user.id).collect(),
        requests.outgoing.iter().map(|r| r.user.id).collect(),
    )
}

async fn request_rows(core: &Core) -> u64 {
    friend_request::Entity::find()
        .count(&core.db.conn)
        .await
        .unwrap()
}

async fn friendship_rows(core: &Core) -> u64 {
    friendship::Entity::find()
        .count(&core.db.conn)
        .await
        .unwrap()
}

/// The id of the pending request from `from` to `to`, as `to` sees it.
async fn incoming_request_id(core: &Core, to: &Caller, from: &Caller) -> i64 {
    core.friend_requests(to)
        .await
        .unwrap()
        .incoming
        .iter()
        .find(|r| r.user.id == from.id())
        .expect("a pending request")
        .id
}

async fn request_then_accept_makes_mutual_friends(core: &Core) {
    let alice = register(core, "alice").await;
    let bob = register(core, "bob").await;
    let (a, b) = (alice.caller, bob.caller);

    assert_eq!(
        core.send_friend_request(&a, b.id()).await.unwrap(),
        FriendRequestOutcome::Sent
    );
    let alices = core.friend_requests(&a).await.unwrap();
    let bobs = core.friend_requests(&b).await.unwrap();
    assert!(alices.incoming.is_empty());
    assert!(bobs.outgoing.is_empty());
    assert_eq!(alices.outgoing.len(), 1);
    assert_eq!(bobs.incoming.len(), 1);
    assert_eq!(
        alices.outgoing[0].user, bob.user,
        "outgoing shows the addressee"
    );
    assert_eq!(
        bobs.incoming[0].user, alice.user,
        "incoming shows the sender"
    );
    assert_eq!(alices.outgoing[0].id, bobs.incoming[0].id);
    assert!(bobs.incoming[0].created_at > 0);
    assert!(core.friends(&a).await.unwrap().is_empty());
    assert!(!core.are_friends(a.id(), b.id()).await.unwrap());

    core.answer_friend_request(&b, bobs.incoming[0].id, true)
        .await
        .unwrap();
    let alice_friends = core.friends(&a).await.unwrap();
    let bob_friends = core.friends(&b).await.unwrap();
    assert_eq!(alice_friends.len(), 1);
    assert_eq!(alice_friends[0].user, bob.user);
    assert_eq!(bob_friends.len(), 1);
    assert_eq!(bob_friends[0].user, alice.user);
    assert!(alice_friends[0].since > 0);
    assert!(core.are_friends(a.id(), b.id()).await.unwrap());
    assert!(core.are_friends(b.id(), a.id()).await.unwrap());
    assert_eq!(pending(core, &a).await, (vec![], vec![]));
    assert_eq!(pending(core, &b).await, (vec![], vec![]));
    assert_eq!(request_rows(core).await, 0, "answered requests are deleted");
    assert_eq!(friendship_rows(core).await, 2, "one row per side");

    // The answered request is gone.
    assert_eq!(
        refusal(
            core.answer_friend_request(&b, bobs.incoming[0].id, true)
                .await
        ),
        ErrorCode::NotFound
    );

    // friends() is ordered by display name, case-insensitively.
    let carol = register_named(core, "carol", "aardvark").await.caller;
    let dave = register_named(core, "dave", "Zed").await.caller;
    make_friends(core, &dave, &a).await;
    make_friends(core, &carol, &a).await;
    assert_eq!(
        friend_ids(core, &a).await,
        vec![carol.id(), b.id(), dave.id()]
    );
}

async fn declining_deletes_the_request(core: &Core) {
    let a = register(core, "alice").await.caller;
    let b = register(core, "bob").await.caller;
    core.send_friend_request(&a, b.id()).await.unwrap();
    let id = incoming_request_id(core, &b, &a).await;
    core.answer_friend_request(&b, id, false).await.unwrap();
    assert!(core.friends(&a).await.unwrap().is_empty());
    assert!(core.friends(&b).await.unwrap().is_empty());
    assert_eq!(pending(core, &a).await, (vec![], vec![]));
    assert_eq!(pending(core, &b).await, (vec![], vec![]));
    assert_eq!(
        refusal(core.answer_friend_request(&b, id, true).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        refusal(core.answer_friend_request(&b, id, false).await),
        ErrorCode::NotFound
    );
    // Alice may ask again.
    assert_eq!(
        core.send_friend_request(&a, b.id()).await.unwrap(),
        FriendRequestOutcome::Sent
    );
    assert_eq!(pending(core, &b).await, (vec![a.id()], vec![]));
}

async fn the_sender_can_cancel(core: &Core) {
    let a = register(core, "alice").await.caller;
    let b = register(core, "bob").await.caller;
    core.send_friend_request(&a, b.id()).await.unwrap();
    let id = incoming_request_id(core, &b, &a).await;
    core.cancel_friend_request(&a, id).await.unwrap();
    assert_eq!(pending(core, &a).await, (vec![], vec![]));
    assert_eq!(pending(core, &b).await, (vec![], vec![]));
    assert_eq!(
        refusal(core.cancel_friend_request(&a, id).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        refusal(core.answer_friend_request(&b, id, true).await),
        ErrorCode::NotFound
    );
    assert!(!core.are_friends(a.id(), b.id()).await.unwrap());
}

async fn only_the_addressee_answers_and_only_the_sender_cancels(core: &Core) {
    let a = register(core, "alice").await.caller;
    let b = register(core, "bob").await.caller;
    let c = register(core, "carol").await.caller;
    core.send_friend_request(&a, b.id()).await.unwrap();
    let id = incoming_request_id(core, &b, &a).await;

    for accept in [true, false] {
        for who in [&a, &c] {
            assert_eq!(
                refusal(core.answer_friend_request(who, id, accept).await),
                ErrorCode::NotFound
            );
        }
    }
    for who in [&b, &c] {
        assert_eq!(
            refusal(core.cancel_friend_request(who, id).await),
            ErrorCode::NotFound
        );
    }
    for unknown in [id + 1000, -1, 0] {
        assert_eq!(
            refusal(core.answer_friend_request(&b, unknown, true).await),
            ErrorCode::NotFound
        );
        assert_eq!(
            refusal(core.cancel_friend_request(&a, unknown).await),
            ErrorCode::NotFound
        );
    }
    // All of that left the request pending and made nobody friends.
    assert_eq!(pending(core, &b).await, (vec![a.id()], vec![]));
    assert_eq!(pending(core, &a).await, (vec![], vec![b.id()]));
    assert_eq!(pending(core, &c).await, (vec![], vec![]));
    assert_eq!(friendship_rows(core).await, 0);
    // The addressee still can.
    core.answer_friend_request(&b, id, true).await.unwrap();
    assert_eq!(friend_ids(core, &a).await, vec![b.id()]);
    assert!(core.friends(&c).await.unwrap().is_empty());
}

async fn a_duplicate_request_is_harmless(core: &Core) {
    let a = register(core, "alice").await.caller;
    let b = register(core, "bob").await.caller;
    let first = core.send_friend_request(&a, b.id()).await.unwrap();
    let id = incoming_request_id(core, &b, &a).await;
    let second = core.send_friend_request(&a, b.id()).await.unwrap();
    assert_eq!(first, FriendRequestOutcome::Sent);
    assert_eq!(second, FriendRequestOutcome::Sent);
    let requests = core.friend_requests(&b).await.unwrap();
    assert_eq!(requests.incoming.len(), 1);
    assert_eq!(requests.incoming[0].id, id, "the original request stays");
    assert_eq!(request_rows(core).await, 1);
}

async fn mutual_requests_become_friends(core: &Core) {
    let a = register(core, "alice").await.caller;
    let b = register(core, "bob").await.caller;
    assert_eq!(
        core.send_friend_request(&a, b.id()).await.unwrap(),
        FriendRequestOutcome::Sent
    );
    assert_eq!(
        core.send_friend_request(&b, a.id()).await.unwrap(),
        FriendRequestOutcome::BecameFriends
    );
    assert_eq!(friend_ids(core, &a).await, vec![b.id()]);
    assert_eq!(friend_ids(core, &b).await, vec![a.id()]);
    assert_eq!(pending(core, &a).await, (vec![], vec![]));
    assert_eq!(pending(core, &b).await, (vec![], vec![]));
    assert_eq!(request_rows(core).await, 0);
    assert_eq!(friendship_rows(core).await, 2);
}

async fn requests_that_make_no_sense_are_refused(core: &Core) {
    let a = register(core, "alice").await.caller;
    let b = register(core, "bob").await.caller;
    assert_eq!(
        refusal(core.send_friend_request(&a, a.id()).await),
        ErrorCode::CannotFriendYourself
    );
    for unknown in [b.id() + 1000, 0, -5, i64::MAX] {
        assert_eq!(
            refusal(core.send_friend_request(&a, unknown).await),
            ErrorCode::NotFound,
            "{unknown}"
        );
    }
    assert_eq!(request_rows(core).await, 0);
    make_friends(core, &a, &b).await;
    assert_eq!(
        refusal(core.send_friend_request(&a, b.id()).await),
        ErrorCode::AlreadyFriends
    );
    assert_eq!(
        refusal(core.send_friend_request(&b, a.id()).await),
        ErrorCode::AlreadyFriends
    );
    assert_eq!(request_rows(core).await, 0);
}

async fn remove_friend_ends_it_for_both(core: &Core) {
    let a = register(core, "alice").await.caller;
    let b = register(core, "bob").await.caller;
    let c = register(core, "carol").await.caller;
    make_friends(core, &a, &b).await;
    make_friends(core, &a, &c).await;

    core.remove_friend(&b, a.id()).await.unwrap();
    assert_eq!(friend_ids(core, &a).await, vec![c.id()]);
    assert!(core.friends(&b).await.unwrap().is_empty());
    assert!(!core.are_friends(a.id(), b.id()).await.unwrap());
    assert!(!core.are_friends(b.id(), a.id()).await.unwrap());
    assert_eq!(friendship_rows(core).await, 2, "alice and carol remain");

    assert_eq!(
        refusal(core.remove_friend(&a, b.id()).await),
        ErrorCode::NotFound,
        "no longer a friend"
    );
    assert_eq!(
        refusal(core.remove_friend(&b, c.id()).await),
        ErrorCode::NotFound,
        "never a friend"
    );
    assert_eq!(
        refusal(core.remove_friend(&a, c.id() + 1000).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        refusal(core.remove_friend(&a, a.id()).await),
        ErrorCode::NotFound
    );
    // They may become friends again.
    assert_eq!(
        core.send_friend_request(&a, b.id()).await.unwrap(),
        FriendRequestOutcome::Sent
    );
}

async fn block_ends_friendship_and_requests_both_ways(core: &Core) {
    let a = register(core, "alice").await.caller;
    let b = register(core, "bob").await.caller;
    let c = register(core, "carol").await.caller;
    let d = register(core, "dave").await.caller;
    let e = register(core, "erin").await.caller;
    make_friends(core, &a, &b).await;
    core.send_friend_request(&c, a.id()).await.unwrap(); // to alice
    core.send_friend_request(&a, d.id()).await.unwrap(); // from alice
    make_friends(core, &a, &e).await;
    let carols_request = incoming_request_id(core, &a, &c).await;

    // Alice blocks bob (a friend) and dave (whom she asked); carol (who asked alice)
    // blocks alice.
    core.block_user(&a, b.id()).await.unwrap();
    core.block_user(&a, d.id()).await.unwrap();
    core.block_user(&c, a.id()).await.unwrap();

    assert_eq!(friend_ids(core, &a).await, vec![e.id()]);
    assert!(core.friends(&b).await.unwrap().is_empty());
    assert!(!core.are_friends(a.id(), b.id()).await.unwrap());
    assert!(!core.are_friends(b.id(), a.id()).await.unwrap());
    assert_eq!(pending(core, &a).await, (vec![], vec![]));
    assert_eq!(pending(core, &c).await, (vec![], vec![]));
    assert_eq!(pending(core, &d).await, (vec![], vec![]));
    assert_eq!(request_rows(core).await, 0);
    assert_eq!(friendship_rows(core).await, 2, "alice and erin remain");
    assert_eq!(
        refusal(core.answer_friend_request(&a, carols_request, true).await),
        ErrorCode::NotFound
    );
}

async fn block_stops_requests_both_ways(core: &Core) {
    let a = register(core, "alice").await.caller;
    let b = register(core, "bob").await.caller;
    let c = register(core, "carol").await.caller;
    core.block_user(&a, b.id()).await.unwrap();
    assert!(core.is_blocked_between(a.id(), b.id()).await.unwrap());
    assert!(core.is_blocked_between(b.id(), a.id()).await.unwrap());
    assert!(!core.is_blocked_between(a.id(), c.id()).await.unwrap());
    assert!(!core.is_blocked_between(c.id(), b.id()).await.unwrap());

    assert_eq!(
        refusal(core.send_friend_request(&b, a.id()).await),
        ErrorCode::Blocked,
        "the blocked user"
    );
    assert_eq!(
        refusal(core.send_friend_request(&a, b.id()).await),
        ErrorCode::Blocked,
        "the blocker"
    );
    assert_eq!(request_rows(core).await, 0);
    // Others are unaffected.
    assert_eq!(
        core.send_friend_request(&c, a.id()).await.unwrap(),
        FriendRequestOutcome::Sent
    );
    assert_eq!(
        core.send_friend_request(&b, c.id()).await.unwrap(),
        FriendRequestOutcome::Sent
    );
}

async fn blocked_users_and_unblock(core: &Core) {
    let alice = register(core, "alice").await;
    let bob = register(core, "bob").await;
    let carol = register(core, "carol").await;
    let (a, b, c) = (alice.caller, bob.caller, carol.caller);

    assert!(core.blocked_users(&a).await.unwrap().is_empty());
    core.block_user(&a, b.id()).await.unwrap();
    core.block_user(&a, c.id()).await.unwrap();
    core.block_user(&a, b.id()).await.unwrap(); // again: harmless
    assert_eq!(
        core.blocked_users(&a).await.unwrap(),
        vec![carol.user.clone(), bob.user.clone()],
        "most recent first, once each"
    );
    assert!(core.blocked_users(&b).await.unwrap().is_empty());

    assert_eq!(
        refusal(core.block_user(&a, a.id()).await),
        ErrorCode::BadRequest
    );
    assert_eq!(
        refusal(core.block_user(&a, c.id() + 1000).await),
        ErrorCode::NotFound
    );

    // Only the blocker can lift a block.
    assert_eq!(
        refusal(core.unblock_user(&b, a.id()).await),
        ErrorCode::NotFound
    );
    core.unblock_user(&a, b.id()).await.unwrap();
    assert_eq!(
        core.blocked_users(&a).await.unwrap(),
        vec![carol.user.clone()]
    );
    assert!(!core.is_blocked_between(a.id(), b.id()).await.unwrap());
    assert_eq!(
        refusal(core.unblock_user(&a, b.id()).await),
        ErrorCode::NotFound,
        "not blocked any more"
    );
    assert_eq!(
        core.send_friend_request(&b, a.id()).await.unwrap(),
        FriendRequestOutcome::Sent
    );

    // Blocks in both directions are separate: lifting one leaves the other.
    core.block_user(&c, a.id()).await.unwrap();
    core.unblock_user(&a, c.id()).await.unwrap();
    assert!(core.is_blocked_between(a.id(), c.id()).await.unwrap());
    assert_eq!(
        refusal(core.send_friend_request(&a, c.id()).await),
        ErrorCode::Blocked
    );
    assert!(core.blocked_users(&a).await.unwrap().is_empty());
    assert_eq!(core.blocked_users(&c).await.unwrap(), vec![alice.user]);
}

/// Usernames found by `caller` searching `query`, in result order.
async fn found(core: &Core, caller: &Caller, query: &str) -> Vec<String> {
    core.search_users(caller, query)
        .await
        .unwrap_or_else(|e| panic!("search {query:?}: {e:?}"))
        .into_iter()
        .map(|card| card.user.username)
        .collect()
}

/// What `username` is to `caller`, from a search for that username.
async fn relation(core: &Core, caller: &Caller, username: &str) -> Relation {
    core.search_users(caller, username)
        .await
        .unwrap()
        .into_iter()
        .find(|card| card.user.username == username)
        .unwrap_or_else(|| panic!("{username} not found"))
        .relation
}

async fn search_hides_users_who_blocked_the_caller(core: &Core) {
    let a = quick_user(core, "alice", "Alice").await;
    let b = quick_user(core, "bob", "Bob").await;
    let c = quick_user(core, "carol", "Carol").await;
    quick_user(core, "alicia", "Alicia").await;
    core.block_user(&a, b.id()).await.unwrap();

    assert_eq!(found(core, &b, "ali").await, vec!["alicia"]);
    assert_eq!(found(core, &b, "Alice").await, Vec::<String>::new());
    // The blocker still finds whom they blocked, marked as such.
    assert_eq!(found(core, &a, "bob").await, vec!["bob"]);
    assert_eq!(relation(core, &a, "bob").await, Relation::Blocked);
    // Others see both.
    assert_eq!(found(core, &c, "ali").await, vec!["alice", "alicia"]);
    assert_eq!(found(core, &c, "bob").await, vec!["bob"]);
    // Lifting the block makes alice findable again.
    core.unblock_user(&a, b.id()).await.unwrap();
    assert_eq!(found(core, &b, "ali").await, vec!["alice", "alicia"]);
    assert_eq!(relation(core, &b, "alice").await, Relation::None);
}

async fn search_by_username_prefix_and_display_name(core: &Core) {
    let me = quick_user(core, "searcher", "Searcher").await;
    quick_user(core, "alice_smith", "Alice Smith").await;
    quick_user(core, "alicia", "Ally").await;
    quick_user(core, "bob", "Bobby ALISON").await;
    quick_user(core, "zhang", "张伟").await;
    quick_user(core, "li", "李张三").await;
    quick_user(core, "wang", "王五 Wang").await;

    assert_eq!(
        found(core, &me, "ali").await,
        vec!["alice_smith", "alicia", "bob"],
        "username prefix or display name substring, by username"
    );
    assert_eq!(
        found(core, &me, "ALI").await,
        vec!["alice_smith", "alicia", "bob"]
    );
    assert_eq!(
        found(core, &me, "  aLi  ").await,
        vec!["alice_smith", "alicia", "bob"]
    );
    assert_eq!(found(core, &me, "smith").await, vec!["alice_smith"]);
    assert_eq!(found(core, &me, "SMITH").await, vec!["alice_smith"]);
    // "lic" is inside the username "alicia" but not its prefix, and not in "Ally".
    assert_eq!(found(core, &me, "lic").await, vec!["alice_smith"]);
    assert_eq!(found(core, &me, "son").await, vec!["bob"]);
    assert_eq!(found(core, &me, "张").await, vec!["li", "zhang"]);
    assert_eq!(found(core, &me, "张伟").await, vec!["zhang"]);
    assert_eq!(found(core, &me, "王五").await, vec!["wang"]);
    assert_eq!(found(core, &me, "五 wANG").await, vec!["wang"]);
    assert_eq!(found(core, &me, "nobody").await, Vec::<String>::new());
    assert_eq!(found(core, &me, "sea").await, vec!["searcher"]);

    let long = "x".repeat(65);
    for bad in ["", "   ", "\t", &long] {
        assert_eq!(
            refusal(core.search_users(&me, bad).await),
            ErrorCode::BadRequest,
            "{bad:?}"
        );
    }
    assert!(core.search_users(&me, &"x".repeat(64)).await.is_ok());
}

async fn search_treats_like_metacharacters_literally(core: &Core) {
    let me = quick_user(core, "searcher", "Searcher").await;
    quick_user(core, "pct", "100% Pure").await;
    quick_user(core, "a_b", "Under_score").await;
    quick_user(core, "axb", "Axb").await;
    quick_user(core, "abc", "Abc").await;
    quick_user(core, "slash", r"C:\Users").await;
    quick_user(core, "plain", "100 Pure").await;

    assert_eq!(found(core, &me, "%").await, vec!["pct"]);
    assert_eq!(found(core, &me, "100%").await, vec!["pct"]);
    assert_eq!(found(core, &me, "0% p").await, vec!["pct"]);
    assert_eq!(found(core, &me, "% Pure").await, vec!["pct"]);
    assert_eq!(found(core, &me, "a_").await, vec!["a_b"]);
    assert_eq!(found(core, &me, "_").await, vec!["a_b"]);
    assert_eq!(found(core, &me, "a_b").await, vec!["a_b"]);
    assert_eq!(found(core, &me, r"\").await, vec!["slash"]);
    assert_eq!(found(core, &me, r"C:\U").await, vec!["slash"]);
    assert_eq!(found(core, &me, r"\%").await, Vec::<String>::new());
    assert_eq!(found(core, &me, "%%").await, Vec::<String>::new());
}

async fn search_shows_the_relation(core: &Core) {
    let me = register(core, "myself").await.caller;
    let friend = register(core, "friend").await.caller;
    let asked = register(core, "asked").await.caller;
    let asker = register(core, "asker").await.caller;
    let blocked = register(core, "blocked").await.caller;
    register(core, "stranger").await;
    make_friends(core, &me, &friend).await;
    core.send_friend_request(&me, asked.id()).await.unwrap();
    core.send_friend_request(&asker, me.id()).await.unwrap();
    core.block_user(&me, blocked.id()).await.unwrap();

    assert_eq!(relation(core, &me, "myself").await, Relation::Me);
    assert_eq!(relation(core, &me, "friend").await, Relation::Friend);
    assert_eq!(relation(core, &me, "asked").await, Relation::RequestSent);
    assert_eq!(
        relation(core, &me, "asker").await,
        Relation::RequestReceived
    );
    assert_eq!(relation(core, &me, "blocked").await, Relation::Blocked);
    assert_eq!(relation(core, &me, "stranger").await, Relation::None);

    // The other side of each relation.
    assert_eq!(relation(core, &friend, "myself").await, Relation::Friend);
    assert_eq!(
        relation(core, &asked, "myself").await,
        Relation::RequestReceived
    );
    assert_eq!(
        relation(core, &asker, "myself").await,
        Relation::RequestSent
    );
    assert_eq!(relation(core, &asker, "asked").await, Relation::None);

    // One search, every relation at once, each card with the right user.
    let cards = core.search_users(&me, "s").await.unwrap();
    let got: Vec<(&str, Relation)> = cards
        .iter()
        .map(|c| (c.user.username.as_str(), c.relation))
        .collect();
    assert_eq!(
        got,
        vec![
            ("asked", Relation::RequestSent),
            ("asker", Relation::RequestReceived),
            ("myself", Relation::Me),
            ("stranger", Relation::None),
        ]
    );
    let cards = core.search_users(&me, "e").await.unwrap();
    let got: Vec<(&str, Relation)> = cards
        .iter()
        .map(|c| (c.user.username.as_str(), c.relation))
        .collect();
    // Display names are the capitalized usernames, so "e" is in most of them.
    assert_eq!(
        got,
        vec![
            ("asked", Relation::RequestSent),
            ("asker", Relation::RequestReceived),
            ("blocked", Relation::Blocked),
            ("friend", Relation::Friend),
            ("myself", Relation::Me),
            ("stranger", Relation::None),
        ]
    );
}

async fn search_returns_at_most_twenty(core: &Core) {
    let me = quick_user(core, "searcher", "Searcher").await;
    for i in (0..25).rev() {
        quick_user(core, &format!("many{i:02}"), "Many").await;
    }
    let expected: Vec<String> = (0..20).map(|i| format!("many{i:02}")).collect();
    assert_eq!(found(core, &me, "many").await, expected);
    assert_eq!(
        found(core, &me, "many2").await,
        vec!["many20", "many21", "many22", "many23", "many24"]
    );
}

/// Known bug on SQLite: `lower()` there folds ASCII letters only while the query is
/// lower-cased in Rust (Unicode), so a display name with a non-ASCII capital is not found
/// by its display name, not even when typed exactly.
async fn search_is_case_insensitive_beyond_ascii(core: &Core) {
    let me = quick_user(core, "searcher", "Searcher").await;
    quick_user(core, "emile", "Émile Zola").await;
    quick_user(core, "sasha", "Саша").await;
    for query in ["Émile", "émile", "ÉMILE", "mile zola"] {
        assert_eq!(found(core, &me, query).await, vec!["emile"], "{query:?}");
    }
    for query in ["Саша", "саша", "САША"] {
        assert_eq!(found(core, &me, query).await, vec!["sasha"], "{query:?}");
    }
}

/// Two users asking each other at the same moment end as friends, exactly as when one
/// asks after the other. Known bug on PostgreSQL: both transactions look for the reverse
/// request, find none, and both insert theirs; two pending requests remain.
async fn simultaneous_mutual_requests_become_friends(core: &Core) {
    for round in 0..10 {
        let a = quick_user(core, &format!("a{round:02}"), "A").await;
        let b = quick_user(core, &format!("b{round:02}"), "B").await;
        let start = Arc::new(tokio::sync::Barrier::new(2));
        let ask = |from: Caller, to: Caller| {
            let (core, start) = (core.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                core.send_friend_request(&from, to.id()).await.unwrap()
            })
        };
        let (first, second) = (ask(a, b), ask(b, a));
        let outcomes = [first.await.unwrap(), second.await.unwrap()];
        assert!(
            core.are_friends(a.id(), b.id()).await.unwrap(),
            "round {round}: {outcomes:?}"
        );
        assert_eq!(
            outcomes
                .iter()
                .filter(|o| **o == FriendRequestOutcome::BecameFriends)
                .count(),
            1,
            "round {round}: {outcomes:?}"
        );
        assert_eq!(pending(core, &a).await, (vec![], vec![]), "round {round}");
    }
}
