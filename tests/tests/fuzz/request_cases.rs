//! The requests of target (c): model IDs and seed bodies, and the strategies of paths,
//! SigV4 `Authorization` edits, dates, fault headers, bodies and whole requests (arbitrary,
//! valid, and valid with a few parts taken from an arbitrary one).

use crate::families::encode_id;
use crate::mutate::{BodyMutation, body_mutation};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Model IDs, each with the index of its InvokeModel body in [`seed_bodies`].
pub(crate) const MODELS: &[(&str, usize)] = &[
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
pub(crate) const CONVERSE_BODY: usize = 2;
pub(crate) const COUNT_TOKENS_BODY: usize = 10;

/// Bodies that reach each operation's validation (for the first models above).
pub(crate) fn seed_bodies() -> Vec<Value> {
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
pub(crate) const PATH_CHARS: &str = "[a-zA-Z0-9._~:@!$&'()*+,;=/%-]{0,40}";

#[derive(Debug, Clone)]
pub(crate) enum PathCase {
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

pub(crate) fn op() -> impl Strategy<Value = String> {
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

pub(crate) fn path_case() -> impl Strategy<Value = PathCase> {
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

pub(crate) fn render_path(p: &PathCase) -> String {
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
pub(crate) enum SigEdit {
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

pub(crate) fn sig_edit() -> impl Strategy<Value = SigEdit> {
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
pub(crate) enum AuthCase {
    Missing,
    Bearer,
    BearerOther(String),
    SigV4(SigEdit),
    Any(String),
}

/// Header values as hyper accepts them: visible ASCII, spaces, tabs and obs-text bytes.
pub(crate) fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => "[ -~]{0,40}".prop_map(String::into_bytes),
        1 => vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, Just(b'\t')], 0..40),
    ]
}

pub(crate) fn auth_case() -> impl Strategy<Value = AuthCase> {
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
pub(crate) enum DateCase {
    Now,
    Missing,
    Offset(i64),
    Any(Vec<u8>),
}

pub(crate) fn date_case() -> impl Strategy<Value = DateCase> {
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
pub(crate) fn fault_item() -> impl Strategy<Value = String> {
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
pub(crate) enum BodyCase {
    /// The body that fits the path's model and operation, maybe mutated.
    Matching(Option<BodyMutation>),
    /// Any seed body, maybe mutated.
    Seed(usize, Option<BodyMutation>),
    Bytes(Vec<u8>),
    Empty,
}

pub(crate) fn maybe_mutated() -> impl Strategy<Value = Option<BodyMutation>> {
    prop_oneof![1 => Just(None), 1 => body_mutation().prop_map(Some)]
}

pub(crate) fn body_case() -> impl Strategy<Value = BodyCase> {
    prop_oneof![
        8 => maybe_mutated().prop_map(BodyCase::Matching),
        2 => (any::<usize>(), maybe_mutated()).prop_map(|(i, m)| BodyCase::Seed(i, m)),
        1 => vec(any::<u8>(), 0..200).prop_map(BodyCase::Bytes),
        1 => Just(BodyCase::Empty),
    ]
}

/// The seed body for the path: the model's InvokeModel body, the Converse body or the
/// CountTokens body.
pub(crate) fn matching_seed(path: &PathCase) -> usize {
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
pub(crate) enum Length {
    Exact,
    Missing,
    /// Declares more than is sent: the server waits for the rest, then sees the end.
    Long,
    /// Declares less: the rest reads as a second request.
    Short,
}

#[derive(Debug, Clone)]
pub(crate) struct RequestCase {
    pub(crate) method: String,
    pub(crate) path: PathCase,
    pub(crate) query: Option<String>,
    pub(crate) auth: AuthCase,
    pub(crate) date: DateCase,
    pub(crate) content_type: Option<Vec<u8>>,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    pub(crate) fault: Option<Vec<String>>,
    pub(crate) body: BodyCase,
    pub(crate) length: Length,
}

pub(crate) fn request_case() -> impl Strategy<Value = RequestCase> {
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
pub(crate) fn valid_case() -> impl Strategy<Value = RequestCase> {
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
pub(crate) fn near_valid_case() -> impl Strategy<Value = RequestCase> {
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
