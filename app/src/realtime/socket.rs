//! The WebSocket itself (browser only). One connection at a time per tab, kept in a
//! thread-local (the browser has one thread); reconnects with exponential backoff and
//! jitter, says `hello` with its cursors and resends what is not acknowledged. After
//! [`FAILS_BEFORE_POLLING`] attempts in a row that never reach `welcome` (or at once when
//! the browser refuses to create a WebSocket), the tab switches to long polling
//! (`poll.rs`) and keeps trying the socket every few minutes in the background.

use super::{ConnectionState, Followup, Realtime, Transport, poll};
use crate::api;
use leptos::prelude::*;
use leptos::serde_json;
use leptos::task::spawn_local;
use penguin_protocol::frames::FRAME_VERSION;
use penguin_protocol::{ClientFrame, Destination, ServerFrame};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// How long a typing indicator stays after the last `typing` frame.
const TYPING_SHOWN: Duration = Duration::from_secs(4);
/// The shortest interval between two `typing` frames from this tab.
const TYPING_EVERY_MS: f64 = 3000.0;
const BACKOFF_FIRST_MS: f64 = 500.0;
const BACKOFF_MAX_MS: f64 = 30_000.0;
/// Attempts in a row that end before `welcome` (while the browser is online) after which
/// the tab falls back to long polling.
const FAILS_BEFORE_POLLING: u32 = 3;
/// While long polling, the socket is tried again after 2 to 3 minutes.
const SOCKET_RETRY_WHILE_POLLING_MS: f64 = 120_000.0;

type Listener = Closure<dyn FnMut(Event)>;

struct Connection {
    ws: WebSocket,
    _on_open: Listener,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Connection {
    /// Closes without telling anyone (its handlers are detached first).
    fn shut(self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

thread_local! {
    static CONNECTION: RefCell<Option<Connection>> = const { RefCell::new(None) };
    /// Failed attempts since the last `welcome`.
    static ATTEMPT: Cell<u32> = const { Cell::new(0) };
    /// Connections in a row that closed before `welcome` while the browser was online.
    static FAILS: Cell<u32> = const { Cell::new(0) };
    /// Bumped by every start and stop: timers and handlers of an older one do nothing.
    static SESSION: Cell<u64> = const { Cell::new(0) };
    static LAST_TYPING: RefCell<Option<(Destination, f64)>> = const { RefCell::new(None) };
    /// The browser's `offline` / `online` listeners, installed by the first start.
    static NETWORK_LISTENERS: RefCell<Option<[Listener; 2]>> = const { RefCell::new(None) };
    /// A `conversations()` lookup is under way.
    static LOOKING_UP: Cell<bool> = const { Cell::new(false) };
}

/// Connects for the user now signed in.
pub(super) fn start(realtime: Realtime) {
    let session = SESSION.with(|s| {
        s.set(s.get() + 1);
        s.get()
    });
    ATTEMPT.with(|a| a.set(0));
    FAILS.with(|f| f.set(0));
    listen_to_network(realtime);
    open(realtime, session);
}

/// When the browser says the network is gone, drop the socket at once (it could hang
/// until the server's timeout) and show it; when it is back, connect without waiting
/// for the backoff.
fn listen_to_network(realtime: Realtime) {
    if NETWORK_LISTENERS.with(|l| l.borrow().is_some()) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_offline = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        if realtime.state.get_untracked() == ConnectionState::Idle {
            return;
        }
        if let Some(old) = CONNECTION.with(|c| c.borrow_mut().take()) {
            old.shut();
        }
        realtime.state.set(ConnectionState::Reconnecting);
        retry_later(realtime, SESSION.with(|s| s.get()));
    });
    let on_online = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        if realtime.state.get_untracked() != ConnectionState::Idle && !connected() {
            ATTEMPT.with(|a| a.set(0));
            open(realtime, SESSION.with(|s| s.get()));
        }
    });
    let _ = window.add_event_listener_with_callback("offline", on_offline.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    NETWORK_LISTENERS.with(|l| *l.borrow_mut() = Some([on_offline, on_online]));
}

/// Connects now rather than after the backoff (the user pressed Retry); a no-op while
/// a socket is open or opening, or while long polling (which retries on its own).
pub(super) fn reconnect_now(realtime: Realtime) {
    if realtime.state.get_untracked() == ConnectionState::Idle || connected() || polling(realtime) {
        return;
    }
    ATTEMPT.with(|a| a.set(0));
    open(realtime, SESSION.with(|s| s.get()));
}

/// A socket is open or opening.
fn connected() -> bool {
    CONNECTION.with(|c| {
        c.borrow().as_ref().is_some_and(|connection| {
            matches!(
                connection.ws.ready_state(),
                WebSocket::OPEN | WebSocket::CONNECTING
            )
        })
    })
}

/// Disconnects (sign-out); pending timers become no-ops.
pub(super) fn stop() {
    SESSION.with(|s| s.set(s.get() + 1));
    if let Some(old) = CONNECTION.with(|c| c.borrow_mut().take()) {
        old.shut();
    }
}

pub(super) fn current(session: u64) -> bool {
    SESSION.with(|s| s.get()) == session
}

/// The session now (see [`SESSION`]).
pub(super) fn session() -> u64 {
    SESSION.with(|s| s.get())
}

/// The browser believes it has a network (a failure without one says nothing about
/// proxies).
fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn polling(realtime: Realtime) -> bool {
    realtime.transport.get_untracked() == Transport::LongPolling
}

/// Applies one frame from the server, whichever transport brought it, and does what it
/// asks for except the socket's own resend after `welcome`. Answers whether it was
/// `welcome`.
pub(super) fn deliver(realtime: Realtime, frame: ServerFrame) -> bool {
    match realtime.receive(frame) {
        Followup::None => {}
        Followup::Welcomed => return true,
        Followup::LookUpConversations => look_up_conversations(realtime),
        Followup::Typing(key, token) => set_timeout(
            move || {
                realtime.typing.update(|map| {
                    if map.get(&key) == Some(&token) {
                        map.remove(&key);
                    }
                })
            },
            TYPING_SHOWN,
        ),
    }
    false
}

fn open(realtime: Realtime, session: u64) {
    if !current(session) {
        return;
    }
    // Replaced from a timer or an Effect, never from the old socket's own handlers.
    if let Some(old) = CONNECTION.with(|c| c.borrow_mut().take()) {
        old.shut();
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss",
        _ => "ws",
    };
    let host = location.host().unwrap_or_default();
    let ws = match WebSocket::new(&format!("{scheme}://{host}/ws")) {
        Ok(ws) => ws,
        Err(_) => {
            // The browser will not even try (a policy, a blocked scheme): poll at once.
            if !polling(realtime) {
                poll::start(realtime);
            }
            retry_later(realtime, session);
            return;
        }
    };
    // Whether this connection reached `welcome`.
    let welcomed = Rc::new(Cell::new(false));
    let welcomed_seen = Rc::clone(&welcomed);
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        if current(session) {
            send_frame(&ClientFrame::Hello {
                v: FRAME_VERSION,
                cursors: realtime.cursors(),
            });
        }
    });
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if !current(session) {
            return;
        }
        let Some(text) = event.data().as_string() else {
            return;
        };
        let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) else {
            return;
        };
        if deliver(realtime, frame) {
            welcomed_seen.set(true);
            ATTEMPT.with(|a| a.set(0));
            FAILS.with(|f| f.set(0));
            if polling(realtime) {
                // The socket works again: back to it (it caught up through `hello`).
                poll::stop();
                realtime.transport.set(Transport::WebSocket);
            }
            for pending in realtime.pending.get_untracked() {
                if pending.failed.is_none() {
                    send_frame(&pending.frame());
                }
            }
        }
    });
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| {
        if !current(session) {
            return;
        }
        if !welcomed.get() && browser_online() {
            FAILS.with(|f| f.set(f.get().saturating_add(1)));
        }
        if !polling(realtime) {
            if FAILS.with(|f| f.get()) >= FAILS_BEFORE_POLLING {
                poll::start(realtime);
            } else {
                realtime.state.set(ConnectionState::Reconnecting);
            }
        }
        retry_later(realtime, session);
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    CONNECTION.with(|c| {
        *c.borrow_mut() = Some(Connection {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    });
}

/// Exponential backoff: 0.5 s doubling up to 30 s, each wait between half and all of it;
/// while long polling, a new try every 2 to 3 minutes.
fn retry_later(realtime: Realtime, session: u64) {
    let attempt = ATTEMPT.with(|a| {
        let n = a.get();
        a.set(n.saturating_add(1));
        n
    });
    let random = web_sys::js_sys::Math::random();
    let wait = if polling(realtime) {
        SOCKET_RETRY_WHILE_POLLING_MS * (1.0 + 0.5 * random)
    } else {
        let ceiling = (BACKOFF_FIRST_MS * 2f64.powi(attempt.min(16) as i32)).min(BACKOFF_MAX_MS);
        ceiling * (0.5 + 0.5 * random)
    };
    set_timeout(
        move || {
            // The `online` event may have connected meanwhile.
            if !connected() {
                open(realtime, session)
            }
        },
        Duration::from_millis(wait as u64),
    );
}

/// `conversations()` into the store; one request at a time (later asks while one is
/// under way are answered by it).
pub(super) fn look_up_conversations(realtime: Realtime) {
    if LOOKING_UP.with(|l| l.replace(true)) {
        return;
    }
    spawn_local(async move {
        if let Ok(summaries) = api::conversations().await {
            realtime.learn_conversations(&summaries);
        }
        LOOKING_UP.with(|l| l.set(false));
    });
}

/// Sends `frame` if the socket is open; answers whether it went out.
pub(super) fn send_frame(frame: &ClientFrame) -> bool {
    let Ok(text) = serde_json::to_string(frame) else {
        return false;
    };
    CONNECTION.with(|c| match &*c.borrow() {
        Some(connection) if connection.ws.ready_state() == WebSocket::OPEN => {
            connection.ws.send_with_str(&text).is_ok()
        }
        _ => false,
    })
}

/// A `typing` frame to `to`, at most every few seconds.
pub(super) fn send_typing(to: Destination) {
    let now = web_sys::js_sys::Date::now();
    let due = LAST_TYPING.with(|last| match *last.borrow() {
        Some((dest, at)) => dest != to || now - at >= TYPING_EVERY_MS,
        None => true,
    });
    if due && send_frame(&ClientFrame::Typing { to }) {
        LAST_TYPING.with(|last| *last.borrow_mut() = Some((to, now)));
    }
}

/// A random client id: 32 hex digits from the browser's cryptographic generator (which,
/// unlike `crypto.randomUUID`, works outside secure contexts too).
pub(super) fn new_client_id() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for byte in &mut bytes {
            *byte = (web_sys::js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
