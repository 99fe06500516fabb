//! Acknowledged means stored: a server killed with SIGKILL under traffic loses no
//! acknowledged message, and after a restart on the same SQLite file a resuming client
//! finds every one of them, once, in order. Also one order for concurrent senders.

mod common;

use common::Running;
use common::ops::{Api, befriend, connect, next, read_conversation};
use common::process::Process;
use futures_util::SinkExt;
use penguin_protocol::{ClientFrame, Destination, GroupDetails, ServerFrame};
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as WsMessage;

#[tokio::test]
async fn acknowledged_messages_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("penguin.db").display());
    let args = [
        "--database-url",
        &db_url,
        "--log",
        "warn",
        "--sends-per-second",
        "100000",
        "--send-burst",
        "100000",
    ];
    let mut server = Process::start("durability", &args).await;
    let base = server.base.clone();
    let mut ann_api = Api::new(&base);
    ann_api.register("ann").await;
    let mut ben_api = Api::new(&base);
    let ben_id = ben_api.register("ben").await;
    befriend(&mut ann_api, &mut ben_api, ben_id).await;
    let (ann, ben) = (ann_api.session.unwrap(), ben_api.session.unwrap());

    // Ann sends as fast as acks come back; the server is killed mid-stream.
    let (mut ws, _) = connect(&base, &ann, vec![]).await.unwrap();
    let to_ben = Destination::Direct { user_id: ben_id };
    let mut acked = Vec::new();
    let mut sent = 0;
    let killer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        server.kill9();
        server
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
            match next(&mut ws).await {
                Ok(ServerFrame::Ack { ack }) => {
                    acked.push(ack);
                    break;
                }
                Ok(ServerFrame::Message { .. }) => {}
                Ok(other) => panic!("{other:?}"),
                Err(_) => break 'traffic,
            }
        }
    }
    let mut server = killer.await.unwrap();
    assert!(
        acked.len() > 5,
        "the kill came too early to prove anything ({} acks)",
        acked.len()
    );
    assert!(sent > acked.len() || sent == 10_000);

    // Restart on the same file: Ben resumes from nothing and gets every acked message,
    // once, in order; unacknowledged ones may or may not be there, but never twice.
    server.restart().await;
    let got = read_conversation(
        &server.base,
        &ben,
        acked[0].conversation_id,
        "gap-free, in order, no repeats",
    )
    .await;
    for ack in &acked {
        let stored = got.get(usize::try_from(ack.seq - 1).unwrap());
        assert_eq!(
            stored.map(|m| m.client_id.as_str()),
            Some(ack.client_id.as_str()),
            "acknowledged message {ack:?} is lost after kill -9 ({} messages stored, {} acknowledged)",
            got.len(),
            acked.len()
        );
    }
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
    // Every member sends 15 messages at once while listening. All are connected before
    // anyone sends: a member still in catch-up would get early messages there (and the
    // test would wait for them live), which is a different guarantee from the one here.
    let everyone_listening = std::sync::Arc::new(tokio::sync::Barrier::new(users.len()));
    let mut tasks = Vec::new();
    for (index, (browser, _)) in users.iter().enumerate() {
        let session = browser.session.clone().unwrap();
        let base = server.base.clone();
        let everyone_listening = everyone_listening.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ws, caught_up) = connect(&base, &session, vec![]).await.unwrap();
            assert!(caught_up.is_empty(), "nothing was sent yet: {caught_up:?}");
            everyone_listening.wait().await;
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
                if let Ok(ServerFrame::Message { message }) = next(&mut ws).await {
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
