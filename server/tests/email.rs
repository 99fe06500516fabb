//! E-mail codes end to end, through a real SMTP server (aiosmtpd): the mail is delivered,
//! read back, and its code signs in. The rules of codes (expiry, reuse, tries, limits)
//! are tested in depth in penguin-domain's tests; here they are checked over HTTP.

mod common;

use common::{Browser, Running};
use penguin_protocol::{Account, ErrorCode, UserSummary, error::ErrorBody};
use penguin_testkit::smtp::{SmtpSink, code_in_subject};
use reqwest::StatusCode;
use serde_json::json;

async fn refusal(response: reqwest::Response) -> (StatusCode, ErrorCode) {
    let status = response.status();
    let body: ErrorBody = response.json().await.unwrap();
    (status, body.code)
}

#[tokio::test]
async fn signing_in_with_a_code_delivered_over_smtp() {
    let smtp = SmtpSink::start();
    let url = smtp.url();
    let server = Running::sqlite(&[
        "--smtp-url",
        &url,
        "--mail-from",
        "Penguin <noreply@penguin.test>",
    ])
    .await;

    // Add and verify an address on an account.
    let mut ivy = Browser::new(&server);
    ivy.register("ivy").await;
    let () = ivy
        .call("add_email", json!({"email": "Ivy@School.test"}))
        .await;
    let mail = smtp.wait_for_message("ivy@school.test", 0).await;
    assert!(
        mail.contains("From: Penguin <noreply@penguin.test>"),
        "{mail}"
    );
    let account: Account = ivy
        .call(
            "verify_email",
            json!({"email": "ivy@school.test", "code": code_in_subject(&mail)}),
        )
        .await;
    assert_eq!(account.email.as_deref(), Some("ivy@school.test"));
    let () = ivy.call("sign_out", json!({})).await;

    // "Send me a code" and sign in with it, in a fresh browser.
    let mut phone = Browser::new(&server);
    let () = phone
        .call("request_email_code", json!({"email": "ivy@school.test"}))
        .await;
    let mail = smtp.wait_for_message("ivy@school.test", 1).await;
    let code = code_in_subject(&mail);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, code_error) = refusal(
        phone
            .post(
                "sign_in_with_code",
                json!({"email": "ivy@school.test", "code": wrong}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, code_error),
        (StatusCode::BAD_REQUEST, ErrorCode::InvalidCode)
    );
    let me: UserSummary = phone
        .call(
            "sign_in_with_code",
            json!({"email": "ivy@school.test", "code": code}),
        )
        .await;
    assert_eq!(me.username, "ivy");
    assert!(phone.session.is_some());
    // Single use.
    let (_, again) = refusal(
        Browser::new(&server)
            .post(
                "sign_in_with_code",
                json!({"email": "ivy@school.test", "code": code}),
            )
            .await,
    )
    .await;
    assert_eq!(again, ErrorCode::InvalidCode);
    server.stop().await;
}

#[tokio::test]
async fn the_answer_does_not_reveal_whether_an_address_is_registered() {
    let smtp = SmtpSink::start();
    let url = smtp.url();
    let server = Running::sqlite(&["--smtp-url", &url]).await;
    let mut jay = Browser::new(&server);
    jay.register("jay").await;
    let () = jay
        .call("add_email", json!({"email": "jay@school.test"}))
        .await;
    let mail = smtp.wait_for_message("jay@school.test", 0).await;
    let _: Account = jay
        .call(
            "verify_email",
            json!({"email": "jay@school.test", "code": code_in_subject(&mail)}),
        )
        .await;

    let mut answers = Vec::new();
    for email in ["jay@school.test", "nobody@school.test"] {
        let response = Browser::new(&server)
            .post("request_email_code", json!({"email": email}))
            .await;
        answers.push((response.status(), response.text().await.unwrap()));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, StatusCode::OK);
    // The unknown address got a code to register with, which does not sign in.
    let mail = smtp.wait_for_message("nobody@school.test", 0).await;
    assert!(mail.contains("no account uses it yet"), "{mail}");
    let code = code_in_subject(&mail);
    let (_, error) = refusal(
        Browser::new(&server)
            .post(
                "sign_in_with_code",
                json!({"email": "nobody@school.test", "code": code}),
            )
            .await,
    )
    .await;
    assert_eq!(error, ErrorCode::InvalidCode);
    // It registers an account with that address instead (the refused sign-in looked
    // for a sign-in code and left this one alone).
    let mut newcomer = Browser::new(&server);
    let user: UserSummary = newcomer
        .call(
            "register_with_email_code",
            json!({
                "username": "kim", "display_name": "Kim", "password": "correct horse battery",
                "email": "nobody@school.test", "code": code,
            }),
        )
        .await;
    assert_eq!(user.username, "kim");
    let account: Account = newcomer.read("account").await;
    assert_eq!(account.email.as_deref(), Some("nobody@school.test"));
    server.stop().await;
}

#[tokio::test]
async fn an_unreachable_smtp_server_is_a_clear_error() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = format!("smtp://127.0.0.1:{port}");
    let server = Running::sqlite(&["--smtp-url", &url]).await;
    let (status, error) = refusal(
        Browser::new(&server)
            .post(
                "request_email_code",
                json!({"email": "someone@school.test"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::MailUnavailable)
    );
    server.stop().await;
}

#[tokio::test]
async fn code_requests_are_limited_per_address() {
    let smtp = SmtpSink::start();
    let url = smtp.url();
    let server = Running::sqlite(&["--smtp-url", &url, "--email-codes-per-address", "2"]).await;
    let mut browser = Browser::new(&server);
    for _ in 0..2 {
        let () = browser
            .call("request_email_code", json!({"email": "lee@school.test"}))
            .await;
    }
    let (status, error) = refusal(
        browser
            .post("request_email_code", json!({"email": "LEE@school.test"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts)
    );
    // Another address is not affected.
    let () = browser
        .call("request_email_code", json!({"email": "may@school.test"}))
        .await;
    server.stop().await;
}
