//! The /admin page's server functions over real HTTP: only administrators get answers
//! (nobody signed in: 401, anyone else: 403), changes keep the cross-site guard, an
//! administrator cannot lock themselves out, and a disabled account's session ends.

mod common;

use common::Running;
use common::ops::{Api, befriend};
use penguin_domain::Admin;
use penguin_protocol::admin::{AdminGroup, AdminUser, ServerOverview};
use penguin_testkit::TestDb;
use serde_json::json;

async fn only_administrators(db: &TestDb) {
    let server = Running::start_on(db, &[]).await;
    let mut root = Api::new(&server.base);
    let root_id = root.register("root").await;
    let mut bob = Api::new(&server.base);
    let bob_id = bob.register("bob").await;

    let anonymous = Api::new(&server.base);
    for endpoint in ["admin_overview", "admin_users", "admin_groups"] {
        let (status, body) = anonymous.get(endpoint).await;
        assert_eq!(
            (status.as_u16(), body["code"].as_str()),
            (401, Some("unauthenticated"))
        );
        let (status, body) = root.get(endpoint).await;
        assert_eq!(
            (status.as_u16(), body["code"].as_str()),
            (403, Some("forbidden"))
        );
    }
    let (status, body) = root
        .post(
            "admin_set_disabled",
            json!({"username": "bob", "disabled": true}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("forbidden"))
    );
    assert_eq!(root.get("am_i_admin").await.1, json!(false));
    assert_eq!(anonymous.get("am_i_admin").await.1, json!(false));

    // The operator makes root an administrator.
    let core = db.open().await;
    core.admin_set_admin(&Admin::console(), "root", true)
        .await
        .unwrap();
    assert_eq!(root.get("am_i_admin").await.1, json!(true));

    befriend(&mut root, &mut bob, bob_id).await;
    let (status, ack) = bob
        .post(
            "send_message",
            json!({"client_id": "hello-1", "to": {"kind": "direct", "user_id": root_id}, "body": "hi"}),
        )
        .await;
    assert!(status.is_success(), "{ack}");
    let (_, group) = bob.post("create_group", json!({"name": "Bobs"})).await;
    assert!(group["group"]["id"].is_i64(), "{group}");

    let (status, overview) = root.get("admin_overview").await;
    assert_eq!(status, 200);
    let overview: ServerOverview = serde_json::from_value(overview).unwrap();
    assert_eq!(
        (
            overview.users,
            overview.disabled_users,
            overview.groups,
            overview.messages_today
        ),
        (2, 0, 1, 1)
    );
    let users: Vec<AdminUser> = serde_json::from_value(root.get("admin_users").await.1).unwrap();
    let names: Vec<(&str, bool)> = users
        .iter()
        .map(|u| (u.username.as_str(), u.is_admin))
        .collect();
    assert_eq!(names, [("bob", false), ("root", true)]);
    let groups: Vec<AdminGroup> = serde_json::from_value(root.get("admin_groups").await.1).unwrap();
    assert_eq!(groups[0].owner_username, "bob");

    // A change from another site is refused before it reaches the function.
    let foreign = common::client()
        .post(server.url("/api/admin_set_disabled"))
        .header("origin", "https://evil.example")
        .header(
            "cookie",
            format!("penguin_session={}", root.session.as_deref().unwrap()),
        )
        .json(&json!({"username": "bob", "disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let body: serde_json::Value = foreign.json().await.unwrap();
    assert_eq!(body["code"], "cross_site_request");
    assert!(!users_named(&root, "bob").await.disabled);

    // Not oneself.
    for (endpoint, body) in [
        (
            "admin_set_disabled",
            json!({"username": "root", "disabled": true}),
        ),
        (
            "admin_set_admin",
            json!({"username": "root", "is_admin": false}),
        ),
    ] {
        let (status, answer) = root.post(endpoint, body).await;
        assert_eq!(
            (status.as_u16(), answer["code"].as_str()),
            (403, Some("forbidden"))
        );
    }

    // Disabling bob ends his session; enabling lets him sign in again.
    let (status, disabled) = root
        .post(
            "admin_set_disabled",
            json!({"username": "bob", "disabled": true}),
        )
        .await;
    assert_eq!(status, 200, "{disabled}");
    assert_eq!(disabled["disabled"], true);
    assert!(bob.get("me").await.1.is_null(), "bob's session ended");
    let (status, refused) = bob
        .post(
            "sign_in",
            json!({"username": "bob", "password": common::ops::PASSWORD}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), refused["code"].as_str()),
        (403, Some("account_disabled"))
    );
    let (status, _) = root
        .post(
            "admin_set_disabled",
            json!({"username": "bob", "disabled": false}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(bob.sign_in("bob", common::ops::PASSWORD).await.is_success());

    // An administrator made by another, then revoked: access ends at once.
    let (status, _) = root
        .post(
            "admin_set_admin",
            json!({"username": "bob", "is_admin": true}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(bob.get("admin_users").await.0, 200);
    let (status, _) = root
        .post(
            "admin_set_admin",
            json!({"username": "bob", "is_admin": false}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(bob.get("admin_users").await.0, 403);

    // The page, rendered on the server: the console for root, the refusal for bob.
    let root_page = page(&server, &root).await;
    assert!(
        root_page.contains(r#"data-testid="admin-overview""#),
        "{root_page}"
    );
    assert!(
        root_page.contains("@bob") && root_page.contains("Bobs"),
        "{root_page}"
    );
    let bob_page = page(&server, &bob).await;
    assert!(
        bob_page.contains("You are not allowed to do that."),
        "{bob_page}"
    );
    assert!(!bob_page.contains(r#"data-testid="admin-overview""#));

    server.stop().await;
}

/// `GET /admin` as `api`'s user; the whole HTML (streamed parts included).
async fn page(server: &Running, api: &Api) -> String {
    common::client()
        .get(server.url("/admin"))
        .header(
            "cookie",
            format!("penguin_session={}", api.session.as_deref().unwrap()),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn users_named(admin: &Api, username: &str) -> AdminUser {
    let users: Vec<AdminUser> = serde_json::from_value(admin.get("admin_users").await.1).unwrap();
    users.into_iter().find(|u| u.username == username).unwrap()
}

#[tokio::test]
async fn admin_api_on_sqlite() {
    let db = TestDb::sqlite();
    only_administrators(&db).await;
    db.cleanup().await;
}

#[tokio::test]
async fn admin_api_on_postgres() {
    let Some(db) = TestDb::postgres() else { return };
    only_administrators(&db).await;
    db.cleanup().await;
}
