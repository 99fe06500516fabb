//! The server's HTTP surface: health, pages, languages, the cross-site guard.

mod common;

use common::{Running, client};
use penguin_protocol::{DatabaseBackend, ErrorCode, HealthReport, ServerInfo, error::ErrorBody};
use penguin_testkit::TestDb;
use reqwest::StatusCode;

#[tokio::test]
async fn healthz_reports_version_and_database() {
    let server = Running::sqlite(&[]).await;
    let report: HealthReport = server.get_json("/healthz").await;
    assert_eq!(report.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(report.database.backend, DatabaseBackend::Sqlite);
    assert!(report.database.reachable);
    server.stop().await;
}

#[tokio::test]
async fn the_server_runs_on_postgres_too() {
    let Some(db) = TestDb::postgres() else { return };
    let server = Running::start_on(&db, &[]).await;
    let report: HealthReport = server.get_json("/healthz").await;
    assert_eq!(report.database.backend, DatabaseBackend::Postgres);
    assert!(report.database.reachable);
    let info: ServerInfo = server.get_json("/api/server_info").await;
    assert_eq!(info.database, DatabaseBackend::Postgres);
    assert_eq!(info.users, 0);
    server.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn start_page_is_rendered_on_the_server_with_the_hydration_script() {
    let server = Running::sqlite(&[]).await;
    let response = server.get("/", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["x-content-type-options"],
        "nosniff",
        "security headers are set"
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\""), "{html}");
    assert!(html.contains("Welcome to Penguin"), "{html}");
    assert!(
        html.contains("/pkg/penguin.js"),
        "hydration script missing: {html}"
    );
    server.stop().await;
}

#[tokio::test]
async fn language_comes_from_the_cookie_then_the_browser() {
    let server = Running::sqlite(&[]).await;
    let html = server
        .get_html("/", &[("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")])
        .await;
    assert!(html.contains("<html lang=\"zh-CN\""), "{html}");
    assert!(html.contains("欢迎使用 Penguin"), "{html}");

    let html = server
        .get_html(
            "/login",
            &[("accept-language", "zh-CN"), ("cookie", "penguin_lang=en")],
        )
        .await;
    assert!(html.contains("<html lang=\"en\""), "{html}");
    server.stop().await;
}

#[tokio::test]
async fn login_and_register_routes_exist_and_unknown_paths_are_404() {
    let server = Running::sqlite(&[]).await;
    for (path, heading) in [("/login", "Sign in"), ("/register", "Create account")] {
        let response = server.get(path, &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("<h1>{heading}</h1>")),
            "{path}: {html}"
        );
    }
    let response = server.get("/no/such/page", &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
    server.stop().await;
}

#[tokio::test]
async fn server_info_is_a_stable_json_endpoint() {
    let server = Running::sqlite(&[]).await;
    let info: ServerInfo = server.get_json("/api/server_info").await;
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(info.database, DatabaseBackend::Sqlite);
    assert_eq!(info.users, 0);
    assert!(info.schema_version.starts_with('m'), "{info:?}");
    server.stop().await;
}

#[tokio::test]
async fn cross_site_state_changes_are_refused() {
    let server = Running::sqlite(&["--allowed-origins", "http://127.0.0.1:8080"]).await;
    let host = server.base.trim_start_matches("http://").to_owned();
    let post = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut request = client()
            .post(server.url("/api/server_info"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };

    for (origin, site) in [
        (Some("https://evil.example"), None),
        (Some("https://evil.example"), Some("cross-site")),
        (None, Some("cross-site")),
        (Some("null"), None),
    ] {
        let response = post(origin, site).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{origin:?} {site:?}"
        );
        let body: ErrorBody = response.json().await.unwrap();
        assert_eq!(body.code, ErrorCode::CrossSiteRequest);
        assert!(body.message.contains("another website"), "{body:?}");
    }

    // The same requests from the server's own pages, an allowed origin or a non-browser
    // client get past the check (and meet the router: this endpoint is GET-only).
    let own = format!("http://{host}");
    for (origin, site) in [
        (Some(own.as_str()), None),
        (Some(own.as_str()), Some("same-origin")),
        (Some("http://127.0.0.1:8080"), Some("same-site")),
        (None, None),
    ] {
        let response = post(origin, site).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{origin:?} {site:?}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn the_error_message_follows_the_callers_language() {
    let server = Running::sqlite(&[]).await;
    let body: ErrorBody = client()
        .delete(server.url("/api/server_info"))
        .header("origin", "https://evil.example")
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body.code, ErrorCode::CrossSiteRequest);
    assert_eq!(
        body.message,
        ErrorCode::CrossSiteRequest.message(penguin_protocol::Locale::ZhCn)
    );
    server.stop().await;
}
