//! A real WebSocket client (tokio-tungstenite) of any Penguin server by its base URL.

use futures_util::{SinkExt, StreamExt};
use penguin_protocol::frames::FRAME_VERSION;
use penguin_protocol::{ClientFrame, Cursor, Message, ServerFrame, UserId};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One connected device.
pub struct Socket {
    pub ws: Ws,
    /// Frames read during the handshake other than messages (presence, say): `next`
    /// returns them first.
    pending: std::collections::VecDeque<ServerFrame>,
}

impl Socket {
    /// Connects to `base` with `session` from the site's own origin, says hello with
    /// `cursors`, and reads up to `caught_up`; the socket and the caught-up messages.
    /// `Err` when the server cannot be reached or refuses.
    pub async fn connect(
        base: &str,
        session: &str,
        user_id: UserId,
        cursors: Vec<Cursor>,
    ) -> Result<(Self, Vec<Message>), String> {
        let url = format!("{}/ws", base.replace("http://", "ws://"));
        let mut request = url.into_client_request().map_err(|e| e.to_string())?;
        let headers = request.headers_mut();
        headers.insert(
            "cookie",
            format!("penguin_session={session}").parse().unwrap(),
        );
        headers.insert("origin", base.parse().unwrap());
        let (ws, _) = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(request),
        )
        .await
        .map_err(|_| "handshake timed out".to_owned())?
        .map_err(|e| e.to_string())?;
        let mut socket = Self {
            ws,
            pending: Default::default(),
        };
        socket
            .send(&ClientFrame::Hello {
                v: FRAME_VERSION,
                cursors,
            })
            .await?;
        match socket.next().await? {
            ServerFrame::Welcome { user_id: id, .. } if id == user_id => {}
            other => return Err(format!("expected welcome, got {other:?}")),
        }
        let mut caught_up = Vec::new();
        let mut other = Vec::new();
        loop {
            match socket.next().await? {
                ServerFrame::Message { message } => caught_up.push(message),
                ServerFrame::CaughtUp => break,
                frame => other.push(frame),
            }
        }
        socket.pending.extend(other);
        Ok((socket, caught_up))
    }

    pub async fn send(&mut self, frame: &ClientFrame) -> Result<(), String> {
        let text = serde_json::to_string(frame).unwrap();
        self.ws
            .send(WsMessage::text(text))
            .await
            .map_err(|e| e.to_string())
    }

    /// The next frame (skipping pings) within 15 s; `Err` when the connection ended.
    pub async fn next(&mut self) -> Result<ServerFrame, String> {
        self.next_within(Duration::from_secs(15))
            .await?
            .ok_or_else(|| "no frame within 15 s".to_owned())
    }

    /// The next frame within `wait`, `Ok(None)` when none came.
    pub async fn next_within(&mut self, wait: Duration) -> Result<Option<ServerFrame>, String> {
        if let Some(frame) = self.pending.pop_front() {
            return Ok(Some(frame));
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let Ok(next) = tokio::time::timeout_at(deadline, self.ws.next()).await else {
                return Ok(None);
            };
            match next {
                Some(Ok(WsMessage::Text(text))) => {
                    return serde_json::from_str(&text)
                        .map(Some)
                        .map_err(|e| format!("not a server frame: {e}: {text}"));
                }
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
                Some(Ok(other)) => return Err(format!("the connection ended: {other:?}")),
                Some(Err(error)) => return Err(error.to_string()),
                None => return Err("the connection ended".to_owned()),
            }
        }
    }

    /// Frames until one matches `want` (others are skipped), within 15 s.
    pub async fn until<T>(&mut self, mut want: impl FnMut(ServerFrame) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Ok(Some(frame)) => {
                    if let Some(found) = want(frame) {
                        return found;
                    }
                }
                Ok(None) => panic!("the awaited frame did not come within 15 s"),
                Err(error) => panic!("{error}"),
            }
        }
    }
}
