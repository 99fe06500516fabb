//! A restart under traffic loses nothing: the real binary gets SIGTERM while three real
//! WebSocket clients send as fast as they are acknowledged; it closes their sockets with
//! 1001, commits what it was given and exits 0; a new process on the same port and
//! SQLite file takes over, the clients reconnect and resend what was not acknowledged;
//! afterwards every acknowledged message is stored exactly once, in one gap-free order.

mod common;

use common::ops::{Api, Ended, Sender, going_away, read_conversation};
use common::process::Process;
use penguin_protocol::Destination;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

const PER_SENDER: usize = 150;

#[tokio::test]
async fn a_restart_under_traffic_loses_no_acknowledged_message() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("penguin.db").display());
    let args = [
        "--database-url",
        &db_url,
        "--sends-per-second",
        "100000",
        "--send-burst",
        "100000",
        "--shutdown-grace-secs",
        "10",
    ];
    let mut server = Process::start("graceful", &args).await;
    let base = server.base.clone();

    // Four members of one group; three of them send.
    let mut apis = Vec::new();
    for name in ["ann", "ben", "cat", "dan"] {
        let mut api = Api::new(&base);
        api.register(name).await;
        apis.push(api);
    }
    let (status, group) = apis[0]
        .post("create_group", json!({"name": "Restarters"}))
        .await;
    assert!(status.is_success(), "{group}");
    let group_id = group["group"]["id"].as_i64().unwrap();
    let code = group["invite_code"].as_str().unwrap().to_owned();
    for api in &mut apis[1..] {
        let (status, body) = api.post("join_group", json!({"invite_code": code})).await;
        assert!(status.is_success(), "{body}");
    }
    let to = Destination::Group { group_id };

    let mut senders = Vec::new();
    for (name, api) in ["ann", "ben", "cat"].into_iter().zip(&apis) {
        let sender = Sender {
            name: name.to_owned(),
            session: api.session.clone().unwrap(),
            to,
            acked: Vec::new(),
            closes: Vec::new(),
        };
        let base = base.clone();
        senders.push(tokio::spawn(sender.run(
            move || base.clone(),
            PER_SENDER,
            Duration::from_millis(4),
            Duration::from_secs(60),
        )));
    }

    // Mid-stream: SIGTERM, a clean exit, and a new process on the same port and file.
    tokio::time::sleep(Duration::from_millis(800)).await;
    server.sigterm();
    let status = server.exit_status(Duration::from_secs(15)).await;
    assert!(status.success(), "a graceful stop exits 0, not {status}");
    server.restart().await;

    let mut acked = Vec::new();
    let mut closes = Vec::new();
    for sender in senders {
        let sender = sender.await.unwrap();
        assert_eq!(sender.acked.len(), PER_SENDER, "{} finished", sender.name);
        assert!(
            !sender.closes.is_empty(),
            "{} was connected when the server stopped",
            sender.name
        );
        closes.extend(sender.closes);
        acked.extend(sender.acked);
    }
    assert!(
        closes.contains(&going_away()),
        "the server closes sockets with 1001 going away: {closes:?}"
    );
    assert!(
        !closes.contains(&Ended::Closed(Some(1011))),
        "no connection ended with an error: {closes:?}"
    );

    // Dan reads the whole conversation from the new process.
    let conversation_id = acked[0].conversation_id;
    let stored = read_conversation(
        &server.base,
        apis[3].session.as_deref().unwrap(),
        conversation_id,
        "one gap-free order",
    )
    .await;
    let ids: HashSet<&str> = stored.iter().map(|m| m.client_id.as_str()).collect();
    assert_eq!(ids.len(), stored.len(), "no message stored twice");
    assert_eq!(stored.len(), 3 * PER_SENDER, "every send stored once");
    for ack in &acked {
        let message = &stored[usize::try_from(ack.seq - 1).unwrap()];
        assert_eq!(
            message.client_id, ack.client_id,
            "acknowledged {ack:?} is there"
        );
    }
}
