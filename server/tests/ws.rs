//! The WebSocket with real clients (tokio-tungstenite) against the real server: the
//! handshake's checks, delivery to every device, acks and idempotent resends, catch-up
//! after a disconnect, refusals, malformed frames.

mod common;

use common::{Browser, Running};
use futures_util::{SinkExt, StreamExt};
use penguin_protocol::frames::FRAME_VERSION;
use penguin_protocol::{
    ClientFrame, Cursor, Destination, ErrorCode, FriendRequests, GroupDetails, GroupSummary,
    ServerFrame, UserSummary,
};
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A signed-in user and their session.
struct User<'a> {
    browser: Browser<'a>,
    me: UserSummary,
}

async fn user<'a>(server: &'a Running, name: &str) -> User<'a> {
    let mut browser = Browser::new(server);
    let me = browser.register(name).await;
    User { browser, me }
}

async fn befriend(a: &mut User<'_>, b: &mut User<'_>) {
    let _: penguin_protocol::FriendRequestOutcome = a
        .browser
        .call("send_friend_request", json!({"user_id": b.me.id}))
        .await;
    let requests: FriendRequests = b.browser.read("friend_requests").await;
    let () = b
        .browser
        .call(
            "answer_friend_request",
            json!({"request_id": requests.incoming[0].id, "accept": true}),
        )
        .await;
}

async fn handshake(
    server: &Running,
    session: Option<&str>,
    origin: Option<&str>,
) -> Result<Ws, tungstenite::Error> {
    let url = format!("{}/ws", server.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    if let Some(token) = session {
        request.headers_mut().insert(
            "cookie",
            format!("penguin_session={token}").parse().unwrap(),
        );
    }
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

/// Connects as `user` from the site's own origin, says hello with `cursors`, and reads
/// up to `caught_up`; returns the socket and the caught-up messages.
async fn connect(
    server: &Running,
    user: &User<'_>,
    cursors: Vec<Cursor>,
) -> (Ws, Vec<penguin_protocol::Message>) {
    let mut ws = handshake(server, user.browser.session.as_deref(), Some(&server.base))
        .await
        .expect("handshake");
    send(
        &mut ws,
        &ClientFrame::Hello {
            v: FRAME_VERSION,
            cursors,
        },
    )
    .await;
    assert_eq!(
        recv(&mut ws).await,
        ServerFrame::Welcome {
            v: FRAME_VERSION,
            user_id: user.me.id
        }
    );
    let mut caught_up = Vec::new();
    loop {
        match recv(&mut ws).await {
            ServerFrame::Message { message } => caught_up.push(message),
            ServerFrame::CaughtUp => return (ws, caught_up),
            // Friends online right now: tested on their own below.
            ServerFrame::Presence { .. } => {}
            other => panic!("unexpected during catch-up: {other:?}"),
        }
    }
}

async fn send(ws: &mut Ws, frame: &ClientFrame) {
    ws.send(WsMessage::text(serde_json::to_string(frame).unwrap()))
        .await
        .unwrap();
}

/// The next frame other than presence (friends coming and going is tested on its own).
async fn recv(ws: &mut Ws) -> ServerFrame {
    loop {
        match recv_any(ws).await {
            ServerFrame::Presence { .. } => continue,
            frame => return frame,
        }
    }
}

/// The next frame (skipping pings), or a panic after 10 s.
async fn recv_any(ws: &mut Ws) -> ServerFrame {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("the connection is open")
            .expect("a frame");
        match next {
            WsMessage::Text(text) => return serde_json::from_str(&text).expect("a server frame"),
            WsMessage::Ping(_) | WsMessage::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn send_frame(client_id: &str, to: Destination, body: &str) -> ClientFrame {
    ClientFrame::Send {
        client_id: client_id.into(),
        to,
        body: body.into(),
    }
}

#[tokio::test]
async fn the_handshake_needs_a_session_and_the_sites_origin() {
    let server = Running::sqlite(&[]).await;
    let ann = user(&server, "ann").await;
    let refused = |result: Result<Ws, tungstenite::Error>| match result {
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Ok(_) => panic!("the upgrade was accepted"),
        Err(other) => panic!("unexpected {other:?}"),
    };
    assert_eq!(
        refused(handshake(&server, None, Some(&server.base)).await),
        401
    );
    assert_eq!(
        refused(handshake(&server, Some("not-a-session"), Some(&server.base)).await),
        401
    );
    let session = ann.browser.session.as_deref();
    assert_eq!(
        refused(handshake(&server, session, Some("https://evil.example")).await),
        403
    );
    assert!(
        handshake(&server, session, Some(&server.base))
            .await
            .is_ok()
    );
    server.stop().await;
}

#[tokio::test]
async fn messages_reach_every_device_of_both_users_and_resends_are_harmless() {
    let server = Running::sqlite(&[]).await;
    let mut ann = user(&server, "ann").await;
    let mut ben = user(&server, "ben").await;
    befriend(&mut ann, &mut ben).await;
    let (mut ann_laptop, _) = connect(&server, &ann, vec![]).await;
    let (mut ann_phone, _) = connect(&server, &ann, vec![]).await;
    let (mut ben_laptop, _) = connect(&server, &ben, vec![]).await;

    let to_ben = Destination::Direct { user_id: ben.me.id };
    send(&mut ann_laptop, &send_frame("m1", to_ben, "hi <b>Ben</b>")).await;
    // The sender's device gets the message and the ack (in either order).
    let mut ack = None;
    let mut echoed = None;
    while ack.is_none() || echoed.is_none() {
        match recv(&mut ann_laptop).await {
            ServerFrame::Ack { ack: a } => ack = Some(a),
            ServerFrame::Message { message } => echoed = Some(message),
            other => panic!("{other:?}"),
        }
    }
    let ack = ack.unwrap();
    assert_eq!((ack.client_id.as_str(), ack.seq), ("m1", 1));
    for device in [&mut ann_phone, &mut ben_laptop] {
        match recv(device).await {
            ServerFrame::Message { message } => {
                assert_eq!(
                    (message.seq, message.sender_id, message.body.as_str()),
                    (1, ann.me.id, "hi <b>Ben</b>")
                );
            }
            other => panic!("{other:?}"),
        }
    }
    // A resend after a lost ack: the same ack, nothing new delivered.
    send(&mut ann_laptop, &send_frame("m1", to_ben, "hi <b>Ben</b>")).await;
    assert_eq!(
        recv(&mut ann_laptop).await,
        ServerFrame::Ack { ack: ack.clone() }
    );
    send(&mut ann_laptop, &send_frame("m2", to_ben, "second")).await;
    match recv(&mut ben_laptop).await {
        ServerFrame::Message { message } => {
            assert_eq!((message.seq, message.client_id.as_str()), (2, "m2"))
        }
        other => panic!("the resend must not be delivered again: {other:?}"),
    }
    server.stop().await;
}

/// A socket reads its next frame once a send is queued, not once it is committed: a
/// burst from one client shares commits, and is still stored, acknowledged and
/// delivered in the order it was sent.
#[tokio::test]
async fn a_burst_from_one_socket_shares_commits_and_keeps_its_order() {
    const BURST: usize = 100;
    let server = Running::sqlite(&["--send-burst", "1000", "--metrics-addr", "127.0.0.1:0"]).await;
    let mut ann = user(&server, "ann").await;
    let mut ben = user(&server, "ben").await;
    befriend(&mut ann, &mut ben).await;
    let (mut ann_ws, _) = connect(&server, &ann, vec![]).await;
    let (mut ben_ws, _) = connect(&server, &ben, vec![]).await;
    let commits = || async {
        let text = reqwest::get(format!("{}/metrics", server.metrics_base.as_ref().unwrap()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|line| line.strip_prefix("penguin_db_commits_total "))
            .expect("the commit counter")
            .parse::<u64>()
            .unwrap()
    };
    let before = commits().await;

    let to_ben = Destination::Direct { user_id: ben.me.id };
    let stranger = Destination::Direct { user_id: 999_999 };
    for i in 0..BURST {
        send(
            &mut ann_ws,
            &send_frame(&format!("b{i}"), to_ben, &format!("#{i}")),
        )
        .await;
        if i == BURST / 2 {
            // Refused at once, yet answered in its place.
            send(&mut ann_ws, &send_frame("refused", stranger, "who?")).await;
        }
    }
    let mut answers = Vec::new();
    while answers.len() < BURST + 1 {
        match recv(&mut ann_ws).await {
            ServerFrame::Ack { ack } => answers.push(format!("{} at {}", ack.client_id, ack.seq)),
            ServerFrame::Error {
                code, client_id, ..
            } => answers.push(format!("{} {code:?}", client_id.unwrap())),
            ServerFrame::Message { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    let mut expected: Vec<String> = (0..BURST).map(|i| format!("b{i} at {}", i + 1)).collect();
    expected.insert(BURST / 2 + 1, format!("refused {:?}", ErrorCode::NotFound));
    assert_eq!(
        answers, expected,
        "answers in the order sent, seq in that order too"
    );
    let in_order: Vec<(String, i64)> = (0..BURST)
        .map(|i| (format!("b{i}"), i as i64 + 1))
        .collect();
    let mut delivered = Vec::new();
    while delivered.len() < BURST {
        if let ServerFrame::Message { message } = recv(&mut ben_ws).await {
            delivered.push((message.client_id, message.seq));
        }
    }
    assert_eq!(delivered, in_order);
    let shared = commits().await - before;
    assert!(
        shared < BURST as u64,
        "{BURST} sends of one socket took {shared} commits: each waited for the previous"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_client_that_reconnects_gets_exactly_what_it_missed() {
    let server = Running::sqlite(&[]).await;
    let mut ann = user(&server, "ann").await;
    let mut ben = user(&server, "ben").await;
    befriend(&mut ann, &mut ben).await;
    let (mut ann_ws, _) = connect(&server, &ann, vec![]).await;
    let to_ben = Destination::Direct { user_id: ben.me.id };
    let mut conversation = 0;
    for i in 1..=5 {
        send(
            &mut ann_ws,
            &send_frame(&format!("m{i}"), to_ben, &format!("#{i}")),
        )
        .await;
        loop {
            if let ServerFrame::Ack { ack } = recv(&mut ann_ws).await {
                conversation = ack.conversation_id;
                break;
            }
        }
    }
    // Ben was offline: he saw up to 2 on another device, so he resumes from there.
    let (mut ben_ws, missed) = connect(
        &server,
        &ben,
        vec![Cursor {
            conversation_id: conversation,
            seq: 2,
        }],
    )
    .await;
    assert_eq!(missed.iter().map(|m| m.seq).collect::<Vec<_>>(), [3, 4, 5]);
    // Without a cursor, a client starts from the read position (nothing read: all 5).
    let (_, all) = connect(&server, &ben, vec![]).await;
    assert_eq!(all.len(), 5);
    // Marking read moves it, on every device of Ben.
    send(
        &mut ben_ws,
        &ClientFrame::MarkRead {
            conversation_id: conversation,
            seq: 4,
        },
    )
    .await;
    assert_eq!(
        recv(&mut ben_ws).await,
        ServerFrame::Read {
            conversation_id: conversation,
            seq: 4
        }
    );
    let (_, after_read) = connect(&server, &ben, vec![]).await;
    assert_eq!(after_read.iter().map(|m| m.seq).collect::<Vec<_>>(), [5]);
    server.stop().await;
}

#[tokio::test]
async fn refusals_and_malformed_frames_leave_the_connection_open() {
    let server = Running::sqlite(&[]).await;
    let ann = user(&server, "ann").await;
    let mut stranger = user(&server, "stranger").await;
    let group: GroupDetails = stranger
        .browser
        .call("create_group", json!({"name": "Closed"}))
        .await;
    let (mut ws, _) = connect(&server, &ann, vec![]).await;

    let cases = [
        (
            send_frame(
                "a1",
                Destination::Direct {
                    user_id: stranger.me.id,
                },
                "hi",
            ),
            ErrorCode::NotFriends,
        ),
        (
            send_frame(
                "a2",
                Destination::Group {
                    group_id: group.group.id,
                },
                "hi",
            ),
            ErrorCode::NotFound,
        ),
        (
            send_frame(
                "a3",
                Destination::Direct {
                    user_id: stranger.me.id,
                },
                "   ",
            ),
            ErrorCode::InvalidMessage,
        ),
    ];
    for (frame, expected) in cases {
        send(&mut ws, &frame).await;
        match recv(&mut ws).await {
            ServerFrame::Error {
                code, client_id, ..
            } => {
                assert_eq!(code, expected);
                assert!(client_id.is_some());
            }
            other => panic!("{other:?}"),
        }
    }
    ws.send(WsMessage::text("{not json")).await.unwrap();
    assert!(matches!(
        recv(&mut ws).await,
        ServerFrame::Error {
            code: ErrorCode::BadRequest,
            ..
        }
    ));
    ws.send(WsMessage::text(
        r#"{"type":"mark_read","conversation_id":999999,"seq":1}"#,
    ))
    .await
    .unwrap();
    assert!(matches!(
        recv(&mut ws).await,
        ServerFrame::Error {
            code: ErrorCode::NotFound,
            ..
        }
    ));
    // Still open: a group the user is in works.
    let mine: GroupDetails = {
        let mut browser = Browser::new(&server);
        browser.session = ann.browser.session.clone();
        browser.call("create_group", json!({"name": "Open"})).await
    };
    send(
        &mut ws,
        &send_frame(
            "a4",
            Destination::Group {
                group_id: mine.group.id,
            },
            "hello",
        ),
    )
    .await;
    let mut acked = false;
    while !acked {
        acked = matches!(recv(&mut ws).await, ServerFrame::Ack { .. });
    }
    // An oversized frame closes the connection (1009), and the server carries on.
    let huge = "x".repeat(penguin_protocol::frames::MAX_FRAME_BYTES + 1);
    let _ = ws.send(WsMessage::text(huge)).await;
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(message)) = ws.next().await {
            if let WsMessage::Close(frame) = message {
                return frame.map(|f| u16::from(f.code));
            }
        }
        None
    })
    .await
    .expect("closed within 10 s");
    assert!(matches!(closed, Some(1009) | None), "{closed:?}");
    let (_again, _) = connect(&server, &ann, vec![]).await;
    let _: Vec<GroupSummary> = stranger.browser.read("my_groups").await;
    server.stop().await;
}

#[tokio::test]
async fn group_messages_reach_members_on_all_their_devices() {
    let server = Running::sqlite(&[]).await;
    let mut owner = user(&server, "owner").await;
    let mut member = user(&server, "member").await;
    let outsider = user(&server, "outsider").await;
    befriend(&mut owner, &mut member).await;
    let group: GroupDetails = owner
        .browser
        .call("create_group", json!({"name": "Club"}))
        .await;
    let () = owner
        .browser
        .call(
            "invite_to_group",
            json!({"group_id": group.group.id, "user_id": member.me.id}),
        )
        .await;
    let (mut owner_ws, _) = connect(&server, &owner, vec![]).await;
    let (mut member_ws, _) = connect(&server, &member, vec![]).await;
    let (mut outsider_ws, _) = connect(&server, &outsider, vec![]).await;
    send(
        &mut member_ws,
        &send_frame(
            "g1",
            Destination::Group {
                group_id: group.group.id,
            },
            "hello club",
        ),
    )
    .await;
    match recv(&mut owner_ws).await {
        ServerFrame::Message { message } => assert_eq!(message.body, "hello club"),
        other => panic!("{other:?}"),
    }
    // The outsider hears nothing (a ping from the test proves the socket is alive).
    outsider_ws.send(WsMessage::text("{}")).await.unwrap();
    assert!(matches!(
        recv(&mut outsider_ws).await,
        ServerFrame::Error {
            code: ErrorCode::BadRequest,
            ..
        }
    ));
    server.stop().await;
}

#[tokio::test]
async fn flooding_a_connection_is_rate_limited_with_a_clear_error() {
    let server = Running::sqlite(&["--sends-per-second", "1", "--send-burst", "5"]).await;
    let mut owner = user(&server, "owner").await;
    let group: GroupDetails = owner
        .browser
        .call("create_group", json!({"name": "Loud"}))
        .await;
    let (mut ws, _) = connect(&server, &owner, vec![]).await;
    let to = Destination::Group {
        group_id: group.group.id,
    };
    for i in 0..8 {
        send(&mut ws, &send_frame(&format!("f{i}"), to, "spam")).await;
    }
    let (mut acks, mut limited) = (0, 0);
    while acks + limited < 8 {
        match recv(&mut ws).await {
            ServerFrame::Ack { .. } => acks += 1,
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                client_id,
                message,
            } => {
                assert!(client_id.is_some());
                assert!(message.contains("too fast"), "{message}");
                limited += 1;
            }
            ServerFrame::Message { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(acks >= 5 && limited >= 2, "{acks} acks, {limited} refused");
    server.stop().await;
}

#[tokio::test]
async fn presence_and_typing_reach_friends_only_and_are_throttled() {
    let server = Running::sqlite(&[]).await;
    let mut ann = user(&server, "ann").await;
    let mut ben = user(&server, "ben").await;
    let eve = user(&server, "eve").await;
    befriend(&mut ann, &mut ben).await;
    let (mut ben_ws, _) = connect(&server, &ben, vec![]).await;

    // Ann comes online: Ben hears it; Ann's own connection lists Ben as online.
    let mut ann_ws = handshake(&server, ann.browser.session.as_deref(), Some(&server.base))
        .await
        .unwrap();
    send(
        &mut ann_ws,
        &ClientFrame::Hello {
            v: FRAME_VERSION,
            cursors: vec![],
        },
    )
    .await;
    assert!(matches!(
        recv_any(&mut ann_ws).await,
        ServerFrame::Welcome { .. }
    ));
    assert_eq!(
        recv_any(&mut ann_ws).await,
        ServerFrame::Presence {
            user_id: ben.me.id,
            online: true
        }
    );
    assert_eq!(recv_any(&mut ann_ws).await, ServerFrame::CaughtUp);
    assert_eq!(
        recv_any(&mut ben_ws).await,
        ServerFrame::Presence {
            user_id: ann.me.id,
            online: true
        }
    );
    // A second device of Ann is not news.
    let (ann_phone, _) = connect(&server, &ann, vec![]).await;

    // Eve is nobody's friend: her coming online, and her typing, reach no one.
    let (mut eve_ws, _) = connect(&server, &eve, vec![]).await;
    send(
        &mut eve_ws,
        &ClientFrame::Typing {
            to: Destination::Direct { user_id: ben.me.id },
        },
    )
    .await;

    // Typing: relayed once, repeats within 2 s dropped.
    let typing = ClientFrame::Typing {
        to: Destination::Direct { user_id: ben.me.id },
    };
    send(&mut ann_ws, &typing).await;
    send(&mut ann_ws, &typing).await;
    assert_eq!(
        recv_any(&mut ben_ws).await,
        ServerFrame::Typing {
            user_id: ann.me.id,
            group_id: None
        }
    );
    // Ann leaves from both devices: Ben hears "offline" once, and nothing came in between
    // (no second typing frame, nothing from Eve).
    drop(ann_phone);
    ann_ws.close(None).await.unwrap();
    drop(ann_ws);
    assert_eq!(
        recv_any(&mut ben_ws).await,
        ServerFrame::Presence {
            user_id: ann.me.id,
            online: false
        }
    );
    server.stop().await;
}

#[tokio::test]
async fn the_http_api_sends_lists_pages_and_marks_read_like_the_socket() {
    let server = Running::sqlite(&[]).await;
    let mut ann = user(&server, "ann").await;
    let mut ben = user(&server, "ben").await;
    befriend(&mut ann, &mut ben).await;
    let (mut ben_ws, _) = connect(&server, &ben, vec![]).await;
    let to_ben = json!({"kind": "direct", "user_id": ben.me.id});
    let mut conversation = 0;
    for i in 1..=7 {
        let ack: penguin_protocol::SendAck = ann
            .browser
            .call(
                "send_message",
                json!({"client_id": format!("h{i}"), "to": to_ben, "body": format!("#{i}")}),
            )
            .await;
        assert_eq!(ack.seq, i);
        conversation = ack.conversation_id;
        // Delivered live to Ben's socket.
        match recv(&mut ben_ws).await {
            ServerFrame::Message { message } => assert_eq!(message.seq, i),
            other => panic!("{other:?}"),
        }
    }
    // A resend over HTTP: same ack, nothing delivered (the next frame is the read below).
    let again: penguin_protocol::SendAck = ann
        .browser
        .call(
            "send_message",
            json!({"client_id": "h7", "to": to_ben, "body": "#7"}),
        )
        .await;
    assert_eq!(again.seq, 7);

    let list: Vec<penguin_protocol::ConversationSummary> = ben.browser.read("conversations").await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].with, Destination::Direct { user_id: ann.me.id });
    assert_eq!((list[0].last_seq, list[0].read_seq), (7, 0));
    assert_eq!(list[0].last_message.as_ref().unwrap().body, "#7");

    let newest: Vec<penguin_protocol::Message> = ben
        .browser
        .read(&format!("history?conversation_id={conversation}&limit=3"))
        .await;
    assert_eq!(newest.iter().map(|m| m.seq).collect::<Vec<_>>(), [5, 6, 7]);
    let older: Vec<penguin_protocol::Message> = ben
        .browser
        .read(&format!(
            "history?conversation_id={conversation}&before=5&limit=3"
        ))
        .await;
    assert_eq!(older.iter().map(|m| m.seq).collect::<Vec<_>>(), [2, 3, 4]);
    let unread: Vec<penguin_protocol::Unread> = ben.browser.read("unread").await;
    assert_eq!(unread.iter().map(|u| u.count).collect::<Vec<_>>(), [7]);

    let stored: i64 = ben
        .browser
        .call(
            "mark_read",
            json!({"conversation_id": conversation, "seq": 6}),
        )
        .await;
    assert_eq!(stored, 6);
    assert_eq!(
        recv(&mut ben_ws).await,
        ServerFrame::Read {
            conversation_id: conversation,
            seq: 6
        }
    );
    let unread: Vec<penguin_protocol::Unread> = ben.browser.read("unread").await;
    assert_eq!(unread.iter().map(|u| u.count).collect::<Vec<_>>(), [1]);

    // A stranger reads nothing of it.
    let mut eve = user(&server, "eve").await;
    let response = eve
        .browser
        .get(&format!("history?conversation_id={conversation}"))
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn long_polling_keeps_the_sockets_contract() {
    let server = Running::sqlite(&[]).await;
    let mut ann = user(&server, "ann").await;
    let mut ben = user(&server, "ben").await;
    befriend(&mut ann, &mut ben).await;
    let to_ben = json!({"kind": "direct", "user_id": ben.me.id});
    let mut conversation = 0;
    for i in 1..=3 {
        let ack: penguin_protocol::SendAck = ann
            .browser
            .call(
                "send_message",
                json!({"client_id": format!("p{i}"), "to": to_ben, "body": format!("#{i}")}),
            )
            .await;
        conversation = ack.conversation_id;
    }
    let seqs = |frames: &[ServerFrame]| -> Vec<i64> {
        frames
            .iter()
            .filter_map(|f| match f {
                ServerFrame::Message { message } => Some(message.seq),
                _ => None,
            })
            .collect()
    };
    // Missed messages come at once, after the cursor.
    let frames: Vec<ServerFrame> = ben
        .browser
        .call(
            "poll",
            json!({"cursors": [{"conversation_id": conversation, "seq": 1}], "wait_ms": 5000}),
        )
        .await;
    assert_eq!(seqs(&frames), [2, 3]);

    // Up to date: the poll waits, and a message sent meanwhile wakes it.
    let session = ben.browser.session.clone();
    let base_server = &server;
    let waiting = async {
        let mut poller = Browser::new(base_server);
        poller.session = session;
        let started = std::time::Instant::now();
        let frames: Vec<ServerFrame> = poller
            .call(
                "poll",
                json!({"cursors": [{"conversation_id": conversation, "seq": 3}], "wait_ms": 20000}),
            )
            .await;
        (frames, started.elapsed())
    };
    let sending = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _: penguin_protocol::SendAck = ann
            .browser
            .call(
                "send_message",
                json!({"client_id": "p4", "to": to_ben, "body": "#4"}),
            )
            .await;
    };
    let ((frames, waited), ()) = tokio::join!(waiting, sending);
    assert_eq!(seqs(&frames), [4]);
    assert!(
        waited < Duration::from_secs(15),
        "woken by the message, not the timeout: {waited:?}"
    );

    // Nothing happens: an empty answer when the wait runs out.
    let frames: Vec<ServerFrame> = ben
        .browser
        .call(
            "poll",
            json!({"cursors": [{"conversation_id": conversation, "seq": 4}], "wait_ms": 200}),
        )
        .await;
    assert!(seqs(&frames).is_empty());
    // A stranger's cursor is ignored, and their own poll shows nothing of it.
    let mut eve = user(&server, "eve").await;
    let frames: Vec<ServerFrame> = eve
        .browser
        .call(
            "poll",
            json!({"cursors": [{"conversation_id": conversation, "seq": 0}], "wait_ms": 100}),
        )
        .await;
    assert!(seqs(&frames).is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_client_that_never_reads_is_cut_off_and_later_catches_up() {
    // Far above the per-user send limit: this floods on purpose.
    let server = Running::sqlite(&["--sends-per-second", "100000", "--send-burst", "100000"]).await;
    let mut ann = user(&server, "ann").await;
    let mut ben = user(&server, "ben").await;
    befriend(&mut ann, &mut ben).await;
    let (mut ann_ws, _) = connect(&server, &ann, vec![]).await;

    // Ben connects with a tiny receive buffer, says hello, and then never reads again.
    let addr: std::net::SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(addr).await.unwrap();
    let ben_ws =
        common::ops::hello_over(stream, ben.browser.session.as_deref().unwrap(), vec![]).await;
    assert_eq!(
        recv_any(&mut ann_ws).await,
        ServerFrame::Presence {
            user_id: ben.me.id,
            online: true
        }
    );

    // Far more than the connection's bounded buffers hold: 4 senders, 400 x 4 KB each.
    let body = "x".repeat(4000);
    let senders = (0..4).map(|sender| {
        let mut browser = Browser::new(&server);
        browser.session = ann.browser.session.clone();
        let body = body.clone();
        let to_ben = json!({"kind": "direct", "user_id": ben.me.id});
        async move {
            let mut conversation = 0;
            for i in 0..400 {
                let ack: penguin_protocol::SendAck = browser
                    .call(
                        "send_message",
                        json!({"client_id": format!("s{sender}-{i}"), "to": to_ben, "body": body}),
                    )
                    .await;
                conversation = ack.conversation_id;
            }
            conversation
        }
    });
    let watch = async {
        // Ann's own device gets the echoes; the server must let go of Ben meanwhile.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            assert!(
                std::time::Instant::now() < deadline,
                "the stalled client was never cut off"
            );
            if recv_any(&mut ann_ws).await
                == (ServerFrame::Presence {
                    user_id: ben.me.id,
                    online: false,
                })
            {
                return;
            }
        }
    };
    let (conversations, ()) = tokio::join!(futures_util::future::join_all(senders), watch);
    drop(ben_ws);
    // Ben comes back and gets every message once, in order.
    let conversation = conversations[0];
    let (_ben_again, got) = connect(
        &server,
        &ben,
        vec![Cursor {
            conversation_id: conversation,
            seq: 0,
        }],
    )
    .await;
    assert_eq!(
        got.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=1600).collect::<Vec<i64>>()
    );
    server.stop().await;
}

#[tokio::test]
async fn blocked_and_removed_users_cannot_post_and_limits_are_configurable() {
    let server = Running::sqlite(&["--max-message-chars", "10"]).await;
    let mut ann = user(&server, "ann").await;
    let mut ben = user(&server, "ben").await;
    befriend(&mut ann, &mut ben).await;
    let group: GroupDetails = ann
        .browser
        .call("create_group", json!({"name": "Club"}))
        .await;
    let () = ann
        .browser
        .call(
            "invite_to_group",
            json!({"group_id": group.group.id, "user_id": ben.me.id}),
        )
        .await;
    let (mut ben_ws, _) = connect(&server, &ben, vec![]).await;
    let to_group = Destination::Group {
        group_id: group.group.id,
    };
    let to_ann = Destination::Direct { user_id: ann.me.id };
    let expect_error = |expected: ErrorCode| {
        move |frame: ServerFrame| match frame {
            ServerFrame::Error { code, .. } => assert_eq!(code, expected),
            other => panic!("{other:?}"),
        }
    };
    // The configured limit: 10 characters.
    send(&mut ben_ws, &send_frame("b1", to_ann, "eleven char")).await;
    expect_error(ErrorCode::InvalidMessage)(recv(&mut ben_ws).await);
    // Removed from the group: not found.
    let () = ann
        .browser
        .call(
            "remove_group_member",
            json!({"group_id": group.group.id, "user_id": ben.me.id}),
        )
        .await;
    send(&mut ben_ws, &send_frame("b2", to_group, "still in?")).await;
    expect_error(ErrorCode::NotFound)(recv(&mut ben_ws).await);
    // Blocked: refused, in both directions.
    let () = ann
        .browser
        .call("block_user", json!({"user_id": ben.me.id}))
        .await;
    send(&mut ben_ws, &send_frame("b3", to_ann, "hello?")).await;
    expect_error(ErrorCode::Blocked)(recv(&mut ben_ws).await);
    server.stop().await;
}
