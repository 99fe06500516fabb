//! The browser's frame decoder (app/src/realtime/socket.rs) and the long-polling answer
//! (`POST /api/poll`, a JSON array of the same frames), on arbitrary bytes and on frames
//! built from them.
//!
//! Invariants:
//! - decoding never panics; `from_slice` and `from_str` agree;
//! - an accepted frame (or list of frames) written again decodes to itself, also in its
//!   most-escaped spelling;
//! - every frame the server can build (any ids, any text in bodies, client ids and error
//!   messages, every error code) is written with the frame types of docs/PROTOCOL.md,
//!   absent optional fields are left out (not `null`), and the browser decodes it to the
//!   same frame.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use penguin_fuzz::{
    SERVER_FRAME_TYPES, arbitrary_server_frame, assert_documented_names, assert_readers_agree,
    assert_round_trip, browser_decode,
};
use penguin_protocol::ServerFrame;

fuzz_target!(|data: &[u8]| {
    // 1. The bytes as a WebSocket text message, or as a poll answer.
    assert_readers_agree::<ServerFrame>(data);
    assert_readers_agree::<Vec<ServerFrame>>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(frame) = browser_decode(text) {
            check(&frame);
        }
        if let Ok(frames) = serde_json::from_str::<Vec<ServerFrame>>(text) {
            assert_round_trip(&frames);
            frames.iter().for_each(check);
        }
    }
    // 2. The same bytes as the recipe for a frame the server could send.
    if let Ok(frame) = arbitrary_server_frame(&mut Unstructured::new(data)) {
        check(&frame);
    }
});

fn check(frame: &ServerFrame) {
    let tree = assert_round_trip(frame);
    assert_documented_names(&tree, SERVER_FRAME_TYPES);
    for optional in ["group_id", "client_id"] {
        assert_ne!(
            tree.get(optional),
            Some(&serde_json::Value::Null),
            "{optional}: null is sent"
        );
    }
    let json = serde_json::to_string(frame).unwrap();
    assert_eq!(browser_decode(&json).as_ref(), Some(frame));
}
