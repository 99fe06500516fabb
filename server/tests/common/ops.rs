//! Operations tests: the real `penguin` binary serving or running a command, and a
//! real WebSocket client that keeps what the server acknowledged: for tests whose subject
//! is processes (signals, restarts, backups taken beside a running server).

use futures_util::{SinkExt, StreamExt};
use penguin_protocol::frames::FRAME_VERSION;
use penguin_protocol::{ClientFrame, Cursor, Destination, FriendRequests, SendAck, ServerFrame};
use serde_json::json;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub const PASSWORD: &str = "correct horse battery";

/// `penguin <args>` run to completion (a command such as `admin` or `backup`), with
/// `stdin` as its standard input.
pub fn penguin(args: &[&str], stdin: Option<&str>) -> Output {
    penguin_env(args, &[], stdin)
}

/// [`penguin`] with these environment variables and none of the `PENGUIN_*` ones this
/// test process has.
pub fn penguin_env(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut command = Command::new(env!("CARGO_BIN_EXE_penguin"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PENGUIN_") {
            command.env_remove(name);
        }
    }
    let mut child = command
        .envs(env.iter().copied())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run penguin");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// `penguin <args>` that must succeed; its standard output.
pub fn penguin_ok(args: &[&str], stdin: Option<&str>) -> String {
    let output = penguin(args, stdin);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "penguin {args:?} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// HTTP calls as one signed-in user (the site's own Origin on changes, like a browser).
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub session: Option<String>,
    client: reqwest::Client,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            session: None,
            client: super::client(),
        }
    }

    /// POST `/api/<endpoint>`; the status and the JSON answer. Keeps a new session cookie.
    pub async fn post(
        &mut self,
        endpoint: &str,
        body: serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut request = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("origin", &self.base)
            .json(&body);
        if let Some(session) = &self.session {
            request = request.header("cookie", format!("penguin_session={session}"));
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        for header in response.headers().get_all("set-cookie") {
            if let Some(rest) = header.to_str().unwrap().strip_prefix("penguin_session=") {
                let value = rest.split(';').next().unwrap_or_default();
                self.session = (!value.is_empty()).then(|| value.to_owned());
            }
        }
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(json!(text)))
    }

    /// GET `/api/<endpoint_and_query>`; the status and the JSON answer.
    pub async fn get(&self, endpoint: &str) -> (reqwest::StatusCode, serde_json::Value) {
        let mut request = self.client.get(format!("{}/api/{endpoint}", self.base));
        if let Some(session) = &self.session {
            request = request.header("cookie", format!("penguin_session={session}"));
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(json!(text)))
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> reqwest::StatusCode {
        self.post(
            "sign_in",
            json!({"username": username, "password": password}),
        )
        .await
        .0
    }

    /// Registers `username` with [`PASSWORD`]; its user id.
    pub async fn register(&mut self, username: &str) -> i64 {
        let (status, user) = self
            .post(
                "register",
                json!({"username": username, "display_name": username, "password": PASSWORD}),
            )
            .await;
        assert!(status.is_success(), "register {username}: {user}");
        user["id"].as_i64().unwrap()
    }
}

/// Makes `a` and `b` friends.
pub async fn befriend(a: &mut Api, b: &mut Api, b_id: i64) {
    let (status, body) = a
        .post("send_friend_request", json!({"user_id": b_id}))
        .await;
    assert!(status.is_success(), "{body}");
    let (_, requests) = b.get("friend_requests").await;
    let requests: FriendRequests = serde_json::from_value(requests).unwrap();
    let (status, body) = b
        .post(
            "answer_friend_request",
            json!({"request_id": requests.incoming[0].id, "accept": true}),
        )
        .await;
    assert!(status.is_success(), "{body}");
}

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    Closed(Option<u16>),
    Dropped,
}

/// Opens `/ws`, says hello with `cursors`; the socket and the caught-up messages.
pub async fn connect(
    base: &str,
    session: &str,
    cursors: Vec<Cursor>,
) -> Result<(Ws, Vec<penguin_protocol::Message>), String> {
    let mut request = format!("{}/ws", base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "cookie",
        format!("penguin_session={session}").parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| e.to_string())?;
    let hello = ClientFrame::Hello {
        v: FRAME_VERSION,
        cursors,
    };
    ws.send(WsMessage::text(serde_json::to_string(&hello).unwrap()))
        .await
        .map_err(|e| e.to_string())?;
    let mut caught_up = Vec::new();
    loop {
        match next(&mut ws).await {
            Ok(ServerFrame::Message { message }) => caught_up.push(message),
            Ok(ServerFrame::CaughtUp) => return Ok((ws, caught_up)),
            Ok(_) => {}
            Err(ended) => return Err(format!("ended during catch-up: {ended:?}")),
        }
    }
}

/// A WebSocket to the server at the other end of `stream` (a socket the test shaped:
/// a tiny receive buffer, raw bytes written later), signed in with `session`, after
/// saying hello with `cursors`. Nothing is read: the caller decides whether to.
pub async fn hello_over(
    stream: tokio::net::TcpStream,
    session: &str,
    cursors: Vec<Cursor>,
) -> tokio_tungstenite::WebSocketStream<tokio::net::TcpStream> {
    let addr = stream.peer_addr().unwrap();
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    request.headers_mut().insert(
        "cookie",
        format!("penguin_session={session}").parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .unwrap();
    let hello = ClientFrame::Hello {
        v: FRAME_VERSION,
        cursors,
    };
    ws.send(WsMessage::text(serde_json::to_string(&hello).unwrap()))
        .await
        .unwrap();
    ws
}

/// Every message of `conversation_id` from its start, read over a new socket, checked
/// to be one gap-free order (`what` says why the caller expects that).
pub async fn read_conversation(
    base: &str,
    session: &str,
    conversation_id: penguin_protocol::ConversationId,
    what: &str,
) -> Vec<penguin_protocol::Message> {
    let cursors = vec![Cursor {
        conversation_id,
        seq: 0,
    }];
    let (_ws, stored) = connect(base, session, cursors).await.unwrap();
    let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();
    assert_eq!(
        seqs,
        (1..=stored.len() as i64).collect::<Vec<_>>(),
        "{what}"
    );
    stored
}

/// The next frame, or how the connection ended.
pub async fn next(ws: &mut Ws) -> Result<ServerFrame, Ended> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("a frame within 20 s");
        match frame {
            Some(Ok(WsMessage::Text(text))) => return Ok(serde_json::from_str(&text).unwrap()),
            Some(Ok(WsMessage::Close(close))) => {
                return Err(Ended::Closed(close.map(|c| u16::from(c.code))));
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return Err(Ended::Dropped),
        }
    }
}

/// A client that sends numbered messages one at a time, keeps every acknowledgement,
/// and after a lost connection reconnects (retrying while the server is away) and resends
/// the unacknowledged one with the same client id, as the browser client does.
pub struct Sender {
    pub name: String,
    pub session: String,
    pub to: Destination,
    pub acked: Vec<SendAck>,
    /// Close codes of the connections the server ended.
    pub closes: Vec<Ended>,
}

impl Sender {
    /// Sends `count` messages to `base()` (re-read at every reconnect), pausing `pause`
    /// between them; returns when all are acknowledged.
    pub async fn run(
        mut self,
        base: impl Fn() -> String,
        count: usize,
        pause: Duration,
        give_up: Duration,
    ) -> Self {
        let deadline = Instant::now() + give_up;
        let mut next_index = 0;
        'connection: while next_index < count {
            assert!(
                Instant::now() < deadline,
                "{}: gave up reconnecting",
                self.name
            );
            let Ok((mut ws, _)) = connect(&base(), &self.session, vec![]).await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            while next_index < count {
                let client_id = format!("{}-{next_index}", self.name);
                let frame = ClientFrame::Send {
                    client_id: client_id.clone(),
                    to: self.to,
                    body: format!("message {next_index} from {}", self.name),
                };
                let text = serde_json::to_string(&frame).unwrap();
                if ws.send(WsMessage::text(text)).await.is_err() {
                    self.closes.push(Ended::Dropped);
                    continue 'connection;
                }
                loop {
                    match next(&mut ws).await {
                        Ok(ServerFrame::Ack { ack }) if ack.client_id == client_id => {
                            self.acked.push(ack);
                            next_index += 1;
                            break;
                        }
                        Ok(ServerFrame::Error { code, .. }) => {
                            panic!("{}: refused {client_id}: {code:?}", self.name)
                        }
                        Ok(_) => {}
                        Err(ended) => {
                            self.closes.push(ended);
                            continue 'connection;
                        }
                    }
                }
                tokio::time::sleep(pause).await;
            }
            let _ = ws.close(None).await;
        }
        self
    }
}

/// The close code a server sends when it goes away.
pub fn going_away() -> Ended {
    Ended::Closed(Some(u16::from(CloseCode::Away)))
}
