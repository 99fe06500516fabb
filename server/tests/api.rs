//! Accounts and the social graph over real HTTP, as browsers and scripts use them: the
//! session cookie, sign-in/out, rate limits, cross-site refusal, authorization answers.
//! The rules themselves are tested in depth in penguin-domain's integration tests.

mod common;

use common::{Browser, Running, client, session_cookie};
use penguin_protocol::{
    ErrorCode, FriendRequestOutcome, GroupDetails, GroupRole, GroupSummary, Locale, ServerInfo,
    UserSummary, error::ErrorBody,
};
use penguin_testkit::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn error_of(response: reqwest::Response) -> (StatusCode, ErrorBody) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, body)
}

#[tokio::test]
async fn registering_sets_a_hardened_session_cookie() {
    let server = Running::sqlite(&[]).await;
    let mut alice = Browser::new(&server);
    let response = alice
        .post(
            "register",
            json!({"username": "Alice", "display_name": "Alice A.", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response).expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=2592000"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let me: UserSummary = response.json().await.unwrap();
    assert_eq!(me.username, "alice");
    assert_eq!(me.display_name, "Alice A.");

    let who: Option<UserSummary> = alice.read("me").await;
    assert_eq!(who, Some(me));
    let nobody: Option<UserSummary> = Browser::new(&server).read("me").await;
    assert_eq!(nobody, None);
    server.stop().await;
}

#[tokio::test]
async fn the_cookie_is_secure_over_https() {
    let server = Running::sqlite(&[]).await;
    let mut behind_proxy = Browser::new(&server);
    behind_proxy
        .headers
        .push(("x-forwarded-proto".into(), "https".into()));
    let response = behind_proxy
        .post(
            "register",
            json!({"username": "bob", "display_name": "Bob", "password": "correct horse battery"}),
        )
        .await;
    assert!(session_cookie(&response).unwrap().contains("; Secure"));
    server.stop().await;

    let server = Running::sqlite(&["--secure-cookies"]).await;
    let response = Browser::new(&server)
        .post(
            "register",
            json!({"username": "carol", "display_name": "Carol", "password": "correct horse battery"}),
        )
        .await;
    assert!(session_cookie(&response).unwrap().contains("; Secure"));
    server.stop().await;
}

#[tokio::test]
async fn sign_in_rotates_the_session_and_sign_out_ends_it_on_the_server() {
    let server = Running::sqlite(&[]).await;
    let mut browser = Browser::new(&server);
    browser.register("dave").await;
    let first = browser.session.clone().unwrap();

    let me: UserSummary = browser
        .call(
            "sign_in",
            json!({"username": "DAVE", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(me.username, "dave");
    let second = browser.session.clone().unwrap();
    assert_ne!(first, second, "a sign-in issues a new session id");

    // The old id is dead on the server, not just replaced in this browser.
    let mut stale = Browser::new(&server);
    stale.session = Some(first);
    assert_eq!(stale.read::<Option<UserSummary>>("me").await, None);

    // A copy of the cookie taken before sign-out stops working after it.
    let mut copy = Browser::new(&server);
    copy.session = Some(second);
    let response = browser.post("sign_out", json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(session_cookie(&response).unwrap().contains("Max-Age=0"));
    assert_eq!(browser.session, None);
    assert_eq!(copy.read::<Option<UserSummary>>("me").await, None);
    let (status, body) = error_of(copy.get("friends").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body.code, ErrorCode::Unauthenticated);
    server.stop().await;
}

/// A browser signed in as one user that registers another: the first user's session
/// ends on the server (the browser is not that user any more), as at a sign-in.
#[tokio::test]
async fn registering_while_signed_in_ends_the_previous_session() {
    let server = Running::sqlite(&[]).await;
    let mut browser = Browser::new(&server);
    browser.register("fay").await;
    let fays = browser.session.clone().unwrap();
    browser.register("gus").await;
    assert_ne!(browser.session.as_deref(), Some(fays.as_str()));
    let me: Option<UserSummary> = browser.read("me").await;
    assert_eq!(me.map(|me| me.username).as_deref(), Some("gus"));

    let mut stale = Browser::new(&server);
    stale.session = Some(fays);
    assert_eq!(stale.read::<Option<UserSummary>>("me").await, None);
    server.stop().await;
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_user() {
    let server = Running::sqlite(&[]).await;
    let mut laptop = Browser::new(&server);
    laptop.register("erin").await;
    let mut phone = Browser::new(&server);
    let _: UserSummary = phone
        .call(
            "sign_in",
            json!({"username": "erin", "password": "correct horse battery"}),
        )
        .await;
    let ended: u64 = phone.call("sign_out_everywhere", json!({})).await;
    assert_eq!(ended, 2);
    assert_eq!(laptop.read::<Option<UserSummary>>("me").await, None);
    server.stop().await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let server = Running::sqlite(&[]).await;
    Browser::new(&server).register("frank").await;
    let mut answers = Vec::new();
    for (username, password) in [
        ("frank", "wrong password!"),
        ("nobody", "correct horse battery"),
    ] {
        let response = Browser::new(&server)
            .post(
                "sign_in",
                json!({"username": username, "password": password}),
            )
            .await;
        assert!(session_cookie(&response).is_none());
        answers.push(error_of(response).await);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
    assert_eq!(answers[0].1.code, ErrorCode::InvalidCredentials);
    assert_eq!(answers[0].1.message, "Wrong username or password.");

    let mut chinese = Browser::new(&server);
    chinese
        .headers
        .push(("accept-language".into(), "zh-CN".into()));
    let (_, body) = error_of(
        chinese
            .post(
                "sign_in",
                json!({"username": "frank", "password": "wrong password!"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        body.message,
        ErrorCode::InvalidCredentials.message(Locale::ZhCn)
    );
    server.stop().await;
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_address_and_per_account() {
    let server = Running::sqlite(&[
        "--sign-in-attempts-per-address",
        "4",
        "--sign-in-failures-per-account",
        "2",
    ])
    .await;
    Browser::new(&server).register("grace").await;
    let attempt = |username: &'static str, password: &'static str| {
        let server = &server;
        async move {
            let response = Browser::new(server)
                .post(
                    "sign_in",
                    json!({"username": username, "password": password}),
                )
                .await;
            response.status()
        }
    };
    // Two failures lock the account, even for the right password.
    assert_eq!(
        attempt("grace", "bad password 1").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        attempt("grace", "bad password 2").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        attempt("grace", "correct horse battery").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The fourth attempt from this address is the last one it gets in this window.
    assert_eq!(
        attempt("nobody", "whatever123").await,
        StatusCode::UNAUTHORIZED
    );
    let response = Browser::new(&server)
        .post(
            "sign_in",
            json!({"username": "someone", "password": "whatever123"}),
        )
        .await;
    let (status, body) = error_of(response).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body.code, ErrorCode::TooManyAttempts);
    server.stop().await;
}

#[tokio::test]
async fn cross_site_calls_change_nothing() {
    let server = Running::sqlite(&[]).await;
    for origin in ["https://evil.example", "null"] {
        let response = client()
            .post(server.url("/api/register"))
            .header("origin", origin)
            .json(&json!({"username": "mallory", "display_name": "M", "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert!(session_cookie(&response).is_none());
        let (status, body) = error_of(response).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body.code, ErrorCode::CrossSiteRequest);
    }
    // A form post (what a foreign page can send without CORS) is refused by the JSON
    // endpoint even without an Origin header.
    let response = client()
        .post(server.url("/api/register"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=mallory&display_name=M&password=correct+horse+battery")
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(response).await;
    assert_eq!(
        (status, body.code),
        (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
    );
    let info: ServerInfo = server.get_json("/api/server_info").await;
    assert_eq!(info.users, 0, "no account was created");
    server.stop().await;
}

#[tokio::test]
async fn every_social_endpoint_needs_a_session() {
    let server = Running::sqlite(&[]).await;
    let mut anonymous = Browser::new(&server);
    let reads = [
        "friends",
        "friend_requests",
        "blocked_users",
        "my_groups",
        "search_users?query=a",
        "group?group_id=1",
        "group_members?group_id=1",
    ];
    for read in reads {
        let (status, body) = error_of(anonymous.get(read).await).await;
        assert_eq!(
            (status, body.code),
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated),
            "{read}"
        );
    }
    let changes = [
        ("send_friend_request", json!({"user_id": 1})),
        (
            "answer_friend_request",
            json!({"request_id": 1, "accept": true}),
        ),
        ("remove_friend", json!({"user_id": 1})),
        ("block_user", json!({"user_id": 1})),
        ("create_group", json!({"name": "x"})),
        ("join_group", json!({"invite_code": "ABCDEFGHJK"})),
        ("disband_group", json!({"group_id": 1})),
        ("sign_out_everywhere", json!({})),
    ];
    for (endpoint, body) in changes {
        let (status, error) = error_of(anonymous.post(endpoint, body).await).await;
        assert_eq!(
            (status, error.code),
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated),
            "{endpoint}"
        );
    }
    server.stop().await;
}

/// Friends and a group through the public API, and what a stranger learns: nothing.
async fn friends_and_groups_over_http(server: &Running) {
    let mut ann = Browser::new(server);
    let ann_user = ann.register("ann").await;
    let mut ben = Browser::new(server);
    let ben_user = ben.register("ben").await;
    let mut eve = Browser::new(server);
    eve.register("eve").await;

    let outcome: FriendRequestOutcome = ann
        .call("send_friend_request", json!({"user_id": ben_user.id}))
        .await;
    assert_eq!(outcome, FriendRequestOutcome::Sent);
    let requests: penguin_protocol::FriendRequests = ben.read("friend_requests").await;
    assert_eq!(requests.incoming.len(), 1);
    assert_eq!(requests.incoming[0].user, ann_user);
    // Eve cannot answer a request addressed to Ben.
    let (status, body) = error_of(
        eve.post(
            "answer_friend_request",
            json!({"request_id": requests.incoming[0].id, "accept": true}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body.code),
        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
    );
    let () = ben
        .call(
            "answer_friend_request",
            json!({"request_id": requests.incoming[0].id, "accept": true}),
        )
        .await;
    let friends: Vec<penguin_protocol::Friend> = ann.read("friends").await;
    assert_eq!(
        friends.iter().map(|f| &f.user).collect::<Vec<_>>(),
        [&ben_user]
    );

    let group: GroupDetails = ann
        .call(
            "create_group",
            json!({"name": "Chess club", "description": "Tuesdays"}),
        )
        .await;
    assert_eq!(group.group.member_limit, 200);
    let code = group.invite_code.clone().expect("the owner sees the code");
    let joined: GroupSummary = ben.call("join_group", json!({"invite_code": code})).await;
    assert_eq!((joined.id, joined.member_count), (group.group.id, 2));
    let details: GroupDetails = ben
        .read(&format!("group?group_id={}", group.group.id))
        .await;
    assert_eq!(
        details.invite_code, None,
        "plain members do not see the code"
    );
    let roles: Vec<_> = details
        .members
        .iter()
        .map(|m| (m.user.username.as_str(), m.role))
        .collect();
    assert_eq!(
        roles,
        [("ann", GroupRole::Owner), ("ben", GroupRole::Member)]
    );

    // A stranger gets "not found" for the group, exactly as for a group that does not exist.
    let strangers_view =
        error_of(eve.get(&format!("group?group_id={}", group.group.id)).await).await;
    let missing = error_of(eve.get("group?group_id=999999").await).await;
    assert_eq!(strangers_view, missing);
    assert_eq!(strangers_view.0, StatusCode::NOT_FOUND);
    let (status, _) = error_of(
        eve.post(
            "remove_group_member",
            json!({"group_id": group.group.id, "user_id": ben_user.id}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A member without the right gets "forbidden".
    let (status, body) = error_of(
        ben.post("disband_group", json!({"group_id": group.group.id}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body.code),
        (StatusCode::FORBIDDEN, ErrorCode::Forbidden)
    );
    // The owner removes Ben, who then cannot see the group any more.
    let () = ann
        .call(
            "remove_group_member",
            json!({"group_id": group.group.id, "user_id": ben_user.id}),
        )
        .await;
    let (status, _) = error_of(
        ben.get(&format!("group_members?group_id={}", group.group.id))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mine: Vec<GroupSummary> = ben.read("my_groups").await;
    assert!(mine.is_empty());
}

#[tokio::test]
async fn friends_and_groups_over_http_on_sqlite() {
    let server = Running::sqlite(&[]).await;
    friends_and_groups_over_http(&server).await;
    server.stop().await;
}

#[tokio::test]
async fn friends_and_groups_over_http_on_postgres() {
    let Some(db) = TestDb::postgres() else { return };
    let server = Running::start_on(&db, &[]).await;
    friends_and_groups_over_http(&server).await;
    server.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_they_are_read() {
    let server = Running::sqlite(&[]).await;
    let huge = "x".repeat(100 * 1024);
    let response = Browser::new(&server)
        .post(
            "register",
            json!({"username": "big", "display_name": huge, "password": "correct horse battery"}),
        )
        .await;
    let (status, body) = error_of(response).await;
    assert_eq!(
        (status, body.code),
        (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
    );

    // Streamed without a length, it is cut off while being read.
    let chunks = futures_chunks(huge);
    let response = client()
        .post(server.url("/api/register"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    // Read in full, the body would have been refused as `invalid_display_name`.
    let (status, body) = error_of(response).await;
    assert_eq!(
        (status, body.code),
        (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
    );
    let info: ServerInfo = server.get_json("/api/server_info").await;
    assert_eq!(info.users, 0);
    server.stop().await;
}

/// A body streamed in 1 KiB chunks, so it has no Content-Length.
fn futures_chunks(
    text: String,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    let body = format!(
        r#"{{"username":"big","display_name":"{text}","password":"correct horse battery"}}"#
    );
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body
        .as_bytes()
        .chunks(1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn pages_are_rendered_for_the_signed_in_user_even_the_404() {
    let server = Running::sqlite(&[]).await;
    let mut browser = Browser::new(&server);
    browser.register("henry").await;
    let cookie = format!("penguin_session={}", browser.session.clone().unwrap());
    for (path, status) in [
        ("/contacts", StatusCode::OK),
        ("/no/such/page", StatusCode::NOT_FOUND),
    ] {
        let response = server.get(path, &[("cookie", &cookie)]).await;
        assert_eq!(response.status(), status, "{path}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains("HENRY"),
            "{path}: the top bar names the user: {html}"
        );
    }
    let html = server.get_html("/contacts", &[]).await;
    assert!(!html.contains("HENRY"), "signed out: {html}");
    server.stop().await;
}
