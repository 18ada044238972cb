//! The Converse features serious applications use — guardrails, prompt caching, reasoning,
//! images and documents, latency-optimized inference, request metadata — driven by
//! `aws-sdk-bedrockruntime`, over Converse, ConverseStream, InvokeModel and
//! InvokeModelWithResponseStream.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    CachePointBlock, CachePointType, ContentBlock, ContentBlockDelta, ConversationRole,
    ConverseOutput, ConverseStreamOutput, DocumentBlock, DocumentFormat, DocumentSource,
    GuardrailConfiguration, GuardrailConverseContentBlock, GuardrailConverseTextBlock,
    GuardrailStreamConfiguration, GuardrailTrace, ImageBlock, ImageFormat, ImageSource, Message,
    PerformanceConfigLatency, PerformanceConfiguration, ReasoningContentBlock,
    ReasoningContentBlockDelta, ResponseStream, StopReason, SystemContentBlock, Trace,
};
use aws_smithy_types::Document;
use bedrock_fm_local::{Config, TEST_BEARER_TOKEN, TEST_GUARDRAIL_BLOCKED_TERM, TEST_GUARDRAIL_ID};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HAIKU3: &str = "anthropic.claude-3-haiku-20240307-v1:0";
/// Profile-only models (no on-demand throughput), named by their `us.` inference profile.
const SONNET37: &str = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
const OPUS46: &str = "us.anthropic.claude-opus-4-6-v1";
const NOVA_PRO: &str = "amazon.nova-pro-v1:0";
const BLOCKED_MESSAGE: &str = "Sorry, the model cannot answer this question.";

fn user(text: &str) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(text.into()))
        .build()
        .unwrap()
}

fn user_blocks(blocks: Vec<ContentBlock>) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .set_content(Some(blocks))
        .build()
        .unwrap()
}

fn message_of(out: &aws_sdk_bedrockruntime::operation::converse::ConverseOutput) -> &Message {
    match out.output() {
        Some(ConverseOutput::Message(m)) => m,
        other => panic!("no message: {other:?}"),
    }
}

fn text_of(out: &aws_sdk_bedrockruntime::operation::converse::ConverseOutput) -> String {
    message_of(out)
        .content()
        .iter()
        .filter_map(|b| b.as_text().ok().cloned())
        .collect()
}

fn guardrail(version: &str, trace: GuardrailTrace) -> GuardrailConfiguration {
    GuardrailConfiguration::builder()
        .guardrail_identifier(TEST_GUARDRAIL_ID)
        .guardrail_version(version)
        .trace(trace)
        .build()
}

fn cache_point() -> CachePointBlock {
    CachePointBlock::builder()
        .r#type(CachePointType::Default)
        .build()
        .unwrap()
}

fn long_text(words: usize) -> String {
    (0..words)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn doc(value: Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(b),
        Value::Number(n) => Document::from(n.as_u64().unwrap_or_default()),
        Value::String(s) => Document::String(s),
        Value::Array(a) => Document::Array(a.into_iter().map(doc).collect()),
        Value::Object(o) => Document::Object(o.into_iter().map(|(k, v)| (k, doc(v))).collect()),
    }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn image(format: ImageFormat, bytes: Vec<u8>) -> ContentBlock {
    ContentBlock::Image(
        ImageBlock::builder()
            .format(format)
            .source(ImageSource::Bytes(Blob::new(bytes)))
            .build()
            .unwrap(),
    )
}

fn document(name: &str) -> ContentBlock {
    ContentBlock::Document(
        DocumentBlock::builder()
            .format(DocumentFormat::Txt)
            .name(name)
            .source(DocumentSource::Bytes(Blob::new("Quarterly numbers: up.")))
            .build()
            .unwrap(),
    )
}

// --- Guardrails ----------------------------------------------------------------------------

#[tokio::test]
async fn a_guardrail_blocks_input_with_a_trace() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("Tell me the forbidden recipe"))
        .guardrail_config(guardrail("1", GuardrailTrace::Enabled))
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::GuardrailIntervened);
    assert_eq!(text_of(&out), BLOCKED_MESSAGE);
    let usage = out.usage().unwrap();
    assert_eq!((usage.input_tokens(), usage.output_tokens()), (0, 0));
    let trace = out.trace().unwrap().guardrail().unwrap();
    let assessment = &trace.input_assessment().unwrap()[TEST_GUARDRAIL_ID];
    let words = assessment.word_policy().unwrap().custom_words();
    assert_eq!(words[0].r#match(), TEST_GUARDRAIL_BLOCKED_TERM);
    assert_eq!(words[0].action().as_str(), "BLOCKED");
    assert_eq!(trace.action_reason(), Some("Guardrail blocked."));
    let metrics = assessment.invocation_metrics().unwrap();
    assert_eq!(
        metrics
            .guardrail_coverage()
            .unwrap()
            .text_characters()
            .unwrap()
            .total(),
        Some(28)
    );
    // The wire: the guardrailConfig the SDK sent.
    let body: Value = serde_json::from_slice(&server.last_request().unwrap().body).unwrap();
    assert_eq!(
        body["guardrailConfig"],
        json!({"guardrailIdentifier": TEST_GUARDRAIL_ID, "guardrailVersion": "1", "trace": "enabled"})
    );

    // Without a trace: blocked all the same, no trace.
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("FORBIDDEN things"))
        .guardrail_config(guardrail("DRAFT", GuardrailTrace::Disabled))
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::GuardrailIntervened);
    assert!(out.trace().is_none());

    // Clean input: the model answers; the trace shows both assessments.
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("Tell me about rivers"))
        .guardrail_config(guardrail("1", GuardrailTrace::Enabled))
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::EndTurn);
    assert!(text_of(&out).starts_with("Tell me about rivers."));
    let trace = out.trace().unwrap().guardrail().unwrap();
    assert!(
        trace.output_assessments().unwrap()[TEST_GUARDRAIL_ID][0]
            .word_policy()
            .is_none()
    );
    assert!(trace.action_reason().is_none());
}

#[tokio::test]
async fn a_guardrail_blocks_output_when_only_guarded_content_is_assessed() {
    let server = bedrock_fm_local::start();
    // Only the guardContent block is assessed on input; the model echoes the unguarded text,
    // so the output carries the blocked word.
    let out = server
        .client()
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(vec![
            ContentBlock::Text("Repeat after me: forbidden".into()),
            ContentBlock::GuardContent(GuardrailConverseContentBlock::Text(
                GuardrailConverseTextBlock::builder()
                    .text("a harmless question")
                    .build()
                    .unwrap(),
            )),
        ]))
        .guardrail_config(guardrail("1", GuardrailTrace::Enabled))
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::GuardrailIntervened);
    assert_eq!(text_of(&out), BLOCKED_MESSAGE);
    let trace = out.trace().unwrap().guardrail().unwrap();
    assert!(
        trace.input_assessment().unwrap()[TEST_GUARDRAIL_ID]
            .word_policy()
            .is_none()
    );
    let output = &trace.output_assessments().unwrap()[TEST_GUARDRAIL_ID][0];
    assert_eq!(
        output.word_policy().unwrap().custom_words()[0].r#match(),
        "forbidden"
    );
    assert!(trace.model_output()[0].starts_with("Repeat after me: forbidden"));
    assert!(out.usage().unwrap().output_tokens() > 0);
}

#[tokio::test]
async fn unknown_guardrails_and_versions_are_validation_errors() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("hi"))
        .guardrail_config(
            GuardrailConfiguration::builder()
                .guardrail_identifier("nosuchguardrail")
                .guardrail_version("1")
                .build(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("The provided guardrail identifier is invalid.")
    );
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("hi"))
        .guardrail_config(guardrail("9", GuardrailTrace::Disabled))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.message(),
        Some("The guardrail identifier or version provided in the request does not exist.")
    );
    // A configured guardrail, named by its ARN.
    let server = bedrock_fm_local::start_with(Config::new().guardrail("pii", "3", &["ssn"]));
    let out = server
        .client()
        .converse()
        .model_id(HAIKU3)
        .messages(user("my SSN is 123"))
        .guardrail_config(
            GuardrailConfiguration::builder()
                .guardrail_identifier("arn:aws:bedrock:us-east-1:123456789012:guardrail/pii")
                .guardrail_version("3")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::GuardrailIntervened);
    // And the test guardrail can be configured away.
    let server = bedrock_fm_local::start_with(Config::new().without_guardrails());
    let err = server
        .client()
        .converse()
        .model_id(HAIKU3)
        .messages(user("hi"))
        .guardrail_config(guardrail("1", GuardrailTrace::Disabled))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_validation_exception());
}

#[tokio::test]
async fn converse_stream_with_a_guardrail_ends_intervened_with_the_trace_in_metadata() {
    let server = bedrock_fm_local::start();
    let mut out = server
        .client()
        .converse_stream()
        .model_id(HAIKU3)
        .messages(user("The forbidden city"))
        .guardrail_config(
            GuardrailStreamConfiguration::builder()
                .guardrail_identifier(TEST_GUARDRAIL_ID)
                .guardrail_version("1")
                .trace(GuardrailTrace::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    let mut stop = None;
    let mut trace = None;
    while let Some(event) = out.stream.recv().await.unwrap() {
        match event {
            ConverseStreamOutput::ContentBlockDelta(d) => {
                if let Some(ContentBlockDelta::Text(t)) = d.delta() {
                    text.push_str(t);
                }
            }
            ConverseStreamOutput::MessageStop(m) => stop = Some(m.stop_reason().clone()),
            ConverseStreamOutput::Metadata(m) => trace = m.trace().cloned(),
            _ => {}
        }
    }
    assert_eq!(text, BLOCKED_MESSAGE);
    assert_eq!(stop, Some(StopReason::GuardrailIntervened));
    let trace = trace.unwrap();
    assert!(
        trace.guardrail().unwrap().input_assessment().unwrap()[TEST_GUARDRAIL_ID]
            .word_policy()
            .is_some()
    );
}

fn claude_body(text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 200,
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]
    }))
    .unwrap()
}

#[tokio::test]
async fn invoke_model_with_guardrail_headers() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    // Blocked input: the recorded Claude body, action and trace.
    let out = client
        .invoke_model()
        .model_id(HAIKU3)
        .content_type("application/json")
        .body(Blob::new(claude_body("A forbidden question")))
        .guardrail_identifier(TEST_GUARDRAIL_ID)
        .guardrail_version("1")
        .trace(Trace::Enabled)
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["amazon-bedrock-guardrailAction"], "INTERVENED");
    assert_eq!(
        v["content"],
        json!([{"type": "text", "text": BLOCKED_MESSAGE}])
    );
    assert_eq!(v["type"], "message");
    assert_eq!(v["role"], "assistant");
    let g = &v["amazon-bedrock-trace"]["guardrail"];
    assert_eq!(g["actionReason"], "Guardrail blocked.");
    assert_eq!(
        g["input"][TEST_GUARDRAIL_ID]["wordPolicy"]["customWords"][0]["match"],
        "forbidden"
    );
    let req = server.last_request().unwrap();
    assert_eq!(
        req.header("x-amzn-bedrock-guardrailidentifier"),
        Some(TEST_GUARDRAIL_ID)
    );
    assert_eq!(req.header("x-amzn-bedrock-trace"), Some("ENABLED"));

    // Clean: the usual body plus action NONE; no trace without the trace header.
    let out = client
        .invoke_model()
        .model_id(HAIKU3)
        .body(Blob::new(claude_body("Tell me about lakes")))
        .guardrail_identifier(TEST_GUARDRAIL_ID)
        .guardrail_version("DRAFT")
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["amazon-bedrock-guardrailAction"], "NONE");
    assert!(v.get("amazon-bedrock-trace").is_none());
    assert!(
        v["content"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Tell me about lakes")
    );

    // Tagged input: only the tagged text is assessed (and the tags never reach the model), so
    // the echo of the untagged word is blocked on output.
    let body = json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 200,
        "messages": [{"role": "user", "content": "forbidden <amazon-bedrock-guardrails-guardContent_abc>is this fine</amazon-bedrock-guardrails-guardContent_abc>"}],
        "amazon-bedrock-guardrailConfig": {"tagSuffix": "abc"}
    });
    let out = client
        .invoke_model()
        .model_id(HAIKU3)
        .body(Blob::new(serde_json::to_vec(&body).unwrap()))
        .guardrail_identifier(TEST_GUARDRAIL_ID)
        .guardrail_version("1")
        .trace(Trace::EnabledFull)
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["amazon-bedrock-guardrailAction"], "INTERVENED");
    assert_eq!(v["content"][0]["text"], BLOCKED_MESSAGE);
    let g = &v["amazon-bedrock-trace"]["guardrail"];
    assert!(g["input"][TEST_GUARDRAIL_ID]["wordPolicy"].is_null());
    assert_eq!(
        g["outputs"][0][TEST_GUARDRAIL_ID]["wordPolicy"]["customWords"][0]["match"],
        "forbidden"
    );
    assert!(v["usage"]["output_tokens"].as_u64().unwrap() > 0);

    // Unknown guardrail.
    let err = client
        .invoke_model()
        .model_id(HAIKU3)
        .body(Blob::new(claude_body("hi")))
        .guardrail_identifier("nope")
        .guardrail_version("1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.message(),
        Some("The provided guardrail identifier is invalid.")
    );
}

#[tokio::test]
async fn invoke_model_guardrails_rewrite_other_families_text() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let invoke = |model: &'static str, body: Value| {
        client
            .invoke_model()
            .model_id(model)
            .body(Blob::new(serde_json::to_vec(&body).unwrap()))
            .guardrail_identifier(TEST_GUARDRAIL_ID)
            .guardrail_version("1")
            .trace(Trace::Enabled)
            .send()
    };
    let out = invoke(
        "meta.llama3-8b-instruct-v1:0",
        json!({"prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nThe forbidden word<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", "max_gen_len": 50}),
    )
    .await
    .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["generation"], BLOCKED_MESSAGE);
    assert_eq!(v["amazon-bedrock-guardrailAction"], "INTERVENED");
    let out = invoke(
        "amazon.titan-text-express-v1",
        json!({"inputText": "Describe a lake"}),
    )
    .await
    .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["amazon-bedrock-guardrailAction"], "NONE");
    assert!(
        v["results"][0]["outputText"]
            .as_str()
            .unwrap()
            .starts_with("Describe a lake")
    );
    assert!(v["amazon-bedrock-trace"]["guardrail"]["outputs"][0][TEST_GUARDRAIL_ID].is_object());
}

async fn stream_chunks(
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
    body: Value,
) -> Vec<Value> {
    let mut out = client
        .invoke_model_with_response_stream()
        .model_id(model)
        .body(Blob::new(serde_json::to_vec(&body).unwrap()))
        .guardrail_identifier(TEST_GUARDRAIL_ID)
        .guardrail_version("1")
        .trace(Trace::Enabled)
        .send()
        .await
        .unwrap();
    let mut chunks = Vec::new();
    while let Some(event) = out.body.recv().await.unwrap() {
        if let ResponseStream::Chunk(part) = event {
            chunks.push(serde_json::from_slice(part.bytes().unwrap().as_ref()).unwrap());
        }
    }
    chunks
}

#[tokio::test]
async fn invoke_model_streams_carry_the_action_on_the_last_chunk() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let chunks = stream_chunks(
        &client,
        HAIKU3,
        json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
               "messages": [{"role": "user", "content": "Is forbidden a word?"}]}),
    )
    .await;
    let text: String = chunks
        .iter()
        .filter_map(|c| c["delta"]["text"].as_str())
        .collect();
    assert_eq!(text, BLOCKED_MESSAGE);
    let last = chunks.last().unwrap();
    assert_eq!(last["type"], "message_stop");
    assert_eq!(last["amazon-bedrock-guardrailAction"], "INTERVENED");
    assert!(last["amazon-bedrock-invocationMetrics"].is_object());
    assert!(last["amazon-bedrock-trace"]["guardrail"]["input"][TEST_GUARDRAIL_ID].is_object());
    for c in &chunks[..chunks.len() - 1] {
        assert!(c.get("amazon-bedrock-guardrailAction").is_none());
    }
    // Nova, clean.
    let chunks = stream_chunks(
        &client,
        NOVA_PRO,
        json!({"messages": [{"role": "user", "content": [{"text": "Tell me about lakes"}]}]}),
    )
    .await;
    let last = chunks.last().unwrap();
    assert!(last["metadata"].is_object());
    assert_eq!(last["amazon-bedrock-guardrailAction"], "NONE");
    let text: String = chunks
        .iter()
        .filter_map(|c| c["contentBlockDelta"]["delta"]["text"].as_str())
        .collect();
    assert!(text.starts_with("Tell me about lakes"));
}

// --- Prompt caching ------------------------------------------------------------------------

#[tokio::test]
async fn converse_cache_points_write_then_read() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let system = long_text(1_100);
    let ask = |question: &'static str| {
        client
            .converse()
            .model_id(SONNET37)
            .system(SystemContentBlock::Text(system.clone()))
            .system(SystemContentBlock::CachePoint(cache_point()))
            .messages(user(question))
    };
    let first = ask("What does it say?").send().await.unwrap();
    let u = first.usage().unwrap();
    assert_eq!(u.cache_write_input_tokens(), Some(1_100));
    assert_eq!(u.cache_read_input_tokens(), Some(0));
    assert_eq!(u.input_tokens(), 5);
    assert_eq!(
        u.total_tokens(),
        u.input_tokens() + u.output_tokens() + 1_100
    );
    let second = ask("Summarize it").send().await.unwrap();
    let u = second.usage().unwrap();
    assert_eq!(u.cache_read_input_tokens(), Some(1_100));
    assert_eq!(u.cache_write_input_tokens(), Some(0));
    assert_eq!(u.input_tokens(), 2);
    // The wire: the cachePoint block as the SDK sent it.
    let body: Value = serde_json::from_slice(&server.last_request().unwrap().body).unwrap();
    assert_eq!(
        body["system"][1],
        json!({"cachePoint": {"type": "default"}})
    );

    // The stream reports the same figures in its metadata event.
    let mut out = client
        .converse_stream()
        .model_id(SONNET37)
        .system(SystemContentBlock::Text(system.clone()))
        .system(SystemContentBlock::CachePoint(cache_point()))
        .messages(user("Once more"))
        .send()
        .await
        .unwrap();
    let mut usage = None;
    while let Some(event) = out.stream.recv().await.unwrap() {
        if let ConverseStreamOutput::Metadata(m) = event {
            usage = m.usage().cloned();
        }
    }
    assert_eq!(usage.unwrap().cache_read_input_tokens(), Some(1_100));

    // Clearing the cache writes again.
    server.prompt_cache().clear();
    let again = ask("What does it say?").send().await.unwrap();
    assert_eq!(
        again.usage().unwrap().cache_write_input_tokens(),
        Some(1_100)
    );

    // Message checkpoints.
    let out = client
        .converse()
        .model_id(SONNET37)
        .messages(user_blocks(vec![
            ContentBlock::Text(long_text(1_500)),
            ContentBlock::CachePoint(cache_point()),
            ContentBlock::Text("And?".into()),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(out.usage().unwrap().cache_write_input_tokens(), Some(1_500));

    // A model without prompt caching.
    let err = client
        .converse()
        .model_id(HAIKU3)
        .system(SystemContentBlock::Text("s".into()))
        .system(SystemContentBlock::CachePoint(cache_point()))
        .messages(user("hi"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_access_denied_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("You invoked an unsupported model or your request did not allow prompt caching.")
    );
}

/// Sends a bearer-authenticated request over raw HTTP and returns status, headers and body.
async fn raw_post(
    addr: std::net::SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nAuthorization: Bearer {TEST_BEARER_TOKEN}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(&bytes).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let head_end = text.find("\r\n\r\n").unwrap();
    let mut lines = text[..head_end].split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    (status, headers, buf[head_end + 4..].to_vec())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn invoke_model_cache_control_reports_cache_tokens_in_body_and_headers() {
    let server = bedrock_fm_local::start();
    let body = json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 100,
        "system": [{"type": "text", "text": long_text(1_300), "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": "Question one"}]
    });
    let bytes = serde_json::to_vec(&body).unwrap();
    let path = "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/invoke";
    let (status, headers, resp) = raw_post(server.addr(), path, &[], &bytes).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&resp));
    let v: Value = serde_json::from_slice(&resp).unwrap();
    assert_eq!(v["usage"]["cache_creation_input_tokens"], 1_300);
    assert_eq!(v["usage"]["input_tokens"], 2);
    assert_eq!(
        header(&headers, "x-amzn-bedrock-cache-write-input-token-count"),
        Some("1300")
    );
    assert_eq!(
        header(&headers, "x-amzn-bedrock-cache-read-input-token-count"),
        Some("0")
    );
    assert_eq!(
        header(&headers, "x-amzn-bedrock-input-token-count"),
        Some("2")
    );
    // Through the SDK, the second call reads.
    let out = server
        .client()
        .invoke_model()
        .model_id(SONNET37)
        .body(Blob::new(bytes))
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["usage"]["cache_read_input_tokens"], 1_300);
    assert_eq!(v["usage"]["cache_creation_input_tokens"], 0);
}

// --- Reasoning -----------------------------------------------------------------------------

#[tokio::test]
async fn converse_reasoning_returns_signed_reasoning_content_unary_and_streamed() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let fields =
        doc(json!({"thinking": {"type": "adaptive"}, "output_config": {"effort": "medium"}}));
    let out = client
        .converse()
        .model_id(OPUS46)
        .messages(user("Why is the sky blue?"))
        .additional_model_request_fields(fields.clone())
        .send()
        .await
        .unwrap();
    let content = message_of(&out).content();
    let ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(r)) = &content[0]
    else {
        panic!("{content:?}")
    };
    assert!(r.text().starts_with("Let me think"));
    assert!(r.signature().is_some_and(|s| !s.is_empty()));
    assert!(content[1].is_text());

    let mut stream = client
        .converse_stream()
        .model_id(OPUS46)
        .messages(user("Why is the sky blue?"))
        .additional_model_request_fields(fields)
        .send()
        .await
        .unwrap();
    let mut reasoning = String::new();
    let mut signature = None;
    while let Some(event) = stream.stream.recv().await.unwrap() {
        if let ConverseStreamOutput::ContentBlockDelta(d) = event {
            match d.delta() {
                Some(ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(t))) => {
                    reasoning.push_str(t)
                }
                Some(ContentBlockDelta::ReasoningContent(
                    ReasoningContentBlockDelta::Signature(s),
                )) => signature = Some(s.clone()),
                _ => {}
            }
        }
    }
    assert_eq!(reasoning, r.text());
    assert_eq!(signature.as_deref(), r.signature());

    // Budget thinking on Claude 3.7 Sonnet; Nova's reasoningConfig.
    let out = client
        .converse()
        .model_id(SONNET37)
        .messages(user("Plan a trip"))
        .additional_model_request_fields(doc(
            json!({"thinking": {"type": "enabled", "budget_tokens": 1024}}),
        ))
        .send()
        .await
        .unwrap();
    assert!(message_of(&out).content()[0].is_reasoning_content());
    let out = client
        .converse()
        .model_id(NOVA_PRO)
        .messages(user("Plan a trip"))
        .additional_model_request_fields(doc(
            json!({"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}}),
        ))
        .send()
        .await
        .unwrap();
    assert!(message_of(&out).content()[0].is_reasoning_content());

    // Adaptive thinking on a budget-only model: Anthropic's error through Bedrock.
    let err = client
        .converse()
        .model_id(SONNET37)
        .messages(user("x"))
        .additional_model_request_fields(doc(json!({"thinking": {"type": "adaptive"}})))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.message().unwrap().contains("Input tag 'adaptive'"));
}

#[tokio::test]
async fn invoke_model_adaptive_thinking() {
    let server = bedrock_fm_local::start();
    let body = json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 4000,
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "high"},
        "messages": [{"role": "user", "content": "Why is the sky blue?"}]
    });
    let out = server
        .client()
        .invoke_model()
        .model_id(OPUS46)
        .body(Blob::new(serde_json::to_vec(&body).unwrap()))
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["content"][0]["type"], "thinking");
    assert!(
        v["content"][0]["signature"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(v["content"][1]["type"], "text");
}

// --- Images and documents --------------------------------------------------------------------

#[tokio::test]
async fn images_and_documents_are_validated() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(vec![
            image(ImageFormat::Png, png(8, 6)),
            ContentBlock::Text("What is in this image?".into()),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::EndTurn);
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(vec![
            image(ImageFormat::Jpeg, png(8, 6)),
            ContentBlock::Text("What is in this image?".into()),
        ]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception());
    assert_eq!(
        err.message(),
        Some(
            "The model returned the following errors: messages.0.content.0.image.source.bytes: The image was specified using the image/jpeg media type, but the image appears to be a image/png image"
        )
    );
    let mut blocks: Vec<ContentBlock> = (0..21)
        .map(|_| image(ImageFormat::Png, png(2, 2)))
        .collect();
    blocks.push(ContentBlock::Text("Compare them".into()));
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(blocks))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.message(),
        Some("You can't include more than 20 images in a request.")
    );
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(vec![
            image(ImageFormat::Png, png(8_001, 1)),
            ContentBlock::Text("Wide".into()),
        ]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.message()
            .unwrap()
            .ends_with("At least one of the image dimensions exceed max allowed size: 8000 pixels")
    );
    // Documents: five at most, a text block beside them.
    let mut blocks: Vec<ContentBlock> = (0..6).map(|i| document(&format!("report{i}"))).collect();
    blocks.push(ContentBlock::Text("Summarize".into()));
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(blocks))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.message(),
        Some("You can't include more than 5 documents in a request.")
    );
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(vec![document("report")]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.message()
            .unwrap()
            .starts_with("A text block must be included")
    );
    // An image for a text-only model.
    let err = client
        .converse()
        .model_id("meta.llama3-8b-instruct-v1:0")
        .messages(user_blocks(vec![
            image(ImageFormat::Png, png(2, 2)),
            ContentBlock::Text("What is it?".into()),
        ]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.message().unwrap().contains("image"), "{err:?}");
}

// --- Latency-optimized inference and request metadata ---------------------------------------

#[tokio::test]
async fn performance_config_is_echoed_and_request_metadata_accepted() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let optimized = PerformanceConfiguration::builder()
        .latency(PerformanceConfigLatency::Optimized)
        .build();
    let out = client
        .converse()
        .model_id("us.anthropic.claude-3-5-haiku-20241022-v1:0")
        .messages(user("Quick!"))
        .performance_config(optimized.clone())
        .request_metadata("team", "search")
        .request_metadata("run", "42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.performance_config().unwrap().latency(),
        &PerformanceConfigLatency::Optimized
    );
    let body: Value = serde_json::from_slice(&server.last_request().unwrap().body).unwrap();
    assert_eq!(
        body["requestMetadata"],
        json!({"team": "search", "run": "42"})
    );
    // A model without an optimized version is served at standard latency.
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("Quick!"))
        .performance_config(optimized.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.performance_config().unwrap().latency(),
        &PerformanceConfigLatency::Standard
    );
    // Nothing asked, nothing echoed.
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("Quick!"))
        .send()
        .await
        .unwrap();
    assert!(out.performance_config().is_none());
    // The stream's metadata event.
    let mut stream = client
        .converse_stream()
        .model_id(NOVA_PRO)
        .messages(user("Quick!"))
        .performance_config(optimized)
        .send()
        .await
        .unwrap();
    let mut perf = None;
    while let Some(event) = stream.stream.recv().await.unwrap() {
        if let ConverseStreamOutput::Metadata(m) = event {
            perf = m.performance_config().cloned();
        }
    }
    assert_eq!(
        perf.unwrap().latency(),
        &PerformanceConfigLatency::Optimized
    );
    // InvokeModel: the header both ways.
    let out = client
        .invoke_model()
        .model_id("meta.llama3-1-70b-instruct-v1:0")
        .body(Blob::new(
            br#"{"prompt": "Quick!", "max_gen_len": 20}"#.to_vec(),
        ))
        .performance_config_latency(PerformanceConfigLatency::Optimized)
        .request_metadata(r#"{"team": "search"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.performance_config_latency(),
        Some(&PerformanceConfigLatency::Optimized)
    );
    // Invalid request metadata: the service model's constraints.
    let mut bad = HashMap::new();
    bad.insert("team".to_owned(), "not allowed!".to_owned());
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("x"))
        .set_request_metadata(Some(bad))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.message()
            .unwrap()
            .contains("at 'requestMetadata.team.member' failed to satisfy constraint: Member must satisfy regular expression pattern"),
        "{err:?}"
    );
    let err = client
        .invoke_model()
        .model_id(HAIKU3)
        .body(Blob::new(claude_body("x")))
        .request_metadata(r#"{"team": "not allowed!"}"#)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception());
}
