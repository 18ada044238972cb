//! `application/vnd.amazon.eventstream`: the binary framing of Bedrock's response streams.
//!
//! Format, per AWS's "Event stream encoding" pages (Amazon Transcribe developer guide,
//! <https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html>, and Amazon Lex V2,
//! <https://docs.aws.amazon.com/lexv2/latest/dg/event-stream-encoding.html>):
//!
//! ```text
//! prelude:  total byte length (u32 BE, the whole message including this field and both CRCs)
//!           headers byte length (u32 BE)
//!           prelude CRC (u32 BE, CRC32 of the 8 bytes above)
//! data:     headers (headers-length bytes)
//!           payload (total - headers - 16 bytes)
//!           message CRC (u32 BE, CRC32 of everything from the start of the message)
//! header:   name length (u8), name (UTF-8), value type (u8), value
//! ```
//!
//! "Total message overhead, including the prelude and both checksums, is 16 bytes." The CRC is
//! CRC32 as in gzip (IEEE 802.3). Header value types: 0 true, 1 false, 2 byte, 3 short (i16),
//! 4 integer (i32), 5 long (i64), 6 byte array (u16 length + bytes), 7 string (u16 length +
//! UTF-8), 8 timestamp (i64 milliseconds), 9 UUID (16 bytes). The server only writes strings
//! (`:event-type`, `:content-type`, `:message-type`, `:exception-type`); the decoder reads all
//! of them so tests can parse anything.

use bytes::{BufMut, Bytes, BytesMut};

/// Bytes a message adds to its headers and payload: prelude (8), prelude CRC (4), message
/// CRC (4).
pub const MESSAGE_OVERHEAD: usize = 16;
/// The largest message the decoder accepts (16 MiB, the limit smithy-rs enforces too).
pub const MAX_MESSAGE_LEN: usize = 16 * 1024 * 1024;

/// The content type of an event stream body.
pub const CONTENT_TYPE: &str = "application/vnd.amazon.eventstream";

/// A header value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderValue {
    /// Type 0 / 1.
    Bool(bool),
    /// Type 2.
    Byte(i8),
    /// Type 3.
    Int16(i16),
    /// Type 4.
    Int32(i32),
    /// Type 5.
    Int64(i64),
    /// Type 6.
    ByteArray(Vec<u8>),
    /// Type 7.
    String(String),
    /// Type 8: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Type 9.
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The string, if this is a string header.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A decoded message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// Headers, in wire order.
    pub headers: Vec<(String, HeaderValue)>,
    /// The payload.
    pub payload: Bytes,
}

impl Message {
    /// The string value of header `name`.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_str())
    }

    /// `:message-type` (`event` or `exception`).
    pub fn message_type(&self) -> Option<&str> {
        self.header_str(":message-type")
    }

    /// `:event-type`.
    pub fn event_type(&self) -> Option<&str> {
        self.header_str(":event-type")
    }

    /// `:exception-type`.
    pub fn exception_type(&self) -> Option<&str> {
        self.header_str(":exception-type")
    }

    /// The payload parsed as JSON.
    pub fn payload_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.payload).ok()
    }
}

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The prelude CRC does not match.
    PreludeCrc {
        /// CRC in the message.
        expected: u32,
        /// CRC computed over the prelude.
        computed: u32,
    },
    /// The message CRC does not match.
    MessageCrc {
        /// CRC in the message.
        expected: u32,
        /// CRC computed over the message.
        computed: u32,
    },
    /// The lengths in the prelude are impossible.
    InvalidLength(String),
    /// A header is malformed.
    InvalidHeader(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::PreludeCrc { expected, computed } => {
                write!(
                    f,
                    "prelude CRC mismatch: message says {expected:#010x}, computed {computed:#010x}"
                )
            }
            DecodeError::MessageCrc { expected, computed } => {
                write!(
                    f,
                    "message CRC mismatch: message says {expected:#010x}, computed {computed:#010x}"
                )
            }
            DecodeError::InvalidLength(m) => write!(f, "invalid length: {m}"),
            DecodeError::InvalidHeader(m) => write!(f, "invalid header: {m}"),
        }
    }
}

impl std::error::Error for DecodeError {}

fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

fn put_header_name(buf: &mut BytesMut, name: &str) {
    // Header names are at most 255 bytes; ours are fixed protocol names.
    let name = &name.as_bytes()[..name.len().min(255)];
    buf.put_u8(name.len() as u8);
    buf.put_slice(name);
}

fn put_header_value(buf: &mut BytesMut, value: &HeaderValue) {
    match value {
        HeaderValue::Bool(true) => buf.put_u8(0),
        HeaderValue::Bool(false) => buf.put_u8(1),
        HeaderValue::Byte(b) => {
            buf.put_u8(2);
            buf.put_i8(*b);
        }
        HeaderValue::Int16(v) => {
            buf.put_u8(3);
            buf.put_i16(*v);
        }
        HeaderValue::Int32(v) => {
            buf.put_u8(4);
            buf.put_i32(*v);
        }
        HeaderValue::Int64(v) => {
            buf.put_u8(5);
            buf.put_i64(*v);
        }
        HeaderValue::ByteArray(bytes) => {
            let bytes = &bytes[..bytes.len().min(u16::MAX as usize)];
            buf.put_u8(6);
            buf.put_u16(bytes.len() as u16);
            buf.put_slice(bytes);
        }
        HeaderValue::String(s) => {
            let bytes = &s.as_bytes()[..s.len().min(u16::MAX as usize)];
            buf.put_u8(7);
            buf.put_u16(bytes.len() as u16);
            buf.put_slice(bytes);
        }
        HeaderValue::Timestamp(ms) => {
            buf.put_u8(8);
            buf.put_i64(*ms);
        }
        HeaderValue::Uuid(u) => {
            buf.put_u8(9);
            buf.put_slice(u);
        }
    }
}

/// Encodes one message with arbitrary headers.
pub fn encode(headers: &[(&str, HeaderValue)], payload: &[u8]) -> Bytes {
    let mut header_bytes = BytesMut::new();
    for (name, value) in headers {
        put_header_name(&mut header_bytes, name);
        put_header_value(&mut header_bytes, value);
    }
    let total = MESSAGE_OVERHEAD + header_bytes.len() + payload.len();
    let mut out = BytesMut::with_capacity(total);
    out.put_u32(total as u32);
    out.put_u32(header_bytes.len() as u32);
    let prelude_crc = crc32(&out[..8]);
    out.put_u32(prelude_crc);
    out.put_slice(&header_bytes);
    out.put_slice(payload);
    let message_crc = crc32(&out);
    out.put_u32(message_crc);
    out.freeze()
}

/// Encodes a message whose headers are all strings.
pub fn encode_strings(headers: &[(&str, &str)], payload: &[u8]) -> Bytes {
    let headers: Vec<(&str, HeaderValue)> = headers
        .iter()
        .map(|(n, v)| (*n, HeaderValue::String((*v).to_owned())))
        .collect();
    encode(&headers, payload)
}

/// An `event` message: `:event-type`, `:content-type: application/json`, `:message-type: event`
/// (the headers Bedrock sends on every stream event).
pub fn event(event_type: &str, payload: &[u8]) -> Bytes {
    encode_strings(
        &[
            (":event-type", event_type),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
        payload,
    )
}

/// An `exception` message: `:exception-type` (the stream union's member name, e.g.
/// `modelStreamErrorException`), `:content-type: application/json`, `:message-type: exception`.
pub fn exception(exception_type: &str, payload: &[u8]) -> Bytes {
    encode_strings(
        &[
            (":exception-type", exception_type),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        ],
        payload,
    )
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn take<'a>(
    data: &'a [u8],
    pos: &mut usize,
    n: usize,
    what: &str,
) -> Result<&'a [u8], DecodeError> {
    if data.len() - *pos < n {
        return Err(DecodeError::InvalidHeader(format!(
            "{what} runs past the headers"
        )));
    }
    let out = &data[*pos..*pos + n];
    *pos += n;
    Ok(out)
}

fn decode_headers(data: &[u8]) -> Result<Vec<(String, HeaderValue)>, DecodeError> {
    let mut headers = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let name_len = take(data, &mut pos, 1, "header name length")?[0] as usize;
        if name_len == 0 {
            return Err(DecodeError::InvalidHeader("empty header name".into()));
        }
        let name = std::str::from_utf8(take(data, &mut pos, name_len, "header name")?)
            .map_err(|_| DecodeError::InvalidHeader("header name is not UTF-8".into()))?
            .to_owned();
        let kind = take(data, &mut pos, 1, "header value type")?[0];
        let value = match kind {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(take(data, &mut pos, 1, "byte")?[0] as i8),
            3 => {
                let b = take(data, &mut pos, 2, "short")?;
                HeaderValue::Int16(i16::from_be_bytes([b[0], b[1]]))
            }
            4 => HeaderValue::Int32(be_u32(take(data, &mut pos, 4, "integer")?) as i32),
            5 | 8 => {
                let b = take(data, &mut pos, 8, "long")?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                let v = i64::from_be_bytes(a);
                if kind == 5 {
                    HeaderValue::Int64(v)
                } else {
                    HeaderValue::Timestamp(v)
                }
            }
            6 | 7 => {
                let b = take(data, &mut pos, 2, "value length")?;
                let len = u16::from_be_bytes([b[0], b[1]]) as usize;
                let bytes = take(data, &mut pos, len, "value")?.to_vec();
                if kind == 6 {
                    HeaderValue::ByteArray(bytes)
                } else {
                    HeaderValue::String(String::from_utf8(bytes).map_err(|_| {
                        DecodeError::InvalidHeader(format!("value of {name} is not UTF-8"))
                    })?)
                }
            }
            9 => {
                let mut u = [0u8; 16];
                u.copy_from_slice(take(data, &mut pos, 16, "uuid")?);
                HeaderValue::Uuid(u)
            }
            other => {
                return Err(DecodeError::InvalidHeader(format!(
                    "unknown value type {other} for header {name}"
                )));
            }
        };
        headers.push((name, value));
    }
    Ok(headers)
}

/// Decodes the first message of `data`. Returns `Ok(None)` when `data` does not yet hold a
/// whole message, else the message and the number of bytes it used.
pub fn decode(data: &[u8]) -> Result<Option<(Message, usize)>, DecodeError> {
    if data.len() < 12 {
        return Ok(None);
    }
    let total = be_u32(&data[0..4]) as usize;
    let headers_len = be_u32(&data[4..8]) as usize;
    let prelude_crc = be_u32(&data[8..12]);
    let computed = crc32(&data[0..8]);
    if computed != prelude_crc {
        return Err(DecodeError::PreludeCrc {
            expected: prelude_crc,
            computed,
        });
    }
    if !(MESSAGE_OVERHEAD..=MAX_MESSAGE_LEN).contains(&total) {
        return Err(DecodeError::InvalidLength(format!("total length {total}")));
    }
    if headers_len > total - MESSAGE_OVERHEAD {
        return Err(DecodeError::InvalidLength(format!(
            "headers length {headers_len} exceeds total length {total}"
        )));
    }
    if data.len() < total {
        return Ok(None);
    }
    let message_crc = be_u32(&data[total - 4..total]);
    let computed = crc32(&data[..total - 4]);
    if computed != message_crc {
        return Err(DecodeError::MessageCrc {
            expected: message_crc,
            computed,
        });
    }
    let headers = decode_headers(&data[12..12 + headers_len])?;
    let payload = Bytes::copy_from_slice(&data[12 + headers_len..total - 4]);
    Ok(Some((Message { headers, payload }, total)))
}

/// Decodes every message of a complete stream body.
pub fn decode_all(mut data: &[u8]) -> Result<Vec<Message>, DecodeError> {
    let mut out = Vec::new();
    while !data.is_empty() {
        match decode(data)? {
            Some((message, used)) => {
                out.push(message);
                data = &data[used..];
            }
            None => {
                return Err(DecodeError::InvalidLength(format!(
                    "{} trailing bytes do not form a whole message",
                    data.len()
                )));
            }
        }
    }
    Ok(out)
}

/// An incremental decoder: feed it bytes as they arrive, take messages out.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: BytesMut,
}

impl Decoder {
    /// A decoder with an empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The next whole message, if the buffer holds one.
    pub fn next_message(&mut self) -> Result<Option<Message>, DecodeError> {
        match decode(&self.buf)? {
            Some((message, used)) => {
                let _ = self.buf.split_to(used);
                Ok(Some(message))
            }
            None => Ok(None),
        }
    }

    /// Bytes received but not yet decoded.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn encodes_the_aws_test_suite_vector_byte_for_byte() {
        let encoded = encode(&[], b"another test payload");
        assert_eq!(&encoded[..], &VALID_NO_HEADERS[..]);
    }

    #[test]
    fn decodes_the_aws_test_suite_vectors() {
        let (m, used) = decode(&VALID_NO_HEADERS).unwrap().unwrap();
        assert_eq!(used, 36);
        assert!(m.headers.is_empty());
        assert_eq!(&m.payload[..], b"another test payload");

        let (m, used) = decode(&VALID_EMPTY_PAYLOAD).unwrap().unwrap();
        assert_eq!(used, 31);
        assert_eq!(
            m.headers,
            vec![("some-header".to_owned(), HeaderValue::Int16(500))]
        );
        assert!(m.payload.is_empty());
        // And the encoder reproduces it.
        assert_eq!(
            &encode(&[("some-header", HeaderValue::Int16(500))], b"")[..],
            &VALID_EMPTY_PAYLOAD[..]
        );
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
        let e = event("contentBlockDelta", br#"{"contentBlockIndex":0}"#);
        let (m, _) = decode(&e).unwrap().unwrap();
        assert_eq!(m.message_type(), Some("event"));
        assert_eq!(m.event_type(), Some("contentBlockDelta"));
        assert_eq!(m.header_str(":content-type"), Some("application/json"));
        assert_eq!(m.payload_json().unwrap()["contentBlockIndex"], 0);

        let x = exception("modelStreamErrorException", br#"{"message":"boom"}"#);
        let (m, _) = decode(&x).unwrap().unwrap();
        assert_eq!(m.message_type(), Some("exception"));
        assert_eq!(m.exception_type(), Some("modelStreamErrorException"));
        assert_eq!(m.payload_json().unwrap()["message"], "boom");
    }

    #[test]
    fn round_trips_every_header_type() {
        let headers = vec![
            ("t", HeaderValue::Bool(true)),
            ("f", HeaderValue::Bool(false)),
            ("b", HeaderValue::Byte(-3)),
            ("s", HeaderValue::Int16(-300)),
            ("i", HeaderValue::Int32(70000)),
            ("l", HeaderValue::Int64(-1 << 40)),
            ("a", HeaderValue::ByteArray(vec![1, 2, 3])),
            ("str", HeaderValue::String("héllo".into())),
            ("ts", HeaderValue::Timestamp(1_700_000_000_000)),
            ("u", HeaderValue::Uuid([7; 16])),
        ];
        let encoded = encode(&headers, b"payload");
        let (m, used) = decode(&encoded).unwrap().unwrap();
        assert_eq!(used, encoded.len());
        let expected: Vec<(String, HeaderValue)> = headers
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v))
            .collect();
        assert_eq!(m.headers, expected);
        assert_eq!(&m.payload[..], b"payload");
    }

    #[test]
    fn incremental_decoder_handles_split_and_concatenated_messages() {
        let mut stream = Vec::new();
        for i in 0..5 {
            stream.extend_from_slice(&event("chunk", format!("{{\"i\":{i}}}").as_bytes()));
        }
        for split in [1usize, 3, 7, 50, 1000] {
            let mut d = Decoder::new();
            let mut got = Vec::new();
            for piece in stream.chunks(split) {
                d.push(piece);
                while let Some(m) = d.next_message().unwrap() {
                    got.push(m.payload_json().unwrap()["i"].as_i64().unwrap());
                }
            }
            assert_eq!(got, vec![0, 1, 2, 3, 4]);
            assert_eq!(d.buffered(), 0);
        }
        assert_eq!(decode_all(&stream).unwrap().len(), 5);
    }

    #[test]
    fn corrupted_messages_are_rejected() {
        let mut m = event("chunk", b"{}").to_vec();
        let last = m.len() - 5;
        m[last] ^= 0xff;
        assert!(matches!(decode(&m), Err(DecodeError::MessageCrc { .. })));
        let mut m = event("chunk", b"{}").to_vec();
        m[3] ^= 0x01;
        assert!(matches!(decode(&m), Err(DecodeError::PreludeCrc { .. })));
        assert_eq!(decode(&VALID_NO_HEADERS[..20]).unwrap(), None);
        assert!(decode_all(&VALID_NO_HEADERS[..20]).is_err());
    }
}
