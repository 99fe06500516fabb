//! Access, systematically: every server function and every frame type, called by
//! someone without the right, over real HTTP and a real WebSocket.
//!
//! The table below has an entry for every server function the app registers (the test
//! fails when one is added without an entry). A caller without the right gets "not
//! found" or "forbidden" — and, where the thing exists, exactly the answer they would
//! get for a thing that does not, so the refusal itself tells them nothing. At the end,
//! everything the refused calls aimed at is checked to be as it was.

mod common;

use common::Running;
use common::ops::{Api, befriend, connect, next};
use futures_util::SinkExt;
use penguin_protocol::{ClientFrame, Cursor, Destination, ServerFrame};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

/// An id no user, group, conversation or request has.
const NONEXISTENT: i64 = 9_999_999;

/// Who makes the call.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// Cat: signed in, no relation to anyone.
    Stranger,
    /// Ben: Ann's friend and a plain member of her group.
    Member,
}

/// What the call must answer.
enum Expect {
    /// Refused with this code, answering exactly what the call with `nonexistent` (the
    /// same arguments naming things that do not exist) answers.
    NotFoundAsIfAbsent(Value),
    /// Refused with this code.
    Refused(&'static str),
    /// Answered, and the answer passes this check (names nothing of other users').
    Answered(fn(&Value) -> bool),
}

struct Probe {
    endpoint: &'static str,
    who: Who,
    args: Value,
    expect: Expect,
}

/// The ids of the world the probes aim at.
struct World {
    server: Running,
    ann: Api,
    ben: Api,
    cat: Api,
    ann_id: i64,
    ben_id: i64,
    cat_id: i64,
    group: i64,
    direct: i64,
    request: i64,
}

/// Ann and Ben are friends with a conversation; Ann owns a group Ben is a plain member
/// of, with messages; Dan has asked Ann to be friends; Cat knows nobody.
async fn world() -> World {
    let server = Running::sqlite(&[]).await;
    let mut ann = Api::new(&server.base);
    let ann_id = ann.register("ann").await;
    let mut ben = Api::new(&server.base);
    let ben_id = ben.register("ben").await;
    let mut cat = Api::new(&server.base);
    let cat_id = cat.register("cat").await;
    let mut dan = Api::new(&server.base);
    dan.register("dan").await;
    befriend(&mut ann, &mut ben, ben_id).await;
    let (status, body) = dan
        .post("send_friend_request", json!({"user_id": ann_id}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, requests) = ann.get("friend_requests").await;
    let request = requests["incoming"][0]["id"].as_i64().unwrap();

    let (status, group) = ann
        .post(
            "create_group",
            json!({"name": "Inner", "description": "ours"}),
        )
        .await;
    assert_eq!(status, 200, "{group}");
    let code = group["invite_code"].as_str().unwrap().to_owned();
    let group = group["group"]["id"].as_i64().unwrap();
    let (status, body) = ben.post("join_group", json!({"invite_code": code})).await;
    assert_eq!(status, 200, "{body}");

    let mut direct = 0;
    for (i, to) in [
        json!({"kind": "direct", "user_id": ben_id}),
        json!({"kind": "group", "group_id": group}),
    ]
    .into_iter()
    .enumerate()
    {
        for n in 0..2 {
            let (status, ack) = ann
                .post(
                    "send_message",
                    json!({"client_id": format!("w{i}-{n}"), "to": to, "body": "secret"}),
                )
                .await;
            assert_eq!(status, 200, "{ack}");
            if i == 0 {
                direct = ack["conversation_id"].as_i64().unwrap();
            }
        }
    }
    let (status, _) = ann
        .post("mark_read", json!({"conversation_id": direct, "seq": 1}))
        .await;
    assert_eq!(status, 200);
    World {
        server,
        ann,
        ben,
        cat,
        ann_id,
        ben_id,
        cat_id,
        group,
        direct,
        request,
    }
}

/// Server functions anyone may call, signed in or not.
const PUBLIC: &[&str] = &[
    "register",
    "sign_in",
    "sign_out",
    "me",
    "am_i_admin",
    "request_email_code",
    "sign_in_with_code",
    "register_with_email_code",
    "server_info",
];

/// An answer with nothing in it: empty lists, or objects of empty lists.
fn empty(answer: &Value) -> bool {
    match answer {
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.values().all(empty),
        _ => false,
    }
}

fn probes(w: &World) -> Vec<Probe> {
    use Expect::{Answered, NotFoundAsIfAbsent, Refused};
    use Who::{Member, Stranger};
    let (g, c, r) = (w.group, w.direct, w.request);
    let x = NONEXISTENT;
    let p = |endpoint, who, args, expect| Probe {
        endpoint,
        who,
        args,
        expect,
    };
    vec![
        // Accounts: each acts on the caller's own session and account only (checked at
        // the end: Ann is still signed in and enabled).
        p(
            "account",
            Stranger,
            json!({}),
            Answered(|a| a["email"].is_null()),
        ),
        p(
            "add_email",
            Stranger,
            json!({"email": "cat@example.org"}),
            Answered(|_| true),
        ),
        p(
            "verify_email",
            Stranger,
            json!({"email": "cat@example.org", "code": "000000"}),
            Refused("invalid_code"),
        ),
        // Administration.
        p("admin_overview", Stranger, json!({}), Refused("forbidden")),
        p("admin_users", Stranger, json!({}), Refused("forbidden")),
        p("admin_groups", Stranger, json!({}), Refused("forbidden")),
        p(
            "admin_set_disabled",
            Stranger,
            json!({"username": "ann", "disabled": true}),
            Refused("forbidden"),
        ),
        p(
            "admin_set_admin",
            Stranger,
            json!({"username": "cat", "is_admin": true}),
            Refused("forbidden"),
        ),
        // Friends: lists are the caller's own; others' requests are as if absent.
        p(
            "search_users",
            Stranger,
            json!({"query": "an"}),
            Answered(|_| true),
        ),
        p("friends", Stranger, json!({}), Answered(empty)),
        p("friend_requests", Stranger, json!({}), Answered(empty)),
        p("blocked_users", Stranger, json!({}), Answered(empty)),
        p(
            "send_friend_request",
            Stranger,
            json!({"user_id": x}),
            Refused("not_found"),
        ),
        p(
            "answer_friend_request",
            Stranger,
            json!({"request_id": r, "accept": true}),
            NotFoundAsIfAbsent(json!({"request_id": x, "accept": true})),
        ),
        p(
            "cancel_friend_request",
            Stranger,
            json!({"request_id": r}),
            NotFoundAsIfAbsent(json!({"request_id": x})),
        ),
        p(
            "remove_friend",
            Stranger,
            json!({"user_id": w.ben_id}),
            NotFoundAsIfAbsent(json!({"user_id": x})),
        ),
        p(
            "block_user",
            Stranger,
            json!({"user_id": x}),
            Refused("not_found"),
        ),
        p(
            "unblock_user",
            Stranger,
            json!({"user_id": x}),
            Refused("not_found"),
        ),
        // Groups: to a non-member a group does not exist; a plain member may not manage.
        p(
            "create_group",
            Stranger,
            json!({"name": "Cats"}),
            Answered(|_| true),
        ),
        p(
            "my_groups",
            Stranger,
            json!({}),
            Answered(|a| a.as_array().is_some_and(|g| g.len() == 1)),
        ),
        p(
            "group",
            Stranger,
            json!({"group_id": g}),
            NotFoundAsIfAbsent(json!({"group_id": x})),
        ),
        p(
            "group_members",
            Stranger,
            json!({"group_id": g}),
            NotFoundAsIfAbsent(json!({"group_id": x})),
        ),
        p(
            "invite_to_group",
            Stranger,
            json!({"group_id": g, "user_id": w.cat_id}),
            NotFoundAsIfAbsent(json!({"group_id": x, "user_id": w.cat_id})),
        ),
        p(
            "join_group",
            Stranger,
            json!({"invite_code": "guessed-code"}),
            Refused("invalid_invite_code"),
        ),
        p(
            "leave_group",
            Stranger,
            json!({"group_id": g}),
            NotFoundAsIfAbsent(json!({"group_id": x})),
        ),
        p(
            "remove_group_member",
            Stranger,
            json!({"group_id": g, "user_id": w.ben_id}),
            NotFoundAsIfAbsent(json!({"group_id": x, "user_id": w.ben_id})),
        ),
        p(
            "remove_group_member",
            Member,
            json!({"group_id": g, "user_id": w.ann_id}),
            Refused("forbidden"),
        ),
        p(
            "set_group_admin",
            Stranger,
            json!({"group_id": g, "user_id": w.cat_id, "admin": true}),
            NotFoundAsIfAbsent(json!({"group_id": x, "user_id": w.cat_id, "admin": true})),
        ),
        p(
            "set_group_admin",
            Member,
            json!({"group_id": g, "user_id": w.ben_id, "admin": true}),
            Refused("forbidden"),
        ),
        p(
            "transfer_group",
            Stranger,
            json!({"group_id": g, "user_id": w.cat_id}),
            NotFoundAsIfAbsent(json!({"group_id": x, "user_id": w.cat_id})),
        ),
        p(
            "transfer_group",
            Member,
            json!({"group_id": g, "user_id": w.ben_id}),
            Refused("forbidden"),
        ),
        p(
            "disband_group",
            Stranger,
            json!({"group_id": g}),
            NotFoundAsIfAbsent(json!({"group_id": x})),
        ),
        p(
            "disband_group",
            Member,
            json!({"group_id": g}),
            Refused("forbidden"),
        ),
        p(
            "reset_invite_code",
            Stranger,
            json!({"group_id": g}),
            NotFoundAsIfAbsent(json!({"group_id": x})),
        ),
        p(
            "reset_invite_code",
            Member,
            json!({"group_id": g}),
            Refused("forbidden"),
        ),
        // Messages: other people's conversations do not exist for the caller.
        p("conversations", Stranger, json!({}), Answered(empty)),
        p("unread", Stranger, json!({}), Answered(empty)),
        p(
            "history",
            Stranger,
            json!({"conversation_id": c}),
            NotFoundAsIfAbsent(json!({"conversation_id": x})),
        ),
        p(
            "mark_read",
            Stranger,
            json!({"conversation_id": c, "seq": 2}),
            NotFoundAsIfAbsent(json!({"conversation_id": x, "seq": 2})),
        ),
        p(
            "send_message",
            Stranger,
            json!({"client_id": "c1", "to": {"kind": "group", "group_id": g}, "body": "in?"}),
            NotFoundAsIfAbsent(
                json!({"client_id": "c2", "to": {"kind": "group", "group_id": x}, "body": "in?"}),
            ),
        ),
        p(
            "send_message",
            Stranger,
            json!({"client_id": "c3", "to": {"kind": "direct", "user_id": w.ann_id}, "body": "hi"}),
            Refused("not_friends"),
        ),
        p(
            "poll",
            Stranger,
            json!({"cursors": [{"conversation_id": c, "seq": 0}], "wait_ms": 0}),
            Answered(|frames| {
                frames
                    .as_array()
                    .is_some_and(|f| f.iter().all(|f| f["type"] != "message"))
            }),
        ),
        // Last: it ends the caller's own sessions (and not Ann's, checked after).
        p(
            "sign_out_everywhere",
            Stranger,
            json!({}),
            Answered(|_| true),
        ),
    ]
}

/// Calls `endpoint` as `api` the way the browser does: GET with a query, or POST JSON.
async fn call(api: &mut Api, method: &http::Method, endpoint: &str, args: &Value) -> (u16, Value) {
    let (status, answer) = if method == http::Method::GET {
        let fields: Vec<(String, String)> = args
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_owned)))
            .collect();
        let url = reqwest::Url::parse_with_params("http://x/", &fields).unwrap();
        let query = url.query().unwrap_or_default();
        api.get(&format!("{endpoint}?{query}")).await
    } else {
        api.post(endpoint, args.clone()).await
    };
    (status.as_u16(), answer)
}

/// Every server function the app registers, with its method, by endpoint name.
fn server_functions() -> std::collections::BTreeMap<String, http::Method> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| {
            let endpoint = path.strip_prefix("/api/").expect("under /api/");
            (endpoint.to_owned(), method)
        })
        .collect()
}

#[tokio::test]
async fn every_server_function_refuses_callers_without_the_right_and_tells_them_nothing() {
    let mut w = world().await;
    let functions = server_functions();
    let probes = probes(&w);

    // The table covers every server function, and only real ones.
    let probed: BTreeSet<&str> = probes
        .iter()
        .map(|p| p.endpoint)
        .chain(PUBLIC.iter().copied())
        .collect();
    let registered: BTreeSet<&str> = functions.keys().map(String::as_str).collect();
    assert_eq!(
        registered.difference(&probed).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "server functions without an access probe: add them to the table"
    );
    assert_eq!(
        probed.difference(&registered).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "probes of server functions that do not exist"
    );

    // Signed out, only the public ones answer.
    let mut anonymous = Api::new(&w.server.base);
    for probe in &probes {
        let method = &functions[probe.endpoint];
        let (status, answer) = call(&mut anonymous, method, probe.endpoint, &probe.args).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (401, Some("unauthenticated")),
            "{} signed out: {answer}",
            probe.endpoint
        );
    }

    for probe in &probes {
        let method = &functions[probe.endpoint];
        let caller = match probe.who {
            Who::Stranger => &mut w.cat,
            Who::Member => &mut w.ben,
        };
        let what = format!("{} by {:?} with {}", probe.endpoint, probe.who, probe.args);
        let (status, answer) = call(caller, method, probe.endpoint, &probe.args).await;
        match &probe.expect {
            Expect::NotFoundAsIfAbsent(absent) => {
                assert_eq!(
                    (status, answer["code"].as_str()),
                    (404, Some("not_found")),
                    "{what}: {answer}"
                );
                let (absent_status, absent_answer) =
                    call(caller, method, probe.endpoint, absent).await;
                assert_eq!(
                    (status, &answer),
                    (absent_status, &absent_answer),
                    "{what}: the refusal differs from the one for a thing that does not exist"
                );
            }
            Expect::Refused(code) => {
                assert!(status >= 400, "{what}: {status} {answer}");
                assert_eq!(answer["code"].as_str(), Some(*code), "{what}: {answer}");
            }
            Expect::Answered(check) => {
                assert_eq!(status, 200, "{what}: {answer}");
                assert!(check(&answer), "{what}: answered too much: {answer}");
            }
        }
    }

    // Nothing the refused calls aimed at changed.
    let (_, friends) = w.ann.get("friends").await;
    assert_eq!(friends.as_array().unwrap().len(), 1, "{friends}");
    assert_eq!(friends[0]["user"]["id"], w.ben_id);
    let (_, requests) = w.ann.get("friend_requests").await;
    assert_eq!(requests["incoming"][0]["id"], w.request, "{requests}");
    let (_, members) = w
        .ann
        .get(&format!("group_members?group_id={}", w.group))
        .await;
    let roles: Vec<(i64, String)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user"]["id"].as_i64().unwrap(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            (w.ann_id, "owner".to_owned()),
            (w.ben_id, "member".to_owned())
        ]
    );
    let (_, conversations) = w.ann.get("conversations").await;
    let direct = conversations
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == w.direct)
        .unwrap();
    assert_eq!(direct["read_seq"], 1, "Ann's read position is hers");
    assert_eq!(
        direct["last_seq"], 2,
        "nothing was added to Ann's conversation"
    );
    let (status, me) = w.ann.get("me").await;
    assert_eq!(
        (status.as_u16(), me["id"].as_i64()),
        (200, Some(w.ann_id)),
        "still signed in"
    );
    let mut again = Api::new(&w.server.base);
    assert_eq!(
        again.sign_in("ann", common::ops::PASSWORD).await,
        200,
        "not disabled"
    );
    w.server.stop().await;
}

/// Frames that must not arrive within a short wait (what arrives is returned).
async fn silence(ws: &mut common::ops::Ws) -> Vec<ServerFrame> {
    let mut heard = Vec::new();
    while let Ok(Ok(frame)) = tokio::time::timeout(Duration::from_millis(300), next(ws)).await {
        heard.push(frame);
    }
    heard
}

#[tokio::test]
async fn every_frame_type_refuses_strangers_and_tells_them_nothing() {
    let w = world().await;
    let base = &w.server.base;
    let (mut ann_ws, _) = connect(base, w.ann.session.as_deref().unwrap(), vec![])
        .await
        .unwrap();
    let (mut ben_ws, _) = connect(base, w.ben.session.as_deref().unwrap(), vec![])
        .await
        .unwrap();
    silence(&mut ann_ws).await; // Ben's presence

    // hello: cursors naming other people's conversations deliver nothing of them.
    let cursors = vec![
        Cursor {
            conversation_id: w.direct,
            seq: 0,
        },
        Cursor {
            conversation_id: w.direct + 1,
            seq: 0,
        },
    ];
    let (mut cat_ws, caught_up) = connect(base, w.cat.session.as_deref().unwrap(), cursors)
        .await
        .unwrap();
    assert_eq!(
        caught_up,
        vec![],
        "a stranger's hello caught up on others' messages"
    );
    // Presence goes to friends only, both ways: Ann hears nothing of Cat coming online,
    // and Cat heard nothing of Ann and Ben, who are online.
    let heard = silence(&mut ann_ws).await;
    assert_eq!(heard, vec![], "Ann heard of a stranger");
    let heard = silence(&mut cat_ws).await;
    assert_eq!(heard, vec![], "Cat heard of strangers");

    let frame = |frame: ClientFrame| {
        tokio_tungstenite::tungstenite::Message::text(serde_json::to_string(&frame).unwrap())
    };
    let mut refused = Vec::new();
    // send: into a group one is not in, as if it did not exist; to a non-friend.
    for (to, client_id) in [
        (Destination::Group { group_id: w.group }, "g"),
        (
            Destination::Group {
                group_id: NONEXISTENT,
            },
            "g-absent",
        ),
        (Destination::Direct { user_id: w.ann_id }, "d"),
    ] {
        let send = ClientFrame::Send {
            client_id: client_id.into(),
            to,
            body: "let me in".into(),
        };
        cat_ws.send(frame(send)).await.unwrap();
        refused.push(next(&mut cat_ws).await.unwrap());
    }
    // typing: relayed to nobody (and refused silently: typing has no answer).
    for to in [
        Destination::Direct { user_id: w.ann_id },
        Destination::Group { group_id: w.group },
    ] {
        cat_ws
            .send(frame(ClientFrame::Typing { to }))
            .await
            .unwrap();
    }
    // mark_read: someone else's conversation, as if it did not exist.
    for conversation_id in [w.direct, NONEXISTENT] {
        let mark = ClientFrame::MarkRead {
            conversation_id,
            seq: 2,
        };
        cat_ws.send(frame(mark)).await.unwrap();
        refused.push(next(&mut cat_ws).await.unwrap());
    }
    let codes: Vec<(String, Option<String>)> = refused
        .iter()
        .map(|f| match f {
            ServerFrame::Error {
                code, client_id, ..
            } => (code.as_str().to_owned(), client_id.clone()),
            other => panic!("expected a refusal, got {other:?}"),
        })
        .collect();
    let owned = |c: &str, id: Option<&str>| (c.to_owned(), id.map(str::to_owned));
    assert_eq!(
        codes,
        [
            owned("not_found", Some("g")),
            owned("not_found", Some("g-absent")),
            owned("not_friends", Some("d")),
            owned("not_found", None),
            owned("not_found", None),
        ]
    );
    // The refused frames were handled in order before the last answer, so whatever they
    // would have relayed is already on its way: Ann and Ben get nothing of them, and
    // their next frames are the ones a member causes (so the sockets are live).
    let typing = ClientFrame::Typing {
        to: Destination::Direct { user_id: w.ann_id },
    };
    ben_ws.send(frame(typing)).await.unwrap();
    assert_eq!(
        next(&mut ann_ws).await.unwrap(),
        ServerFrame::Typing {
            user_id: w.ben_id,
            group_id: None
        },
        "Ann's first frame is Ben's typing, not anything of Cat's"
    );
    let (status, _) = w
        .ann
        .clone()
        .post(
            "send_message",
            json!({"client_id": "after", "to": {"kind": "group", "group_id": w.group}, "body": "members only"}),
        )
        .await;
    assert_eq!(status, 200);
    match next(&mut ben_ws).await.unwrap() {
        ServerFrame::Message { message } => assert_eq!(message.body, "members only"),
        other => panic!("Ben's first frame should be Ann's group message: {other:?}"),
    }
    assert_eq!(silence(&mut cat_ws).await, vec![], "Cat heard the group");
    // And Ann's read position did not move.
    let (_, conversations) = w.ann.get("conversations").await;
    let direct = conversations
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == w.direct)
        .unwrap();
    assert_eq!(direct["read_seq"], 1);
    w.server.stop().await;
}

/// Every state-changing server function, called with Ann's cookie from a page of another
/// site (what a CSRF attack makes her browser do): refused before it runs, in each of
/// the ways browsers mark such requests, and nothing changed.
#[tokio::test]
async fn every_state_changing_call_from_another_site_is_refused() {
    let w = world().await;
    let functions = server_functions();
    let probes = probes(&w);
    let cookie = format!("penguin_session={}", w.ann.session.as_deref().unwrap());
    let cross_site: [&[(&str, &str)]; 3] = [
        &[("origin", "https://evil.example")],
        &[("origin", "null")],
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
    ];
    let posts: Vec<&String> = functions
        .iter()
        .filter(|(_, method)| **method == http::Method::POST)
        .map(|(endpoint, _)| endpoint)
        .collect();
    assert!(posts.len() > 20, "the app's changes are POSTs: {posts:?}");
    let client = common::client();
    for endpoint in posts {
        // The arguments of its probe, where it has one: the call would do harm if let
        // through (Ann disbands her group, befriends, sends…).
        let args = probes
            .iter()
            .find(|p| p.endpoint == endpoint.as_str())
            .map_or(json!({}), |p| p.args.clone());
        let args = match endpoint.as_str() {
            "disband_group" | "leave_group" | "reset_invite_code" => json!({"group_id": w.group}),
            "send_message" => {
                json!({"client_id": "csrf", "to": {"kind": "direct", "user_id": w.ben_id}, "body": "csrf"})
            }
            "remove_friend" | "block_user" => json!({"user_id": w.ben_id}),
            _ => args,
        };
        for headers in cross_site {
            let mut request = client
                .post(format!("{}/api/{endpoint}", w.server.base))
                .header("cookie", &cookie)
                .json(&args);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            assert_eq!(
                (status, answer["code"].as_str()),
                (403, Some("cross_site_request")),
                "{endpoint} from another site with {headers:?}: {answer}"
            );
        }
    }
    let (_, friends) = w.ann.get("friends").await;
    assert_eq!(friends.as_array().unwrap().len(), 1, "{friends}");
    let (status, _) = w.ann.get(&format!("group?group_id={}", w.group)).await;
    assert_eq!(status, 200, "the group still exists");
    let (_, conversations) = w.ann.get("conversations").await;
    let direct = conversations
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == w.direct)
        .unwrap();
    assert_eq!(direct["last_seq"], 2, "nothing was sent");
    let (status, me) = w.ann.get("me").await;
    assert_eq!((status.as_u16(), me["id"].as_i64()), (200, Some(w.ann_id)));
    w.server.stop().await;
}
