//! The storage side of the delivery contract: who may post where, idempotent sends, one
//! gap-free order under concurrent senders, catch-up and history pages, read positions.

mod common;

use common::{make_friends, quick_user, refusal};
use penguin_domain::{Caller, Core, NewGroup};
use penguin_protocol::{Destination, ErrorCode, GroupId, Seq};

on_both_backends!(
    direct_messages_between_friends,
    only_friends_who_have_not_blocked_each_other_may_post,
    a_resent_client_id_stores_nothing_and_returns_the_first_ack,
    group_messages_reach_members_only,
    concurrent_senders_get_one_gap_free_order,
    catch_up_and_history_come_in_pages,
    read_positions_only_move_forward_and_drive_unread_counts,
    bad_messages_are_refused,
);

fn to(user: &Caller) -> Destination {
    Destination::Direct { user_id: user.id() }
}

async fn group_of(core: &Core, owner: &Caller, members: &[&Caller]) -> GroupId {
    let group = core
        .create_group(
            owner,
            NewGroup {
                name: format!("g{}", owner.id()),
                ..NewGroup::default()
            },
        )
        .await
        .unwrap();
    for member in members {
        make_friends(core, owner, member).await;
        core.invite_to_group(owner, group.group.id, member.id())
            .await
            .unwrap();
    }
    group.group.id
}

async fn direct_messages_between_friends(core: &Core) {
    let ann = quick_user(core, "ann", "Ann").await;
    let ben = quick_user(core, "ben", "Ben").await;
    make_friends(core, &ann, &ben).await;
    let first = core
        .send_message(&ann, to(&ben), "c1", "hi <b>Ben</b>")
        .await
        .unwrap();
    let second = core
        .send_message(&ben, to(&ann), "c2", "hi Ann")
        .await
        .unwrap();
    assert_eq!(
        first.ack.conversation_id, second.ack.conversation_id,
        "one conversation per pair"
    );
    assert_eq!((first.ack.seq, second.ack.seq), (1, 2));
    assert!(!first.duplicate);
    let mut recipients = first.recipients.clone();
    recipients.sort();
    assert_eq!(recipients, vec![ann.id(), ben.id()]);
    let history = core
        .messages_after(&ben, first.ack.conversation_id, 0, 50)
        .await
        .unwrap();
    let bodies: Vec<_> = history
        .iter()
        .map(|m| (m.seq, m.sender_id, m.body.as_str()))
        .collect();
    assert_eq!(
        bodies,
        [(1, ann.id(), "hi <b>Ben</b>"), (2, ben.id(), "hi Ann")]
    );
    // A third user cannot read it.
    let eve = quick_user(core, "eve", "Eve").await;
    let code = refusal(
        core.messages_after(&eve, first.ack.conversation_id, 0, 50)
            .await,
    );
    assert_eq!(code, ErrorCode::NotFound);
}

async fn only_friends_who_have_not_blocked_each_other_may_post(core: &Core) {
    let ann = quick_user(core, "ann", "Ann").await;
    let ben = quick_user(core, "ben", "Ben").await;
    assert_eq!(
        refusal(core.send_message(&ann, to(&ben), "c1", "hi").await),
        ErrorCode::NotFriends
    );
    assert_eq!(
        refusal(
            core.send_message(&ann, Destination::Direct { user_id: 999_999 }, "c2", "hi")
                .await
        ),
        ErrorCode::NotFound
    );
    make_friends(core, &ann, &ben).await;
    let sent = core.send_message(&ann, to(&ben), "c3", "hi").await.unwrap();
    core.block_user(&ben, ann.id()).await.unwrap();
    assert_eq!(
        refusal(core.send_message(&ann, to(&ben), "c4", "hi?").await),
        ErrorCode::Blocked
    );
    assert_eq!(
        refusal(core.send_message(&ben, to(&ann), "c5", "bye").await),
        ErrorCode::Blocked
    );
    // Both still read their history.
    let history = core
        .messages_after(&ann, sent.ack.conversation_id, 0, 50)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
}

async fn a_resent_client_id_stores_nothing_and_returns_the_first_ack(core: &Core) {
    let ann = quick_user(core, "ann", "Ann").await;
    let ben = quick_user(core, "ben", "Ben").await;
    make_friends(core, &ann, &ben).await;
    let first = core
        .send_message(&ann, to(&ben), "same-id", "once")
        .await
        .unwrap();
    let again = core
        .send_message(&ann, to(&ben), "same-id", "once")
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.ack, first.ack);
    // Concurrent retries of one id: still one message.
    let retries = (0..6).map(|_| {
        let (core, ann, ben) = (core.clone(), ann, ben);
        tokio::spawn(async move { core.send_message(&ann, to(&ben), "raced", "twice?").await })
    });
    let acks: Vec<_> = futures_join(retries)
        .await
        .into_iter()
        .map(|s| s.ack)
        .collect();
    assert!(acks.windows(2).all(|w| w[0] == w[1]), "{acks:?}");
    let history = core
        .messages_after(&ben, first.ack.conversation_id, 0, 50)
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].seq, 2);

    // Queued back to back, repeats among new sends (likely one batch, whose repeats
    // make the writer store it again send by send): the new ones are stored in the
    // order queued, each repeat answers with its first send's ack.
    let mut queued = Vec::new();
    for id in ["q1", "q1", "q2", "same-id", "q1", "q3"] {
        queued.push(core.queue_message(&ann, to(&ben), id, id).await.unwrap());
    }
    let mut acks = Vec::new();
    for send in queued {
        let sent = send.stored().await.unwrap();
        acks.push((sent.ack.client_id, sent.ack.seq, sent.duplicate));
    }
    let expected = [
        ("q1", 3, false),
        ("q1", 3, true),
        ("q2", 4, false),
        ("same-id", 1, true),
        ("q1", 3, true),
        ("q3", 5, false),
    ]
    .map(|(id, seq, duplicate)| (id.to_owned(), seq, duplicate));
    assert_eq!(acks, expected);
    let history = core
        .messages_after(&ben, first.ack.conversation_id, 0, 50)
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|m| m.client_id.as_str())
            .collect::<Vec<_>>(),
        ["same-id", "raced", "q1", "q2", "q3"]
    );

    // No longer friends: a retry of an earlier send still gets its ack, a new one not.
    core.remove_friend(&ann, ben.id()).await.unwrap();
    let retried = core.send_message(&ann, to(&ben), "q3", "q3").await.unwrap();
    assert_eq!((retried.ack.seq, retried.duplicate), (5, true));
    assert_eq!(
        refusal(core.send_message(&ann, to(&ben), "q4", "q4").await),
        ErrorCode::NotFriends
    );
}

async fn group_messages_reach_members_only(core: &Core) {
    let owner = quick_user(core, "owner", "Owner").await;
    let member = quick_user(core, "member", "Member").await;
    let stranger = quick_user(core, "stranger", "Stranger").await;
    let group = group_of(core, &owner, &[&member]).await;
    let dest = Destination::Group { group_id: group };
    let sent = core
        .send_message(&member, dest, "g1", "hello group")
        .await
        .unwrap();
    let mut recipients = sent.recipients.clone();
    recipients.sort();
    assert_eq!(recipients, vec![owner.id(), member.id()]);
    assert_eq!(
        refusal(core.send_message(&stranger, dest, "g2", "let me in").await),
        ErrorCode::NotFound
    );
    let conversation = sent.ack.conversation_id;
    assert_eq!(
        refusal(core.messages_after(&stranger, conversation, 0, 10).await),
        ErrorCode::NotFound
    );
    // A removed member can neither post nor read any more.
    core.remove_group_member(&owner, group, member.id())
        .await
        .unwrap();
    assert_eq!(
        refusal(core.send_message(&member, dest, "g3", "still here?").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        refusal(core.messages_before(&member, conversation, None, 10).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        core.messages_before(&owner, conversation, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn concurrent_senders_get_one_gap_free_order(core: &Core) {
    let owner = quick_user(core, "owner", "Owner").await;
    let others = [
        quick_user(core, "m1", "M1").await,
        quick_user(core, "m2", "M2").await,
        quick_user(core, "m3", "M3").await,
    ];
    let group = group_of(core, &owner, &others.iter().collect::<Vec<_>>()).await;
    let senders: Vec<Caller> = std::iter::once(owner).chain(others).collect();
    let sends = senders.iter().flat_map(|sender| {
        (0..10).map(move |i| {
            let (core, sender) = (core.clone(), *sender);
            tokio::spawn(async move {
                core.send_message(
                    &sender,
                    Destination::Group { group_id: group },
                    &format!("{}-{i}", sender.id()),
                    &format!("message {i}"),
                )
                .await
            })
        })
    });
    let before = core.commit_stats();
    let sent = futures_join(sends).await;
    let after = core.commit_stats();
    let (batches, messages) = (after.0 - before.0, after.1 - before.1);
    assert_eq!(messages, 40);
    assert!(
        batches < messages,
        "group commit: {messages} messages in {batches} transactions"
    );
    let mut seqs: Vec<Seq> = sent.iter().map(|s| s.ack.seq).collect();
    seqs.sort();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>(), "gap-free and unique");
    let conversation = sent[0].ack.conversation_id;
    let stored = core
        .messages_after(&owner, conversation, 0, 200)
        .await
        .unwrap();
    assert_eq!(
        stored.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=40).collect::<Vec<_>>()
    );
    // Each acknowledgement names the message that is stored at that place.
    for s in &sent {
        let at = &stored[usize::try_from(s.ack.seq - 1).unwrap()];
        assert_eq!(at.client_id, s.ack.client_id);
    }
}

async fn catch_up_and_history_come_in_pages(core: &Core) {
    let ann = quick_user(core, "ann", "Ann").await;
    let ben = quick_user(core, "ben", "Ben").await;
    make_friends(core, &ann, &ben).await;
    let mut conversation = 0;
    for i in 1..=25 {
        conversation = core
            .send_message(&ann, to(&ben), &format!("m{i}"), &format!("#{i}"))
            .await
            .unwrap()
            .ack
            .conversation_id;
    }
    // Catch-up from seq 7 in pages of 10: 8..=17, 18..=25, then nothing.
    let mut seen = 7;
    let mut pages = Vec::new();
    loop {
        let page = core
            .messages_after(&ben, conversation, seen, 10)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        seen = page.last().unwrap().seq;
        pages.push(page.iter().map(|m| m.seq).collect::<Vec<_>>());
    }
    assert_eq!(pages, [(8..=17).collect::<Vec<_>>(), (18..=25).collect()]);
    // History backwards: the newest 10, then the 10 before, oldest first in each page.
    let newest = core
        .messages_before(&ben, conversation, None, 10)
        .await
        .unwrap();
    assert_eq!(
        newest.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (16..=25).collect::<Vec<_>>()
    );
    let older = core
        .messages_before(&ben, conversation, Some(16), 10)
        .await
        .unwrap();
    assert_eq!(
        older.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (6..=15).collect::<Vec<_>>()
    );
    let oldest = core
        .messages_before(&ben, conversation, Some(6), 10)
        .await
        .unwrap();
    assert_eq!(
        oldest.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=5).collect::<Vec<_>>()
    );
}

async fn read_positions_only_move_forward_and_drive_unread_counts(core: &Core) {
    let ann = quick_user(core, "ann", "Ann").await;
    let ben = quick_user(core, "ben", "Ben").await;
    make_friends(core, &ann, &ben).await;
    assert!(core.unread_counts(&ben).await.unwrap().is_empty());
    let mut conversation = 0;
    for i in 1..=5 {
        conversation = core
            .send_message(&ann, to(&ben), &format!("m{i}"), "hi")
            .await
            .unwrap()
            .ack
            .conversation_id;
    }
    let unread = core.unread_counts(&ben).await.unwrap();
    assert_eq!(unread.len(), 1);
    assert_eq!(
        (
            unread[0].conversation_id,
            unread[0].count,
            unread[0].last_seq
        ),
        (conversation, 5, 5)
    );
    assert_eq!(core.mark_read(&ben, conversation, 3).await.unwrap(), 3);
    assert_eq!(core.unread_counts(&ben).await.unwrap()[0].count, 2);
    assert_eq!(
        core.mark_read(&ben, conversation, 1).await.unwrap(),
        3,
        "never backwards"
    );
    assert_eq!(
        core.mark_read(&ben, conversation, 99).await.unwrap(),
        5,
        "never past the end"
    );
    assert!(core.unread_counts(&ben).await.unwrap().is_empty());
    let eve = quick_user(core, "eve", "Eve").await;
    assert_eq!(
        refusal(core.mark_read(&eve, conversation, 5).await),
        ErrorCode::NotFound
    );
}

async fn bad_messages_are_refused(core: &Core) {
    let ann = quick_user(core, "ann", "Ann").await;
    let ben = quick_user(core, "ben", "Ben").await;
    make_friends(core, &ann, &ben).await;
    let too_long = "x".repeat(core.settings().max_message_chars + 1);
    for (client_id, body, code) in [
        ("ok-id", "   ", ErrorCode::InvalidMessage),
        ("ok-id", too_long.as_str(), ErrorCode::InvalidMessage),
        ("", "hi", ErrorCode::InvalidClientId),
        ("not ok", "hi", ErrorCode::InvalidClientId),
    ] {
        assert_eq!(
            refusal(core.send_message(&ann, to(&ben), client_id, body).await),
            code
        );
    }
    assert!(
        core.unread_counts(&ben).await.unwrap().is_empty(),
        "nothing stored"
    );
}

/// Awaits spawned sends, panicking on any failure.
async fn futures_join<I>(tasks: I) -> Vec<penguin_domain::messaging::Sent>
where
    I: IntoIterator<
        Item = tokio::task::JoinHandle<
            Result<penguin_domain::messaging::Sent, penguin_domain::DomainError>,
        >,
    >,
{
    let mut sent = Vec::new();
    for task in tasks.into_iter().collect::<Vec<_>>() {
        sent.push(task.await.unwrap().unwrap());
    }
    sent
}
