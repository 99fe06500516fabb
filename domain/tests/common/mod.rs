//! Shared by the domain's integration tests: open a `Core` on a fresh database of each
//! backend, register users, read the error code of a refusal.
//!
//! Every scenario is an `async fn name(core: &Core)` written once; [`on_both_backends!`]
//! turns it into `name::sqlite` and `name::postgres` tests. The PostgreSQL one runs when
//! `PENGUIN_TEST_POSTGRES_URL` is set and returns early otherwise.

#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use penguin_domain::entity::{session, user};
use penguin_domain::{Caller, Core, CoreSettings, DomainError, NewSession, Registration};
use penguin_protocol::ErrorCode;
use penguin_testkit::TestDb;
use sea_orm::{ActiveModelTrait, Set};
use sha2::{Digest, Sha256};
use std::fmt::Debug;
use std::net::IpAddr;

/// Temp directories for development outboxes start with this; `run` removes them.
pub const OUTBOX_DIR_PREFIX: &str = "penguin-test-outbox-";

/// A password every rule accepts.
pub const PASSWORD: &str = "correct horse battery";

/// Generates `$name::sqlite` and `$name::postgres` tests running `async fn $name(&Core)`,
/// optionally with `CoreSettings` other than the defaults (`name = settings_expr`).
/// `#[ignore_on_sqlite = "why"]` / `#[ignore_on_postgres = "why"]` before a name mark one
/// backend's test `#[ignore]` (a known bug: it runs with `cargo test -- --ignored`).
#[macro_export]
macro_rules! on_both_backends {
    ($(
        $(#[ignore_on_sqlite = $sqlite_why:literal])?
        $(#[ignore_on_postgres = $postgres_why:literal])?
        $name:ident $(= $settings:expr)?
    ),* $(,)?) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn settings() -> penguin_domain::CoreSettings {
                #[allow(unused_mut, unused_assignments)]
                let mut settings = penguin_domain::CoreSettings::default();
                $(settings = $settings;)?
                settings
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[ignore = $sqlite_why])?
            async fn sqlite() {
                let db = penguin_testkit::TestDb::sqlite();
                $crate::common::run(db, settings(), |core| async move {
                    super::$name(&core).await;
                    core
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[ignore = $postgres_why])?
            async fn postgres() {
                let Some(db) = penguin_testkit::TestDb::postgres() else {
                    return;
                };
                $crate::common::run(db, settings(), |core| async move {
                    super::$name(&core).await;
                    core
                })
                .await;
            }
        }
    )*};
}

/// Opens a `Core` with `settings` on `db`, runs the scenario in a task of its own and
/// drops the database (the PostgreSQL schema too) whether the scenario passed or not.
pub async fn run<F, Fut>(db: TestDb, settings: CoreSettings, scenario: F)
where
    F: FnOnce(Core) -> Fut,
    Fut: Future<Output = Core> + Send + 'static,
{
    let outbox_dir = settings
        .mail
        .dev_outbox
        .parent()
        .filter(|dir| {
            dir.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(OUTBOX_DIR_PREFIX))
        })
        .map(std::path::Path::to_path_buf);
    let core = Core::open_with(&db.settings, settings)
        .await
        .expect("open core");
    let outcome = tokio::spawn(scenario(core)).await;
    if let Ok(core) = &outcome {
        core.db.conn.close_by_ref().await.ok();
    }
    db.cleanup().await;
    if let Some(dir) = outbox_dir {
        std::fs::remove_dir_all(dir).ok();
    }
    if let Err(error) = outcome {
        match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("scenario task failed: {error}"),
        }
    }
}

/// Default settings with other sign-in limits.
pub fn with_sign_in_limits(
    failures_per_account: u32,
    attempts_per_address: u32,
    registrations_per_address: u32,
) -> CoreSettings {
    let mut settings = CoreSettings::default();
    settings.sign_in_limits.failures_per_account = failures_per_account;
    settings.sign_in_limits.attempts_per_address = attempts_per_address;
    settings.sign_in_limits.registrations_per_address = registrations_per_address;
    settings
}

/// Default settings with another default group member limit.
pub fn with_group_member_limit(limit: u32) -> CoreSettings {
    CoreSettings {
        group_member_limit: limit,
        ..CoreSettings::default()
    }
}

/// The error code of a refusal; panics on success and on errors that are not refusals
/// (a database error must not pass for an expected "no").
#[track_caller]
pub fn refusal<T: Debug>(result: Result<T, DomainError>) -> ErrorCode {
    match result {
        Ok(value) => panic!("expected a refusal, got Ok({value:?})"),
        Err(DomainError::Refused(code)) => code,
        Err(other) => panic!("expected a refusal, got the error {other:?}"),
    }
}

/// `username` with display name `Username` (first letter upper-cased).
pub fn registration(username: &str) -> Registration {
    let mut display = username.to_owned();
    if let Some(first) = display.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    Registration {
        username: username.to_owned(),
        display_name: display,
        password: PASSWORD.to_owned(),
    }
}

/// Registers `username` (no client address, so no per-address limit) and returns the
/// session it starts.
pub async fn register(core: &Core, username: &str) -> NewSession {
    core.register(registration(username), None)
        .await
        .unwrap_or_else(|e| panic!("register {username}: {e:?}"))
}

pub async fn register_named(core: &Core, username: &str, display_name: &str) -> NewSession {
    core.register(
        Registration {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            password: PASSWORD.to_owned(),
        },
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("register {username}: {e:?}"))
}

/// A user created straight in the database, with a session row for a fresh token,
/// authenticated through the domain: no argon2 hash, so cheap enough to make dozens. Such
/// a user cannot sign in with a password.
pub async fn quick_user(core: &Core, username: &str, display_name: &str) -> Caller {
    let now = Utc::now();
    let created = user::ActiveModel {
        username: Set(username.to_owned()),
        display_name: Set(display_name.to_owned()),
        display_name_key: Set(display_name.to_lowercase()),
        password_hash: Set("not-a-password-hash".to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&core.db.conn)
    .await
    .expect("insert user");
    let token = insert_session(core, created.id, now, now + chrono::TimeDelta::days(1)).await;
    let caller = core.authenticate(&token).await.expect("authenticate");
    assert_eq!(caller.id(), created.id);
    caller
}

/// A session row for a fresh random token, written straight to the database (to set
/// its times freely); returns the token.
pub async fn insert_session(
    core: &Core,
    user_id: i64,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> String {
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    session::ActiveModel {
        token_hash: Set(sha256_hex(&token)),
        user_id: Set(user_id),
        created_at: Set(last_seen_at),
        last_seen_at: Set(last_seen_at),
        expires_at: Set(expires_at),
    }
    .insert(&core.db.conn)
    .await
    .expect("insert session");
    token
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Makes `a` and `b` friends through the domain (request, accept).
pub async fn make_friends(core: &Core, a: &Caller, b: &Caller) {
    core.send_friend_request(a, b.id()).await.expect("request");
    let incoming = core.friend_requests(b).await.expect("requests").incoming;
    let request = incoming
        .iter()
        .find(|r| r.user.id == a.id())
        .expect("the request arrived");
    core.answer_friend_request(b, request.id, true)
        .await
        .expect("accept");
    assert!(core.are_friends(a.id(), b.id()).await.unwrap());
}

pub fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().expect("an IP address"))
}
