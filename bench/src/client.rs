//! The client side: the HTTP API for accounts, friends and groups (docs/API.md), and
//! WebSocket sessions speaking docs/PROTOCOL.md from several loopback source addresses.

use crate::error::{BenchError, Result};
use crate::schedule;
use crate::stats;
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use penguin_protocol::frames::FRAME_VERSION;
use penguin_protocol::{
    ClientFrame, ConversationId, Cursor, Destination, Message, Seq, ServerFrame, UserId,
};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// A signed-in user: the session cookie is reused for every socket of theirs, because
/// registration (argon2id) is the expensive part of making a user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub session: String,
}

/// JSON over HTTP with an explicit session cookie (no cookie jar: one client serves
/// every user).
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_owned(),
        }
    }

    async fn call(
        &self,
        request: reqwest::RequestBuilder,
        endpoint: &str,
        session: Option<&str>,
    ) -> Result<(Value, Option<String>)> {
        let request = match session {
            Some(s) => request.header("cookie", format!("penguin_session={s}")),
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|e| BenchError::http(endpoint, e))?;
        let status = response.status();
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                let value = v.strip_prefix("penguin_session=")?;
                Some(value.split(';').next()?.to_owned())
            });
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(BenchError::http(endpoint, format!("{status}: {body}")));
        }
        Ok((body, cookie))
    }

    pub async fn post(&self, endpoint: &str, session: Option<&str>, body: Value) -> Result<Value> {
        let url = format!("{}/api/{endpoint}", self.base);
        Ok(self
            .call(self.http.post(url).json(&body), endpoint, session)
            .await?
            .0)
    }

    pub async fn get(&self, endpoint_and_query: &str, session: &str) -> Result<Value> {
        let url = format!("{}/api/{endpoint_and_query}", self.base);
        Ok(self
            .call(self.http.get(url), endpoint_and_query, Some(session))
            .await?
            .0)
    }

    pub async fn register(&self, username: &str) -> Result<User> {
        let request = self
            .http
            .post(format!("{}/api/register", self.base))
            .json(&json!({
                "username": username,
                "display_name": username,
                "password": format!("bench {username} password"),
            }));
        let (user, cookie) = self.call(request, "register", None).await?;
        Ok(User {
            id: user["id"]
                .as_i64()
                .ok_or_else(|| BenchError::http("register", format!("no id in {user}")))?,
            session: cookie.ok_or_else(|| BenchError::http("register", "no session cookie"))?,
        })
    }

    /// Registers `count` users named `{prefix}{i}`, a few at a time (the server hashes
    /// passwords on a bounded pool anyway).
    pub async fn register_many(&self, prefix: &str, count: usize) -> Result<Vec<User>> {
        let mut users = Vec::with_capacity(count);
        let mut pending = futures_util::stream::iter((0..count).map(|i| {
            let api = self.clone();
            let name = format!("{prefix}{i:05}");
            async move { api.register(&name).await }
        }))
        .buffered(8);
        while let Some(user) = pending.next().await {
            users.push(user?);
        }
        Ok(users)
    }

    /// Makes `a` and `b` friends: a request from `a`, accepted by `b`.
    pub async fn befriend(&self, a: &User, b: &User) -> Result<()> {
        self.post(
            "send_friend_request",
            Some(&a.session),
            json!({"user_id": b.id}),
        )
        .await?;
        let requests = self.get("friend_requests", &b.session).await?;
        let id = requests["incoming"]
            .as_array()
            .and_then(|all| all.iter().find(|r| r["user"]["id"].as_i64() == Some(a.id)))
            .and_then(|r| r["id"].as_i64())
            .ok_or_else(|| BenchError::http("friend_requests", "the request is missing"))?;
        self.post(
            "answer_friend_request",
            Some(&b.session),
            json!({"request_id": id, "accept": true}),
        )
        .await?;
        Ok(())
    }

    /// A group owned by `owner` that every one of `members` joins by invite code.
    pub async fn group_of(&self, name: &str, owner: &User, members: &[User]) -> Result<i64> {
        let group = self
            .post(
                "create_group",
                Some(&owner.session),
                json!({"name": name, "member_limit": members.len() + 1}),
            )
            .await?;
        let id = group["group"]["id"]
            .as_i64()
            .ok_or_else(|| BenchError::http("create_group", format!("no id in {group}")))?;
        let code = group["invite_code"]
            .as_str()
            .ok_or_else(|| BenchError::http("create_group", "no invite code"))?
            .to_owned();
        let mut joins = futures_util::stream::iter(members.iter().map(|m| {
            let api = self.clone();
            let code = code.clone();
            let session = m.session.clone();
            async move {
                api.post("join_group", Some(&session), json!({"invite_code": code}))
                    .await
            }
        }))
        .buffered(16);
        while let Some(joined) = joins.next().await {
            joined?;
        }
        Ok(id)
    }

    /// The conversation id of `with`, from the user's conversation list.
    pub async fn conversation_with(&self, user: &User, with: Destination) -> Result<i64> {
        let all = self.get("conversations", &user.session).await?;
        let want = serde_json::to_value(with).unwrap_or(Value::Null);
        all.as_array()
            .and_then(|list| list.iter().find(|c| c["with"] == want))
            .and_then(|c| c["id"].as_i64())
            .ok_or_else(|| BenchError::http("conversations", format!("none with {want}")))
    }
}

/// Loopback source addresses 127.0.0.1 … 127.0.0.N, taken in turn, so the number of
/// sockets is not bounded by one address's ephemeral ports.
pub struct Sources {
    count: u8,
    next: AtomicUsize,
}

impl Sources {
    pub fn new(count: u8) -> Self {
        Self {
            count: count.max(1),
            next: AtomicUsize::new(0),
        }
    }

    fn pick(&self) -> IpAddr {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.count as usize;
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + i as u8))
    }

    /// A TCP connection to `server` from the next source address.
    pub async fn connect(&self, server: SocketAddr) -> Result<TcpStream> {
        let socket = TcpSocket::new_v4().map_err(|e| BenchError::WebSocket(e.to_string()))?;
        socket
            .bind(SocketAddr::new(self.pick(), 0))
            .map_err(|e| BenchError::WebSocket(format!("bind: {e}")))?;
        let stream = socket
            .connect(server)
            .await
            .map_err(|e| BenchError::WebSocket(format!("connect: {e}")))?;
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }
}

/// Totals shared by every connection of a scenario, so the driver can wait for "all
/// delivered" without asking each connection.
#[derive(Debug, Default)]
pub struct Counters {
    pub delivered: AtomicU64,
    pub acked: AtomicU64,
    pub problems: AtomicU64,
}

/// A message this connection received from someone else, with its latency.
#[derive(Debug, Clone, Copy)]
pub struct Received {
    pub conversation_id: ConversationId,
    pub seq: Seq,
    pub latency_us: u64,
    pub at_us: u64,
}

/// What a connection saw since its last report.
pub struct ConnReport {
    /// `message` frames after `caught_up`, the user's own echoes included.
    pub deliveries: u64,
    pub received: Vec<Received>,
    pub acks: u64,
    pub ack_latency: Histogram<u64>,
    pub last_ack_us: u64,
    pub problems: Vec<String>,
    pub open: bool,
}

enum Command {
    Send(String),
    Report(oneshot::Sender<ConnReport>),
    Close,
}

/// An open, caught-up WebSocket served by its own task: sends go through an unbounded
/// queue (the scheduler never waits on a socket: open loop), frames are checked as
/// they arrive.
pub struct Conn {
    pub user_id: UserId,
    commands: mpsc::UnboundedSender<Command>,
    task: tokio::task::JoinHandle<()>,
}

/// The result of a hello: the connection and what catch-up delivered.
pub struct Opened {
    pub conn: Conn,
    pub caught_up: Vec<Message>,
}

type Ws = WebSocketStream<TcpStream>;

impl Conn {
    /// Opens `/ws` on `server` as `user`, says hello with `cursors`, reads through
    /// `caught_up`.
    pub async fn open(
        sources: &Sources,
        server: SocketAddr,
        user: &User,
        cursors: Vec<Cursor>,
        counters: Arc<Counters>,
    ) -> Result<Opened> {
        let stream = sources.connect(server).await?;
        let mut request = format!("ws://{server}/ws")
            .into_client_request()
            .map_err(|e| BenchError::WebSocket(e.to_string()))?;
        let cookie = format!("penguin_session={}", user.session)
            .parse::<tokio_tungstenite::tungstenite::http::HeaderValue>()
            .map_err(|_| BenchError::WebSocket("bad cookie".into()))?;
        request.headers_mut().insert("cookie", cookie);
        // Small buffers: the bench holds as many sockets as the server does.
        let config = WebSocketConfig::default().read_buffer_size(4096);
        let (mut ws, _) =
            tokio_tungstenite::client_async_with_config(request, stream, Some(config))
                .await
                .map_err(|e| BenchError::WebSocket(format!("handshake: {e}")))?;
        let mut state = State::new(user.id, counters);
        for c in &cursors {
            state.last_seq.insert(c.conversation_id, c.seq);
        }
        let hello = ClientFrame::Hello {
            v: FRAME_VERSION,
            cursors,
        };
        ws.send(WsMessage::text(json_of(&hello)))
            .await
            .map_err(|e| BenchError::WebSocket(format!("hello: {e}")))?;
        let mut caught_up = Vec::new();
        loop {
            let text = match ws.next().await {
                Some(Ok(WsMessage::Text(t))) => t,
                Some(Ok(WsMessage::Close(c))) => {
                    return Err(BenchError::WebSocket(format!(
                        "closed during catch-up: {c:?}"
                    )));
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(BenchError::WebSocket(format!("catch-up: {e}"))),
                None => return Err(BenchError::WebSocket("dropped during catch-up".into())),
            };
            match serde_json::from_str::<ServerFrame>(&text) {
                Ok(ServerFrame::Message { message }) => {
                    state.check_order(&message);
                    caught_up.push(message);
                }
                Ok(ServerFrame::CaughtUp) => break,
                Ok(ServerFrame::Error { code, message, .. }) => {
                    return Err(BenchError::WebSocket(format!("{code:?}: {message}")));
                }
                Ok(_) => {}
                Err(e) => {
                    return Err(BenchError::WebSocket(format!(
                        "bad frame {}: {e}",
                        text.as_str()
                    )));
                }
            }
        }
        let (commands, queue) = mpsc::unbounded_channel();
        let task = tokio::spawn(serve(ws, queue, state));
        Ok(Opened {
            conn: Conn {
                user_id: user.id,
                commands,
                task,
            },
            caught_up,
        })
    }

    /// Queues a `send` frame (already JSON).
    pub fn send(&self, frame: String) {
        let _ = self.commands.send(Command::Send(frame));
    }

    /// What the connection saw since the last report (and resets it).
    pub async fn report(&self) -> ConnReport {
        let (tx, rx) = oneshot::channel();
        let _ = self.commands.send(Command::Report(tx));
        rx.await.unwrap_or_else(|_| ConnReport {
            deliveries: 0,
            received: Vec::new(),
            acks: 0,
            ack_latency: stats::histogram(),
            last_ack_us: 0,
            problems: vec![format!("user {}: connection task ended", self.user_id)],
            open: false,
        })
    }

    /// Ends the connection with a close frame.
    pub async fn close(self) {
        let Conn { commands, task, .. } = self;
        let _ = commands.send(Command::Close);
        // Without a sender left, a task whose socket already ended stops too.
        drop(commands);
        let _ = task.await;
    }

    /// Drops the socket at once, without a close handshake (a lost network).
    pub fn drop_now(self) {
        self.task.abort();
    }
}

/// A `send` frame to `to` for send number `n`, due at `intended_us`.
pub fn send_frame(n: u64, intended_us: u64, to: Destination) -> String {
    json_of(&ClientFrame::Send {
        client_id: schedule::client_id_for(n, intended_us),
        to,
        body: schedule::body_for(intended_us),
    })
}

fn json_of(frame: &ClientFrame) -> String {
    serde_json::to_string(frame).expect("frames serialise")
}

/// Per-connection checks and measurements.
struct State {
    user_id: UserId,
    counters: Arc<Counters>,
    last_seq: HashMap<ConversationId, Seq>,
    acked: HashSet<u64>,
    deliveries: u64,
    received: Vec<Received>,
    acks: u64,
    ack_latency: Histogram<u64>,
    last_ack_us: u64,
    problems: Vec<String>,
    open: bool,
}

impl State {
    fn new(user_id: UserId, counters: Arc<Counters>) -> Self {
        Self {
            user_id,
            counters,
            last_seq: HashMap::new(),
            acked: HashSet::new(),
            deliveries: 0,
            received: Vec::new(),
            acks: 0,
            ack_latency: stats::histogram(),
            last_ack_us: 0,
            problems: Vec::new(),
            open: true,
        }
    }

    fn problem(&mut self, what: String) {
        self.counters.problems.fetch_add(1, Ordering::Relaxed);
        if self.problems.len() < 20 {
            self.problems.push(format!("user {}: {what}", self.user_id));
        }
    }

    /// The protocol's guarantee, per connection and conversation: `seq` order with no
    /// gap and no repeat from the resume point.
    fn check_order(&mut self, message: &Message) {
        let last = self.last_seq.entry(message.conversation_id).or_insert(0);
        let expected = *last + 1;
        *last = (*last).max(message.seq);
        if message.seq != expected {
            let kind = if message.seq < expected {
                "repeat"
            } else {
                "gap"
            };
            self.problem(format!(
                "{kind}: conversation {} seq {} where {expected} was due",
                message.conversation_id, message.seq
            ));
        }
    }

    fn handle(&mut self, text: &str) {
        let now = schedule::now_us();
        match serde_json::from_str::<ServerFrame>(text) {
            Ok(ServerFrame::Message { message }) => {
                self.check_order(&message);
                self.deliveries += 1;
                self.counters.delivered.fetch_add(1, Ordering::Relaxed);
                if message.sender_id != self.user_id
                    && let Some(intended) = schedule::intended_from_body(&message.body)
                {
                    self.received.push(Received {
                        conversation_id: message.conversation_id,
                        seq: message.seq,
                        latency_us: now.saturating_sub(intended),
                        at_us: now,
                    });
                }
            }
            Ok(ServerFrame::Ack { ack }) => match schedule::parse_client_id(&ack.client_id) {
                Some((n, intended)) => {
                    if self.acked.insert(n) {
                        self.acks += 1;
                        self.counters.acked.fetch_add(1, Ordering::Relaxed);
                        self.ack_latency
                            .saturating_record(now.saturating_sub(intended).max(1));
                        self.last_ack_us = self.last_ack_us.max(now);
                    } else {
                        self.problem(format!("a second ack for {}", ack.client_id));
                    }
                }
                None => self.problem(format!("an ack for a foreign id {}", ack.client_id)),
            },
            Ok(ServerFrame::Error {
                code, client_id, ..
            }) => self.problem(format!("error {code:?} for {client_id:?}")),
            Ok(_) => {}
            Err(e) => self.problem(format!("unreadable frame ({e}): {text}")),
        }
    }

    fn take_report(&mut self) -> ConnReport {
        ConnReport {
            deliveries: std::mem::take(&mut self.deliveries),
            received: std::mem::take(&mut self.received),
            acks: std::mem::take(&mut self.acks),
            ack_latency: std::mem::replace(&mut self.ack_latency, stats::histogram()),
            last_ack_us: std::mem::take(&mut self.last_ack_us),
            problems: std::mem::take(&mut self.problems),
            open: self.open,
        }
    }
}

enum Flow {
    Continue,
    Close,
}

/// The connection's task: writes queued sends (batched, one flush per batch), reads and
/// checks frames, answers reports; after the socket ends it still answers reports.
async fn serve(mut ws: Ws, mut queue: mpsc::UnboundedReceiver<Command>, mut state: State) {
    loop {
        tokio::select! {
            command = queue.recv() => {
                let Some(command) = command else { break };
                let mut flow = apply(&mut ws, &mut state, command).await;
                let mut batch = 0;
                while matches!(flow, Flow::Continue) && batch < 256 {
                    let Ok(command) = queue.try_recv() else { break };
                    flow = apply(&mut ws, &mut state, command).await;
                    batch += 1;
                }
                if let Err(e) = ws.flush().await {
                    state.problem(format!("write: {e}"));
                    state.open = false;
                    break;
                }
                if matches!(flow, Flow::Close) {
                    let _ = ws.close(None).await;
                    state.open = false;
                    return;
                }
            }
            frame = ws.next() => match frame {
                Some(Ok(WsMessage::Text(text))) => state.handle(&text),
                Some(Ok(WsMessage::Close(frame))) => {
                    state.problem(format!("closed by the server: {frame:?}"));
                    state.open = false;
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    state.problem(format!("read: {e}"));
                    state.open = false;
                    break;
                }
                None => {
                    state.problem("dropped by the server".into());
                    state.open = false;
                    break;
                }
            }
        }
    }
    while let Some(command) = queue.recv().await {
        match command {
            Command::Report(tx) => {
                let _ = tx.send(state.take_report());
            }
            Command::Close => return,
            Command::Send(_) => {}
        }
    }
}

async fn apply(ws: &mut Ws, state: &mut State, command: Command) -> Flow {
    match command {
        Command::Send(text) => {
            if let Err(e) = ws.feed(WsMessage::text(text)).await {
                state.problem(format!("send: {e}"));
            }
            Flow::Continue
        }
        Command::Report(tx) => {
            let _ = tx.send(state.take_report());
            Flow::Continue
        }
        Command::Close => Flow::Close,
    }
}
