//! The InvokeModel path: the family's native JSON body, InvokeModel and
//! InvokeModelWithResponseStream, with retries.

use crate::chat::ChatOptions;
use crate::conversation::Conversation;
use crate::details::{Api, Details, StopReason};
use crate::error::{Error, ErrorKind, Result, ServiceError};
use crate::families::{Decoded, EncodeContext, TextFamily};
use crate::sdk_error::{from_sdk, from_stream_sdk};
use crate::stream::{EventSource, StreamStart, TextStream, idle_timeout, open, pump};
use crate::text::{Plan, TextModel, deep_merge, set_path};
use crate::token_headers::TokenCountHeaders;
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver;
use aws_sdk_bedrockruntime::types::ResponseStream;
use aws_sdk_bedrockruntime::types::error::ResponseStreamError;
use serde_json::{Map, Value};
use std::marker::PhantomData;
use std::time::{Duration, Instant};

/// The native body: the family's encoding of the conversation, the typed parameters at
/// their wire paths, then `extra_args` merged over it. Returns the body and the prompt.
/// What the native format cannot carry is refused here, before any request.
pub(crate) fn native_body<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan,
    chat: &ChatOptions<F>,
) -> Result<(Value, String)> {
    let use_converse = |what: &str| {
        format!(
            "the {} native format over InvokeModel takes no {what}; use Api::Converse",
            F::FAMILY.name()
        )
    };
    if let Some(setter) = plan.not_native.first() {
        return Err(Error::invalid(*setter, use_converse("such parameter")));
    }
    for (i, turn) in conversation.turns().iter().enumerate() {
        if let Some(c) = turn.content.iter().find(|c| !F::accepts(c)) {
            let at = format!("conversation turn {}", i + 1);
            return Err(Error::invalid(
                at,
                use_converse(&format!("{} blocks", c.kind())),
            ));
        }
    }
    if !F::NATIVE_TOOLS && (!chat.tools.is_empty() || chat.tool_choice.is_some()) {
        return Err(Error::invalid("tools", use_converse("tools")));
    }
    if !F::NATIVE_REASONING && chat.reasoning.is_some() {
        return Err(Error::invalid(
            "reasoning",
            use_converse("reasoning configuration"),
        ));
    }
    if !chat.request_metadata.is_empty() {
        return Err(Error::invalid(
            "request_metadata",
            "request metadata is a Converse feature; use Api::Converse",
        ));
    }
    let mut body = Map::new();
    let ctx = EncodeContext {
        model: model.model,
        tools: &chat.tools,
        tool_choice: chat.tool_choice.as_ref(),
        reasoning: chat.reasoning,
    };
    let prompt = F::encode(conversation, &ctx, &mut body)?;
    for (param, value) in &plan.native {
        set_path(&mut body, param.path, value.clone());
    }
    deep_merge(&mut body, &plan.extra_args);
    Ok((Value::Object(body), prompt))
}

pub(crate) fn decode_error(
    raw: &[u8],
    why: impl std::fmt::Display,
    request_id: Option<String>,
) -> Error {
    let mut e = ServiceError::new(
        ErrorKind::Decode,
        format!("cannot decode the response: {why}"),
    );
    e.raw_body = Some(String::from_utf8_lossy(raw).into_owned());
    e.request_id = request_id;
    Error::from(e)
}

pub(crate) async fn call<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan,
    chat: &ChatOptions<F>,
) -> Result<Details<F::Response>> {
    let (body, prompt) = native_body(model, conversation, plan, chat)?;
    let bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    let started = Instant::now();
    let client = &model.client;
    let headers = TokenCountHeaders::default();
    let out = client
        .retry_policy()
        .run(|| async {
            client
                .sdk()
                .invoke_model()
                .model_id(&model.model_id)
                .content_type("application/json")
                .accept("application/json")
                .body(Blob::new(bytes.clone()))
                .customize()
                .interceptor(headers.clone())
                .send()
                .await
                .map_err(|e| Error::from(from_sdk(e)))
        })
        .await?;
    let latency = started.elapsed();
    let request_id = out.request_id().map(str::to_owned);
    let raw = out.body.as_ref();
    let value: Value =
        serde_json::from_slice(raw).map_err(|e| decode_error(raw, e, request_id.clone()))?;
    let typed: F::Response = serde_json::from_value(value.clone())
        .map_err(|e| decode_error(raw, e, request_id.clone()))?;
    let decoded = F::decode(&value);
    Ok(Details {
        output: decoded.texts.first().cloned().unwrap_or_default(),
        content: decoded.content(),
        completions: decoded.texts,
        response: Some(typed),
        prompt,
        body,
        api: Api::InvokeModel,
        model_id: model.model_id.clone(),
        latency,
        usage: decoded.usage.or(headers.usage()),
        stop_reason: decoded.stop_reason.as_deref().map(StopReason::from_wire),
        request_id,
        time_to_first_token: None,
        time_to_last_token: None,
    })
}

/// The chunks of an InvokeModelWithResponseStream response, decoded by the family `F`.
struct Chunks<F> {
    rx: EventReceiver<ResponseStream, ResponseStreamError>,
    family: PhantomData<fn() -> F>,
}

impl<F: TextFamily> EventSource for Chunks<F> {
    async fn next_event(&mut self, idle: Duration) -> Result<Option<Decoded>, ServiceError> {
        loop {
            let event = tokio::time::timeout(idle, self.rx.recv())
                .await
                .map_err(|_| idle_timeout(idle))?;
            match event.map_err(from_stream_sdk)? {
                None => return Ok(None),
                Some(ResponseStream::Chunk(part)) => {
                    let bytes = part.bytes.map(Blob::into_inner).unwrap_or_default();
                    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
                        let mut err = ServiceError::new(
                            ErrorKind::Decode,
                            format!("cannot decode a stream chunk: {e}"),
                        );
                        err.raw_body = Some(String::from_utf8_lossy(&bytes).into_owned());
                        err
                    })?;
                    return Ok(Some(F::decode_chunk(&value)));
                }
                Some(_) => continue,
            }
        }
    }
}

pub(crate) async fn stream<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan,
    chat: &ChatOptions<F>,
) -> Result<TextStream> {
    let (body, prompt) = native_body(model, conversation, plan, chat)?;
    let bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    let client = &model.client;
    let started = Instant::now();
    let (source, request_id, read) = open(client, || async {
        let out = client
            .sdk()
            .invoke_model_with_response_stream()
            .model_id(&model.model_id)
            .content_type("application/json")
            .accept("application/json")
            .body(Blob::new(bytes.clone()))
            .send()
            .await
            .map_err(|e| Error::from(from_sdk(e)))?;
        let request_id = out.request_id().map(str::to_owned);
        Ok((
            Chunks::<F> {
                rx: out.body,
                family: PhantomData,
            },
            request_id,
        ))
    })
    .await?;
    let start = StreamStart {
        prompt,
        body,
        api: Api::InvokeModel,
        model_id: model.model_id.clone(),
        request_id,
        started,
    };
    Ok(TextStream::new(
        pump(source, read, client.stream_idle_timeout()),
        start,
    ))
}
