//! The Converse path: one request shape for every model, a first-class alternative to
//! InvokeModel (some accounts allow only Converse). Typed parameters go to
//! `inferenceConfig` (the common four) or `additionalModelRequestFields` (the rest, at their
//! native path), with `extra_args` merged into the latter.
//!
//! Every content block is sent (text, images fitted to the model's limits, documents, tool
//! calls and results, reasoning with its signature, cache points), with `toolConfig`,
//! `guardrailConfig`, `performanceConfig`, `requestMetadata`, and reasoning in
//! `additionalModelRequestFields` in the style the catalog gives the model.
//! Shapes: the bedrock-runtime service model (botocore's `bedrock-runtime-2023-09-30`
//! `service-2.json`), operations Converse and ConverseStream.

mod checks;
mod request;

pub(crate) use request::request;
use request::{guardrail_sdk, guardrail_stream_sdk};

use crate::chat::content::{Content, Reasoning, ToolUse};
use crate::chat::{ChatEvent, ChatOptions};
use crate::conversation::Conversation;
use crate::details::{Api, Details, StopReason, Usage};
use crate::error::{Error, ErrorKind, Result, ServiceError};
use crate::interceptors::SentBody;
use crate::params::Plan;
use crate::sdk_document::to_json;
use crate::sdk_error::{from_sdk, from_stream_sdk};
use crate::stream::{EventSource, StreamStart, TextStream, TraceSlot, idle_timeout, open, pump};
use crate::text::TextModel;
use crate::text_families::{Decoded, TextFamily};
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::operation::converse::ConverseOutput;
use aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ContentBlockStart, ConverseStreamOutput, Message,
    ReasoningContentBlock, ReasoningContentBlockDelta, TokenUsage,
};
use std::time::{Duration, Instant};

fn usage(u: Option<&TokenUsage>) -> Usage {
    let n = |v: i32| Some(v.max(0) as u32);
    u.map(|u| Usage {
        input_tokens: n(u.input_tokens),
        output_tokens: n(u.output_tokens),
        cache_read_tokens: u.cache_read_input_tokens.and_then(n),
        cache_write_tokens: u.cache_write_input_tokens.and_then(n),
    })
    .unwrap_or_default()
}

/// The reply's content blocks, in order: text, tool calls (input as JSON) and reasoning
/// (text and signature). Redacted reasoning and other blocks are not kept.
fn reply_content(message: &Message) -> Vec<Content> {
    message
        .content()
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Text(t) => Some(Content::Text(t.clone())),
            ContentBlock::ToolUse(u) => Some(Content::ToolUse(ToolUse::new(
                u.tool_use_id(),
                u.name(),
                to_json(u.input()),
            ))),
            ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(r)) => Some(
                Content::Reasoning(Reasoning::new(r.text(), r.signature().map(str::to_owned))),
            ),
            _ => None,
        })
        .collect()
}

/// What the SDK puts in a required enum member that the body lacked (its error correction
/// in `serde_util.rs`, `converse_output_output_correct_errors`), never a value the service sends.
const SDK_NO_VALUE: &str = "no value was set";

/// The reply message of a Converse response, or a decode error when the body lacked its
/// required `output` or `stopReason` (`ConverseResponse`, bedrock-runtime service model;
/// <https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html>):
/// the SDK reads an empty body or `{}` as an output of defaults, which is no answer.
fn decoded_message<'a>(out: &'a ConverseOutput, request_id: Option<&str>) -> Result<&'a Message> {
    let missing = |what: &str| {
        let mut e = ServiceError::new(
            ErrorKind::Decode,
            format!("the Converse response has no {what}"),
        );
        e.request_id = request_id.map(str::to_owned);
        Error::from(e)
    };
    // A missing `output` is read as the union's unknown variant, as a new kind would be.
    let Some(message) = out.output().and_then(|o| o.as_message().ok()) else {
        return Err(missing("output message"));
    };
    if out.stop_reason().as_str() == SDK_NO_VALUE {
        return Err(missing("stopReason"));
    }
    Ok(message)
}

/// Sets the request's fields on a Converse or ConverseStream fluent builder.
macro_rules! with_request {
    ($builder:expr, $request:expr, $guardrail:expr) => {
        $builder
            .set_messages(Some($request.messages.clone()))
            .set_system($request.system.clone())
            .set_inference_config($request.inference.clone())
            .set_tool_config($request.tool_config.clone())
            .set_guardrail_config($request.guardrail.as_ref().map($guardrail))
            .set_additional_model_request_fields($request.additional.clone())
            .set_performance_config($request.performance.clone())
            .set_request_metadata($request.metadata.clone())
    };
}

pub(crate) async fn call<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan<F>,
    chat: &ChatOptions<F>,
) -> Result<Details<F::Response>> {
    let request = request(model, conversation, plan, chat)?;
    let client = &model.client;
    let started = Instant::now();
    let sent = SentBody::default();
    let out = client
        .with_retries(&model.model_id, || async {
            with_request!(
                client.sdk().converse().model_id(&model.model_id),
                request,
                guardrail_sdk
            )
            .customize()
            .interceptor(sent.clone())
            .send()
            .await
            .map_err(|e| Error::from(from_sdk(e)))
        })
        .await?;
    let latency = started.elapsed();
    let request_id = out.request_id().map(str::to_owned);
    let message = decoded_message(&out, request_id.as_deref())?;
    let content = reply_content(message);
    let text: String = content
        .iter()
        .filter_map(|c| match c {
            Content::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    Ok(Details {
        output: text.clone(),
        content,
        completions: vec![text],
        response: None,
        prompt: request.prompt,
        body: sent.json(),
        api: Api::Converse,
        model_id: model.model_id.clone(),
        latency,
        usage: usage(out.usage()),
        stop_reason: Some(StopReason::from_wire(out.stop_reason().as_str())),
        request_id,
        time_to_first_token: None,
        time_to_last_token: None,
        guardrail_trace: out.trace().and_then(|t| t.guardrail()).cloned(),
    })
}

/// The events of a ConverseStream response, as chat events.
struct Events {
    rx: EventReceiver<ConverseStreamOutput, ConverseStreamOutputError>,
    trace: TraceSlot,
}

fn event(e: ChatEvent) -> Decoded {
    Decoded {
        events: vec![e],
        ..Decoded::default()
    }
}

impl Events {
    fn decode(&self, event_: ConverseStreamOutput) -> Decoded {
        match event_ {
            ConverseStreamOutput::ContentBlockStart(e) => match e.start() {
                Some(ContentBlockStart::ToolUse(s)) => event(ChatEvent::ToolUseStart {
                    id: s.tool_use_id().to_owned(),
                    name: s.name().to_owned(),
                }),
                _ => Decoded::default(),
            },
            ConverseStreamOutput::ContentBlockDelta(e) => match e.delta() {
                Some(ContentBlockDelta::Text(t)) => Decoded::text(Some(t)),
                Some(ContentBlockDelta::ToolUse(d)) if !d.input().is_empty() => {
                    event(ChatEvent::ToolUseInputDelta(d.input().to_owned()))
                }
                Some(ContentBlockDelta::ReasoningContent(r)) => match r {
                    ReasoningContentBlockDelta::Text(t) if !t.is_empty() => {
                        event(ChatEvent::ReasoningDelta(t.clone()))
                    }
                    ReasoningContentBlockDelta::Signature(s) if !s.is_empty() => {
                        event(ChatEvent::ReasoningSignature(s.clone()))
                    }
                    _ => Decoded::default(),
                },
                _ => Decoded::default(),
            },
            ConverseStreamOutput::MessageStop(e) => {
                Decoded::default().with_stop(Some(e.stop_reason().as_str()))
            }
            ConverseStreamOutput::Metadata(e) => {
                if let Some(g) = e.trace().and_then(|t| t.guardrail())
                    && let Ok(mut slot) = self.trace.lock()
                {
                    *slot = Some(g.clone());
                }
                Decoded::default().merge_usage(usage(e.usage()))
            }
            _ => Decoded::default(),
        }
    }
}

impl EventSource for Events {
    async fn next_event(&mut self, idle: Duration) -> Result<Option<Decoded>, ServiceError> {
        let event = tokio::time::timeout(idle, self.rx.recv())
            .await
            .map_err(|_| idle_timeout(idle))?;
        Ok(event.map_err(from_stream_sdk)?.map(|e| self.decode(e)))
    }
}

pub(crate) async fn stream<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan<F>,
    chat: &ChatOptions<F>,
) -> Result<TextStream> {
    let request = request(model, conversation, plan, chat)?;
    let client = &model.client;
    let started = Instant::now();
    let trace = TraceSlot::default();
    let sent = SentBody::default();
    let (source, request_id, read) = open(client, &model.model_id, || async {
        let out = with_request!(
            client.sdk().converse_stream().model_id(&model.model_id),
            request,
            guardrail_stream_sdk
        )
        .customize()
        .interceptor(sent.clone())
        .send()
        .await
        .map_err(|e| Error::from(from_sdk(e)))?;
        let request_id = out.request_id().map(str::to_owned);
        let events = Events {
            rx: out.stream,
            trace: trace.clone(),
        };
        Ok((events, request_id))
    })
    .await?;
    let start = StreamStart {
        prompt: request.prompt,
        body: sent.json(),
        api: Api::Converse,
        model_id: model.model_id.clone(),
        request_id,
        started,
    };
    Ok(TextStream::new(pump(source, read, client.stream_idle_timeout()), start).with_trace(trace))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdk_document::to_document;
    use aws_sdk_bedrockruntime::types::{self as sdk, ConversationRole};
    use serde_json::json;

    #[test]
    fn cache_tokens_of_the_response_reach_usage() {
        let u = TokenUsage::builder()
            .input_tokens(10)
            .output_tokens(5)
            .total_tokens(15)
            .cache_read_input_tokens(7)
            .cache_write_input_tokens(3)
            .build()
            .unwrap();
        let usage = usage(Some(&u));
        assert_eq!(usage.input_tokens, Some(10));
        assert_eq!(usage.cache_read_tokens, Some(7));
        assert_eq!(usage.cache_write_tokens, Some(3));
    }

    #[test]
    fn reply_blocks_are_read_in_order() {
        let message = Message::builder()
            .role(ConversationRole::Assistant)
            .content(ContentBlock::ReasoningContent(
                ReasoningContentBlock::ReasoningText(
                    sdk::ReasoningTextBlock::builder()
                        .text("hmm")
                        .signature("sig")
                        .build()
                        .unwrap(),
                ),
            ))
            .content(ContentBlock::Text("Calling.".into()))
            .content(ContentBlock::ToolUse(
                sdk::ToolUseBlock::builder()
                    .tool_use_id("t1")
                    .name("f")
                    .input(to_document(&json!({"n": -1, "x": [1.5]})))
                    .build()
                    .unwrap(),
            ))
            .build()
            .unwrap();
        assert_eq!(
            reply_content(&message),
            vec![
                Content::Reasoning(Reasoning::new("hmm", Some("sig".into()))),
                Content::text("Calling."),
                Content::ToolUse(ToolUse::new("t1", "f", json!({"n": -1, "x": [1.5]}))),
            ]
        );
    }
}
