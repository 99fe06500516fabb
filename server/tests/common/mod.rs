//! The real server on a free loopback port, on a throw-away database, over real HTTP.
//! Shared by the integration tests of this crate.
#![allow(dead_code)] // each test binary uses its own subset

pub mod ops;
pub mod process;
pub mod socket;

use clap::Parser;
use penguin_server::{Config, Server};
use penguin_testkit::TestDb;
use reqwest::StatusCode;
use tokio::sync::oneshot;

pub struct Running {
    pub base: String,
    /// `--metrics-addr`, when it was given.
    pub metrics_base: Option<String>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    _site: tempfile::TempDir,
    /// The database, when this server owns it.
    _db: Option<TestDb>,
}

impl Running {
    /// The real server on a free port, on `db`, with extra command-line flags.
    pub async fn start_on(db: &TestDb, extra: &[&str]) -> Self {
        let site_dir = tempfile::tempdir().unwrap();
        let site = site_dir.path().to_str().unwrap().to_owned();
        let outbox = site_dir.path().join("dev-outbox.txt");
        let outbox = outbox.to_str().unwrap().to_owned();
        let mut args = vec![
            "penguin",
            "--dev-outbox",
            &outbox,
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            db.url(),
            "--site-root",
            &site,
        ];
        if let Some(schema) = db.schema() {
            args.extend(["--database-schema", schema]);
        }
        args.extend_from_slice(extra);
        let config = Config::try_parse_from(args).unwrap();
        let server = Server::bind(&config).await.unwrap();
        let base = format!("http://{}", server.local_addr);
        let metrics_base = server.metrics_addr.map(|addr| format!("http://{addr}"));
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            server
                .run(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self {
            base,
            metrics_base,
            stop: Some(stop),
            task,
            _site: site_dir,
            _db: None,
        }
    }

    /// The real server on its own throw-away SQLite database.
    pub async fn sqlite(extra: &[&str]) -> Self {
        let db = TestDb::sqlite();
        let mut server = Self::start_on(&db, extra).await;
        server._db = Some(db);
        server
    }

    /// GET `path` with extra headers; the response.
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = client().get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// GET `path` expecting 200 and a JSON body.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self.get(path, &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    /// GET `path` with extra headers; the body as text.
    pub async fn get_html(&self, path: &str, headers: &[(&str, &str)]) -> String {
        self.get(path, headers).await.text().await.unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.unwrap();
    }
}

/// A client without a cookie store: tests pass cookies explicitly. A request that gets no
/// complete answer within two minutes fails the test that made it, naming the request,
/// instead of holding the whole run until CI's time is up.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .expect("an HTTP client")
}

/// One HTTP client playing a browser of the server's own site: it sends the site's
/// `Origin` on changes (as browsers do) and keeps the session cookie it is given.
pub struct Browser<'a> {
    /// The site's origin, `http://127.0.0.1:port`.
    pub base: String,
    pub session: Option<String>,
    pub headers: Vec<(String, String)>,
    _server: std::marker::PhantomData<&'a Running>,
}

impl<'a> Browser<'a> {
    pub fn new(server: &'a Running) -> Self {
        Self::at(&server.base)
    }

    /// A browser of the site at `base` (a server process, say).
    pub fn at(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            session: None,
            headers: Vec::new(),
            _server: std::marker::PhantomData,
        }
    }

    /// POST a JSON body to `/api/{endpoint}`.
    pub async fn post(&mut self, endpoint: &str, body: serde_json::Value) -> reqwest::Response {
        let mut request = client()
            .post(format!("{}/api/{endpoint}", self.base))
            .header("origin", &self.base)
            .json(&body);
        request = self.decorate(request);
        let response = request.send().await.unwrap();
        self.keep_cookie(&response);
        response
    }

    /// GET `/api/{endpoint_and_query}`.
    pub async fn get(&mut self, endpoint_and_query: &str) -> reqwest::Response {
        let request = client().get(format!("{}/api/{endpoint_and_query}", self.base));
        let response = self.decorate(request).send().await.unwrap();
        self.keep_cookie(&response);
        response
    }

    /// POST expecting 200; the JSON answer.
    pub async fn call<T: serde::de::DeserializeOwned>(
        &mut self,
        endpoint: &str,
        body: serde_json::Value,
    ) -> T {
        let response = self.post(endpoint, body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "POST /api/{endpoint}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{endpoint}: {e}: {text}"))
    }

    /// GET expecting 200; the JSON answer.
    pub async fn read<T: serde::de::DeserializeOwned>(&mut self, endpoint_and_query: &str) -> T {
        let response = self.get(endpoint_and_query).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(
            status,
            StatusCode::OK,
            "GET /api/{endpoint_and_query}: {text}"
        );
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{endpoint_and_query}: {e}: {text}"))
    }

    /// Registers `username` (password "correct horse battery") and keeps its session.
    pub async fn register(&mut self, username: &str) -> penguin_protocol::UserSummary {
        self.call(
            "register",
            serde_json::json!({
                "username": username,
                "display_name": username.to_uppercase(),
                "password": "correct horse battery",
            }),
        )
        .await
    }

    fn decorate(&self, mut request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if let Some(token) = &self.session {
            request = request.header("cookie", format!("penguin_session={token}"));
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request
    }

    fn keep_cookie(&mut self, response: &reqwest::Response) {
        for header in response.headers().get_all("set-cookie") {
            let header = header.to_str().unwrap();
            if let Some(rest) = header.strip_prefix("penguin_session=") {
                let value = rest.split(';').next().unwrap_or_default();
                self.session = (!value.is_empty()).then(|| value.to_owned());
            }
        }
    }
}

/// The `Set-Cookie` header for the session cookie in `response`.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("penguin_session="))
        .map(str::to_owned)
}
