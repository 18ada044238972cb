//! The Converse path: one request shape for every model, a first-class alternative to
//! InvokeModel (some accounts allow only Converse). Typed parameters go to
//! `inferenceConfig` (the common four) or `additionalModelRequestFields` (the rest, at their
//! native path), with `extra_args` merged into the latter.
//! Shapes: bedrock-runtime service model, operations Converse and ConverseStream.

use crate::chat::ChatOptions;
use crate::conversation::{Conversation, Role};
use crate::details::{Api, Details, StopReason, Usage};
use crate::document::to_document;
use crate::error::{Error, Result, ServiceError};
use crate::families::{Decoded, TextFamily};
use crate::sdk_error::{from_sdk, from_stream_sdk};
use crate::stream::{EventSource, StreamStart, TextStream, idle_timeout, open, pump};
use crate::text::{Plan, TextModel, deep_merge, set_path};
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput,
    InferenceConfiguration, Message, SystemContentBlock, TokenUsage,
};
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};

/// The Converse request in its documented JSON shape (the body as sent), and the prompt.
pub(crate) fn request_json(conversation: &Conversation, plan: &Plan) -> (Value, String) {
    let mut request = Map::new();
    let messages: Vec<Value> = conversation
        .dialogue()
        .iter()
        .map(|t| json!({"role": t.role.wire(), "content": [{"text": t.text()}]}))
        .collect();
    request.insert("messages".into(), Value::Array(messages));
    if let Some(system) = conversation.system_text() {
        request.insert("system".into(), json!([{"text": system}]));
    }
    let mut inference = Map::new();
    if let Some(v) = plan.max_tokens() {
        inference.insert("maxTokens".into(), json!(v));
    }
    if let Some(v) = plan.temperature() {
        inference.insert("temperature".into(), json!(v));
    }
    if let Some(v) = plan.top_p() {
        inference.insert("topP".into(), json!(v));
    }
    if let Some(v) = plan.stop_words() {
        inference.insert("stopSequences".into(), json!(v));
    }
    if !inference.is_empty() {
        request.insert("inferenceConfig".into(), Value::Object(inference));
    }
    let mut additional = Map::new();
    for (param, value) in plan.specific() {
        set_path(&mut additional, param.path, value.clone());
    }
    deep_merge(&mut additional, &plan.extra_args);
    if !additional.is_empty() {
        request.insert(
            "additionalModelRequestFields".into(),
            Value::Object(additional),
        );
    }
    let prompt = conversation.joined_text();
    (Value::Object(request), prompt)
}

/// Refuses what this path does not send yet, rather than dropping it silently.
fn check_supported<F>(conversation: &Conversation, chat: &ChatOptions<F>) -> Result<()> {
    if let Some((i, _)) = conversation
        .turns()
        .iter()
        .enumerate()
        .find(|(_, t)| !t.is_text_only())
    {
        let at = format!("conversation turn {}", i + 1);
        return Err(Error::invalid(
            at,
            "non-text content is not sent over Converse yet",
        ));
    }
    let unsupported = !chat.tools.is_empty()
        || chat.tool_choice.is_some()
        || chat.guardrail.is_some()
        || chat.reasoning.is_some()
        || chat.latency_optimized
        || !chat.request_metadata.is_empty();
    if unsupported {
        return Err(Error::invalid(
            "chat options",
            "tools and Converse features are not sent yet",
        ));
    }
    Ok(())
}

/// The SDK's messages, system blocks, inference configuration and additional fields.
struct SdkRequest {
    messages: Vec<Message>,
    system: Option<SystemContentBlock>,
    inference: Option<InferenceConfiguration>,
    additional: Option<aws_smithy_types::Document>,
}

fn sdk_request(conversation: &Conversation, plan: &Plan, json: &Value) -> Result<SdkRequest> {
    let messages = conversation
        .dialogue()
        .iter()
        .map(|t| {
            let role = if t.role == Role::Human {
                ConversationRole::User
            } else {
                ConversationRole::Assistant
            };
            Message::builder()
                .role(role)
                .content(ContentBlock::Text(t.text()))
                .build()
                .map_err(|e| Error::invalid("conversation", e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    let inference = json.get("inferenceConfig").map(|_| {
        InferenceConfiguration::builder()
            .set_max_tokens(plan.max_tokens().map(|v| v as i32))
            .set_temperature(plan.temperature().map(|v| v as f32))
            .set_top_p(plan.top_p().map(|v| v as f32))
            .set_stop_sequences(plan.stop_words())
            .build()
    });
    Ok(SdkRequest {
        messages,
        system: conversation
            .system_text()
            .map(|s| SystemContentBlock::Text(s.to_owned())),
        inference,
        additional: json.get("additionalModelRequestFields").map(to_document),
    })
}

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

pub(crate) async fn call<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan,
    chat: &ChatOptions<F>,
) -> Result<Details<F::Response>> {
    check_supported(conversation, chat)?;
    let (body, prompt) = request_json(conversation, plan);
    let request = sdk_request(conversation, plan, &body)?;
    let client = &model.client;
    let started = Instant::now();
    let out = client
        .retry_policy()
        .run(|| async {
            client
                .sdk()
                .converse()
                .model_id(&model.model_id)
                .set_messages(Some(request.messages.clone()))
                .set_system(request.system.clone().map(|s| vec![s]))
                .set_inference_config(request.inference.clone())
                .set_additional_model_request_fields(request.additional.clone())
                .send()
                .await
                .map_err(|e| Error::from(from_sdk(e)))
        })
        .await?;
    let latency = started.elapsed();
    let text: String = out
        .output()
        .and_then(|o| o.as_message().ok())
        .map(|m| {
            m.content()
                .iter()
                .filter_map(|b| b.as_text().ok())
                .map(String::as_str)
                .collect()
        })
        .unwrap_or_default();
    Ok(Details {
        output: text.clone(),
        content: vec![crate::chat::content::Content::Text(text.clone())],
        completions: vec![text],
        response: None,
        prompt,
        body,
        api: Api::Converse,
        model_id: model.model_id.clone(),
        latency,
        usage: usage(out.usage()),
        stop_reason: Some(StopReason::from_wire(out.stop_reason().as_str())),
        request_id: out.request_id().map(str::to_owned),
        time_to_first_token: None,
        time_to_last_token: None,
    })
}

/// The events of a ConverseStream response.
struct Events(EventReceiver<ConverseStreamOutput, ConverseStreamOutputError>);

impl EventSource for Events {
    async fn next_event(&mut self, idle: Duration) -> Result<Option<Decoded>, ServiceError> {
        let event = tokio::time::timeout(idle, self.0.recv())
            .await
            .map_err(|_| idle_timeout(idle))?;
        Ok(event.map_err(from_stream_sdk)?.map(|event| match event {
            ConverseStreamOutput::ContentBlockDelta(e) => match e.delta() {
                Some(ContentBlockDelta::Text(t)) => Decoded::text(Some(t)),
                _ => Decoded::default(),
            },
            ConverseStreamOutput::MessageStop(e) => {
                Decoded::default().with_stop(Some(e.stop_reason().as_str()))
            }
            ConverseStreamOutput::Metadata(e) => Decoded::default().merge_usage(usage(e.usage())),
            _ => Decoded::default(),
        }))
    }
}

pub(crate) async fn stream<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan,
    chat: &ChatOptions<F>,
) -> Result<TextStream> {
    check_supported(conversation, chat)?;
    let (body, prompt) = request_json(conversation, plan);
    let request = sdk_request(conversation, plan, &body)?;
    let client = &model.client;
    let started = Instant::now();
    let (source, request_id, read) = open(client, || async {
        let out = client
            .sdk()
            .converse_stream()
            .model_id(&model.model_id)
            .set_messages(Some(request.messages.clone()))
            .set_system(request.system.clone().map(|s| vec![s]))
            .set_inference_config(request.inference.clone())
            .set_additional_model_request_fields(request.additional.clone())
            .send()
            .await
            .map_err(|e| Error::from(from_sdk(e)))?;
        let request_id = out.request_id().map(str::to_owned);
        Ok((Events(out.stream), request_id))
    })
    .await?;
    let start = StreamStart {
        prompt,
        body,
        api: Api::Converse,
        model_id: model.model_id.clone(),
        request_id,
        started,
    };
    Ok(TextStream::new(
        pump(source, read, client.stream_idle_timeout()),
        start,
    ))
}
