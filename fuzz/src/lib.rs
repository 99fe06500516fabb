//! What the fuzz targets share: the decoders exactly as the server and the browser call
//! them, the round-trip check, the wire names docs/PROTOCOL.md documents, the longest
//! legal encoding of a frame, and frames built from fuzz input (the structured half of
//! each target, so that every variant is exercised from the first run on).

use libfuzzer_sys::arbitrary::{Arbitrary, Result, Unstructured};
use penguin_protocol::frames::MAX_FRAME_BYTES;
use penguin_protocol::{
    ClientFrame, Cursor, Destination, ErrorCode, Message, SendAck, ServerFrame,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt::{Debug, Write};

/// The `type` of every client frame (docs/PROTOCOL.md).
pub const CLIENT_FRAME_TYPES: &[&str] = &["hello", "send", "typing", "mark_read"];
/// The `type` of every server frame (docs/PROTOCOL.md).
pub const SERVER_FRAME_TYPES: &[&str] = &[
    "welcome",
    "message",
    "caught_up",
    "ack",
    "read",
    "presence",
    "typing",
    "error",
];
/// The `kind` of a destination (`to`).
pub const DESTINATION_KINDS: &[&str] = &["direct", "group"];

/// A WebSocket message as server/src/ws.rs reads it: the socket refuses anything over
/// `MAX_FRAME_BYTES` before it is buffered (`max_message_size`), a text message is UTF-8
/// or the connection fails, and the text goes to `serde_json::from_str`. `None`: refused.
pub fn server_decode(bytes: &[u8]) -> Option<ClientFrame> {
    if bytes.len() > MAX_FRAME_BYTES {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    serde_json::from_str(text).ok()
}

/// A frame as the browser reads it (app/src/realtime/socket.rs: `from_str` of the text).
pub fn browser_decode(text: &str) -> Option<ServerFrame> {
    serde_json::from_str(text).ok()
}

/// Decoding the same bytes with `from_slice` (what a bot or the benchmark may call) and
/// with `from_str` (the server and the browser) gives the same answer.
pub fn assert_readers_agree<T: DeserializeOwned + PartialEq + Debug>(bytes: &[u8]) {
    let from_slice = serde_json::from_slice::<T>(bytes).ok();
    if let Ok(text) = std::str::from_utf8(bytes) {
        let from_str = serde_json::from_str::<T>(text).ok();
        assert_eq!(from_slice, from_str, "from_slice and from_str disagree");
    } else {
        // serde_json refuses invalid UTF-8 inside strings; outside them it is a syntax
        // error anyway. Nothing that is not UTF-8 is a frame.
        assert!(from_slice.is_none(), "from_slice accepted invalid UTF-8");
    }
}

/// A decoded value written again reads back as itself, and writing is stable (the
/// second encoding is byte for byte the first): nothing is lost or invented on the way.
/// Also checks that the most-escaped spelling of the same JSON reads back as the value.
pub fn assert_round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) -> Value {
    let json = serde_json::to_string(value).expect("a decoded value serializes");
    let again: T = serde_json::from_str(&json).expect("its own encoding decodes");
    assert_eq!(&again, value, "round trip changed the value: {json}");
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        json,
        "the encoding is not stable"
    );
    let tree: Value = serde_json::from_str(&json).unwrap();
    let escaped = escape_all(&tree);
    let from_escaped: T = serde_json::from_str(&escaped).expect("the escaped spelling decodes");
    assert_eq!(
        &from_escaped, value,
        "escaping changed the value: {escaped}"
    );
    tree
}

/// `tree["type"]` is one of `names`, and so is every nested destination's `kind`.
pub fn assert_documented_names(tree: &Value, types: &[&str]) {
    let tag = tree["type"].as_str().expect("a frame has a string `type`");
    assert!(types.contains(&tag), "undocumented frame type {tag:?}");
    if let Some(to) = tree.get("to") {
        let kind = to["kind"]
            .as_str()
            .expect("a destination has a string `kind`");
        assert!(
            DESTINATION_KINDS.contains(&kind),
            "undocumented kind {kind:?}"
        );
    }
}

/// The same JSON with every character of every string (keys too) written as a `\u`
/// escape, supplementary characters as surrogate pairs: the longest spelling a client
/// may send of a frame, short of padding it with whitespace.
pub fn escape_all(value: &Value) -> String {
    let mut out = String::new();
    write_escaped(value, &mut out);
    out
}

fn write_escaped(value: &Value, out: &mut String) {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => out.push_str(&value.to_string()),
        Value::String(s) => escape_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_escaped(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                escape_string(key, out);
                out.push(':');
                write_escaped(item, out);
            }
            out.push('}');
        }
    }
}

fn escape_string(s: &str, out: &mut String) {
    out.push('"');
    let mut units = [0u16; 2];
    for c in s.chars() {
        for unit in c.encode_utf16(&mut units) {
            write!(out, "\\u{unit:04x}").unwrap();
        }
    }
    out.push('"');
}

/// `text`'s characters repeated until there are `chars` of them (`text` not empty).
pub fn cycle_to(text: &str, chars: usize) -> String {
    text.chars().cycle().take(chars).collect()
}

fn destination(u: &mut Unstructured) -> Result<Destination> {
    Ok(if bool::arbitrary(u)? {
        Destination::Direct {
            user_id: u.arbitrary()?,
        }
    } else {
        Destination::Group {
            group_id: u.arbitrary()?,
        }
    })
}

/// Any client frame a client could build.
pub fn arbitrary_client_frame(u: &mut Unstructured) -> Result<ClientFrame> {
    Ok(match u.choose_index(4)? {
        0 => ClientFrame::Hello {
            v: u.arbitrary()?,
            cursors: u
                .arbitrary_iter::<(i64, i64)>()?
                .map(|pair| {
                    pair.map(|(conversation_id, seq)| Cursor {
                        conversation_id,
                        seq,
                    })
                })
                .collect::<Result<_>>()?,
        },
        1 => ClientFrame::Send {
            client_id: u.arbitrary()?,
            to: destination(u)?,
            body: u.arbitrary()?,
        },
        2 => ClientFrame::Typing {
            to: destination(u)?,
        },
        _ => ClientFrame::MarkRead {
            conversation_id: u.arbitrary()?,
            seq: u.arbitrary()?,
        },
    })
}

/// Any server frame the server could build.
pub fn arbitrary_server_frame(u: &mut Unstructured) -> Result<ServerFrame> {
    Ok(match u.choose_index(8)? {
        0 => ServerFrame::Welcome {
            v: u.arbitrary()?,
            user_id: u.arbitrary()?,
        },
        1 => ServerFrame::Message {
            message: Message {
                conversation_id: u.arbitrary()?,
                seq: u.arbitrary()?,
                sender_id: u.arbitrary()?,
                client_id: u.arbitrary()?,
                body: u.arbitrary()?,
                sent_at: u.arbitrary()?,
            },
        },
        2 => ServerFrame::CaughtUp,
        3 => ServerFrame::Ack {
            ack: SendAck {
                client_id: u.arbitrary()?,
                conversation_id: u.arbitrary()?,
                seq: u.arbitrary()?,
                sent_at: u.arbitrary()?,
            },
        },
        4 => ServerFrame::Read {
            conversation_id: u.arbitrary()?,
            seq: u.arbitrary()?,
        },
        5 => ServerFrame::Presence {
            user_id: u.arbitrary()?,
            online: u.arbitrary()?,
        },
        6 => ServerFrame::Typing {
            user_id: u.arbitrary()?,
            group_id: u.arbitrary()?,
        },
        _ => ServerFrame::Error {
            code: *u.choose(ErrorCode::ALL)?,
            message: u.arbitrary()?,
            client_id: u.arbitrary()?,
        },
    })
}
