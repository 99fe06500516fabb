//! Accounts and sessions on both real backends: registration rules, sign-in and its
//! throttles, password storage, session tokens, sign-out and session rotation.

mod common;

use chrono::{TimeDelta, Utc};
use common::{
    PASSWORD, insert_session, ip, refusal, register, registration, sha256_hex, with_sign_in_limits,
};
use penguin_domain::entity::{session, user};
use penguin_domain::{Core, CoreSettings, Registration};
use penguin_protocol::ErrorCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::time::Duration;

async fn user_count(core: &Core) -> u64 {
    user::Entity::find().count(&core.db.conn).await.unwrap()
}

async fn session_count(core: &Core) -> u64 {
    session::Entity::find().count(&core.db.conn).await.unwrap()
}

async fn stored_user(core: &Core, username: &str) -> Option<user::Model> {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(&core.db.conn)
        .await
        .unwrap()
}

on_both_backends!(
    register_normalizes_the_username_and_signs_in,
    username_taken_also_case_insensitively,
    concurrent_registrations_of_one_name_have_one_winner,
    invalid_registrations_store_nothing,
    sign_in_checks_the_password,
    failed_sign_ins_lock_the_account = with_sign_in_limits(3, 1000, 1000),
    sign_ins_per_address_are_limited = with_sign_in_limits(1000, 3, 1000),
    registrations_per_address_are_limited = with_sign_in_limits(1000, 1000, 2),
    passwords_are_stored_as_argon2id_hashes,
    authenticate_accepts_only_live_session_tokens,
    expired_sessions_do_not_authenticate = CoreSettings {
        session_idle_lifetime: Duration::ZERO,
        ..CoreSettings::default()
    },
    using_an_idle_session_extends_it,
    sign_out_ends_that_session_only,
    sign_out_everywhere_ends_all_sessions_of_the_user,
    signing_in_again_rotates_the_session,
    sessions_table_stores_token_hashes,
);

async fn register_normalizes_the_username_and_signs_in(core: &Core) {
    let session = core
        .register(
            Registration {
                username: "  Alice_01 ".into(),
                display_name: "  Alice Liddell ".into(),
                password: PASSWORD.into(),
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(session.user.username, "alice_01");
    assert_eq!(session.user.display_name, "Alice Liddell");
    assert_eq!(session.caller.id(), session.user.id);
    assert_eq!(session.token.len(), 43, "256 bits, base64url");
    assert!(
        session.seconds_left() > 29 * 24 * 3600,
        "idle lifetime 30 days"
    );

    // Registering signs in: the token is a live session of the new user.
    let caller = core.authenticate(&session.token).await.unwrap();
    assert_eq!(caller, session.caller);
    assert_eq!(core.me(&caller).await.unwrap(), session.user);

    let stored = stored_user(core, "alice_01").await.expect("stored");
    assert_eq!(stored.id, session.user.id);
    assert_eq!(stored.display_name, "Alice Liddell");
    assert_eq!(core.server_info().await.unwrap().users, 1);

    // Any spelling of the name signs in to the same account, with a new session.
    for spelling in ["alice_01", "ALICE_01", " Alice_01 "] {
        let again = core.sign_in(spelling, PASSWORD, None, None).await.unwrap();
        assert_eq!(again.user, session.user, "{spelling:?}");
        assert_ne!(again.token, session.token);
        assert_eq!(core.authenticate(&again.token).await.unwrap(), caller);
    }
    assert_eq!(session_count(core).await, 4);
}

async fn username_taken_also_case_insensitively(core: &Core) {
    let alice = register(core, "alice").await;
    for taken in ["alice", "ALICE", "  Alice  "] {
        let mut input = registration(taken);
        input.display_name = "Another Alice".into();
        assert_eq!(
            refusal(core.register(input, None).await),
            ErrorCode::UsernameTaken,
            "{taken:?}"
        );
    }
    assert_eq!(user_count(core).await, 1);
    assert_eq!(
        stored_user(core, "alice").await.unwrap().display_name,
        "Alice",
        "the first account is untouched"
    );
    // The original password still signs in; the refused ones changed nothing.
    let again = core.sign_in("alice", PASSWORD, None, None).await.unwrap();
    assert_eq!(again.user.id, alice.user.id);
    // A different name is fine.
    register(core, "alice2").await;
    assert_eq!(user_count(core).await, 2);
}

async fn concurrent_registrations_of_one_name_have_one_winner(core: &Core) {
    // The pre-check cannot see the other registrations (they are all hashing), so the
    // unique index has to decide, and its violation must map to UsernameTaken.
    let tasks: Vec<_> = ["racer", "RACER", "Racer", " racer"]
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let core = core.clone();
            tokio::spawn(async move {
                core.register(
                    Registration {
                        username: name.into(),
                        display_name: format!("Racer {i}"),
                        password: format!("{PASSWORD} {i}"),
                    },
                    None,
                )
                .await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(session) => winners.push(session),
            Err(error) => assert_eq!(refusal::<()>(Err(error)), ErrorCode::UsernameTaken),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one registration wins");
    let winner = &winners[0];
    assert_eq!(winner.user.username, "racer");
    assert_eq!(user_count(core).await, 1);
    let stored = stored_user(core, "racer").await.unwrap();
    assert_eq!(stored.id, winner.user.id);
    assert_eq!(stored.display_name, winner.user.display_name);
    assert_eq!(
        core.authenticate(&winner.token).await.unwrap(),
        winner.caller
    );
    assert_eq!(session_count(core).await, 1, "losers got no session");
}

async fn invalid_registrations_store_nothing(core: &Core) {
    let attempt = |username: &str, display_name: &str, password: &str| Registration {
        username: username.into(),
        display_name: display_name.into(),
        password: password.into(),
    };
    let long_name = "a".repeat(33);
    for name in [
        "ab",
        "",
        "   ",
        "_alice",
        "-alice",
        "al ice",
        "ali<ce>",
        "张三三",
        &long_name,
    ] {
        assert_eq!(
            refusal(core.register(attempt(name, "Alice", PASSWORD), None).await),
            ErrorCode::InvalidUsername,
            "{name:?}"
        );
    }
    let long_display = "x".repeat(65);
    for display in ["", "   ", "two\nlines", "tab\there", &long_display] {
        assert_eq!(
            refusal(
                core.register(attempt("alice", display, PASSWORD), None)
                    .await
            ),
            ErrorCode::InvalidDisplayName,
            "{display:?}"
        );
    }
    let too_long = "x".repeat(1025);
    for password in [
        "short",
        "1234567",
        "password",
        "PASSWORD1",
        "penguin123",
        "aaaaaaaaaa",
        "alice_long",
        "ALICE_LONG",
        &too_long,
    ] {
        assert_eq!(
            refusal(
                core.register(attempt("alice_long", "Alice", password), None)
                    .await
            ),
            ErrorCode::WeakPassword,
            "{password:?}"
        );
    }
    assert_eq!(user_count(core).await, 0);
    assert_eq!(session_count(core).await, 0);
    // Boundaries that are allowed.
    let longest = "a".repeat(32);
    core.register(attempt(&longest, &"名".repeat(64), "eight ch"), None)
        .await
        .unwrap();
    core.register(attempt("a.b-c_1", "张三", "长城长城长城长城"), None)
        .await
        .unwrap();
    assert_eq!(user_count(core).await, 2);
}

async fn sign_in_checks_the_password(core: &Core) {
    let alice = register(core, "alice").await;
    let session = core.sign_in("alice", PASSWORD, None, None).await.unwrap();
    assert_eq!(session.user, alice.user);
    assert_eq!(session.caller, alice.caller);

    // Wrong password, unknown user, a name no account can have, an overlong password:
    // one and the same answer.
    let too_long = "x".repeat(1025);
    for (username, password) in [
        ("alice", "wrong horse battery"),
        ("alice", ""),
        ("alice", &format!("{PASSWORD} ")),
        ("alice", &PASSWORD.to_uppercase()),
        ("nobody", PASSWORD),
        ("x", PASSWORD),
        ("", PASSWORD),
        ("alice", &too_long),
    ] {
        assert_eq!(
            refusal(core.sign_in(username, password, None, None).await),
            ErrorCode::InvalidCredentials,
            "{username:?} / {password:?}"
        );
    }
    // Failures never create sessions.
    assert_eq!(session_count(core).await, 2);
}

/// Settings: 3 failures per account.
async fn failed_sign_ins_lock_the_account(core: &Core) {
    register(core, "alice").await;
    let bob = register(core, "bob").await;
    for _ in 0..3 {
        assert_eq!(
            refusal(core.sign_in("alice", "wrong horse", None, None).await),
            ErrorCode::InvalidCredentials
        );
    }
    // Locked: even the right password is refused, under any spelling of the name.
    for spelling in ["alice", "ALICE", " Alice "] {
        assert_eq!(
            refusal(core.sign_in(spelling, PASSWORD, None, None).await),
            ErrorCode::TooManyAttempts,
            "{spelling:?}"
        );
    }
    assert_eq!(
        refusal(core.sign_in("alice", "wrong horse", None, None).await),
        ErrorCode::TooManyAttempts
    );
    // Another account is not affected.
    let session = core.sign_in("bob", PASSWORD, None, None).await.unwrap();
    assert_eq!(session.user, bob.user);

    // A success forgets earlier failures: carol fails twice, signs in, and then needs
    // three new failures to be locked.
    register(core, "carol").await;
    for _ in 0..2 {
        assert_eq!(
            refusal(core.sign_in("carol", "wrong horse", None, None).await),
            ErrorCode::InvalidCredentials
        );
    }
    core.sign_in("carol", PASSWORD, None, None).await.unwrap();
    for _ in 0..3 {
        assert_eq!(
            refusal(core.sign_in("carol", "wrong horse", None, None).await),
            ErrorCode::InvalidCredentials
        );
    }
    assert_eq!(
        refusal(core.sign_in("carol", PASSWORD, None, None).await),
        ErrorCode::TooManyAttempts
    );

    // Unknown names lock the same way (no hint that the account does not exist).
    for _ in 0..3 {
        assert_eq!(
            refusal(core.sign_in("ghost", PASSWORD, None, None).await),
            ErrorCode::InvalidCredentials
        );
    }
    assert_eq!(
        refusal(core.sign_in("ghost", PASSWORD, None, None).await),
        ErrorCode::TooManyAttempts
    );
}

/// Settings: 3 attempts per address.
async fn sign_ins_per_address_are_limited(core: &Core) {
    let alice = register(core, "alice").await;
    let here = ip("203.0.113.7");
    // Right and wrong attempts both count.
    core.sign_in("alice", PASSWORD, here, None).await.unwrap();
    assert_eq!(
        refusal(core.sign_in("alice", "wrong horse", here, None).await),
        ErrorCode::InvalidCredentials
    );
    core.sign_in("alice", PASSWORD, here, None).await.unwrap();
    assert_eq!(
        refusal(core.sign_in("alice", PASSWORD, here, None).await),
        ErrorCode::TooManyAttempts
    );
    assert_eq!(
        refusal(core.sign_in("nobody", PASSWORD, here, None).await),
        ErrorCode::TooManyAttempts
    );
    // Another address, IPv6 too, and calls without an address are not limited by it.
    let session = core
        .sign_in("alice", PASSWORD, ip("198.51.100.1"), None)
        .await
        .unwrap();
    assert_eq!(session.user, alice.user);
    core.sign_in("alice", PASSWORD, ip("2001:db8::1"), None)
        .await
        .unwrap();
    core.sign_in("alice", PASSWORD, None, None).await.unwrap();
    // A refused attempt does not reset the count.
    assert_eq!(
        refusal(core.sign_in("alice", PASSWORD, here, None).await),
        ErrorCode::TooManyAttempts
    );
}

/// Settings: 2 registrations per address.
async fn registrations_per_address_are_limited(core: &Core) {
    let here = ip("203.0.113.7");
    // Input the rules refuse is not counted.
    assert_eq!(
        refusal(core.register(registration("x"), here).await),
        ErrorCode::InvalidUsername
    );
    core.register(registration("first"), here).await.unwrap();
    core.register(registration("second"), here).await.unwrap();
    assert_eq!(
        refusal(core.register(registration("third"), here).await),
        ErrorCode::TooManyAttempts
    );
    assert!(stored_user(core, "third").await.is_none());
    assert_eq!(user_count(core).await, 2);
    core.register(registration("third"), ip("198.51.100.1"))
        .await
        .unwrap();
    core.register(registration("fourth"), None).await.unwrap();
    assert_eq!(user_count(core).await, 4);
    // Sign-ins from the exhausted address are a separate budget.
    core.sign_in("first", PASSWORD, here, None).await.unwrap();
}

async fn passwords_are_stored_as_argon2id_hashes(core: &Core) {
    register(core, "alice").await;
    register(core, "bob").await;
    let alice = stored_user(core, "alice").await.unwrap();
    let bob = stored_user(core, "bob").await.unwrap();
    for stored in [&alice, &bob] {
        assert!(
            stored
                .password_hash
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            stored.password_hash
        );
        assert!(!stored.password_hash.contains(PASSWORD));
        assert_eq!(stored.password_hash.split('$').count(), 6, "PHC string");
    }
    assert_ne!(
        alice.password_hash, bob.password_hash,
        "same password, different salts"
    );
}

async fn authenticate_accepts_only_live_session_tokens(core: &Core) {
    let alice = register(core, "alice").await;
    let bob = register(core, "bob").await;
    assert_eq!(
        core.authenticate(&alice.token).await.unwrap().id(),
        alice.user.id
    );
    assert_eq!(
        core.authenticate(&bob.token).await.unwrap().id(),
        bob.user.id
    );

    let mut altered = alice.token.clone().into_bytes();
    altered[0] = if altered[0] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let well_formed_unknown = "A".repeat(43);
    let hash_as_token = sha256_hex(&alice.token);
    for token in [
        "",
        "garbage",
        &"%".repeat(43),
        &well_formed_unknown,
        &altered,
        &alice.token[..42],
        &format!("{}A", alice.token),
        &format!(" {}", &alice.token[1..]),
        // What the database stores must not work as a token.
        &hash_as_token,
    ] {
        assert_eq!(
            refusal(core.authenticate(token).await),
            ErrorCode::Unauthenticated,
            "{token:?}"
        );
    }
}

/// Settings: sessions expire as soon as they are created.
async fn expired_sessions_do_not_authenticate(core: &Core) {
    let alice = register(core, "alice").await;
    assert_eq!(alice.seconds_left(), 0);
    assert_eq!(
        refusal(core.authenticate(&alice.token).await),
        ErrorCode::Unauthenticated
    );
    let again = core.sign_in("alice", PASSWORD, None, None).await.unwrap();
    assert_eq!(
        refusal(core.authenticate(&again.token).await),
        ErrorCode::Unauthenticated
    );
}

async fn session_row(core: &Core, token: &str) -> session::Model {
    session::Entity::find_by_id(sha256_hex(token))
        .one(&core.db.conn)
        .await
        .unwrap()
        .expect("the session row")
}

/// Sliding expiry, without waiting: session rows written with times in the past.
async fn using_an_idle_session_extends_it(core: &Core) {
    let alice = register(core, "alice").await;
    let now = Utc::now();
    let hour = TimeDelta::hours(1);

    // Last used two hours ago, one hour left: using it moves both times forward.
    let idle = insert_session(core, alice.user.id, now - hour * 2, now + hour).await;
    assert_eq!(core.authenticate(&idle).await.unwrap(), alice.caller);
    let row = session_row(core, &idle).await;
    assert!(row.last_seen_at > now - hour, "last use recorded");
    assert!(
        row.expires_at > now + TimeDelta::days(29),
        "a full idle lifetime again: {}",
        row.expires_at
    );
    assert_eq!(core.authenticate(&idle).await.unwrap(), alice.caller);

    // Used ten minutes ago: not written back on every request.
    let recent = insert_session(
        core,
        alice.user.id,
        now - TimeDelta::minutes(10),
        now + hour,
    )
    .await;
    assert_eq!(core.authenticate(&recent).await.unwrap(), alice.caller);
    let row = session_row(core, &recent).await;
    assert!(row.expires_at < now + hour * 2, "{}", row.expires_at);
    assert!(row.last_seen_at < now - TimeDelta::minutes(5));

    // Expired a second ago: refused, and not revived.
    let expired = insert_session(
        core,
        alice.user.id,
        now - hour * 2,
        now - TimeDelta::seconds(1),
    )
    .await;
    assert_eq!(
        refusal(core.authenticate(&expired).await),
        ErrorCode::Unauthenticated
    );
    let row = session_row(core, &expired).await;
    assert!(row.expires_at < now, "{}", row.expires_at);
    assert_eq!(
        refusal(core.authenticate(&expired).await),
        ErrorCode::Unauthenticated
    );
}

async fn sign_out_ends_that_session_only(core: &Core) {
    let first = register(core, "alice").await;
    let second = core.sign_in("alice", PASSWORD, None, None).await.unwrap();
    let bob = register(core, "bob").await;
    assert_eq!(session_count(core).await, 3);

    core.sign_out(&first.token).await.unwrap();
    assert_eq!(
        refusal(core.authenticate(&first.token).await),
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        core.authenticate(&second.token).await.unwrap(),
        second.caller
    );
    assert_eq!(core.authenticate(&bob.token).await.unwrap(), bob.caller);
    assert_eq!(session_count(core).await, 2);

    // Signing out twice, or with something that is no token, is harmless.
    core.sign_out(&first.token).await.unwrap();
    core.sign_out("garbage").await.unwrap();
    core.sign_out(&"A".repeat(43)).await.unwrap();
    assert_eq!(session_count(core).await, 2);
}

async fn sign_out_everywhere_ends_all_sessions_of_the_user(core: &Core) {
    let first = register(core, "alice").await;
    let second = core.sign_in("alice", PASSWORD, None, None).await.unwrap();
    let third = core.sign_in("alice", PASSWORD, None, None).await.unwrap();
    let bob = register(core, "bob").await;

    assert_eq!(core.sign_out_everywhere(&second.caller).await.unwrap(), 3);
    for token in [&first.token, &second.token, &third.token] {
        assert_eq!(
            refusal(core.authenticate(token).await),
            ErrorCode::Unauthenticated
        );
    }
    assert_eq!(core.authenticate(&bob.token).await.unwrap(), bob.caller);
    assert_eq!(session_count(core).await, 1);
    assert_eq!(core.sign_out_everywhere(&first.caller).await.unwrap(), 0);

    // Signing in again works as before.
    let fresh = core.sign_in("alice", PASSWORD, None, None).await.unwrap();
    assert_eq!(core.authenticate(&fresh.token).await.unwrap(), first.caller);
}

async fn signing_in_again_rotates_the_session(core: &Core) {
    let old = register(core, "alice").await;
    let other_device = core.sign_in("alice", PASSWORD, None, None).await.unwrap();

    let new = core
        .sign_in("alice", PASSWORD, None, Some(&old.token))
        .await
        .unwrap();
    assert_ne!(new.token, old.token);
    assert_eq!(
        refusal(core.authenticate(&old.token).await),
        ErrorCode::Unauthenticated,
        "the replaced session id must not survive the sign-in"
    );
    assert_eq!(core.authenticate(&new.token).await.unwrap(), old.caller);
    assert_eq!(
        core.authenticate(&other_device.token).await.unwrap(),
        old.caller,
        "only the replaced session ends"
    );

    // A failed sign-in ends nothing.
    assert_eq!(
        refusal(
            core.sign_in("alice", "wrong horse", None, Some(&new.token))
                .await
        ),
        ErrorCode::InvalidCredentials
    );
    assert_eq!(core.authenticate(&new.token).await.unwrap(), old.caller);

    // Replacing a token that is unknown or malformed is fine.
    let newer = core
        .sign_in("alice", PASSWORD, None, Some("garbage"))
        .await
        .unwrap();
    core.sign_in("alice", PASSWORD, None, Some(&old.token))
        .await
        .unwrap();
    assert_eq!(core.authenticate(&newer.token).await.unwrap(), old.caller);
}

async fn sessions_table_stores_token_hashes(core: &Core) {
    let alice = register(core, "alice").await;
    let bob = register(core, "bob").await;
    let rows = session::Entity::find().all(&core.db.conn).await.unwrap();
    assert_eq!(rows.len(), 2);
    for session in [&alice, &bob] {
        let row = rows
            .iter()
            .find(|r| r.user_id == session.user.id)
            .expect("a row for each session");
        assert_eq!(row.user_id, session.user.id);
        assert_eq!(row.token_hash, sha256_hex(&session.token));
        assert_eq!(row.token_hash.len(), 64);
        assert!(
            row.token_hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert!(!row.token_hash.contains(&session.token));
        assert!(rows.iter().all(|r| r.token_hash != session.token));
        assert_eq!(
            row.expires_at.timestamp(),
            session.expires_at.timestamp(),
            "the stored expiry is the one the cookie gets"
        );
        assert!(row.created_at <= row.expires_at);
    }
}
