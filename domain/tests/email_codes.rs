//! E-mail codes: sign in, register from an address, verify an address; and every way a
//! code stops working. Mail goes to the development outbox (a real file), read back here;
//! delivery over real SMTP is tested in penguin-server's tests.

mod common;

use chrono::{TimeDelta, Utc};
use common::{ip, refusal, register};
use penguin_domain::entity::email_code;
use penguin_domain::{Core, CoreSettings, Registration};
use penguin_protocol::{ErrorCode, Locale};
use penguin_testkit::smtp::code_in_subject;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

on_both_backends!(
    a_registered_address_signs_in_with_its_code = with_outbox(),
    an_unknown_address_gets_a_code_to_register_with = with_outbox(),
    codes_are_single_use_and_replaced_by_the_next = with_outbox(),
    five_wrong_tries_kill_a_code = with_outbox(),
    expired_codes_are_refused = with_outbox(),
    code_requests_are_limited_per_address_and_per_client = with_outbox(),
    an_address_belongs_to_one_account = with_outbox(),
    codes_are_stored_hashed = with_outbox(),
);

fn with_outbox() -> CoreSettings {
    let mut settings = CoreSettings::default();
    // Removed by `common::run` after the scenario.
    let dir = tempfile::Builder::new()
        .prefix(common::OUTBOX_DIR_PREFIX)
        .tempdir()
        .unwrap()
        .keep();
    settings.mail.dev_outbox = dir.join("dev-outbox.txt");
    settings.email_codes_per_address = 3;
    settings.email_codes_per_client = 5;
    settings
}

/// The code of the newest outbox mail to `email`.
fn newest_code(core: &Core, email: &str) -> String {
    let outbox = std::fs::read_to_string(&core.settings().mail.dev_outbox).expect("outbox");
    let entry = outbox
        .split("==== DEVELOPMENT OUTBOX")
        .filter(|entry| entry.contains(&format!("To: {email}\n")))
        .last()
        .unwrap_or_else(|| panic!("no mail to {email} in {outbox}"));
    code_in_subject(entry)
}

fn other_than(code: &str) -> &'static str {
    if code == "000000" { "999999" } else { "000000" }
}

async fn with_verified_email(core: &Core, username: &str, email: &str) -> penguin_domain::Caller {
    let session = register(core, username).await;
    core.request_email_verification(&session.caller, email, None, Locale::En)
        .await
        .unwrap();
    let code = newest_code(core, email);
    let account = core
        .verify_email(&session.caller, email, &code)
        .await
        .unwrap();
    assert_eq!(account.email.as_deref(), Some(email));
    session.caller
}

async fn a_registered_address_signs_in_with_its_code(core: &Core) {
    let ann = with_verified_email(core, "ann", "ann@school.test").await;
    core.request_email_code("ANN@school.test ", None, Locale::ZhCn)
        .await
        .unwrap();
    let outbox = std::fs::read_to_string(&core.settings().mail.dev_outbox).unwrap();
    assert!(
        outbox.contains("登录验证码"),
        "the mail is in the caller's language"
    );
    let code = newest_code(core, "ann@school.test");
    let session = core
        .sign_in_with_code("ann@school.test", &format!(" {code} "), None, None)
        .await
        .unwrap();
    assert_eq!(session.caller, ann);
    assert_eq!(core.authenticate(&session.token).await.unwrap(), ann);
}

async fn an_unknown_address_gets_a_code_to_register_with(core: &Core) {
    core.request_email_code("new@school.test", None, Locale::En)
        .await
        .unwrap();
    let code = newest_code(core, "new@school.test");
    assert_eq!(
        refusal(
            core.sign_in_with_code("new@school.test", &code, None, None)
                .await
        ),
        ErrorCode::InvalidCode
    );
    let registration = Registration {
        username: "newcomer".into(),
        display_name: "Newcomer".into(),
        password: "correct horse battery".into(),
    };
    // A wrong code creates nothing.
    assert_eq!(
        refusal(
            core.register_with_email_code(
                registration.clone(),
                "new@school.test",
                other_than(&code),
                None
            )
            .await
        ),
        ErrorCode::InvalidCode
    );
    let session = core
        .register_with_email_code(registration.clone(), "new@school.test", &code, None)
        .await
        .unwrap();
    let account = core.account(&session.caller).await.unwrap();
    assert_eq!(account.email.as_deref(), Some("new@school.test"));
    // From now on the address signs in.
    core.request_email_code("new@school.test", None, Locale::En)
        .await
        .unwrap();
    let code = newest_code(core, "new@school.test");
    let again = core
        .sign_in_with_code("new@school.test", &code, None, None)
        .await
        .unwrap();
    assert_eq!(again.caller, session.caller);
}

async fn codes_are_single_use_and_replaced_by_the_next(core: &Core) {
    with_verified_email(core, "ben", "ben@school.test").await;
    core.request_email_code("ben@school.test", None, Locale::En)
        .await
        .unwrap();
    let first = newest_code(core, "ben@school.test");
    core.request_email_code("ben@school.test", None, Locale::En)
        .await
        .unwrap();
    let second = newest_code(core, "ben@school.test");
    if first != second {
        assert_eq!(
            refusal(
                core.sign_in_with_code("ben@school.test", &first, None, None)
                    .await
            ),
            ErrorCode::InvalidCode,
            "a newer code replaces the older one"
        );
    }
    core.sign_in_with_code("ben@school.test", &second, None, None)
        .await
        .unwrap();
    assert_eq!(
        refusal(
            core.sign_in_with_code("ben@school.test", &second, None, None)
                .await
        ),
        ErrorCode::InvalidCode,
        "single use"
    );
}

async fn five_wrong_tries_kill_a_code(core: &Core) {
    with_verified_email(core, "cat", "cat@school.test").await;
    core.request_email_code("cat@school.test", None, Locale::En)
        .await
        .unwrap();
    let code = newest_code(core, "cat@school.test");
    for _ in 0..5 {
        assert_eq!(
            refusal(
                core.sign_in_with_code("cat@school.test", other_than(&code), None, None)
                    .await
            ),
            ErrorCode::InvalidCode
        );
    }
    assert_eq!(
        refusal(
            core.sign_in_with_code("cat@school.test", &code, None, None)
                .await
        ),
        ErrorCode::InvalidCode,
        "the right code after five wrong tries"
    );
}

async fn expired_codes_are_refused(core: &Core) {
    with_verified_email(core, "dan", "dan@school.test").await;
    core.request_email_code("dan@school.test", None, Locale::En)
        .await
        .unwrap();
    let code = newest_code(core, "dan@school.test");
    email_code::Entity::update_many()
        .col_expr(
            email_code::Column::ExpiresAt,
            Expr::value(Utc::now() - TimeDelta::seconds(1)),
        )
        .filter(email_code::Column::Email.eq("dan@school.test"))
        .exec(&core.db.conn)
        .await
        .unwrap();
    assert_eq!(
        refusal(
            core.sign_in_with_code("dan@school.test", &code, None, None)
                .await
        ),
        ErrorCode::InvalidCode
    );
}

async fn code_requests_are_limited_per_address_and_per_client(core: &Core) {
    for _ in 0..3 {
        core.request_email_code("eve@school.test", None, Locale::En)
            .await
            .unwrap();
    }
    assert_eq!(
        refusal(
            core.request_email_code("Eve@School.test", None, Locale::En)
                .await
        ),
        ErrorCode::TooManyAttempts
    );
    // Per client: 5 requests, whatever the addresses.
    for n in 0..5 {
        core.request_email_code(&format!("x{n}@school.test"), ip("192.0.2.9"), Locale::En)
            .await
            .unwrap();
    }
    assert_eq!(
        refusal(
            core.request_email_code("y@school.test", ip("192.0.2.9"), Locale::En)
                .await
        ),
        ErrorCode::TooManyAttempts
    );
    core.request_email_code("y@school.test", ip("192.0.2.10"), Locale::En)
        .await
        .unwrap();
}

async fn an_address_belongs_to_one_account(core: &Core) {
    with_verified_email(core, "fay", "fay@school.test").await;
    let gus = register(core, "gus").await.caller;
    core.request_email_verification(&gus, "fay@school.test", None, Locale::En)
        .await
        .unwrap();
    let code = newest_code(core, "fay@school.test");
    assert_eq!(
        refusal(core.verify_email(&gus, "fay@school.test", &code).await),
        ErrorCode::EmailTaken
    );
    assert_eq!(core.account(&gus).await.unwrap().email, None);
    // A verification code only works for the account that asked for it.
    core.request_email_verification(&gus, "gus@school.test", None, Locale::En)
        .await
        .unwrap();
    let code = newest_code(core, "gus@school.test");
    let hal = register(core, "hal").await.caller;
    assert_eq!(
        refusal(core.verify_email(&hal, "gus@school.test", &code).await),
        ErrorCode::InvalidCode
    );
    core.verify_email(&gus, "gus@school.test", &code)
        .await
        .unwrap();
    assert_eq!(
        refusal(
            core.request_email_code("not an address", None, Locale::En)
                .await
        ),
        ErrorCode::InvalidEmail
    );
}

async fn codes_are_stored_hashed(core: &Core) {
    core.request_email_code("ida@school.test", None, Locale::En)
        .await
        .unwrap();
    let code = newest_code(core, "ida@school.test");
    let rows = email_code::Entity::find()
        .filter(email_code::Column::Email.eq("ida@school.test"))
        .all(&core.db.conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].code_hash.contains(&code), "{}", rows[0].code_hash);
    assert_eq!(rows[0].purpose, "register");
    assert!(rows[0].expires_at <= Utc::now() + TimeDelta::minutes(10));
    assert!(rows[0].expires_at > Utc::now() + TimeDelta::minutes(9));
}
