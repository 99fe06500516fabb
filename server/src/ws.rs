//! `GET /ws`: the real-time connection (frames in `penguin_protocol::frames`, described
//! in docs/PROTOCOL.md).
//!
//! The upgrade is refused unless the `Origin` is the site's own (or allowed), answering
//! 403, and unless the session cookie is valid, answering 401. Then:
//! 1. the client's `hello` says where it is; the device joins the hub *before* catch-up
//!    is read, so nothing committed meanwhile can fall between the two;
//! 2. catch-up: every conversation from the client's cursor (else the user's read
//!    position), oldest first, then `caught_up`;
//! 3. live: sends are stored (durable before the `ack`) and published to every device of
//!    every member. Per conversation the connection delivers in `seq` order with no
//!    gaps or repeats: what it already sent is skipped, and a gap (two sends committed
//!    in one order and published in the other) is filled from the database first.
//!    A connection reads its next frame as soon as a send is queued for the writer, not
//!    when it is committed (up to [`MAX_SENDS_IN_FLIGHT`]): one client's burst shares
//!    commits, and deliveries to the client go on meanwhile. Its sends are stored in the
//!    order they came; acks go out in that order too.
//!
//! At shutdown the connection finishes the frame it is on and closes with 1001 (see
//! `lifecycle`). Every ping interval it checks that its session still exists, so a
//! signed-out-everywhere or disabled account's sockets close too.

use crate::error::error_response;
use crate::same_origin::OriginPolicy;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesOrdered;
use futures_util::{FutureExt, SinkExt, StreamExt};
use http::HeaderMap;
use penguin_app::api::request::{SESSION_COOKIE, cookie_value};
use penguin_domain::hub::Delivery;
use penguin_domain::messaging::MAX_PAGE;
use penguin_domain::{Caller, Core, DomainError};
use penguin_protocol::frames::{FRAME_VERSION, MAX_FRAME_BYTES};
use penguin_protocol::{
    ClientFrame, ConversationId, Cursor, Destination, ErrorCode, Locale, SendAck, Seq, ServerFrame,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::time::{Instant, interval, timeout};
use tracing::Instrument;

/// A client must say `hello` this soon after the upgrade.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Typing indicators relayed per destination at most this often.
const TYPING_EVERY: Duration = Duration::from_secs(2);
/// A frame the client has not taken within this time ends the connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// The server pings this often; a connection silent for two intervals is closed.
const PING_EVERY: Duration = Duration::from_secs(30);
/// Sends of one connection queued but not yet committed; at this many the connection
/// stops reading until the oldest is acknowledged (the client's TCP window fills).
pub const MAX_SENDS_IN_FLIGHT: usize = 64;

/// A queued send on its way to its acknowledgement: its client id and the outcome of
/// the task that awaits the commit and publishes it (a task of its own, so a send that
/// reached the writer is published even if this connection ends first).
type InFlight = FuturesOrdered<
    BoxFuture<
        'static,
        (
            String,
            Result<Result<SendAck, DomainError>, tokio::task::JoinError>,
        ),
    >,
>;
#[derive(Clone)]
pub struct WsState {
    pub core: Core,
    pub origins: Arc<OriginPolicy>,
    pub connections: crate::lifecycle::Connections,
}

pub async fn upgrade(
    State(state): State<WsState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // Browsers always send Origin on a WebSocket handshake; clients without one (bots,
    // the benchmark) cannot carry a victim's cookies, so only a present one is checked.
    if let Some(origin) = headers.get(http::header::ORIGIN) {
        let allowed = origin
            .to_str()
            .is_ok_and(|origin| state.origins.is_own_or_allowed(origin, &headers));
        if !allowed {
            tracing::warn!(?origin, "refused a cross-site WebSocket upgrade");
            return error_response(ErrorCode::CrossSiteRequest, &headers).into_response();
        }
    }
    let Some(token) = cookie_value(&headers, SESSION_COOKIE) else {
        return error_response(ErrorCode::Unauthenticated, &headers).into_response();
    };
    let caller = match state.core.authenticate(token).await {
        Ok(caller) => caller,
        Err(error) => return error_response(error.code(), &headers).into_response(),
    };
    let locale = crate::error::request_locale(&headers);
    let session = token.to_owned();
    let stop = state.connections.track();
    let user_id = caller.id();
    // Boxed, so the connection's task holds a pointer to it rather than copies.
    let connection = Box::new(Connection::new(state.core, caller, session, locale));
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        // Small buffers: most connections are idle most of the time. tungstenite zeroes
        // the whole read buffer at the first read, so its size is resident per
        // connection; a frame larger than it grows it (up to the frame limit), and a
        // chat message's frame is well under 1 KiB.
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .max_write_buffer_size(1024 * 1024)
        .on_upgrade(move |socket| {
            connection
                .run(socket, stop)
                .instrument(tracing::info_span!("ws", user_id))
        })
}

struct Connection {
    core: Core,
    caller: Caller,
    /// The session token of the handshake, re-checked every ping interval.
    session: String,
    locale: Locale,
    /// Per conversation, the newest seq sent to this client.
    delivered: HashMap<ConversationId, Seq>,
    /// When this connection last relayed typing to each destination.
    typed: HashMap<Destination, Instant>,
    /// Counts this connection in the open-connections gauge while it lives.
    _counted: penguin_domain::metrics::ConnectionGuard,
}

/// Why a connection ends.
enum End {
    ClientLeft,
    Close(u16, &'static str),
}

impl Connection {
    fn new(core: Core, caller: Caller, session: String, locale: Locale) -> Self {
        Self {
            _counted: core.metrics.connection(),
            core,
            caller,
            session,
            locale,
            delivered: HashMap::new(),
            typed: HashMap::new(),
        }
    }

    /// Not `async`: an async fn keeps its arguments twice in its future, and this future
    /// is what every open connection costs in memory, so the socket is split here and
    /// only its halves and the boxed state go in.
    fn run(
        self: Box<Self>,
        socket: WebSocket,
        stop: crate::lifecycle::Stop,
    ) -> impl Future<Output = ()> + Send + 'static {
        let (sink, stream) = socket.split();
        self.serve_and_close(sink, stream, stop)
    }

    async fn serve_and_close(
        mut self: Box<Self>,
        mut sink: futures_util::stream::SplitSink<WebSocket, WsMessage>,
        mut stream: futures_util::stream::SplitStream<WebSocket>,
        mut stop: crate::lifecycle::Stop,
    ) {
        let end = self.serve(&mut sink, &mut stream, &mut stop).await;
        // `serve` dropped this device from the hub; if it was the user's last (on any
        // node), tell their friends.
        Box::pin(self.core.announce_if_offline(self.caller.id())).await;
        if let End::Close(code, reason) = end {
            let close = WsMessage::Close(Some(CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            }));
            let _ = timeout(WRITE_TIMEOUT, sink.send(close)).await;
        }
        tracing::debug!(user_id = self.caller.id(), "connection closed");
    }

    /// Lives as long as the connection, so its future is kept small: what awaits the
    /// database (catch-up, a frame's handling, the reads of a delivery that fills a gap)
    /// is boxed and only takes memory while it runs. An idle connection's size is the
    /// server's memory per connection.
    async fn serve(
        &mut self,
        sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
        stream: &mut futures_util::stream::SplitStream<WebSocket>,
        stop: &mut crate::lifecycle::Stop,
    ) -> End {
        // 1. hello
        let cursors = match timeout(HELLO_TIMEOUT, stream.next()).await {
            Ok(Some(Ok(WsMessage::Text(text)))) => match serde_json::from_str(&text) {
                Ok(ClientFrame::Hello { v, cursors }) if v == FRAME_VERSION => cursors,
                _ => return End::Close(1008, "the first frame must be hello (v1)"),
            },
            Ok(_) => return End::ClientLeft,
            Err(_) => return End::Close(1008, "no hello"),
        };
        let (mut device, first_device) = self.core.hub.connect(self.caller.id());
        let welcome = ServerFrame::Welcome {
            v: FRAME_VERSION,
            user_id: self.caller.id(),
        };
        if send(sink, &welcome).await.is_err() {
            return End::ClientLeft;
        }
        if Box::pin(self.presence_on_connect(sink, first_device))
            .await
            .is_err()
        {
            return End::ClientLeft;
        }
        // 2. catch-up
        if let Err(error) = Box::pin(self.catch_up(sink, &cursors)).await {
            tracing::warn!(%error, "catch-up failed");
            return End::Close(1011, "catch-up failed");
        }
        if send(sink, &ServerFrame::CaughtUp).await.is_err() {
            return End::ClientLeft;
        }
        // 3. live
        let mut ping = interval(PING_EVERY);
        ping.reset();
        let mut last_heard = Instant::now();
        let mut in_flight = InFlight::new();
        loop {
            tokio::select! {
                incoming = stream.next(), if in_flight.len() < MAX_SENDS_IN_FLIGHT => {
                    last_heard = Instant::now();
                    match incoming {
                        Some(Ok(WsMessage::Text(text))) => {
                            match Box::pin(self.on_frame(sink, &text, &mut in_flight)).await {
                                Ok(()) => {}
                                Err(End::Close(code, reason)) => return End::Close(code, reason),
                                Err(End::ClientLeft) => return End::ClientLeft,
                            }
                        }
                        Some(Ok(WsMessage::Binary(_))) => {
                            let _ = self.refuse(sink, ErrorCode::BadRequest, None).await;
                        }
                        Some(Ok(WsMessage::Close(_))) | None => return End::ClientLeft,
                        Some(Ok(_)) => {} // ping/pong: axum answers pings itself
                        Some(Err(error)) => {
                            tracing::debug!(%error, "connection error");
                            return End::ClientLeft;
                        }
                    }
                }
                Some((client_id, outcome)) = in_flight.next(), if !in_flight.is_empty() => {
                    if self.answer_send(sink, client_id, outcome).await.is_err() {
                        return End::ClientLeft;
                    }
                }
                delivery = device.frames.recv() => {
                    let delivered = match delivery {
                        Some(Delivery::Frame(frame)) => self.deliver(sink, &frame).await,
                        Some(Delivery::Resync) => Box::pin(self.resync(sink)).await,
                        // The hub dropped this device: it could not keep up.
                        None => return End::Close(1013, "too slow: reconnect to catch up"),
                    };
                    if delivered.is_err() {
                        return End::ClientLeft;
                    }
                }
                () = stop.requested() => {
                    // What was queued gets committed either way; answer it if the client
                    // is still reading, so it need not resend.
                    while let Ok(Some((client_id, outcome))) =
                        timeout(WRITE_TIMEOUT, in_flight.next()).await
                    {
                        if self.answer_send(sink, client_id, outcome).await.is_err() {
                            return End::ClientLeft;
                        }
                    }
                    return End::Close(crate::lifecycle::GOING_AWAY, "server restarting");
                }
                _ = ping.tick() => {
                    if last_heard.elapsed() > 2 * PING_EVERY {
                        return End::Close(1001, "idle");
                    }
                    if let Err(error) = Box::pin(self.core.authenticate(&self.session)).await
                        && error.is_refusal()
                    {
                        return End::Close(1008, "session ended");
                    }
                    let ping = sink.send(WsMessage::Ping(Default::default()));
                    if !matches!(timeout(WRITE_TIMEOUT, ping).await, Ok(Ok(()))) {
                        return End::ClientLeft;
                    }
                }
            }
        }
    }

    /// Tells friends the user came online (first device), and this device which friends
    /// are online now.
    async fn presence_on_connect(
        &mut self,
        sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
        first_device: bool,
    ) -> Result<(), ()> {
        let friends = self.friend_ids().await;
        if first_device {
            // On a cluster the user may be online on another node already: friends then
            // hear "online" twice, which changes nothing for them.
            self.core.hub.publish(
                &friends,
                ServerFrame::Presence {
                    user_id: self.caller.id(),
                    online: true,
                },
            );
        }
        self.send_presence_of(sink, &friends).await
    }

    /// One `presence` frame for each of `friends` who is online on any node.
    async fn send_presence_of(
        &self,
        sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
        friends: &[penguin_protocol::UserId],
    ) -> Result<(), ()> {
        let online = self.core.online_among(friends).await;
        for friend in friends.iter().filter(|friend| online.contains(friend)) {
            let frame = ServerFrame::Presence {
                user_id: *friend,
                online: true,
            };
            send(sink, &frame).await?;
        }
        Ok(())
    }

    /// Frames may have been lost on their way here (the cluster's bus was down): send
    /// what the database holds after what this connection delivered, the read positions,
    /// and who is online, as after a reconnect but without one.
    async fn resync(
        &mut self,
        sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
    ) -> Result<(), ()> {
        let cursors: Vec<Cursor> = self
            .delivered
            .iter()
            .map(|(conversation_id, seq)| Cursor {
                conversation_id: *conversation_id,
                seq: *seq,
            })
            .collect();
        let from = self
            .core
            .resume_points(&self.caller, &cursors)
            .await
            .map_err(|error| tracing::warn!(%error, "resync failed"))?;
        for (conversation, start) in from {
            let start = *self.delivered.entry(conversation).or_insert(start);
            self.send_after(sink, conversation, start, None).await?;
        }
        let positions = self
            .core
            .conversation_positions(&self.caller)
            .await
            .map_err(|error| tracing::warn!(%error, "resync failed"))?;
        for (conversation_id, seq) in positions.into_iter().filter(|(_, seq)| *seq > 0) {
            send(
                sink,
                &ServerFrame::Read {
                    conversation_id,
                    seq,
                },
            )
            .await?;
        }
        let friends = self.friend_ids().await;
        self.send_presence_of(sink, &friends).await
    }

    /// Presence goes to friends only.
    async fn friend_ids(&self) -> Vec<penguin_protocol::UserId> {
        match self.core.friends(&self.caller).await {
            Ok(friends) => friends.into_iter().map(|f| f.user.id).collect(),
            Err(error) => {
                tracing::warn!(%error, "presence: could not list friends");
                Vec::new()
            }
        }
    }

    /// Relays a typing indicator to the other members, at most one per destination per
    /// `TYPING_EVERY`; refused silently when the user may not post there.
    async fn on_typing(&mut self, to: Destination) {
        let now = Instant::now();
        if self
            .typed
            .get(&to)
            .is_some_and(|last| now.duration_since(*last) < TYPING_EVERY)
        {
            return;
        }
        self.typed.insert(to, now);
        let me = self.caller.id();
        let (recipients, group_id) = match to {
            Destination::Direct { user_id } => {
                let allowed = matches!(self.core.are_friends(me, user_id).await, Ok(true))
                    && matches!(self.core.is_blocked_between(me, user_id).await, Ok(false));
                if !allowed {
                    return;
                }
                (vec![user_id], None)
            }
            Destination::Group { group_id } => {
                let Ok(details) = self.core.group_members(&self.caller, group_id).await else {
                    return;
                };
                let members = details
                    .into_iter()
                    .map(|m| m.user.id)
                    .filter(|id| *id != me)
                    .collect();
                (members, Some(group_id))
            }
        };
        self.core.hub.publish(
            &recipients,
            ServerFrame::Typing {
                user_id: me,
                group_id,
            },
        );
    }

    async fn catch_up(
        &mut self,
        sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
        cursors: &[Cursor],
    ) -> Result<(), DomainError> {
        let from = self.core.resume_points(&self.caller, cursors).await?;
        for (conversation, start) in from {
            self.delivered.insert(conversation, start);
            if self
                .send_after(sink, conversation, start, None)
                .await
                .is_err()
            {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Sends the messages of `conversation` after `after` (up to `until`, if given).
    async fn send_after(
        &mut self,
        sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
        conversation: ConversationId,
        mut after: Seq,
        until: Option<Seq>,
    ) -> Result<(), ()> {
        loop {
            let page = self
                .core
                .messages_after(&self.caller, conversation, after, MAX_PAGE)
                .await
                .map_err(|error| tracing::warn!(%error, "reading messages failed"))?;
            let full = page.len() as u64 == MAX_PAGE;
            for message in page {
                if until.is_some_and(|until| message.seq > until) {
                    return Ok(());
                }
                after = message.seq;
                self.delivered.insert(conversation, after);
                send(sink, &ServerFrame::Message { message }).await?;
                self.core
                    .metrics
                    .messages_delivered
                    .fetch_add(1, Ordering::Relaxed);
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// A frame from the hub. The common case, the next message of a conversation this
    /// connection already follows, touches no database and allocates nothing; the
    /// database reads are boxed, so they take no room in the connection's future.
    async fn deliver(
        &mut self,
        sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
        frame: &ServerFrame,
    ) -> Result<(), ()> {
        let ServerFrame::Message { message } = frame else {
            return send(sink, frame).await;
        };
        let conversation = message.conversation_id;
        let delivered = match self.delivered.get(&conversation) {
            Some(seq) => *seq,
            // A conversation new to this connection: start at the read position.
            None => Box::pin(self.core.read_position(&self.caller, conversation))
                .await
                .unwrap_or(message.seq - 1),
        };
        if message.seq <= delivered {
            return Ok(());
        }
        if message.seq > delivered + 1 {
            return Box::pin(self.send_after(sink, conversation, delivered, Some(message.seq)))
                .await;
        }
        self.delivered.insert(conversation, message.seq);
        send(sink, frame).await?;
        let metrics = &self.core.metrics;
        metrics.messages_delivered.fetch_add(1, Ordering::Relaxed);
        // From the commit (the server's clock stamped `sent_at`) to the socket.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let age = now - message.sent_at;
        metrics
            .delivery_latency
            .observe(Duration::from_millis(u64::try_from(age).unwrap_or(0)));
        Ok(())
    }

    async fn on_frame(
        &mut self,
        sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
        text: &str,
        in_flight: &mut InFlight,
    ) -> Result<(), End> {
        let frame: ClientFrame = match serde_json::from_str(text) {
            Ok(frame) => frame,
            Err(_) => {
                return self
                    .refuse(sink, ErrorCode::BadRequest, None)
                    .await
                    .map_err(|()| End::ClientLeft);
            }
        };
        match frame {
            ClientFrame::Hello { .. } => self.refuse(sink, ErrorCode::BadRequest, None).await,
            ClientFrame::Typing { to } => {
                self.on_typing(to).await;
                Ok(())
            }
            ClientFrame::Send {
                client_id,
                to,
                body,
            } => {
                // Rate limits are the domain's: per user, shared with HTTP sends.
                match self
                    .core
                    .queue_post(&self.caller, to, &client_id, &body)
                    .await
                {
                    Ok(queued) => {
                        let published = tokio::spawn(queued.published().in_current_span());
                        in_flight.push_back(published.map(|outcome| (client_id, outcome)).boxed());
                    }
                    // Behind the sends before it, so answers keep the order of the sends.
                    Err(error) => {
                        in_flight.push_back(
                            futures_util::future::ready((client_id, Ok(Err(error)))).boxed(),
                        );
                    }
                }
                Ok(())
            }
            ClientFrame::MarkRead {
                conversation_id,
                seq,
            } => match self
                .core
                .mark_read(&self.caller, conversation_id, seq)
                .await
            {
                // The domain tells every device of the user, this one included.
                Ok(_) => Ok(()),
                Err(error) => self.refuse(sink, error.code(), None).await,
            },
        }
        .map_err(|()| End::ClientLeft)
    }

    /// The `ack` of a queued send, or why it failed.
    async fn answer_send(
        &self,
        sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
        client_id: String,
        outcome: Result<Result<SendAck, DomainError>, tokio::task::JoinError>,
    ) -> Result<(), ()> {
        match outcome {
            Ok(Ok(ack)) => send(sink, &ServerFrame::Ack { ack }).await,
            Ok(Err(error)) => {
                if !error.is_refusal() {
                    tracing::error!(%error, "send failed");
                }
                self.refuse(sink, error.code(), Some(client_id)).await
            }
            Err(panicked) => {
                tracing::error!(%panicked, "a send's task failed");
                self.refuse(sink, ErrorCode::Internal, Some(client_id))
                    .await
            }
        }
    }

    async fn refuse(
        &self,
        sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
        code: ErrorCode,
        client_id: Option<String>,
    ) -> Result<(), ()> {
        let frame = ServerFrame::Error {
            code,
            message: code.message(self.locale).to_owned(),
            client_id,
        };
        send(sink, &frame).await
    }
}

/// Sends one frame. A client that has not taken it within [`WRITE_TIMEOUT`] (its TCP
/// window and our bounded buffers are full: it stopped reading) counts as gone, so a
/// stalled reader can neither hold its connection task nor grow the server's memory.
async fn send(
    sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
    frame: &ServerFrame,
) -> Result<(), ()> {
    let json = serde_json::to_string(frame).map_err(|_| ())?;
    match timeout(WRITE_TIMEOUT, sink.send(WsMessage::Text(json.into()))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(()),
        Err(_) => {
            tracing::warn!("a client stopped reading: disconnected");
            Err(())
        }
    }
}
