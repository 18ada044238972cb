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

mod guardrails;
mod media;
mod performance;
mod prompt_caching;
mod reasoning;

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

fn claude_body(text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 200,
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]
    }))
    .unwrap()
}
