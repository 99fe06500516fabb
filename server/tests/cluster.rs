//! Several nodes: real `penguin` processes on two ports sharing the machine's PostgreSQL
//! (a schema of the test's own) and Redis (a key prefix of the test's own, or a private
//! `redis-server` when the test restarts it), with real WebSocket clients.
//!
//! Needs PENGUIN_TEST_POSTGRES_URL and PENGUIN_TEST_REDIS_URL; skipped without them,
//! except under PENGUIN_REQUIRE_SERVICES (CI), where their absence fails.

mod common;

use common::Browser;
use common::process::Process;
use common::socket::Socket;
use penguin_protocol::{
    ClientFrame, ConversationId, Cursor, Destination, FriendRequests, GroupDetails, Message,
    ServerFrame, UserSummary,
};
use penguin_testkit::TestDb;
use penguin_testkit::redis::{PrivateRedis, redis_url, unique_prefix};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// Everything a cluster test needs, or `None` when the services were not given.
async fn services() -> Option<(TestDb, String)> {
    let db = TestDb::postgres()?;
    let redis = redis_url()?;
    Some((db, redis))
}

/// A node on `db` and `redis` under `prefix`, named `name`.
async fn node(db: &TestDb, redis: &str, prefix: &str, name: &str) -> Process {
    let schema = db.schema().expect("a PostgreSQL schema");
    Process::start(
        name,
        &[
            "--database-url",
            db.url(),
            "--database-schema",
            schema,
            "--redis-url",
            redis,
            "--redis-prefix",
            prefix,
            "--node-id",
            name,
            "--cluster-heartbeat-ms",
            "200",
            // Traffic from one loopback address in a test is not an attack.
            "--registrations-per-address",
            "10000",
            "--sign-in-attempts-per-address",
            "10000",
            "--sends-per-second",
            "10000",
            "--send-burst",
            "10000",
        ],
    )
    .await
}

struct User {
    me: UserSummary,
    session: String,
}

async fn register(base: &str, name: &str) -> User {
    let mut browser = Browser::at(base);
    let me = browser.register(name).await;
    User {
        me,
        session: browser.session.unwrap(),
    }
}

fn browser(base: &str, user: &User) -> Browser<'static> {
    let mut browser = Browser::at(base);
    browser.session = Some(user.session.clone());
    browser
}

/// `a` (through `a_node`) asks, `b` (through `b_node`) accepts.
async fn befriend(a_node: &str, a: &User, b_node: &str, b: &User) {
    let _: penguin_protocol::FriendRequestOutcome = browser(a_node, a)
        .call("send_friend_request", json!({"user_id": b.me.id}))
        .await;
    let mut b_browser = browser(b_node, b);
    let requests: FriendRequests = b_browser.read("friend_requests").await;
    let () = b_browser
        .call(
            "answer_friend_request",
            json!({"request_id": requests.incoming[0].id, "accept": true}),
        )
        .await;
}

/// A group of `owner` with `members` (each befriended first, as inviting requires).
async fn group(base: &str, owner: &User, members: &[&User]) -> Destination {
    let details: GroupDetails = browser(base, owner)
        .call("create_group", json!({"name": "Cluster club"}))
        .await;
    for member in members {
        befriend(base, owner, base, member).await;
        let () = browser(base, owner)
            .call(
                "invite_to_group",
                json!({"group_id": details.group.id, "user_id": member.me.id}),
            )
            .await;
    }
    Destination::Group {
        group_id: details.group.id,
    }
}

async fn connect(base: &str, user: &User) -> Socket {
    Socket::connect(base, &user.session, user.me.id, vec![])
        .await
        .expect("connect")
        .0
}

fn send(client_id: &str, to: Destination, body: &str) -> ClientFrame {
    ClientFrame::Send {
        client_id: client_id.into(),
        to,
        body: body.into(),
    }
}

async fn next_message(socket: &mut Socket) -> Message {
    socket
        .until(|frame| match frame {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .await
}

async fn history(base: &str, user: &User, conversation: ConversationId) -> Vec<Message> {
    let mut all = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let query = match before {
            Some(seq) => format!("history?conversation_id={conversation}&before={seq}&limit=200"),
            None => format!("history?conversation_id={conversation}&limit=200"),
        };
        let page: Vec<Message> = browser(base, user).read(&query).await;
        let Some(first) = page.first() else { break };
        before = Some(first.seq);
        let done = first.seq == 1;
        all.splice(0..0, page);
        if done {
            break;
        }
    }
    all
}

#[tokio::test]
async fn users_on_two_nodes_chat_with_presence_typing_and_read_positions() {
    let Some((db, redis)) = services().await else {
        return;
    };
    let prefix = unique_prefix();
    let a = node(&db, &redis, &prefix, "a").await;
    let b = node(&db, &redis, &prefix, "b").await;
    let health = a.health().await;
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["cluster"]["node_id"], "a");
    assert_eq!(health["cluster"]["redis_reachable"], true);

    let ann = register(&a.base, "ann").await;
    let bob = register(&b.base, "bob").await;
    let cid = register(&b.base, "cid").await;
    // Sessions live in the database: ann's, made on a, works on b.
    let me: Option<UserSummary> = browser(&b.base, &ann).read("me").await;
    assert_eq!(me.map(|m| m.id), Some(ann.me.id));
    befriend(&a.base, &ann, &b.base, &bob).await;

    let mut bob_ws = connect(&b.base, &bob).await;
    let mut ann_ws = connect(&a.base, &ann).await;
    // ann came online on a; bob on b hears it.
    bob_ws
        .until(|frame| {
            (frame
                == ServerFrame::Presence {
                    user_id: ann.me.id,
                    online: true,
                })
            .then_some(())
        })
        .await;
    // ann, connecting after bob, was told bob (on the other node) is online.
    ann_ws
        .until(|frame| {
            (frame
                == ServerFrame::Presence {
                    user_id: bob.me.id,
                    online: true,
                })
            .then_some(())
        })
        .await;

    let mut ann_phone = connect(&b.base, &ann).await;

    // 1:1 across nodes, to bob and to ann's own device on the other node.
    let to_bob = Destination::Direct { user_id: bob.me.id };
    ann_ws
        .send(&send("d1", to_bob, "hello from a"))
        .await
        .unwrap();
    let message = next_message(&mut bob_ws).await;
    assert_eq!((message.seq, message.body.as_str()), (1, "hello from a"));
    assert_eq!(next_message(&mut ann_phone).await, message);
    bob_ws
        .send(&send(
            "d2",
            Destination::Direct { user_id: ann.me.id },
            "hi from b",
        ))
        .await
        .unwrap();
    // ann's socket has her own message first (every device of the sender gets it).
    assert_eq!(next_message(&mut ann_ws).await, message);
    let reply = next_message(&mut ann_ws).await;
    assert_eq!((reply.seq, reply.sender_id), (2, bob.me.id));

    // Typing crosses nodes too.
    bob_ws
        .send(&ClientFrame::Typing {
            to: Destination::Direct { user_id: ann.me.id },
        })
        .await
        .unwrap();
    ann_ws
        .until(|frame| {
            (frame
                == ServerFrame::Typing {
                    user_id: bob.me.id,
                    group_id: None,
                })
            .then_some(())
        })
        .await;

    // ann reads on a; her device on b hears the new read position.
    let conversation = reply.conversation_id;
    ann_ws
        .send(&ClientFrame::MarkRead {
            conversation_id: conversation,
            seq: 2,
        })
        .await
        .unwrap();
    ann_phone
        .until(|frame| {
            (frame
                == ServerFrame::Read {
                    conversation_id: conversation,
                    seq: 2,
                })
            .then_some(())
        })
        .await;
    let unread: Vec<penguin_protocol::Unread> = browser(&b.base, &ann).read("unread").await;
    assert!(unread.is_empty(), "{unread:?}");

    // A group with members on both nodes.
    let club = group(&a.base, &ann, &[&cid]).await;
    let mut cid_ws = connect(&b.base, &cid).await;
    ann_ws.send(&send("g1", club, "hello club")).await.unwrap();
    let message = next_message(&mut cid_ws).await;
    assert_eq!((message.seq, message.body.as_str()), (1, "hello club"));

    // ann leaves both nodes: bob hears she is offline, once she is gone from both.
    drop(ann_ws);
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(ann_phone);
    bob_ws
        .until(|frame| {
            (frame
                == ServerFrame::Presence {
                    user_id: ann.me.id,
                    online: false,
                })
            .then_some(())
        })
        .await;
    drop((a, b));
    db.cleanup().await;
}

#[tokio::test]
async fn concurrent_senders_on_both_nodes_get_one_gap_free_order() {
    let Some((db, redis)) = services().await else {
        return;
    };
    let prefix = unique_prefix();
    let nodes = [
        node(&db, &redis, &prefix, "a").await,
        node(&db, &redis, &prefix, "b").await,
    ];
    let owner = register(&nodes[0].base, "owner").await;
    let mut members = Vec::new();
    for name in ["member1", "member2", "member3"] {
        members.push(register(&nodes[1].base, name).await);
    }
    let club = group(&nodes[0].base, &owner, &members.iter().collect::<Vec<_>>()).await;
    let everyone: Vec<&User> = std::iter::once(&owner).chain(&members).collect();
    const EACH: usize = 40;

    // Every member on alternating nodes sends EACH messages as fast as acks come back,
    // all at once; then reads until it holds every message.
    let total = EACH * everyone.len();
    let mut tasks = Vec::new();
    for (i, user) in everyone.iter().enumerate() {
        let base = nodes[i % 2].base.clone();
        let (session, id) = (user.session.clone(), user.me.id);
        tasks.push(tokio::spawn(async move {
            // Sockets connect while others already send: what was stored before this
            // one's hello comes in its catch-up, the rest live.
            let (mut socket, caught_up) =
                Socket::connect(&base, &session, id, vec![]).await.unwrap();
            let mut seen: BTreeMap<i64, String> = caught_up
                .into_iter()
                .map(|message| (message.seq, message.client_id))
                .collect();
            let mut acked = 0;
            for n in 0..EACH {
                socket
                    .send(&send(&format!("{id}-{n}"), club, "x"))
                    .await
                    .unwrap();
            }
            while acked < EACH || seen.len() < total {
                let frame = socket.next().await.unwrap_or_else(|error| {
                    let missing: Vec<i64> = (1..=total as i64)
                        .filter(|s| !seen.contains_key(s))
                        .collect();
                    panic!("user {id}: {error}; {acked} of {EACH} acked, missing {missing:?}")
                });
                match frame {
                    ServerFrame::Ack { .. } => acked += 1,
                    ServerFrame::Message { message } => {
                        let again = seen.insert(message.seq, message.client_id);
                        assert!(again.is_none(), "seq {} delivered twice", message.seq);
                    }
                    ServerFrame::Error { code, .. } => panic!("refused: {code:?}"),
                    _ => {}
                }
            }
            seen
        }));
    }
    let mut orders = Vec::new();
    for task in tasks {
        orders.push(task.await.unwrap());
    }
    let first = &orders[0];
    assert_eq!(
        first.keys().copied().collect::<Vec<_>>(),
        (1..=total as i64).collect::<Vec<_>>(),
        "gap-free"
    );
    for order in &orders[1..] {
        assert_eq!(order, first, "every member sees the same order");
    }
    let ids: HashSet<&String> = first.values().collect();
    assert_eq!(ids.len(), total, "every send stored once");
    let conversation = history_conversation(&nodes[1].base, &members[0]).await;
    let stored: BTreeMap<i64, String> = history(&nodes[1].base, &members[0], conversation)
        .await
        .into_iter()
        .map(|m| (m.seq, m.client_id))
        .collect();
    assert_eq!(&stored, first, "what was delivered is what is stored");
    drop(nodes);
    db.cleanup().await;
}

/// The user's one conversation.
async fn history_conversation(base: &str, user: &User) -> ConversationId {
    let conversations: Vec<penguin_protocol::ConversationSummary> =
        browser(base, user).read("conversations").await;
    assert_eq!(conversations.len(), 1, "{conversations:?}");
    conversations[0].id
}

/// A member that keeps sending to `to` through the first node of `bases` that answers,
/// moving on to the next when its node dies, resending what was not acknowledged (with
/// the same client id). Stops after `count` acknowledged sends; returns their ids.
async fn keep_sending(
    bases: Vec<String>,
    user: (String, i64),
    to: Destination,
    count: usize,
    pause: Duration,
) -> Vec<String> {
    let (session, id) = user;
    let mut acked = Vec::new();
    let mut node = 0;
    'connection: loop {
        let Ok((mut socket, _)) = Socket::connect(&bases[node], &session, id, vec![]).await else {
            node = (node + 1) % bases.len();
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        while acked.len() < count {
            let client_id = format!("{id}-{}", acked.len());
            if socket.send(&send(&client_id, to, "tick")).await.is_err() {
                node = (node + 1) % bases.len();
                continue 'connection;
            }
            loop {
                match socket.next().await {
                    Ok(ServerFrame::Ack { ack }) if ack.client_id == client_id => break,
                    Ok(ServerFrame::Error { code, .. }) => {
                        // Refused while the node went down: try again elsewhere.
                        eprintln!("send refused: {code:?}");
                        node = (node + 1) % bases.len();
                        continue 'connection;
                    }
                    Ok(_) => {}
                    Err(_) => {
                        node = (node + 1) % bases.len();
                        continue 'connection;
                    }
                }
            }
            acked.push(client_id);
            tokio::time::sleep(pause).await;
        }
        return acked;
    }
}

/// A member that reads `conversation` through the first node of `bases` that answers,
/// reconnecting elsewhere with its cursor when its node dies, until it holds `until`
/// messages (known once the senders are done). Fails on a gap or a repeat.
async fn keep_reading(
    bases: Vec<String>,
    user: (String, i64),
    mut until: tokio::sync::watch::Receiver<Option<usize>>,
    must_stay_connected: bool,
) -> Vec<Message> {
    let (session, id) = user;
    let mut held: Vec<Message> = Vec::new();
    let mut node = 0;
    let mut connections = 0;
    loop {
        let cursors: Vec<Cursor> = held
            .last()
            .map(|m| Cursor {
                conversation_id: m.conversation_id,
                seq: m.seq,
            })
            .into_iter()
            .collect();
        let connected = Socket::connect(&bases[node], &session, id, cursors).await;
        let Ok((mut socket, caught_up)) = connected else {
            node = (node + 1) % bases.len();
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        connections += 1;
        assert!(
            !must_stay_connected || connections == 1,
            "this reader was meant to stay connected"
        );
        let take = |message: Message, held: &mut Vec<Message>| {
            let expected = held.last().map_or(1, |m| m.seq + 1);
            assert_eq!(message.seq, expected, "a gap or a repeat: {message:?}");
            held.push(message);
        };
        for message in caught_up {
            take(message, &mut held);
        }
        loop {
            if until.borrow().is_some_and(|target| held.len() >= target) {
                return held;
            }
            tokio::select! {
                frame = socket.next_within(Duration::from_millis(200)) => match frame {
                    Ok(Some(ServerFrame::Message { message })) => take(message, &mut held),
                    Ok(_) => {}
                    Err(_) => {
                        node = (node + 1) % bases.len();
                        break;
                    }
                },
                _ = until.changed() => {}
            }
        }
    }
}

#[tokio::test]
async fn a_node_killed_under_traffic_loses_nothing_and_its_clients_resume_on_the_other() {
    let Some((db, redis)) = services().await else {
        return;
    };
    let prefix = unique_prefix();
    let mut a = node(&db, &redis, &prefix, "a").await;
    let b = node(&db, &redis, &prefix, "b").await;
    let owner = register(&b.base, "owner").await;
    let on_a = register(&a.base, "sender_a").await;
    let on_b = register(&b.base, "sender_b").await;
    let reader_a = register(&a.base, "reader_a").await;
    let reader_b = register(&b.base, "reader_b").await;
    let club = group(&b.base, &owner, &[&on_a, &on_b, &reader_a, &reader_b]).await;
    let conversation_of = |user: &User| (user.session.clone(), user.me.id);
    let a_first = vec![a.base.clone(), b.base.clone()];
    let b_first = vec![b.base.clone(), a.base.clone()];

    let (total, until) = tokio::sync::watch::channel(None);
    let readers = [
        tokio::spawn(keep_reading(
            a_first.clone(),
            conversation_of(&reader_a),
            until.clone(),
            false,
        )),
        tokio::spawn(keep_reading(
            b_first.clone(),
            conversation_of(&reader_b),
            until,
            true,
        )),
    ];
    const EACH: usize = 60;
    let pause = Duration::from_millis(15);
    let senders = [
        tokio::spawn(keep_sending(
            a_first,
            conversation_of(&on_a),
            club,
            EACH,
            pause,
        )),
        tokio::spawn(keep_sending(
            b_first,
            conversation_of(&on_b),
            club,
            EACH,
            pause,
        )),
    ];
    // Let traffic flow, then kill a without warning.
    tokio::time::sleep(Duration::from_millis(400)).await;
    a.kill9();
    // Mid-traffic: neither sender was done, so the one on a must finish on b.
    let conversation = history_conversation(&b.base, &owner).await;
    let at_kill = history(&b.base, &owner, conversation).await.len();
    assert!(at_kill < EACH, "the kill came too late: {at_kill} stored");
    let mut acked = Vec::new();
    for sender in senders {
        acked.extend(sender.await.unwrap());
    }
    assert_eq!(acked.len(), 2 * EACH);
    let stored = history(&b.base, &owner, conversation).await;
    let _ = total.send(Some(stored.len()));
    let stored_ids: Vec<&str> = stored.iter().map(|m| m.client_id.as_str()).collect();
    let unique: HashSet<&str> = stored_ids.iter().copied().collect();
    assert_eq!(unique.len(), stored_ids.len(), "no send stored twice");
    for id in &acked {
        assert!(unique.contains(id.as_str()), "acknowledged {id} was lost");
    }
    assert_eq!(
        stored.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=stored.len() as i64).collect::<Vec<_>>()
    );
    for reader in readers {
        let held = reader.await.unwrap();
        assert_eq!(held, stored, "each reader holds exactly what is stored");
    }
    drop(b);
    db.cleanup().await;
}

#[tokio::test]
async fn redis_restarted_under_traffic_loses_nothing_and_isolated_nodes_keep_serving() {
    let Some((db, _)) = services().await else {
        return;
    };
    let mut redis = PrivateRedis::start();
    let prefix = unique_prefix();
    let a = node(&db, &redis.url(), &prefix, "a").await;
    let b = node(&db, &redis.url(), &prefix, "b").await;
    let sender = register(&a.base, "sender").await;
    let local = register(&a.base, "local").await;
    let remote = register(&b.base, "remote").await;
    let club = group(&a.base, &sender, &[&local, &remote]).await;
    let pair = |user: &User| (user.session.clone(), user.me.id);

    let (total, until) = tokio::sync::watch::channel(None);
    // Both readers stay connected throughout: what they miss live must reach them by
    // resync, without a reconnect.
    let remote_reader = tokio::spawn(keep_reading(
        vec![b.base.clone()],
        pair(&remote),
        until.clone(),
        true,
    ));
    let (mut local_ws, _) = Socket::connect(&a.base, &local.session, local.me.id, vec![])
        .await
        .unwrap();
    let sending = tokio::spawn(keep_sending(
        vec![a.base.clone()],
        pair(&sender),
        club,
        120,
        Duration::from_millis(10),
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;

    redis.kill();
    a.wait_for_status("isolated").await;
    b.wait_for_status("isolated").await;
    // The isolated node still delivers to its own users live: messages stored after
    // both nodes lost Redis reach the local member.
    let conversation = history_conversation(&a.base, &sender).await;
    let stored_when_isolated = history(&a.base, &sender, conversation).await.len() as i64;
    loop {
        let message = next_message(&mut local_ws).await;
        if message.seq > stored_when_isolated + 3 {
            break;
        }
    }
    assert!(
        a.health().await["status"] == "isolated",
        "Redis is still down, so that was live delivery on one node"
    );
    // The last sends happen while Redis is down: without a resync when it returns, no
    // later message would reveal the gap to the remote reader.
    let acked = sending.await.unwrap();
    assert_eq!(
        a.health().await["status"],
        "isolated",
        "the sender finished while Redis was down"
    );
    redis.resume();
    a.wait_for_status("ok").await;
    b.wait_for_status("ok").await;

    let stored = history(&a.base, &sender, conversation).await;
    let ids: HashSet<&str> = stored.iter().map(|m| m.client_id.as_str()).collect();
    for id in &acked {
        assert!(ids.contains(id.as_str()), "acknowledged {id} was lost");
    }
    let _ = total.send(Some(stored.len()));
    let held = tokio::time::timeout(Duration::from_secs(30), remote_reader)
        .await
        .expect("the remote reader caught up after Redis came back")
        .unwrap();
    assert_eq!(held, stored);
    drop((a, b));
    db.cleanup().await;
}

#[tokio::test]
async fn two_nodes_starting_at_once_on_a_fresh_database_migrate_once() {
    let Some((db, redis)) = services().await else {
        return;
    };
    let prefix = unique_prefix();
    let (a, b) = tokio::join!(
        node(&db, &redis, &prefix, "a"),
        node(&db, &redis, &prefix, "b")
    );
    let ann = register(&a.base, "ann").await;
    let by_node: HashMap<&str, Option<UserSummary>> = HashMap::from([
        ("a", browser(&a.base, &ann).read("me").await),
        ("b", browser(&b.base, &ann).read("me").await),
    ]);
    for (node, me) in by_node {
        assert_eq!(me.map(|m| m.id), Some(ann.me.id), "on {node}");
    }
    drop((a, b));
    db.cleanup().await;
}
