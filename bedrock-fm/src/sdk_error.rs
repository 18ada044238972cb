//! Converts the SDK's errors into [`ServiceError`]: kind from the error code (or, for a
//! proxy's or gateway's answer without one, from the HTTP status), the service's message (or
//! the body's text), the request id, the HTTP status, and the raw body when decoding failed
//! or no code came.
//! Every message, raw body and kept SDK error is free of credentials (see [`redact`]).

use crate::error::{ErrorKind, SdkSource, ServiceError};
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::ErrorMetadata;
use std::any::Any;
use std::sync::Arc;

/// Converts any SDK error of an operation or an event stream, keeping it as the source.
pub(crate) fn from_sdk<E, R>(err: SdkError<E, R>) -> ServiceError
where
    E: ProvideErrorMetadata + RequestId + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let mut converted = convert(&err);
    converted.message = redact(&converted.message);
    converted.raw_body = converted.raw_body.as_deref().map(redact);
    converted.source = Some(shareable(err));
    converted
}

/// The SDK's error as a source, unless what it prints (its message, and in `Debug` the raw
/// response, headers and body) holds a credential: then a stand-in with its redacted text.
fn shareable<E>(err: E) -> SdkSource
where
    E: std::error::Error + Send + Sync + 'static,
{
    let text = describe(&err);
    let debug = format!("{err:?}");
    if redact(&text) == text && redact(&debug) == debug {
        Arc::new(err)
    } else {
        Arc::new(RedactedSdkError(redact(&text)))
    }
}

/// The text of an SDK error that held a credential, redacted.
#[derive(Debug)]
struct RedactedSdkError(String);

impl std::fmt::Display for RedactedSdkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedactedSdkError {}

fn http(raw: &dyn Any) -> Option<&HttpResponse> {
    raw.downcast_ref::<HttpResponse>()
}

/// `x-amzn-RequestId`, for errors whose metadata lacks it (a body the SDK could not parse).
fn header_request_id(raw: Option<&HttpResponse>) -> Option<String> {
    raw.and_then(|r| r.headers().get("x-amzn-requestid"))
        .map(str::to_owned)
}

fn convert<E, R>(err: &SdkError<E, R>) -> ServiceError
where
    E: ProvideErrorMetadata + RequestId + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match err {
        SdkError::ServiceError(ctx) => {
            let e = ctx.err();
            let raw = http(ctx.raw());
            let status = raw.map(|r| r.status().as_u16());
            let body = raw.and_then(|r| r.body().bytes());
            let code = e.code().map(str::to_owned);
            let kind = match (&code, status) {
                (Some(code), _) => ErrorKind::from_code(code),
                // A success the SDK could not read as the operation's output.
                (None, Some(s)) if (200..300).contains(&s) => ErrorKind::Decode,
                (None, Some(s)) => ErrorKind::from_status(s),
                (None, None) => ErrorKind::Unknown(String::new()),
            };
            let message = if kind == ErrorKind::Decode {
                format!("the response body could not be decoded: {}", describe(e))
            } else {
                let html = raw.is_some_and(is_html);
                e.message()
                    .or_else(|| unhandled_metadata(e).and_then(ErrorMetadata::message))
                    .filter(|m| !m.trim().is_empty())
                    .map(str::to_owned)
                    .or_else(|| body.map(|b| body_text(b, html)).filter(|t| has_text(t)))
                    .or_else(|| status.map(|s| reason_phrase(s).to_owned()))
                    .unwrap_or_else(|| describe(e))
            };
            ServiceError {
                kind,
                message,
                request_id: e
                    .request_id()
                    .map(str::to_owned)
                    .or_else(|| header_request_id(raw)),
                status,
                // Without an AWS code the body is all there is to go on.
                raw_body: match code {
                    None => body.map(|b| String::from_utf8_lossy(b).into_owned()),
                    Some(_) => None,
                },
                code,
                source: None,
            }
        }
        SdkError::TimeoutError(_) => ServiceError::new(ErrorKind::Timeout, "the request timed out"),
        SdkError::DispatchFailure(d) => {
            let kind = if d.is_timeout() {
                ErrorKind::Timeout
            } else {
                ErrorKind::Connection
            };
            ServiceError::new(kind, describe(err))
        }
        SdkError::ResponseError(r) => {
            let raw = http(r.raw());
            let mut e = ServiceError::new(ErrorKind::Decode, describe(err));
            e.status = raw.map(|r| r.status().as_u16());
            e.raw_body = raw
                .and_then(|r| r.body().bytes())
                .map(|b| String::from_utf8_lossy(b).into_owned());
            e.request_id = header_request_id(raw);
            e
        }
        _ => ServiceError::new(ErrorKind::Connection, describe(err)),
    }
}

/// The metadata the SDK parsed from a body without an error code: it keeps it only as the
/// source of its "unhandled" error (a proxy's `{"message": ...}` 500, say).
fn unhandled_metadata<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a ErrorMetadata> {
    e.source()?.downcast_ref::<ErrorMetadata>()
}

fn is_html(raw: &HttpResponse) -> bool {
    raw.headers()
        .get("content-type")
        .is_some_and(|t| t.contains("html") || t.contains("xml"))
}

/// Not worth a message: nothing, or an empty JSON object.
fn has_text(text: &str) -> bool {
    !matches!(text, "" | "{}")
}

/// The longest message taken from a body, in bytes (before the ellipsis).
const MAX_BODY_MESSAGE: usize = 200;

/// A message from an error body without an AWS code: its text, redacted first (so that no
/// cut leaves half a secret), HTML tags stripped, whitespace collapsed, cut to
/// [`MAX_BODY_MESSAGE`] bytes.
fn body_text(body: &[u8], html: bool) -> String {
    let text = redact(&String::from_utf8_lossy(body));
    let text = if html || text.trim_start().starts_with('<') {
        strip_tags(&text)
    } else {
        text
    };
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.len() > MAX_BODY_MESSAGE {
        let mut end = MAX_BODY_MESSAGE;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// The text of an HTML page: tags, comments, scripts and styles become spaces, and the
/// common entities are decoded.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let tag = &rest[open..];
        let lower = tag.get(..8).unwrap_or(tag).to_ascii_lowercase();
        let close = if lower.starts_with("<!--") {
            tag.find("-->").map(|i| i + 3)
        } else if let Some(name) = ["<script", "<style"].iter().find(|n| lower.starts_with(*n)) {
            let end = format!("</{}", &name[1..]);
            find_ignore_case(tag, &end).and_then(|i| tag[i..].find('>').map(|j| i + j + 1))
        } else {
            tag.find('>').map(|i| i + 1)
        };
        let Some(close) = close else {
            rest = "";
            break;
        };
        rest = &tag[close..];
    }
    out.push_str(rest);
    [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(out, |text, (entity, c)| text.replace(entity, c))
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The reason phrase of a status (RFC 9110, section 15; 429 from RFC 6585), for a body
/// that says nothing.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        424 => "Failed Dependency",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "HTTP error",
    }
}

/// The error code of an exception received inside an event stream, where the SDK reports
/// no code (it only reads one from the payload): the variant names it.
pub(crate) trait StreamExceptionCode {
    fn exception_code(&self) -> Option<&'static str>;
}

macro_rules! stream_exception_codes {
    ($ty:ty: $($variant:ident),*) => {
        impl StreamExceptionCode for $ty {
            fn exception_code(&self) -> Option<&'static str> {
                match self {
                    $( Self::$variant(_) => Some(stringify!($variant)), )*
                    _ => None,
                }
            }
        }
    };
}

stream_exception_codes!(aws_sdk_bedrockruntime::types::error::ResponseStreamError:
    InternalServerException, ModelStreamErrorException, ValidationException,
    ThrottlingException, ModelTimeoutException, ServiceUnavailableException);
stream_exception_codes!(aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError:
    InternalServerException, ModelStreamErrorException, ValidationException,
    ThrottlingException, ServiceUnavailableException);

/// Converts an error received while reading an event stream.
pub(crate) fn from_stream_sdk<E, R>(err: SdkError<E, R>) -> ServiceError
where
    E: ProvideErrorMetadata
        + RequestId
        + StreamExceptionCode
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = err
        .as_service_error()
        .and_then(StreamExceptionCode::exception_code);
    let mut e = from_sdk(err);
    if let (None, Some(code)) = (&e.code, code) {
        e.kind = ErrorKind::from_code(code);
        e.code = Some(code.to_owned());
    }
    e
}

/// The whole source chain, which the SDK's `Display` alone leaves out.
fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// What replaces a credential.
const REDACTED: &str = "[redacted]";

/// Fields whose values are credentials, as headers (`Authorization: ...`, the canonical
/// request's `x-amz-security-token:...`), query parameters (`X-Amz-Security-Token=...`,
/// `X-Amz-Credential=...`) or JSON members; `credential` also covers SigV4's
/// `Credential=AKID/...` (Signature Version 4, "Authenticating Requests: Using the
/// Authorization Header", <https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html>).
const SECRET_FIELDS: [&str; 3] = ["authorization", "x-amz-security-token", "credential"];

/// The text with every credential it may hold replaced by `[redacted]`: the values of
/// [`SECRET_FIELDS`], `Bearer` tokens, access key IDs and Bedrock API keys. Error bodies
/// echo what was sent (a signature mismatch quotes the canonical request, a proxy may quote
/// the headers), and the SDK's client configuration does not expose the credentials to
/// match them by value, so they are found by their shapes.
pub(crate) fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let lower = lower.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        let secret = if !at_word_start(bytes, i) {
            None
        } else {
            field_value(bytes, lower, i)
                .or_else(|| bearer_token(bytes, lower, i))
                .or_else(|| key_id(bytes, i))
        };
        match secret {
            Some((start, end)) => {
                out.push_str(&text[copied..start]);
                out.push_str(REDACTED);
                copied = end;
                i = end;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether a word may start at `i`: after a non-word byte, or after an escaped `\n`, `\r`
/// or `\t` (a JSON body, or `Debug` text, quoting a request line by line).
fn at_word_start(bytes: &[u8], i: usize) -> bool {
    i == 0
        || !is_word(bytes[i - 1])
        || (i >= 2 && bytes[i - 2] == b'\\' && matches!(bytes[i - 1], b'n' | b'r' | b't'))
}

/// Where a value ends: at the end of its line, its quotes, or the next query parameter.
/// A backslash ends it too (an escaped newline or quote in JSON or `Debug` text), except
/// before `/` (JSON may escape the slashes of a base64 token).
fn value_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start;
    while j < bytes.len() {
        match bytes[j] {
            b'\r' | b'\n' | b'"' | b'\'' | b'&' | b'<' => break,
            b'\\' if bytes.get(j + 1) != Some(&b'/') => break,
            _ => j += 1,
        }
    }
    j
}

/// The value of a [`SECRET_FIELDS`] field whose name starts at `i`: the name, an optional
/// closing quote, `:` or `=`, then the value.
fn field_value(bytes: &[u8], lower: &[u8], i: usize) -> Option<(usize, usize)> {
    let name = SECRET_FIELDS
        .iter()
        .find(|n| lower[i..].starts_with(n.as_bytes()))?;
    let mut j = i + name.len();
    let skip = |j: &mut usize, set: &[u8]| {
        while *j < bytes.len() && set.contains(&bytes[*j]) {
            *j += 1;
        }
    };
    skip(&mut j, b"\"'\\");
    skip(&mut j, b" \t");
    if !matches!(bytes.get(j), Some(b':' | b'=')) {
        return None;
    }
    j += 1;
    skip(&mut j, b" \t");
    skip(&mut j, b"\\\"'");
    let end = value_end(bytes, j);
    (end > j).then_some((j, end))
}

/// The shortest token taken for a `Bearer` credential rather than prose ("bearer token").
const MIN_BEARER_TOKEN: usize = 16;

/// The token after `Bearer `, when it looks like one.
fn bearer_token(bytes: &[u8], lower: &[u8], i: usize) -> Option<(usize, usize)> {
    if !lower[i..].starts_with(b"bearer") {
        return None;
    }
    let start = i + "bearer".len();
    let mut j = start;
    while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
        j += 1;
    }
    let end = (j..bytes.len())
        .find(|&k| bytes[k].is_ascii_whitespace() || b"\"'<,;\\".contains(&bytes[k]))
        .unwrap_or(bytes.len());
    (j > start && end - j >= MIN_BEARER_TOKEN).then_some((j, end))
}

/// An access key ID (`AKIA` long-term, `ASIA` temporary, then 16 of `A-Z0-9`: STS
/// GetAccessKeyInfo, <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html>)
/// or a long-term Bedrock API key (`ABSK` then base64: "A new type of long-lived key on
/// AWS: Bedrock API keys", <https://www.wiz.io/blog/a-new-type-of-long-lived-key-on-aws-bedrock-api-keys>).
fn key_id(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let rest = &bytes[i..];
    if rest.starts_with(b"AKIA") || rest.starts_with(b"ASIA") {
        let end = i + 20;
        let id = bytes.get(i + 4..end)?;
        let whole = id
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        return (whole && !bytes.get(end).is_some_and(|b| is_word(*b))).then_some((i, end));
    }
    if rest.starts_with(b"ABSK") {
        let len = rest[4..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b))
            .count();
        return (len >= MIN_BEARER_TOKEN).then_some((i, i + 4 + len));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_request_of_a_signature_mismatch_loses_its_session_token() {
        let creq = "POST\n/model/m/invoke\n\nhost:127.0.0.1\nx-amz-date:20240101T000000Z\n\
                    x-amz-security-token:FwoGZXIvYXdzE/abc+def==\n\nhost;x-amz-date;\
                    x-amz-security-token\nUNSIGNED";
        let shown = redact(creq);
        assert!(!shown.contains("FwoGZXIvYXdzE"), "{shown}");
        assert!(shown.contains("x-amz-security-token:[redacted]\n\nhost;x-amz-date;x-amz-"));
    }

    #[test]
    fn headers_query_parameters_and_json_members_are_redacted() {
        let cases = [
            (
                "authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=abc\r\nhost: x",
                "authorization: [redacted]\r\nhost: x",
            ),
            (
                "GET /?X-Amz-Credential=AKID%2F2024&X-Amz-Security-Token=tok%2Ben&X-Amz-Date=1",
                "GET /?X-Amz-Credential=[redacted]&X-Amz-Security-Token=[redacted]&X-Amz-Date=1",
            ),
            (
                r#"{"Authorization": "Bearer abc", "x-amz-security-token":"a\/b\/c"}"#,
                r#"{"Authorization": "[redacted]", "x-amz-security-token":"[redacted]"}"#,
            ),
            (
                r#"{"message":"Denied:\nAuthorization: Bearer ABSKabcdefghijklmnopqrstuvwxyz\nhost: x"}"#,
                r#"{"message":"Denied:\nAuthorization: [redacted]\nhost: x"}"#,
            ),
            (
                "invalid key Bearer bedrock-api-key-YmVkcm9jay5hbWF6b24 sent",
                "invalid key Bearer [redacted] sent",
            ),
            (
                "keys AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPLE, key ABSKQmVkcm9ja0FQSUtleS1hYmNk=",
                "keys [redacted] and [redacted], key [redacted]",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(redact(text), expected);
        }
    }

    #[test]
    fn prose_about_credentials_is_kept() {
        for text in [
            "The security token included in the request is invalid.",
            "Authorization header requires 'Credential' parameter.",
            "The bearer token is invalid; credentials: none",
            "AKIA is a prefix; AKIAIOSFODNN7EXAMPLE2 is too long",
            "Credential should be scoped to correct service: 'bedrock'.",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn body_text_strips_html_collapses_whitespace_and_cuts() {
        let page = "<html><head><title>502 Bad Gateway</title><style>p {}</style>\
                    <script>var x = '<b>';</script></head><body>\n<h1>Bad&nbsp;Gateway</h1>\
                    <!-- <p>hidden</p> --><p>a &amp; b</p></body></html>";
        assert_eq!(
            body_text(page.as_bytes(), true),
            "502 Bad Gateway Bad Gateway a & b"
        );
        assert_eq!(body_text(b"  Rate\n exceeded ", false), "Rate exceeded");
        assert_eq!(body_text(b"a < b > c", false), "a < b > c");
        let long = "é".repeat(150);
        let cut = body_text(long.as_bytes(), false);
        assert!(cut.len() <= MAX_BODY_MESSAGE + '…'.len_utf8() && cut.ends_with('…'));
        let secret = format!(
            "{}x-amz-security-token: {}",
            "a ".repeat(95),
            "T".repeat(50)
        );
        assert!(!body_text(secret.as_bytes(), false).contains("TTT"));
    }

    #[test]
    fn statuses_without_a_phrase_say_so() {
        assert_eq!(reason_phrase(503), "Service Unavailable");
        assert_eq!(reason_phrase(599), "HTTP error");
    }
}
