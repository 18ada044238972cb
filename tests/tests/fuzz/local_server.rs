//! Target (c): bedrock-fm-local's request parsing and SigV4 verification, over raw TCP.
//! Requests are built from parts — method, path (operation paths with valid, odd and
//! percent-mangled model IDs, control-plane paths, anything), query, `Authorization` (none,
//! bearer keys, valid SigV4 signatures with one part mutated, anything), `X-Amz-Date`, other
//! headers (visible ASCII and obs-text), the fault header (without long waits), bodies
//! (mutated documented bodies, random bytes) and `Content-Length` (exact, missing, short, long).
//! Six cases in ten are valid requests with up to three parts taken from an arbitrary one (so
//! that most reach the body's validation and the models), three are arbitrary from the start,
//! one is raw bytes.
//!
//! Properties: no panic on any server thread; an answer within the time bound; for a request
//! that is valid HTTP/1.1, every response carries `x-amzn-RequestId` and is either a 200 (JSON
//! that parses, or an event stream whose frames all decode with valid CRCs) or an AWS error
//! (status 4xx/5xx, `x-amzn-ErrorType: Name[:namespace]`, a JSON object with a `message` or
//! `Message` member); no answer only where asked for (the `drop` faults, a body shorter than
//! its `Content-Length`). A 500 `InternalServerException` without an injected fault is a
//! handler panic. After the run the server still answers a valid request.

use crate::families::encode_id;
use crate::loopback::{RawResponse, exchange};
use crate::mutate::{BodyMutation, body_mutation, mutate_body};
use crate::sigv4::{ToSign, amz_date_now, authorization};
use crate::{Tally, report, run, runtime};
use bedrock_fm_local::{TEST_ACCESS_KEY_ID, TEST_BEARER_TOKEN, TEST_SECRET_ACCESS_KEY};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::time::Duration;

const CASE_TIMEOUT: Duration = Duration::from_secs(20);

/// Model IDs, each with the index of its InvokeModel body in [`seed_bodies`].
const MODELS: &[(&str, usize)] = &[
    ("amazon.titan-text-premier-v1:0", 0),
    ("anthropic.claude-3-haiku-20240307-v1:0", 1),
    ("us.anthropic.claude-3-haiku-20240307-v1:0", 1),
    ("meta.llama3-8b-instruct-v1:0", 3),
    ("mistral.mistral-large-2407-v1:0", 4),
    ("amazon.nova-lite-v1:0", 5),
    ("cohere.command-r-v1:0", 6),
    ("amazon.titan-embed-text-v2:0", 7),
    ("cohere.embed-english-v3", 8),
    ("amazon.titan-image-generator-v2:0", 9),
    (
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
        5,
    ),
    (
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
        5,
    ),
    ("anthropic.claude-3-7-sonnet-20250219-v1:0", 1),
    ("unknown.model-v1:0", 0),
];

/// The Converse and CountTokens bodies in [`seed_bodies`].
const CONVERSE_BODY: usize = 2;
const COUNT_TOKENS_BODY: usize = 10;

/// Bodies that reach each operation's validation (for the first models above).
fn seed_bodies() -> Vec<Value> {
    vec![
        json!({"inputText": "Name a river", "textGenerationConfig": {"maxTokenCount": 20}}),
        json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20,
               "messages": [{"role": "user", "content": [{"type": "text", "text": "Name a river"}]}]}),
        json!({"messages": [{"role": "user", "content": [{"text": "Name a river"}]}],
               "inferenceConfig": {"maxTokens": 20, "temperature": 0.5, "stopSequences": ["x"]},
               "system": [{"text": "Be brief"}],
               "toolConfig": {"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {"type": "object"}}}}]}}),
        json!({"prompt": "Name a river", "max_gen_len": 20}),
        json!({"messages": [{"role": "user", "content": "Name a river"}], "max_tokens": 20}),
        json!({"schemaVersion": "messages-v1", "messages": [{"role": "user", "content": [{"text": "Name a river"}]}],
               "inferenceConfig": {"maxTokens": 20}}),
        json!({"message": "Name a river", "max_tokens": 20}),
        json!({"inputText": "Name a river", "dimensions": 256}),
        json!({"texts": ["Name a river"], "input_type": "search_document"}),
        json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
               "imageGenerationConfig": {"numberOfImages": 1, "width": 512, "height": 512}}),
        json!({"input": {"converse": {"messages": [{"role": "user", "content": [{"text": "Name a river"}]}]}}}),
    ]
}

/// Characters allowed in a request target (so that hyper passes the request on).
const PATH_CHARS: &str = "[a-zA-Z0-9._~:@!$&'()*+,;=/%-]{0,40}";

#[derive(Debug, Clone)]
enum PathCase {
    Model {
        model: usize,
        encode: bool,
        op: String,
    },
    ModelRaw {
        id: String,
        op: String,
    },
    Control(String),
    Any(String),
}

fn op() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("invoke".to_owned()),
        2 => Just("invoke-with-response-stream".to_owned()),
        3 => Just("converse".to_owned()),
        2 => Just("converse-stream".to_owned()),
        1 => Just("count-tokens".to_owned()),
        1 => "[a-z-]{0,12}",
        1 => Just("invoke/extra".to_owned()),
    ]
}

fn path_case() -> impl Strategy<Value = PathCase> {
    prop_oneof![
        6 => (0..MODELS.len(), any::<bool>(), op())
            .prop_map(|(model, encode, op)| PathCase::Model { model, encode, op }),
        2 => (prop_oneof![
                PATH_CHARS.prop_map(|s| s),
                Just("%".to_owned()),
                Just("%FF%FE".to_owned()),
                Just("%2F%2E%2E".to_owned()),
                Just("..".to_owned()),
                Just("%00".to_owned()),
                Just("x".repeat(3000)),
             ], op())
            .prop_map(|(id, op)| PathCase::ModelRaw { id, op }),
        1 => prop_oneof![
                Just("/foundation-models".to_owned()),
                Just("/foundation-models/amazon.nova-lite-v1%3A0".to_owned()),
                Just("/inference-profiles".to_owned()),
                Just("/inference-profiles/us.amazon.nova-lite-v1%3A0".to_owned()),
                Just("/guardrail/g/version/1/apply".to_owned()),
                Just("/async-invoke".to_owned()),
                PATH_CHARS.prop_map(|s| format!("/foundation-models/{s}")),
                PATH_CHARS.prop_map(|s| format!("/inference-profiles/{s}")),
             ].prop_map(PathCase::Control),
        1 => PATH_CHARS.prop_map(|s| PathCase::Any(format!("/{s}"))),
    ]
}

fn render_path(p: &PathCase) -> String {
    match p {
        PathCase::Model { model, encode, op } => {
            let id = if *encode {
                encode_id(MODELS[*model].0)
            } else {
                MODELS[*model].0.to_owned()
            };
            format!("/model/{id}/{op}")
        }
        PathCase::ModelRaw { id, op } => format!("/model/{id}/{op}"),
        PathCase::Control(s) | PathCase::Any(s) => s.clone(),
    }
}

/// A mutation of one part of a valid SigV4 `Authorization` header.
#[derive(Debug, Clone)]
enum SigEdit {
    None,
    AccessKey(String),
    Date(String),
    Region(String),
    Service(String),
    Terminator(String),
    CredentialParts(u8),
    SignedHeaders(String),
    Signature(String),
    Algorithm(String),
    /// Deletes `len` characters at `at` (per mille of the length).
    Delete {
        at: u16,
        len: u8,
    },
    /// Inserts text at `at`.
    Insert {
        at: u16,
        text: String,
    },
}

fn sig_edit() -> impl Strategy<Value = SigEdit> {
    let token = || "[a-zA-Z0-9/;=, -]{0,16}";
    prop_oneof![
        14 => Just(SigEdit::None),
        1 => token().prop_map(SigEdit::AccessKey),
        1 => prop_oneof!["[0-9]{0,10}", token(), Just("\u{e9}\u{e9}\u{e9}\u{e9}".to_owned())].prop_map(SigEdit::Date),
        1 => token().prop_map(SigEdit::Region),
        1 => prop_oneof![Just("bedrock-runtime".to_owned()), token()].prop_map(SigEdit::Service),
        1 => token().prop_map(SigEdit::Terminator),
        1 => (0u8..9).prop_map(SigEdit::CredentialParts),
        1 => prop_oneof![
                Just("x-amz-date".to_owned()),
                Just("host;x-amz-date;x-amz-content-sha256".to_owned()),
                Just("HOST;X-AMZ-DATE".to_owned()),
                Just(";;".to_owned()),
                token()
             ].prop_map(SigEdit::SignedHeaders),
        1 => prop_oneof!["[0-9a-f]{64}", "[0-9A-F]{64}", token()].prop_map(SigEdit::Signature),
        1 => prop_oneof![Just("AWS4-HMAC-SHA512".to_owned()), Just("aws4-hmac-sha256".to_owned()), token()]
            .prop_map(SigEdit::Algorithm),
        2 => (any::<u16>(), 1u8..40).prop_map(|(at, len)| SigEdit::Delete { at, len }),
        2 => (any::<u16>(), "[ -~]{1,12}").prop_map(|(at, text)| SigEdit::Insert { at, text }),
    ]
}

#[derive(Debug, Clone)]
enum AuthCase {
    Missing,
    Bearer,
    BearerOther(String),
    SigV4(SigEdit),
    Any(String),
}

/// Header values as hyper accepts them: visible ASCII, spaces, tabs and obs-text bytes.
fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => "[ -~]{0,40}".prop_map(String::into_bytes),
        1 => vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, Just(b'\t')], 0..40),
    ]
}

fn auth_case() -> impl Strategy<Value = AuthCase> {
    prop_oneof![
        1 => Just(AuthCase::Missing),
        4 => Just(AuthCase::Bearer),
        1 => prop_oneof![
                "[ -~]{0,40}",
                Just("\u{e9}\u{e9}\u{e9}\u{e9}xyz".to_owned()),
                Just(String::new()),
             ].prop_map(AuthCase::BearerOther),
        8 => sig_edit().prop_map(AuthCase::SigV4),
        1 => "[ -~]{0,80}".prop_map(AuthCase::Any),
    ]
}

#[derive(Debug, Clone)]
enum DateCase {
    Now,
    Missing,
    Offset(i64),
    Any(Vec<u8>),
}

fn date_case() -> impl Strategy<Value = DateCase> {
    prop_oneof![
        12 => Just(DateCase::Now),
        1 => Just(DateCase::Missing),
        1 => prop_oneof![Just(-3600i64), Just(3600), Just(-400_000_000_000), Just(400_000_000_000)]
            .prop_map(DateCase::Offset),
        2 => prop_oneof![
                "[0-9]{8}T[0-9]{6}Z".prop_map(String::into_bytes),
                "[0-9TZ]{0,20}".prop_map(String::into_bytes),
                header_value(),
             ].prop_map(DateCase::Any),
    ]
}

/// A fault header item, never a long wait.
fn fault_item() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("throttle".to_owned()),
        Just("unavailable".to_owned()),
        Just("internal".to_owned()),
        Just("not-ready".to_owned()),
        Just("timeout".to_owned()),
        Just("model-error".to_owned()),
        Just("drop".to_owned()),
        (0u32..6).prop_map(|n| format!("stream-error-after={n}")),
        (0u32..6).prop_map(|n| format!("drop-after={n}")),
        (0u32..5).prop_map(|n| format!("latency-ms={n}")),
        (0u32..5).prop_map(|n| format!("first-token-ms={n}")),
        Just("latency-ms=600001".to_owned()),
        Just("first-token-ms=18446744073709551616".to_owned()),
        Just("stream-error-after=-1".to_owned()),
        "[a-z=0-9 -]{0,12}",
    ]
}

#[derive(Debug, Clone)]
enum BodyCase {
    /// The body that fits the path's model and operation, maybe mutated.
    Matching(Option<BodyMutation>),
    /// Any seed body, maybe mutated.
    Seed(usize, Option<BodyMutation>),
    Bytes(Vec<u8>),
    Empty,
}

fn maybe_mutated() -> impl Strategy<Value = Option<BodyMutation>> {
    prop_oneof![1 => Just(None), 1 => body_mutation().prop_map(Some)]
}

fn body_case() -> impl Strategy<Value = BodyCase> {
    prop_oneof![
        8 => maybe_mutated().prop_map(BodyCase::Matching),
        2 => (any::<usize>(), maybe_mutated()).prop_map(|(i, m)| BodyCase::Seed(i, m)),
        1 => vec(any::<u8>(), 0..200).prop_map(BodyCase::Bytes),
        1 => Just(BodyCase::Empty),
    ]
}

/// The seed body for the path: the model's InvokeModel body, the Converse body or the
/// CountTokens body.
fn matching_seed(path: &PathCase) -> usize {
    match path {
        PathCase::Model { model, op, .. } => match op.as_str() {
            "converse" | "converse-stream" => CONVERSE_BODY,
            "count-tokens" => COUNT_TOKENS_BODY,
            _ => MODELS[*model].1,
        },
        _ => 0,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Length {
    Exact,
    Missing,
    /// Declares more than is sent: the server waits for the rest, then sees the end.
    Long,
    /// Declares less: the rest reads as a second request.
    Short,
}

#[derive(Debug, Clone)]
struct RequestCase {
    method: String,
    path: PathCase,
    query: Option<String>,
    auth: AuthCase,
    date: DateCase,
    content_type: Option<Vec<u8>>,
    headers: Vec<(String, Vec<u8>)>,
    fault: Option<Vec<String>>,
    body: BodyCase,
    length: Length,
}

fn request_case() -> impl Strategy<Value = RequestCase> {
    (
        prop_oneof![
            8 => Just("POST".to_owned()),
            2 => Just("GET".to_owned()),
            1 => prop_oneof![Just("PUT".to_owned()), Just("DELETE".to_owned()), Just("OPTIONS".to_owned()), "[A-Z]{1,8}"],
        ],
        path_case(),
        proptest::option::weighted(0.2, "[a-zA-Z0-9=&%+._~-]{0,40}"),
        auth_case(),
        date_case(),
        proptest::option::weighted(
            0.8,
            prop_oneof![
                4 => Just(b"application/json".to_vec()),
                1 => header_value(),
            ],
        ),
        vec(
            (
                prop_oneof![
                    Just("x-amz-content-sha256".to_owned()),
                    Just("x-amz-security-token".to_owned()),
                    Just("Accept".to_owned()),
                    Just("X-Amzn-Bedrock-Trace".to_owned()),
                    Just("X-Amzn-Bedrock-GuardrailIdentifier".to_owned()),
                    Just("X-Amzn-Bedrock-GuardrailVersion".to_owned()),
                    Just("X-Amzn-Bedrock-PerformanceConfig-Latency".to_owned()),
                    Just("Authorization".to_owned()),
                    "[a-zA-Z][a-zA-Z0-9-]{0,15}",
                ],
                header_value(),
            ),
            0..3,
        ),
        proptest::option::weighted(0.15, vec(fault_item(), 1..3)),
        body_case(),
        prop_oneof![
            12 => Just(Length::Exact),
            1 => Just(Length::Missing),
            1 => Just(Length::Long),
            1 => Just(Length::Short),
        ],
    )
        .prop_map(
            |(method, path, query, auth, date, content_type, headers, fault, body, length)| RequestCase {
                method,
                path,
                query,
                auth,
                date,
                content_type,
                headers,
                fault,
                body,
                length,
            },
        )
}

/// A request the server accepts (a known model, an operation it has, a bearer key or a valid
/// signature, the body that fits), with varied model, operation and authentication.
fn valid_case() -> impl Strategy<Value = RequestCase> {
    (
        0..11usize,
        any::<bool>(),
        prop_oneof![
            Just("invoke"),
            Just("invoke-with-response-stream"),
            Just("converse"),
            Just("converse-stream"),
            Just("count-tokens"),
        ],
        prop_oneof![Just(AuthCase::Bearer), Just(AuthCase::SigV4(SigEdit::None))],
    )
        .prop_map(|(model, encode, op, auth)| RequestCase {
            method: "POST".into(),
            path: PathCase::Model {
                model,
                encode,
                op: op.to_owned(),
            },
            query: None,
            auth,
            date: DateCase::Now,
            content_type: Some(b"application/json".to_vec()),
            headers: Vec::new(),
            fault: None,
            body: BodyCase::Matching(None),
            length: Length::Exact,
        })
}

/// A valid request with up to three of its parts (method, path, query, authorization, date,
/// content type, other headers, fault header, body, length) taken from an arbitrary one.
fn near_valid_case() -> impl Strategy<Value = RequestCase> {
    (
        valid_case(),
        request_case(),
        proptest::sample::subsequence((0..10).collect::<Vec<u8>>(), 0..=3),
    )
        .prop_map(|(mut valid, other, parts)| {
            for part in parts {
                match part {
                    0 => valid.method = other.method.clone(),
                    1 => valid.path = other.path.clone(),
                    2 => valid.query = other.query.clone(),
                    3 => valid.auth = other.auth.clone(),
                    4 => valid.date = other.date.clone(),
                    5 => valid.content_type = other.content_type.clone(),
                    6 => valid.headers = other.headers.clone(),
                    7 => valid.fault = other.fault.clone(),
                    8 => valid.body = other.body.clone(),
                    _ => valid.length = other.length,
                }
            }
            valid
        })
}

fn edit_signature(auth: &str, edit: &SigEdit) -> String {
    let replace_part = |i: usize, with: &str| {
        let (head, rest) = auth.split_once("Credential=").unwrap();
        let (cred, tail) = rest.split_once(',').unwrap();
        let mut parts: Vec<String> = cred.split('/').map(str::to_owned).collect();
        parts[i] = with.to_owned();
        format!("{head}Credential={},{tail}", parts.join("/"))
    };
    let char_at = |per_mille: u16| {
        let chars: Vec<(usize, char)> = auth.char_indices().collect();
        let i = chars.len() * usize::from(per_mille % 1000) / 1000;
        chars.get(i).map_or(auth.len(), |(b, _)| *b)
    };
    match edit {
        SigEdit::None => auth.to_owned(),
        SigEdit::AccessKey(s) => replace_part(0, s),
        SigEdit::Date(s) => replace_part(1, s),
        SigEdit::Region(s) => replace_part(2, s),
        SigEdit::Service(s) => replace_part(3, s),
        SigEdit::Terminator(s) => replace_part(4, s),
        SigEdit::CredentialParts(n) => {
            let (head, rest) = auth.split_once("Credential=").unwrap();
            let (cred, tail) = rest.split_once(',').unwrap();
            let parts: Vec<&str> = cred.split('/').collect();
            let n = usize::from(*n);
            let cred = if n <= parts.len() {
                parts[..n].join("/")
            } else {
                format!("{cred}{}", "/x".repeat(n - parts.len()))
            };
            format!("{head}Credential={cred},{tail}")
        }
        SigEdit::SignedHeaders(s) => auth.replace("host;x-amz-date", s),
        SigEdit::Signature(s) => {
            let (head, _) = auth.split_once("Signature=").unwrap();
            format!("{head}Signature={s}")
        }
        SigEdit::Algorithm(s) => auth.replacen("AWS4-HMAC-SHA256", s, 1),
        SigEdit::Delete { at, len } => {
            let start = char_at(*at);
            let mut out = auth[..start].to_owned();
            out.extend(auth[start..].chars().skip(usize::from(*len)));
            out
        }
        SigEdit::Insert { at, text } => {
            let i = char_at(*at);
            format!("{}{text}{}", &auth[..i], &auth[i..])
        }
    }
}

/// The request's bytes, and whether it may go unanswered.
fn render(case: &RequestCase, port: u16, seeds: &[Value]) -> (Vec<u8>, bool) {
    let path = render_path(&case.path);
    let body = match &case.body {
        BodyCase::Matching(m) | BodyCase::Seed(_, m) => {
            let i = match &case.body {
                BodyCase::Seed(i, _) => i % seeds.len(),
                _ => matching_seed(&case.path),
            };
            match m {
                Some(m) => mutate_body(&seeds[i], m),
                None => serde_json::to_vec(&seeds[i]).unwrap(),
            }
        }
        BodyCase::Bytes(b) => b.clone(),
        BodyCase::Empty => Vec::new(),
    };
    let host = format!("127.0.0.1:{port}");
    let amz_date = match &case.date {
        DateCase::Now => Some(amz_date_now().into_bytes()),
        DateCase::Missing => None,
        DateCase::Offset(secs) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64;
            let t = aws_smithy_types::DateTime::from_secs(now.saturating_add(*secs));
            Some(
                t.fmt(aws_smithy_types::date_time::Format::DateTime)
                    .map(|s| s.replace(['-', ':'], ""))
                    .unwrap_or_else(|_| "99991231T235959Z".to_owned())
                    .into_bytes(),
            )
        }
        DateCase::Any(b) => Some(b.clone()),
    };
    let date_text = amz_date
        .as_deref()
        .map(|d| String::from_utf8_lossy(d).into_owned())
        .unwrap_or_else(amz_date_now);
    let auth: Option<Vec<u8>> = match &case.auth {
        AuthCase::Missing => None,
        AuthCase::Bearer => Some(format!("Bearer {TEST_BEARER_TOKEN}").into_bytes()),
        AuthCase::BearerOther(t) => Some(format!("Bearer {t}").into_bytes()),
        AuthCase::SigV4(edit) => {
            let signed = authorization(&ToSign {
                method: &case.method,
                path: &path,
                query: case.query.as_deref(),
                host: &host,
                amz_date: &date_text,
                body: &body,
                region: "us-east-1",
                access_key_id: TEST_ACCESS_KEY_ID,
                secret_access_key: TEST_SECRET_ACCESS_KEY,
            });
            Some(edit_signature(&signed, edit).into_bytes())
        }
        AuthCase::Any(s) => Some(s.clone().into_bytes()),
    };
    let target = match &case.query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    let mut out = format!("{} {target} HTTP/1.1\r\nHost: {host}\r\n", case.method).into_bytes();
    let mut header = |name: &str, value: &[u8]| {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    };
    if let Some(a) = &auth {
        header("Authorization", a);
    }
    if let Some(d) = &amz_date {
        header("X-Amz-Date", d);
    }
    if let Some(c) = &case.content_type {
        header("Content-Type", c);
    }
    for (k, v) in &case.headers {
        header(k, v);
    }
    if let Some(f) = &case.fault {
        header(bedrock_fm_local::FAULT_HEADER, f.join(",").as_bytes());
    }
    let sent_len = match case.length {
        Length::Exact => Some(body.len()),
        Length::Missing => None,
        Length::Long => Some(body.len() + 10),
        Length::Short => Some(body.len() / 2),
    };
    if let Some(n) = sent_len {
        header("Content-Length", n.to_string().as_bytes());
    }
    header("Connection", b"close");
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    let dropping = case.fault.as_ref().is_some_and(|f| {
        f.iter()
            .any(|i| i.trim() == "drop" || i.trim().starts_with("drop-after"))
    });
    (out, dropping || case.length == Length::Long)
}

fn is_json_object_with_message(body: &[u8]) -> bool {
    let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    ["message", "Message"]
        .iter()
        .any(|k| m.get(*k).is_some_and(|v| v.is_string() || v.is_null()))
}

/// Checks one response; its tally key.
fn check(r: &RawResponse, may_drop: bool, faulted: bool) -> Result<String, String> {
    if r.header("x-amzn-RequestId").is_none_or(str::is_empty) {
        return Err(format!("no x-amzn-RequestId on a {}", r.status));
    }
    if r.status == 200 {
        let content_type = r.header("content-type").unwrap_or("");
        if content_type == "application/vnd.amazon.eventstream" {
            if !r.complete && !may_drop {
                return Err("an event stream cut short without a drop fault".into());
            }
            let frames = crate::event_stream::split_frames(&r.body);
            let framed: usize = frames.iter().map(Vec::len).sum();
            if r.complete && framed != r.body.len() {
                return Err(format!(
                    "{} stray bytes after the frames",
                    r.body.len() - framed
                ));
            }
            for f in &frames {
                aws_smithy_eventstream::frame::read_message_from(&f[..])
                    .map_err(|e| format!("a frame that does not decode: {e}"))?;
            }
            return Ok("200 event stream".into());
        }
        serde_json::from_slice::<Value>(&r.body)
            .map_err(|e| format!("a 200 whose body is not JSON ({e}): {content_type}"))?;
        return Ok("200".into());
    }
    if !(400..600).contains(&r.status) {
        return Err(format!("status {}", r.status));
    }
    let error_type = r
        .header("x-amzn-ErrorType")
        .ok_or_else(|| format!("a {} without x-amzn-ErrorType", r.status))?;
    let name = error_type.split(':').next().unwrap_or("");
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("x-amzn-ErrorType {error_type:?}"));
    }
    if r.header("content-type") != Some("application/json") {
        return Err(format!(
            "{name} with content-type {:?}",
            r.header("content-type")
        ));
    }
    if !is_json_object_with_message(&r.body) {
        return Err(format!(
            "{name} body without a message: {}",
            String::from_utf8_lossy(&r.body)
        ));
    }
    if r.status == 500 && name == "InternalServerException" && !faulted {
        return Err("InternalServerException without an injected fault (a handler panic?)".into());
    }
    Ok(format!("{} {name}", r.status))
}

#[test]
fn requests_to_the_local_server() {
    crate::on_big_stack(requests_to_the_local_server_body);
}

fn requests_to_the_local_server_body() {
    let rt = runtime();
    let server = bedrock_fm_local::start();
    let addr = server.addr();
    let seeds = seed_bodies();
    // The signer must produce signatures the server accepts, or the SigV4 cases are shallow.
    let valid = RequestCase {
        method: "POST".into(),
        path: PathCase::Model {
            model: 0,
            encode: true,
            op: "invoke".into(),
        },
        query: None,
        auth: AuthCase::SigV4(SigEdit::None),
        date: DateCase::Now,
        content_type: Some(b"application/json".to_vec()),
        headers: Vec::new(),
        fault: None,
        body: BodyCase::Matching(None),
        length: Length::Exact,
    };
    let (bytes, _) = render(&valid, addr.port(), &seeds);
    let r = rt
        .block_on(exchange(addr, &bytes, false, CASE_TIMEOUT))
        .unwrap()
        .unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    let tally = RefCell::new(Tally::default());
    let strategy = prop_oneof![
        6 => near_valid_case().prop_map(Ok),
        3 => request_case().prop_map(Ok),
        1 => vec(any::<u8>(), 0..300).prop_map(Err),
    ];
    run(
        "local-server/requests",
        strategy,
        |case: Result<RequestCase, Vec<u8>>| {
            rt.block_on(async {
                match case {
                    Ok(case) => {
                        let (bytes, may_drop) = render(&case, addr.port(), &seeds);
                        let half_close = case.length == Length::Long;
                        let answer = exchange(addr, &bytes, half_close, CASE_TIMEOUT)
                            .await
                            .map_err(TestCaseError::fail)?;
                        let mut t = tally.borrow_mut();
                        match answer {
                            None if may_drop => {
                                t.err("no answer (drop fault or long Content-Length)")
                            }
                            None => return Err(TestCaseError::fail("closed without an answer")),
                            Some(r) => {
                                let key =
                                    check(&r, may_drop, case.fault.is_some()).map_err(|e| {
                                        TestCaseError::fail(format!(
                                            "{e}\nrequest: {}",
                                            String::from_utf8_lossy(&bytes)
                                        ))
                                    })?;
                                if r.status == 200 {
                                    t.executions += 1;
                                    t.ok += 1;
                                    t.note(key);
                                } else {
                                    t.err(key);
                                }
                            }
                        }
                    }
                    Err(raw) => {
                        let answer = exchange(addr, &raw, true, CASE_TIMEOUT)
                            .await
                            .map_err(TestCaseError::fail)?;
                        let mut t = tally.borrow_mut();
                        match answer {
                            None => t.err("raw bytes: no answer"),
                            Some(r) => t.err(format!("raw bytes: {}", r.status)),
                        }
                    }
                }
                Ok(())
            })
        },
    );
    // Still serving.
    let r = rt
        .block_on(exchange(addr, &bytes, false, CASE_TIMEOUT))
        .unwrap()
        .unwrap();
    assert_eq!(r.status, 200);
    report("local-server/requests", &tally.borrow());
}
