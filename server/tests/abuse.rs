//! Abuse, against the real `penguin` binary: clients that hold connections without
//! finishing a request, flood sends over both transports, never read what they are
//! sent, or announce frames too large to buffer. Each test names the protection it
//! checks; SECURITY.md maps them to the promises they back.

mod common;

use common::ops::{Api, Ended, befriend, connect, hello_over, next};
use common::process::Process;
use futures_util::{SinkExt, StreamExt};
use penguin_protocol::{ClientFrame, Cursor, ErrorCode, ServerFrame};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A server on its own SQLite file, with `extra` flags.
async fn server(name: &str, dir: &tempfile::TempDir, extra: &[&str]) -> Process {
    let url = format!("sqlite://{}", dir.path().join("penguin.db").display());
    let mut args = vec!["--database-url", url.as_str()];
    args.extend_from_slice(extra);
    Process::start(name, &args).await
}

/// Reads until the peer closes; `false` if it is still open after `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {} // a 408 or the like, then the close
        }
    }
}

/// Protection: hyper's header-read timeout in the accept loop (`server::accept`), and
/// the WebSocket's `hello` timeout.
#[tokio::test]
async fn thousands_of_half_open_handshakes_time_out_while_users_are_served() {
    const HALF_OPEN: usize = 2_000;
    const SILENT_SOCKETS: usize = 100;
    let dir = tempfile::tempdir().unwrap();
    // The timeout is long enough that opening all of them (well under a second alone,
    // several seconds on a loaded CI machine) ends before the first ones are closed.
    let server = server("half-open", &dir, &["--header-timeout-secs", "10"]).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut ann = Api::new(&server.base);
    ann.register("ann").await;
    let session = ann.session.clone().unwrap();
    let before = server.open_sockets();

    // Half of them send part of a request's headers, the other half nothing at all.
    let opening = (0..HALF_OPEN).map(|i| {
        let addr = addr.clone();
        async move {
            let mut stream = TcpStream::connect(&addr).await.unwrap();
            if i % 2 == 0 {
                stream
                    .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                    .await
                    .unwrap();
            }
            stream
        }
    });
    // In batches below the listen backlog: past it, the kernel drops handshakes the
    // client believes complete, and those would never reach the server at all.
    let mut opening = opening.collect::<Vec<_>>().into_iter();
    let mut half_open = Vec::with_capacity(HALF_OPEN);
    let mut held = before;
    loop {
        let batch: Vec<_> = opening.by_ref().take(250).collect();
        if batch.is_empty() {
            break;
        }
        half_open.extend(futures_util::future::join_all(batch).await);
        held = held.max(server.open_sockets());
    }
    // And WebSockets upgraded with a valid session that never say hello.
    let mut silent = Vec::with_capacity(SILENT_SOCKETS);
    for _ in 0..SILENT_SOCKETS {
        let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
        request.headers_mut().insert(
            "cookie",
            format!("penguin_session={session}").parse().unwrap(),
        );
        let (ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        silent.push(ws);
    }
    // Accepted, not refused at the door (the first may have timed out already).
    assert!(
        held >= before + HALF_OPEN / 2,
        "the server accepted them ({before} → {held} sockets)"
    );

    // Meanwhile a real user is served: a page, a sign-in, the real-time connection.
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let mut again = Api::new(&server.base);
    assert_eq!(again.sign_in("ann", common::ops::PASSWORD).await, 200);
    connect(&server.base, again.session.as_deref().unwrap(), vec![])
        .await
        .expect("a user connects while the half-open ones wait");

    // Every half-open connection is closed by the server within its timeout (10 s, plus
    // slack for a busy machine); none needed the client to give up.
    let started = Instant::now();
    let closes = half_open
        .iter_mut()
        .map(|stream| closed_within(stream, Duration::from_secs(30)));
    let closed = futures_util::future::join_all(closes).await;
    let still_open = closed.iter().filter(|closed| !**closed).count();
    assert_eq!(still_open, 0, "half-open connections the server kept open");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "not closed at once"
    );
    for mut ws in silent {
        let ended = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("a silent WebSocket is closed within the hello timeout");
        match ended {
            Some(Ok(WsMessage::Close(Some(close)))) => assert_eq!(u16::from(close.code), 1008),
            other => panic!("expected a close 1008 \"no hello\", got {other:?}"),
        }
    }
    // The sockets are back: nothing leaked (given time to see the last closes on a
    // busy machine).
    let mut after = server.open_sockets();
    for _ in 0..300 {
        if after < before + 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        after = server.open_sockets();
    }
    assert!(
        after < before + 20,
        "{before} sockets before, {after} after"
    );
}

/// Protection: the per-user send limiter in `Core::post_message`
/// (domain/src/messaging/send_limit.rs).
#[tokio::test]
async fn sends_are_rate_limited_per_user_across_http_and_sockets() {
    let dir = tempfile::tempdir().unwrap();
    let limits = ["--sends-per-second", "1", "--send-burst", "5"];
    let server = server("flood", &dir, &limits).await;
    let mut ann = Api::new(&server.base);
    let ann_id = ann.register("ann").await;
    let mut ben = Api::new(&server.base);
    let ben_id = ben.register("ben").await;
    befriend(&mut ann, &mut ben, ben_id).await;
    let to_ben = json!({"kind": "direct", "user_id": ben_id});

    // The burst over HTTP; the next send is refused with a clear, localized error.
    let mut refused = 0;
    for i in 0..8 {
        let (status, body) = ann
            .post(
                "send_message",
                json!({"client_id": format!("h{i}"), "to": to_ben, "body": "flood"}),
            )
            .await;
        if status == 429 {
            assert_eq!(body["code"], "rate_limited", "{body}");
            assert!(
                body["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{body}"
            );
            refused += 1;
        } else {
            assert_eq!(status, 200, "{body}");
        }
    }
    assert!(
        refused >= 2,
        "8 sends in a burst of 5 at 1/s: {refused} refused"
    );

    // The budget is the user's: a socket (one of several) gets no fresh one.
    let (mut ws, _) = connect(&server.base, ann.session.as_deref().unwrap(), vec![])
        .await
        .unwrap();
    let (_other_device, _) = connect(&server.base, ann.session.as_deref().unwrap(), vec![])
        .await
        .unwrap();
    let send = ClientFrame::Send {
        client_id: "w1".into(),
        to: penguin_protocol::Destination::Direct { user_id: ben_id },
        body: "and over the socket".into(),
    };
    ws.send(WsMessage::text(serde_json::to_string(&send).unwrap()))
        .await
        .unwrap();
    loop {
        match next(&mut ws).await.unwrap() {
            ServerFrame::Error {
                code, client_id, ..
            } => {
                assert_eq!(code, ErrorCode::RateLimited);
                assert_eq!(client_id.as_deref(), Some("w1"));
                break;
            }
            ServerFrame::Ack { ack } => panic!("a fresh budget on the socket: {ack:?}"),
            _ => {}
        }
    }
    // Only what was acknowledged is stored; Ben, who did not flood, still sends.
    let (status, history) = ben.get("conversations").await;
    assert_eq!(status, 200);
    let conversation = history[0]["id"].as_i64().unwrap();
    let (_, page) = ann
        .get(&format!("history?conversation_id={conversation}"))
        .await;
    let stored = page.as_array().map_or(0, Vec::len);
    assert_eq!(stored, 8 - refused, "{page}");
    let (status, body) = ben
        .post(
            "send_message",
            json!({"client_id": "b1", "to": {"kind": "direct", "user_id": ann_id}, "body": "hi"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Protections: the WebSocket's bounded write buffer (`max_write_buffer_size`), the
/// write timeout that ends a connection whose client stopped reading, and the hub's
/// bounded queue per device (server/src/ws.rs, domain/src/hub.rs).
#[tokio::test]
async fn a_client_that_never_reads_is_cut_off_with_the_servers_memory_bounded() {
    // 12 KB per message (4,000 three-byte characters): the stalled client is owed 60 MB,
    // which the server would hold for it if anything on the way were unbounded.
    const STORED: usize = 3_000;
    const LIVE: usize = 1_000;
    const SENDERS: usize = 16;
    let dir = tempfile::tempdir().unwrap();
    let limits = ["--sends-per-second", "100000", "--send-burst", "100000"];
    let server = server("stalled", &dir, &limits).await;
    let mut ann = Api::new(&server.base);
    ann.register("ann").await;
    let mut ben = Api::new(&server.base);
    let ben_id = ben.register("ben").await;
    befriend(&mut ann, &mut ben, ben_id).await;
    // Cat, Ben's friend outside the conversation, hears only Ben's presence: how the
    // test learns that the server gave up on Ben's connection. (Ann's own socket would
    // do, but it is sent the whole flood too and a slow test would stall it as well.)
    let mut cat = Api::new(&server.base);
    let cat_id = cat.register("cat").await;
    befriend(&mut ben, &mut cat, cat_id).await;
    let (cat_ws, _) = connect(&server.base, cat.session.as_deref().unwrap(), vec![])
        .await
        .unwrap();
    let mut ben_presence = presence_of(cat_ws, ben_id);
    let body = "字".repeat(4000);
    let flood = |count: usize, tag: &'static str| {
        let ann = ann.clone();
        let body = body.clone();
        async move {
            let senders = (0..SENDERS).map(|sender| {
                let mut ann = ann.clone();
                let body = body.clone();
                async move {
                    let mut conversation = 0;
                    for i in (sender..count).step_by(SENDERS) {
                        let (status, ack) = ann
                            .post(
                                "send_message",
                                json!({"client_id": format!("{tag}{i}"),
                                       "to": {"kind": "direct", "user_id": ben_id},
                                       "body": body}),
                            )
                            .await;
                        assert_eq!(status, 200, "{ack}");
                        conversation = ack["conversation_id"].as_i64().unwrap();
                    }
                    conversation
                }
            });
            futures_util::future::join_all(senders).await[0]
        }
    };

    // Warm-up, the same work with a client that reads: Ben is away while most of it is
    // written, then catches up over a reading connection while more arrives live. The
    // database's page caches and the allocator's arenas are now as large as this load
    // makes them, so what grows from here is what the stalled client costs.
    let conversation = flood(STORED, "s").await;
    let (reader, _) = tokio::join!(
        connect(
            &server.base,
            ben.session.as_deref().unwrap(),
            vec![Cursor {
                conversation_id: conversation,
                seq: 0,
            }],
        ),
        flood(LIVE, "w")
    );
    let (reader, caught_up) = reader.unwrap();
    assert!(caught_up.len() >= STORED);
    assert_eq!(
        ben_presence.recv().await,
        Some(true),
        "Ben's reader came online"
    );
    drop(reader);
    assert_eq!(ben_presence.recv().await, Some(false), "and went away");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let baseline = server.rss_kib();

    // Ben comes back on a connection with a tiny receive buffer and never reads: the
    // server must push 48 MB of catch-up, and 12 MB more arrive live.
    let addr: std::net::SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(addr).await.unwrap();
    let cursors = vec![Cursor {
        conversation_id: conversation,
        seq: 0,
    }];
    let mut stalled = hello_over(stream, ben.session.as_deref().unwrap(), cursors).await;
    assert_eq!(
        ben_presence.recv().await,
        Some(true),
        "the stalled Ben is online"
    );

    let live = tokio::spawn(flood(LIVE, "l"));
    let mut peak = baseline;
    // The write timeout is 5 s; the rest is room for a busy machine.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut cut_off = false;
    while Instant::now() < deadline && !(cut_off && live.is_finished()) {
        peak = peak.max(server.rss_kib());
        if !cut_off {
            let heard = tokio::time::timeout(Duration::from_millis(20), ben_presence.recv()).await;
            match heard {
                Ok(Some(online)) => {
                    assert!(!online, "Ben came online twice");
                    cut_off = true;
                }
                Ok(None) => panic!("Cat's connection ended"),
                Err(_) => {}
            }
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert!(cut_off, "the stalled client was never cut off");
    live.await.unwrap();
    let grown_mib = peak.saturating_sub(baseline) / 1024;
    assert!(
        grown_mib < 16,
        "the server's memory grew by {grown_mib} MiB for one stalled client \
         (baseline {baseline} KiB, peak {peak} KiB)"
    );

    // The stalled connection ended; reading again, Ben sees it closed, then catches up
    // on a new connection with nothing lost.
    let mut received = 0;
    let ended = loop {
        match tokio::time::timeout(Duration::from_secs(20), stalled.next()).await {
            Ok(Some(Ok(WsMessage::Text(_)))) => received += 1,
            Ok(Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None) => break true,
            Ok(Some(Ok(_))) => {}
            Err(_) => break false,
        }
    };
    assert!(ended, "the connection is over");
    assert!(
        received < STORED + 2 * LIVE,
        "it was cut off before the end"
    );
    let (_, caught_up) = connect(
        &server.base,
        ben.session.as_deref().unwrap(),
        vec![Cursor {
            conversation_id: conversation,
            seq: 0,
        }],
    )
    .await
    .unwrap();
    assert_eq!(caught_up.len(), STORED + 2 * LIVE);
}

/// Reads `ws` in the background: each presence frame about `user` it is sent, as
/// online or not. The channel closes when the connection ends.
fn presence_of(
    mut ws: common::ops::Ws,
    user: penguin_protocol::UserId,
) -> tokio::sync::mpsc::UnboundedReceiver<bool> {
    let (heard, presence) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(Ok(frame)) = ws.next().await {
            let WsMessage::Text(text) = frame else {
                continue;
            };
            if let Ok(ServerFrame::Presence { user_id, online }) = serde_json::from_str(&text)
                && user_id == user
                && heard.send(online).is_err()
            {
                break;
            }
        }
    });
    presence
}

/// Protection: the WebSocket's `max_frame_size` / `max_message_size` (64 KiB): a frame
/// is refused from its header, before its payload is read.
#[tokio::test]
async fn a_frame_announced_too_large_is_refused_before_its_payload_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = server("oversized", &dir, &[]).await;
    let mut ann = Api::new(&server.base);
    ann.register("ann").await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(&addr).await.unwrap();
    let mut ws = hello_over(stream, ann.session.as_deref().unwrap(), vec![]).await;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next()).await;
        match frame.expect("catch-up within 10 s") {
            Some(Ok(WsMessage::Text(text))) if text.contains("caught_up") => break,
            Some(Ok(_)) => {}
            other => panic!("the connection ended during catch-up: {other:?}"),
        }
    }
    // By hand: a masked text frame announcing 10 MiB, then only 1 KiB of it.
    let announced: u64 = 10 * 1024 * 1024;
    let mut frame = vec![0x81, 0x80 | 127];
    frame.extend_from_slice(&announced.to_be_bytes());
    frame.extend_from_slice(&[1, 2, 3, 4]);
    frame.extend_from_slice(&[b'x' ^ 1; 1024]);
    ws.get_mut().write_all(&frame).await.unwrap();
    let started = Instant::now();
    let ended = loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
            Err(_) => break None,
            Ok(Some(Ok(WsMessage::Close(close)))) => {
                break Some(Ended::Closed(close.map(|c| u16::from(c.code))));
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => break Some(Ended::Dropped),
        }
    };
    assert!(
        ended.is_some(),
        "the server waited for the announced 10 MiB instead of refusing the frame"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // Ann is not locked out: a new connection works.
    connect(&server.base, ann.session.as_deref().unwrap(), vec![])
        .await
        .unwrap();
}
