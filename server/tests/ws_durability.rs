//! Acknowledged means stored: a server killed with SIGKILL under traffic loses no
//! acknowledged message, and after a restart on the same SQLite file a resuming client
//! finds every one of them, once, in order. Also one order for concurrent senders.

mod common;

use common::Running;
use futures_util::{SinkExt, StreamExt};
use penguin_protocol::frames::FRAME_VERSION;
use penguin_protocol::{
    ClientFrame, Cursor, Destination, FriendRequests, GroupDetails, ServerFrame, UserSummary,
};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The real `penguin` binary as a child process on `db_url`.
struct Process {
    child: Child,
    base: String,
}

impl Process {
    async fn start(db_url: &str, site: &std::path::Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_penguin"))
            .args([
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--database-url",
                db_url,
            ])
            .arg("--site-root")
            .arg(site)
            .args([
                "--log",
                "warn",
                "--ws-sends-per-second",
                "100000",
                "--ws-send-burst",
                "100000",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start penguin");
        // Owned at once, so Drop kills and reaps it whatever happens next.
        let process = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            let health = client.get(format!("{}/healthz", process.base)).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return process;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("penguin did not start");
    }

    fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    session: Option<&str>,
    endpoint: &str,
    body: serde_json::Value,
) -> (Option<String>, serde_json::Value) {
    let mut request = client.post(format!("{base}/api/{endpoint}")).json(&body);
    if let Some(token) = session {
        request = request.header("cookie", format!("penguin_session={token}"));
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{endpoint}: {}",
        response.status()
    );
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("penguin_session="))
        .map(|v| v.split(';').next().unwrap().to_owned());
    (cookie, response.json().await.unwrap())
}

async fn connect(
    base: &str,
    session: &str,
    cursors: Vec<Cursor>,
) -> (Ws, Vec<penguin_protocol::Message>) {
    let mut request = format!("{}/ws", base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "cookie",
        format!("penguin_session={session}").parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("handshake");
    let hello = ClientFrame::Hello {
        v: FRAME_VERSION,
        cursors,
    };
    ws.send(WsMessage::text(serde_json::to_string(&hello).unwrap()))
        .await
        .unwrap();
    let mut caught_up = Vec::new();
    loop {
        match recv(&mut ws).await {
            Some(ServerFrame::Welcome { .. }) => {}
            Some(ServerFrame::Message { message }) => caught_up.push(message),
            Some(ServerFrame::CaughtUp) => return (ws, caught_up),
            other => panic!("unexpected during catch-up: {other:?}"),
        }
    }
}

/// The next frame; `None` when the connection ended.
async fn recv(ws: &mut Ws) -> Option<ServerFrame> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
        {
            Some(Ok(WsMessage::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => {}
            _ => return None,
        }
    }
}

#[tokio::test]
async fn acknowledged_messages_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("penguin.db").display());
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    let client = reqwest::Client::new();
    let server = Process::start(&db_url, &site).await;
    let base = server.base.clone();
    let register = |name: &'static str| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let (cookie, user) = post(&client, &base, None, "register",
                json!({"username": name, "display_name": name, "password": "correct horse battery"})).await;
            (
                cookie.unwrap(),
                serde_json::from_value::<UserSummary>(user).unwrap(),
            )
        }
    };
    let (ann, _) = register("ann").await;
    let (ben, ben_user) = register("ben").await;
    post(
        &client,
        &base,
        Some(&ann),
        "send_friend_request",
        json!({"user_id": ben_user.id}),
    )
    .await;
    let (_, requests) = (
        None::<String>,
        client
            .get(format!("{base}/api/friend_requests"))
            .header("cookie", format!("penguin_session={ben}"))
            .send()
            .await
            .unwrap()
            .json::<FriendRequests>()
            .await
            .unwrap(),
    );
    post(
        &client,
        &base,
        Some(&ben),
        "answer_friend_request",
        json!({"request_id": requests.incoming[0].id, "accept": true}),
    )
    .await;

    // Ann sends as fast as acks come back; the server is killed mid-stream.
    let (mut ws, _) = connect(&base, &ann, vec![]).await;
    let to_ben = Destination::Direct {
        user_id: ben_user.id,
    };
    let mut acked = Vec::new();
    let mut sent = 0;
    let killer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        server.kill_9();
    });
    'traffic: for i in 0..10_000 {
        let frame = ClientFrame::Send {
            client_id: format!("k{i}"),
            to: to_ben,
            body: format!("#{i}"),
        };
        if ws
            .send(WsMessage::text(serde_json::to_string(&frame).unwrap()))
            .await
            .is_err()
        {
            break;
        }
        sent += 1;
        loop {
            match recv(&mut ws).await {
                Some(ServerFrame::Ack { ack }) => {
                    acked.push(ack);
                    break;
                }
                Some(ServerFrame::Message { .. }) => {}
                Some(other) => panic!("{other:?}"),
                None => break 'traffic,
            }
        }
    }
    killer.await.unwrap();
    assert!(
        acked.len() > 5,
        "the kill came too early to prove anything ({} acks)",
        acked.len()
    );
    assert!(sent > acked.len() || sent == 10_000);

    // Restart on the same file: Ben resumes from nothing and gets every acked message,
    // once, in order; unacknowledged ones may or may not be there, but never twice.
    let server = Process::start(&db_url, &site).await;
    let (_ws, got) = connect(
        &server.base,
        &ben,
        vec![Cursor {
            conversation_id: acked[0].conversation_id,
            seq: 0,
        }],
    )
    .await;
    let seqs: Vec<i64> = got.iter().map(|m| m.seq).collect();
    assert_eq!(
        seqs,
        (1..=got.len() as i64).collect::<Vec<_>>(),
        "gap-free, in order, no repeats"
    );
    for ack in &acked {
        let stored = &got[usize::try_from(ack.seq - 1).unwrap()];
        assert_eq!(
            stored.client_id, ack.client_id,
            "acked message {ack:?} survives"
        );
    }
    drop(server);
}

#[tokio::test]
async fn concurrent_senders_in_a_group_see_one_order() {
    let server = Running::sqlite(&[]).await;
    let mut users = Vec::new();
    for name in ["owner", "mem1", "mem2", "mem3"] {
        let mut browser = common::Browser::new(&server);
        let user = browser.register(name).await;
        users.push((browser, user));
    }
    let (owner_browser, _) = &mut users[0];
    let group: GroupDetails = owner_browser
        .call("create_group", json!({"name": "Busy"}))
        .await;
    let code = group.invite_code.clone().unwrap();
    for (browser, _) in users.iter_mut().skip(1) {
        let _: penguin_protocol::GroupSummary = browser
            .call("join_group", json!({"invite_code": code}))
            .await;
    }
    let to = Destination::Group {
        group_id: group.group.id,
    };
    // Every member sends 15 messages at once while listening.
    let mut tasks = Vec::new();
    for (index, (browser, _)) in users.iter().enumerate() {
        let session = browser.session.clone().unwrap();
        let base = server.base.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ws, _) = connect(&base, &session, vec![]).await;
            for i in 0..15 {
                let frame = ClientFrame::Send {
                    client_id: format!("u{index}-{i}"),
                    to,
                    body: format!("{index}/{i}"),
                };
                ws.send(WsMessage::text(serde_json::to_string(&frame).unwrap()))
                    .await
                    .unwrap();
            }
            // Everyone receives all 60 messages (their own included), in seq order.
            let mut seen = Vec::new();
            while seen.len() < 60 {
                if let Some(ServerFrame::Message { message }) = recv(&mut ws).await {
                    seen.push((message.seq, message.client_id));
                }
            }
            seen
        }));
    }
    let mut views = Vec::new();
    for task in tasks {
        views.push(task.await.unwrap());
    }
    let seqs: Vec<i64> = views[0].iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (1..=60).collect::<Vec<_>>());
    for view in &views[1..] {
        assert_eq!(view, &views[0], "every member sees the same order");
    }
    server.stop().await;
}
