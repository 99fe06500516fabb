//! `penguin admin …`: every command, as the real binary beside a running server on the
//! same database (SQLite file and PostgreSQL schema), checked through what users meet:
//! signing in, sessions, groups.

mod common;

use common::Running;
use common::ops::{Api, connect, penguin, penguin_ok};
use futures_util::StreamExt;
use penguin_protocol::admin::{AdminGroup, AdminUser};
use penguin_testkit::TestDb;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// `penguin` with the settings that reach `db`, then `args`.
fn with_db<'a>(db: &'a TestDb, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--database-url", db.url()];
    if let Some(schema) = db.schema() {
        all.extend(["--database-schema", schema]);
    }
    all.extend_from_slice(args);
    all
}

fn admin_ok(db: &TestDb, args: &[&str], stdin: Option<&str>) -> String {
    penguin_ok(&with_db(db, &[&["admin"], args].concat()), stdin)
}

/// The command fails; its standard error.
fn admin_err(db: &TestDb, args: &[&str]) -> String {
    let output = penguin(&with_db(db, &[&["admin"], args].concat()), None);
    assert!(!output.status.success(), "penguin admin {args:?} must fail");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `GET /api/me` names someone.
async fn signed_in(api: &Api) -> bool {
    let (status, me) = api.get("me").await;
    assert_eq!(status, 200);
    !me.is_null()
}

fn users(db: &TestDb) -> Vec<AdminUser> {
    serde_json::from_str(&admin_ok(db, &["list-users", "--json"], None)).unwrap()
}

fn groups(db: &TestDb) -> Vec<AdminGroup> {
    serde_json::from_str(&admin_ok(db, &["list-groups", "--json"], None)).unwrap()
}

async fn every_admin_command(db: &TestDb, check_websocket: bool) {
    // Accounts, with a password from stdin and a generated one.
    let out = admin_ok(
        db,
        &[
            "create-user",
            "Alice",
            "--display-name",
            "Alice A",
            "--password-stdin",
        ],
        Some("alice's first password\n"),
    );
    assert!(out.starts_with("created user alice (id "), "{out}");
    let out = admin_ok(db, &["create-user", "bob"], None);
    let bob_password = out
        .lines()
        .find_map(|line| line.strip_prefix("password: "))
        .expect("a generated password is printed")
        .to_owned();
    assert_eq!(bob_password.len(), 20);
    let taken = admin_err(db, &["create-user", "alice"]);
    assert!(taken.contains("already taken"), "{taken}");
    let weak = admin_err(db, &["create-user", "carol", "--password-stdin"]);
    assert!(weak.contains("no password on standard input"), "{weak}");

    let server = Running::start_on(db, &[]).await;
    let mut alice = Api::new(&server.base);
    assert!(
        alice
            .sign_in("alice", "alice's first password")
            .await
            .is_success()
    );
    let mut bob = Api::new(&server.base);
    assert!(bob.sign_in("bob", &bob_password).await.is_success());

    // A reset ends the sessions and only the new password works.
    admin_ok(
        db,
        &["reset-password", "alice", "--password-stdin"],
        Some("alice's second password\n"),
    );
    assert!(!signed_in(&alice).await, "the old session ended");
    assert_eq!(alice.sign_in("alice", "alice's first password").await, 401);
    assert!(
        alice
            .sign_in("alice", "alice's second password")
            .await
            .is_success()
    );
    assert!(signed_in(&alice).await);

    // Administrators.
    let out = admin_ok(db, &["make-admin", "ALICE"], None);
    assert_eq!(out.trim(), "alice is an administrator");
    let listed = users(db);
    let flags: Vec<(&str, bool, bool)> = listed
        .iter()
        .map(|u| (u.username.as_str(), u.is_admin, u.disabled))
        .collect();
    assert_eq!(flags, [("alice", true, false), ("bob", false, false)]);
    assert_eq!(listed[0].display_name, "Alice A");
    admin_ok(db, &["make-admin", "alice", "--revoke"], None);
    assert!(!users(db)[0].is_admin);
    admin_ok(db, &["make-admin", "alice"], None);
    let nobody = admin_err(db, &["make-admin", "nobody"]);
    assert!(nobody.contains("no user named `nobody`"), "{nobody}");

    // A group with members; a typo creates nothing.
    let typo = admin_err(
        db,
        &[
            "create-group",
            "Chess",
            "--owner",
            "alice",
            "--member",
            "bob,carol",
        ],
    );
    assert!(typo.contains("no user named `carol`"), "{typo}");
    assert!(groups(db).is_empty());
    let out = admin_ok(
        db,
        &[
            "create-group",
            "Chess",
            "--owner",
            "alice",
            "--member",
            "bob",
            "--member-limit",
            "10",
        ],
        None,
    );
    assert!(out.contains("owned by alice with 2 members"), "{out}");
    let listed = groups(db);
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].name.as_str(), listed[0].owner_username.as_str()),
        ("Chess", "alice")
    );
    assert_eq!((listed[0].member_count, listed[0].member_limit), (2, 10));
    let (status, mine) = bob.get("my_groups").await;
    assert_eq!(status, 200);
    assert_eq!(mine[0]["name"], "Chess", "bob is a member: {mine}");
    let table = admin_ok(db, &["list-groups"], None);
    assert!(table.lines().nth(1).unwrap().contains("Chess"), "{table}");
    let table = admin_ok(db, &["list-users"], None);
    assert!(table.starts_with("    id  username"), "{table}");
    assert_eq!(table.lines().count(), 3, "{table}");

    // Disabling: no sign-in, the session ends, and so does the open WebSocket.
    let socket = connect(&server.base, bob.session.as_deref().unwrap(), vec![])
        .await
        .unwrap();
    admin_ok(db, &["disable-user", "bob"], None);
    assert!(!signed_in(&bob).await, "the session ended");
    let (status, body) = bob
        .post(
            "sign_in",
            serde_json::json!({"username": "bob", "password": bob_password}),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "account_disabled");
    assert_eq!(bob.sign_in("bob", "a wrong password").await, 401);
    assert!(users(db)[1].disabled);
    if check_websocket {
        // The socket re-checks its session every ping interval (30 s).
        let (mut ws, _) = socket;
        let ended = tokio::time::timeout(Duration::from_secs(45), async {
            loop {
                match ws.next().await {
                    Some(Ok(WsMessage::Close(close))) => return close.map(|c| u16::from(c.code)),
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return None,
                }
            }
        })
        .await
        .expect("the disabled user's socket closes");
        assert_eq!(ended, Some(1008), "closed for its ended session");
    }
    admin_ok(db, &["enable-user", "bob"], None);
    assert!(bob.sign_in("bob", &bob_password).await.is_success());
    assert!(!users(db)[1].disabled);

    server.stop().await;
}

#[tokio::test]
async fn admin_commands_on_sqlite() {
    let db = TestDb::sqlite();
    every_admin_command(&db, true).await;
    db.cleanup().await;
}

#[tokio::test]
async fn admin_commands_on_postgres() {
    let Some(db) = TestDb::postgres() else { return };
    every_admin_command(&db, false).await;
    db.cleanup().await;
}
