//! Event-stream frames for target (b): splitting a body into frames, building frames, and
//! the edits a fuzz case applies to them (cuts, truncations, corrupted preludes and CRCs,
//! exceptions of known and unknown types, mutated chunk payloads).

use crate::mutate::{JsonOp, Tail, apply_tail, json_op, junk, mutate_json, nasty_string, tail};
use aws_smithy_eventstream::frame::{read_message_from, write_message_to};
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use base64::Engine;
use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Splits an event-stream body into its frames (by each prelude's total length).
pub(crate) fn split_frames(mut body: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while body.len() >= 4 {
        let total = u32::from_be_bytes([body[0], body[1], body[2], body[3]]) as usize;
        if total < 16 || total > body.len() {
            break;
        }
        out.push(body[..total].to_vec());
        body = &body[total..];
    }
    out
}

pub(crate) fn encode(message: &Message) -> Vec<u8> {
    let mut out = Vec::new();
    write_message_to(message, &mut out).expect("a small message encodes");
    out
}

pub(crate) fn string_header(name: &str, value: &str) -> Header {
    Header::new(
        name.to_owned(),
        HeaderValue::String(value.to_owned().into()),
    )
}

/// A frame with string headers and `payload`.
pub(crate) fn frame(headers: &[(&str, &str)], payload: Vec<u8>) -> Vec<u8> {
    let headers = headers
        .iter()
        .map(|(k, v)| string_header(k, v))
        .collect::<Vec<_>>();
    encode(&Message::new_from_parts(headers, Bytes::from(payload)))
}

/// The stream union's exception members, and names it does not have.
pub(crate) fn exception_type() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("modelStreamErrorException".to_owned()),
        Just("internalServerException".to_owned()),
        Just("throttlingException".to_owned()),
        Just("validationException".to_owned()),
        Just("serviceUnavailableException".to_owned()),
        Just("modelTimeoutException".to_owned()),
        Just("ThrottlingException".to_owned()),
        Just("quotaExplodedException".to_owned()),
        "[a-zA-Z]{0,24}",
    ]
}

#[derive(Debug, Clone)]
pub(crate) enum Payload {
    Message(String),
    Full(String, i64),
    Junk(crate::mutate::Junk),
    Bytes(Vec<u8>),
}

impl Payload {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Payload::Message(m) => json!({"message": m}).to_string().into_bytes(),
            Payload::Full(m, status) => {
                json!({"message": m, "originalStatusCode": status, "originalMessage": m})
                    .to_string()
                    .into_bytes()
            }
            Payload::Junk(j) => j.to_value().to_string().into_bytes(),
            Payload::Bytes(b) => b.clone(),
        }
    }
}

pub(crate) fn payload() -> impl Strategy<Value = Payload> {
    prop_oneof![
        3 => nasty_string().prop_map(Payload::Message),
        2 => (nasty_string(), any::<i64>()).prop_map(|(m, s)| Payload::Full(m, s)),
        1 => junk().prop_map(Payload::Junk),
        1 => vec(any::<u8>(), 0..64).prop_map(Payload::Bytes),
    ]
}

/// One edit of a stream; `pick` selects a frame (modulo their number, or one past the last
/// for insertions).
#[derive(Debug, Clone)]
pub(crate) enum FrameOp {
    /// Keeps the frames before `pick` (the stream ends at a frame boundary).
    Cut {
        pick: u16,
    },
    /// Ends the stream inside frame `pick`, after `per_mille` of its bytes.
    Truncate {
        pick: u16,
        per_mille: u16,
    },
    /// XORs one byte of frame `pick` (a bad CRC, or a bad length).
    Flip {
        pick: u16,
        at: u32,
        xor: u8,
    },
    /// Inserts an `exception` frame before frame `pick`.
    Exception {
        pick: u16,
        exception_type: String,
        payload: Payload,
    },
    /// Inserts a `:message-type: error` frame.
    ErrorFrame {
        pick: u16,
        code: String,
        message: String,
    },
    /// Inserts an event of an unknown (or known, out of place) type.
    Event {
        pick: u16,
        event_type: String,
        payload: Payload,
    },
    /// Re-encodes frame `pick` with another `:message-type`.
    MessageType {
        pick: u16,
        to: String,
    },
    /// Re-encodes frame `pick` without one of its headers.
    DropHeader {
        pick: u16,
        header: u8,
    },
    /// Mutates frame `pick`'s JSON (for InvokeModel, the chunk inside the base64 `bytes`),
    /// re-encoded with valid CRCs.
    Payload {
        pick: u16,
        ops: Vec<JsonOp>,
        tail: Tail,
    },
    Duplicate {
        pick: u16,
    },
    Remove {
        pick: u16,
    },
    Swap {
        pick: u16,
    },
    /// Appends bytes after the last frame.
    Garbage {
        bytes: Vec<u8>,
    },
}

pub(crate) fn frame_op() -> impl Strategy<Value = FrameOp> {
    let pick = any::<u16>;
    prop_oneof![
        3 => pick().prop_map(|pick| FrameOp::Cut { pick }),
        3 => (pick(), 0u16..1000).prop_map(|(pick, per_mille)| FrameOp::Truncate { pick, per_mille }),
        3 => (pick(), any::<u32>(), 1u8..=255).prop_map(|(pick, at, xor)| FrameOp::Flip { pick, at, xor }),
        4 => (pick(), exception_type(), payload()).prop_map(|(pick, exception_type, payload)| {
            FrameOp::Exception { pick, exception_type, payload }
        }),
        2 => (pick(), "[a-zA-Z]{0,20}", nasty_string())
            .prop_map(|(pick, code, message)| FrameOp::ErrorFrame { pick, code, message }),
        2 => (
            pick(),
            prop_oneof![
                Just("chunk".to_owned()),
                Just("messageStop".to_owned()),
                Just("metadata".to_owned()),
                Just("contentBlockDelta".to_owned()),
                "[a-zA-Z]{0,16}"
            ],
            payload()
        )
            .prop_map(|(pick, event_type, payload)| FrameOp::Event { pick, event_type, payload }),
        1 => (pick(), prop_oneof![Just("exception".to_owned()), Just("error".to_owned()), "[a-z]{0,8}"])
            .prop_map(|(pick, to)| FrameOp::MessageType { pick, to }),
        1 => (pick(), any::<u8>()).prop_map(|(pick, header)| FrameOp::DropHeader { pick, header }),
        5 => (pick(), vec(json_op(), 1..3), tail())
            .prop_map(|(pick, ops, tail)| FrameOp::Payload { pick, ops, tail }),
        1 => pick().prop_map(|pick| FrameOp::Duplicate { pick }),
        1 => pick().prop_map(|pick| FrameOp::Remove { pick }),
        1 => pick().prop_map(|pick| FrameOp::Swap { pick }),
        1 => vec(any::<u8>(), 1..40).prop_map(|bytes| FrameOp::Garbage { bytes }),
    ]
}

/// A stream as frames plus bytes after them (a truncated frame, garbage).
pub(crate) struct Stream {
    pub(crate) frames: Vec<Vec<u8>>,
    pub(crate) trailer: Vec<u8>,
}

pub(crate) fn index(pick: u16, len: usize) -> Option<usize> {
    (len > 0).then(|| usize::from(pick) % len)
}

/// Re-encodes frame `i` after `edit` on its decoded message; a frame that no longer decodes is
/// left as it is.
pub(crate) fn reencode(
    frame: &[u8],
    edit: impl FnOnce(Vec<Header>, Bytes) -> (Vec<Header>, Bytes),
) -> Vec<u8> {
    match read_message_from(frame) {
        Ok(m) => {
            let (headers, payload) = edit(m.headers().to_vec(), m.payload().clone());
            encode(&Message::new_from_parts(headers, payload))
        }
        Err(_) => frame.to_vec(),
    }
}

/// Mutates a frame's JSON payload; an InvokeModel chunk (`{"bytes": base64}`) has its inner
/// chunk mutated and re-encoded.
pub(crate) fn mutate_payload(payload: &[u8], ops: &[JsonOp], tail: &Tail) -> Vec<u8> {
    let Ok(outer) = serde_json::from_slice::<Value>(payload) else {
        return apply_tail(payload.to_vec(), tail);
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    if let Some(inner) = outer
        .get("bytes")
        .and_then(Value::as_str)
        .and_then(|s| b64.decode(s).ok())
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    {
        let mutated = apply_tail(serde_json::to_vec(&mutate_json(&inner, ops)).unwrap(), tail);
        let mut outer = outer;
        outer["bytes"] = Value::String(b64.encode(mutated));
        return outer.to_string().into_bytes();
    }
    apply_tail(serde_json::to_vec(&mutate_json(&outer, ops)).unwrap(), tail)
}

pub(crate) fn apply(stream: &mut Stream, op: &FrameOp) {
    let n = stream.frames.len();
    match op {
        FrameOp::Cut { pick } => {
            stream.frames.truncate(usize::from(*pick) % (n + 1));
            stream.trailer.clear();
        }
        FrameOp::Truncate { pick, per_mille } => {
            if let Some(i) = index(*pick, n) {
                let f = &stream.frames[i];
                let keep = f.len() * usize::from(*per_mille) / 1000;
                stream.trailer = f[..keep].to_vec();
                stream.frames.truncate(i);
            }
        }
        FrameOp::Flip { pick, at, xor } => {
            if let Some(i) = index(*pick, n) {
                let f = &mut stream.frames[i];
                let at = *at as usize % f.len();
                f[at] ^= xor;
            }
        }
        FrameOp::Exception {
            pick,
            exception_type,
            payload,
        } => {
            let f = frame(
                &[
                    (":exception-type", exception_type),
                    (":content-type", "application/json"),
                    (":message-type", "exception"),
                ],
                payload.bytes(),
            );
            stream.frames.insert(usize::from(*pick) % (n + 1), f);
        }
        FrameOp::ErrorFrame {
            pick,
            code,
            message,
        } => {
            let f = frame(
                &[
                    (":error-code", code),
                    (":error-message", message),
                    (":message-type", "error"),
                ],
                Vec::new(),
            );
            stream.frames.insert(usize::from(*pick) % (n + 1), f);
        }
        FrameOp::Event {
            pick,
            event_type,
            payload,
        } => {
            let f = frame(
                &[
                    (":event-type", event_type),
                    (":content-type", "application/json"),
                    (":message-type", "event"),
                ],
                payload.bytes(),
            );
            stream.frames.insert(usize::from(*pick) % (n + 1), f);
        }
        FrameOp::MessageType { pick, to } => {
            if let Some(i) = index(*pick, n) {
                stream.frames[i] = reencode(&stream.frames[i], |headers, payload| {
                    let headers = headers
                        .into_iter()
                        .map(|h| {
                            if h.name().as_str() == ":message-type" {
                                string_header(":message-type", to)
                            } else {
                                h
                            }
                        })
                        .collect();
                    (headers, payload)
                });
            }
        }
        FrameOp::DropHeader { pick, header } => {
            if let Some(i) = index(*pick, n) {
                stream.frames[i] = reencode(&stream.frames[i], |mut headers, payload| {
                    if !headers.is_empty() {
                        let h = usize::from(*header) % headers.len();
                        headers.remove(h);
                    }
                    (headers, payload)
                });
            }
        }
        FrameOp::Payload { pick, ops, tail } => {
            if let Some(i) = index(*pick, n) {
                stream.frames[i] = reencode(&stream.frames[i], |headers, payload| {
                    (headers, Bytes::from(mutate_payload(&payload, ops, tail)))
                });
            }
        }
        FrameOp::Duplicate { pick } => {
            if let Some(i) = index(*pick, n) {
                let f = stream.frames[i].clone();
                stream.frames.insert(i, f);
            }
        }
        FrameOp::Remove { pick } => {
            if let Some(i) = index(*pick, n) {
                stream.frames.remove(i);
            }
        }
        FrameOp::Swap { pick } => {
            if let Some(i) = index(*pick, n)
                && i + 1 < n
            {
                stream.frames.swap(i, i + 1);
            }
        }
        FrameOp::Garbage { bytes } => stream.trailer.extend_from_slice(bytes),
    }
}

pub(crate) fn render(stream: &Stream) -> Vec<u8> {
    let mut out: Vec<u8> = stream.frames.concat();
    out.extend_from_slice(&stream.trailer);
    out
}
