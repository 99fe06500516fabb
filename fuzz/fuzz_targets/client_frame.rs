//! The server's frame decoder (server/src/ws.rs), on arbitrary bytes and on frames built
//! from them.
//!
//! Invariants:
//! - decoding never panics; `from_slice` and `from_str` agree; invalid UTF-8 and
//!   anything over `MAX_FRAME_BYTES` is refused;
//! - an accepted frame written again decodes to itself, also in its most-escaped
//!   spelling, and uses only the frame types and destination kinds of docs/PROTOCOL.md;
//! - a `send` the server accepts (valid client id, body within the default limit), even
//!   grown to the longest client id and body the rules allow (the body's characters
//!   repeated, and its widest one alone repeated) and spelled with every character
//!   escaped, fits in `MAX_FRAME_BYTES` and decodes to the same frame: no valid
//!   message is ever refused for its size.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use penguin_fuzz::{
    CLIENT_FRAME_TYPES, arbitrary_client_frame, assert_documented_names, assert_readers_agree,
    assert_round_trip, cycle_to, escape_all, server_decode,
};
use penguin_protocol::frames::MAX_FRAME_BYTES;
use penguin_protocol::messages::{DEFAULT_MAX_MESSAGE_CHARS, MAX_CLIENT_ID_CHARS};
use penguin_protocol::{ClientFrame, Destination, rules};

fuzz_target!(|data: &[u8]| {
    // 1. The bytes as a WebSocket text message.
    if data.len() <= MAX_FRAME_BYTES {
        assert_readers_agree::<ClientFrame>(data);
    } else {
        assert!(
            server_decode(data).is_none(),
            "an oversized frame was decoded"
        );
    }
    if let Some(frame) = server_decode(data) {
        check(&frame);
    }
    // 2. The same bytes as the recipe for a frame a client could build.
    if let Ok(frame) = arbitrary_client_frame(&mut Unstructured::new(data)) {
        check(&frame);
    }
});

fn check(frame: &ClientFrame) {
    let tree = assert_round_trip(frame);
    assert_documented_names(&tree, CLIENT_FRAME_TYPES);
    let json = serde_json::to_string(frame).unwrap();
    assert_eq!(server_decode(json.as_bytes()).as_ref(), Some(frame));
    if let ClientFrame::Send {
        client_id, body, ..
    } = frame
    {
        let valid = rules::client_id(client_id).is_ok()
            && rules::message_body(body, DEFAULT_MAX_MESSAGE_CHARS).is_ok();
        if valid {
            assert_largest_fits(client_id, body);
            // The body's longest-to-escape visible character, as many times as allowed.
            let widest = body
                .chars()
                .filter(|c| !c.is_whitespace())
                .max_by_key(|c| c.len_utf16())
                .expect("a valid body has a visible character");
            assert_largest_fits(client_id, &widest.to_string());
        }
    }
}

/// The send grown to the longest it may be, built from the same characters.
fn assert_largest_fits(client_id: &str, body: &str) {
    let largest = ClientFrame::Send {
        client_id: cycle_to(client_id, MAX_CLIENT_ID_CHARS),
        // The longest number an id can be spelled with.
        to: Destination::Direct { user_id: i64::MIN },
        body: cycle_to(body, DEFAULT_MAX_MESSAGE_CHARS),
    };
    let ClientFrame::Send {
        client_id, body, ..
    } = &largest
    else {
        unreachable!()
    };
    assert_eq!(rules::client_id(client_id), Ok(()), "{client_id:?}");
    assert_eq!(
        rules::message_body(body, DEFAULT_MAX_MESSAGE_CHARS),
        Ok(()),
        "a valid body repeated to the limit is valid"
    );
    let escaped = escape_all(&serde_json::to_value(&largest).unwrap());
    assert!(
        escaped.len() <= MAX_FRAME_BYTES,
        "a valid send takes {} bytes, over the {MAX_FRAME_BYTES}-byte frame limit",
        escaped.len()
    );
    assert_eq!(server_decode(escaped.as_bytes()), Some(largest));
}
