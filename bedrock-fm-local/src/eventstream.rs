//! `application/vnd.amazon.eventstream`: the binary framing of Bedrock's response streams,
//! written with `aws-smithy-eventstream` (the SDK's own codec: prelude, headers, both CRCs).
//!
//! The server only writes string headers: `:event-type` or `:exception-type`,
//! `:content-type: application/json` and `:message-type`, in that order, as Bedrock does.

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use bytes::Bytes;

/// The content type of an event stream body.
pub(crate) const CONTENT_TYPE: &str = "application/vnd.amazon.eventstream";

/// Encodes one message.
fn encode(message: &Message) -> Bytes {
    let mut out = Vec::with_capacity(64 + message.payload().len());
    // Our header names and values are short protocol constants and payloads are far below
    // the 4 GiB frame limit, so writing cannot fail.
    write_message_to(message, &mut out).expect("event-stream message within protocol limits");
    Bytes::from(out)
}

fn string_headers(first: (&'static str, &str), message_type: &'static str) -> Vec<Header> {
    vec![
        Header::new(first.0, HeaderValue::String(first.1.to_owned().into())),
        Header::new(
            ":content-type",
            HeaderValue::String("application/json".into()),
        ),
        Header::new(":message-type", HeaderValue::String(message_type.into())),
    ]
}

/// An `event` message: `:event-type`, `:content-type: application/json`, `:message-type: event`
/// (the headers Bedrock sends on every stream event).
pub(crate) fn event(event_type: &str, payload: &[u8]) -> Bytes {
    let headers = string_headers((":event-type", event_type), "event");
    encode(&Message::new_from_parts(
        headers,
        Bytes::copy_from_slice(payload),
    ))
}

/// An `exception` message: `:exception-type` (the stream union's member name, e.g.
/// `modelStreamErrorException`), `:content-type: application/json`, `:message-type: exception`.
pub(crate) fn exception(exception_type: &str, payload: &[u8]) -> Bytes {
    let headers = string_headers((":exception-type", exception_type), "exception");
    encode(&Message::new_from_parts(
        headers,
        Bytes::copy_from_slice(payload),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder, read_message_from};
    use aws_smithy_types::DateTime;

    /// A known-good message from the AWS event stream test suite (`valid_no_headers`, shipped in
    /// smithy-rs `aws-smithy-eventstream/test_data`, from aws-c-event-stream): no headers,
    /// payload "another test payload". Checked by hand: total 0x24 = 36 = 16 + 20, headers 0.
    const VALID_NO_HEADERS: [u8; 36] = [
        0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x51, 0x63, 0x56, 0xad, 0x61, 0x6e, 0x6f,
        0x74, 0x68, 0x65, 0x72, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x70, 0x61, 0x79, 0x6c, 0x6f,
        0x61, 0x64, 0x8d, 0xf8, 0x0e, 0x65,
    ];

    /// Same suite, `valid_empty_payload`: total 0x1f = 31, headers 0x0f = 15: name length 0x0b,
    /// "some-header", type 3 (short), value 0x01f4 = 500 (1 + 11 + 1 + 2 = 15); empty payload.
    const VALID_EMPTY_PAYLOAD: [u8; 31] = [
        0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x0f, 0x17, 0x2d, 0xc2, 0xab, 0x0b, 0x73, 0x6f,
        0x6d, 0x65, 0x2d, 0x68, 0x65, 0x61, 0x64, 0x65, 0x72, 0x03, 0x01, 0xf4, 0x93, 0x3c, 0x5c,
        0xad,
    ];

    fn decode(data: &[u8]) -> Message {
        read_message_from(data).unwrap()
    }

    fn header_str<'m>(m: &'m Message, name: &str) -> Option<&'m str> {
        m.headers()
            .iter()
            .find(|h| h.name().as_str() == name)
            .and_then(|h| h.value().as_string().ok())
            .map(|s| s.as_str())
    }

    fn payload_json(m: &Message) -> serde_json::Value {
        serde_json::from_slice(m.payload()).unwrap()
    }

    #[test]
    fn encodes_the_aws_test_suite_vector_byte_for_byte() {
        let encoded = encode(&Message::new(&b"another test payload"[..]));
        assert_eq!(&encoded[..], &VALID_NO_HEADERS[..]);
    }

    #[test]
    fn decodes_the_aws_test_suite_vectors() {
        let m = decode(&VALID_NO_HEADERS);
        assert!(m.headers().is_empty());
        assert_eq!(&m.payload()[..], b"another test payload");

        let m = decode(&VALID_EMPTY_PAYLOAD);
        assert_eq!(
            m.headers(),
            &[Header::new("some-header", HeaderValue::Int16(500))][..]
        );
        assert!(m.payload().is_empty());
        // And the encoder reproduces it.
        let again = Message::new(Bytes::new())
            .add_header(Header::new("some-header", HeaderValue::Int16(500)));
        assert_eq!(&encode(&again)[..], &VALID_EMPTY_PAYLOAD[..]);
    }

    #[test]
    fn string_headers_are_laid_out_as_documented() {
        let m = event("chunk", b"{}");
        // Prelude: total, headers length, prelude CRC.
        let total = u32::from_be_bytes([m[0], m[1], m[2], m[3]]) as usize;
        let headers_len = u32::from_be_bytes([m[4], m[5], m[6], m[7]]) as usize;
        assert_eq!(total, m.len());
        // ":event-type" (11) + 1 + 1 + 2 + "chunk" (5) = 20; ":content-type" (13) + 4 +
        // "application/json" (16) = 33; ":message-type" (13) + 4 + "event" (5) = 22.
        assert_eq!(headers_len, 20 + 33 + 22);
        assert_eq!(total, 16 + headers_len + 2);
        assert_eq!(
            u32::from_be_bytes([m[8], m[9], m[10], m[11]]),
            crc32fast::hash(&m[..8])
        );
        assert_eq!(m[12], 11);
        assert_eq!(&m[13..24], b":event-type");
        assert_eq!(m[24], 7);
        assert_eq!(&m[25..27], &[0, 5]);
        assert_eq!(&m[27..32], b"chunk");
        let n = m.len();
        assert_eq!(
            u32::from_be_bytes([m[n - 4], m[n - 3], m[n - 2], m[n - 1]]),
            crc32fast::hash(&m[..n - 4])
        );
    }

    #[test]
    fn round_trips_events_and_exceptions() {
        let m = decode(&event("contentBlockDelta", br#"{"contentBlockIndex":0}"#));
        assert_eq!(header_str(&m, ":message-type"), Some("event"));
        assert_eq!(header_str(&m, ":event-type"), Some("contentBlockDelta"));
        assert_eq!(header_str(&m, ":content-type"), Some("application/json"));
        assert_eq!(payload_json(&m)["contentBlockIndex"], 0);

        let m = decode(&exception(
            "modelStreamErrorException",
            br#"{"message":"boom"}"#,
        ));
        assert_eq!(header_str(&m, ":message-type"), Some("exception"));
        assert_eq!(
            header_str(&m, ":exception-type"),
            Some("modelStreamErrorException")
        );
        assert_eq!(payload_json(&m)["message"], "boom");
    }

    #[test]
    fn round_trips_every_header_type() {
        let headers = vec![
            Header::new("t", HeaderValue::Bool(true)),
            Header::new("f", HeaderValue::Bool(false)),
            Header::new("b", HeaderValue::Byte(-3)),
            Header::new("s", HeaderValue::Int16(-300)),
            Header::new("i", HeaderValue::Int32(70000)),
            Header::new("l", HeaderValue::Int64(-1 << 40)),
            Header::new("a", HeaderValue::ByteArray(Bytes::from_static(&[1, 2, 3]))),
            Header::new("str", HeaderValue::String("héllo".into())),
            Header::new(
                "ts",
                HeaderValue::Timestamp(DateTime::from_millis(1_700_000_000_000)),
            ),
            Header::new(
                "u",
                HeaderValue::Uuid(0x0707_0707_0707_0707_0707_0707_0707_0707),
            ),
        ];
        let encoded = encode(&Message::new_from_parts(headers.clone(), &b"payload"[..]));
        let m = decode(&encoded);
        assert_eq!(m.headers(), &headers[..]);
        assert_eq!(&m.payload()[..], b"payload");
    }

    #[test]
    fn incremental_decoder_handles_split_and_concatenated_messages() {
        let mut stream = Vec::new();
        for i in 0..5 {
            stream.extend_from_slice(&event("chunk", format!("{{\"i\":{i}}}").as_bytes()));
        }
        for split in [1usize, 3, 7, 50, 1000] {
            let mut d = MessageFrameDecoder::new();
            let mut buf = bytes::BytesMut::new();
            let mut got = Vec::new();
            for piece in stream.chunks(split) {
                buf.extend_from_slice(piece);
                while let DecodedFrame::Complete(m) = d.decode_frame(&mut buf).unwrap() {
                    got.push(payload_json(&m)["i"].as_i64().unwrap());
                }
            }
            assert_eq!(got, vec![0, 1, 2, 3, 4]);
            assert!(buf.is_empty());
        }
    }

    #[test]
    fn corrupted_messages_are_rejected() {
        let mut m = event("chunk", b"{}").to_vec();
        let last = m.len() - 5;
        m[last] ^= 0xff;
        assert!(read_message_from(&m[..]).is_err());
        let mut m = event("chunk", b"{}").to_vec();
        m[3] ^= 0x01;
        assert!(read_message_from(&m[..]).is_err());
        assert!(read_message_from(&VALID_NO_HEADERS[..20]).is_err());
        let mut d = MessageFrameDecoder::new();
        assert!(matches!(
            d.decode_frame(&VALID_NO_HEADERS[..20]).unwrap(),
            DecodedFrame::Incomplete
        ));
    }
}
