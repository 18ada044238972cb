//! The InvokeModel path: the family's native JSON body, InvokeModel and
//! InvokeModelWithResponseStream, with retries.

use crate::catalog::Modality;
use crate::chat::ChatOptions;
use crate::chat::content::Content;
use crate::chat::images::{check_image_count, image_limits, images_of};
use crate::client::Client;
use crate::conversation::Conversation;
use crate::details::{Api, Details, StopReason, Usage};
use crate::error::{Error, ErrorKind, Result, ServiceError};
use crate::interceptors::TokenCountHeaders;
use crate::native::{
    check_not_overwritten, guardrail_intervened, invocation_metrics_usage, merge_extra_args,
};
use crate::params::{FamilyTypes, Params, Plan};
use crate::sdk_error::{from_sdk, from_stream_sdk};
use crate::stream::{EventSource, StreamStart, TextStream, idle_timeout, open, pump};
use crate::text::TextModel;
use crate::text_families::{Decoded, EncodeContext, TextFamily};
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::operation::invoke_model_with_response_stream::InvokeModelWithResponseStreamOutput;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver;
use aws_sdk_bedrockruntime::types::error::ResponseStreamError;
use aws_sdk_bedrockruntime::types::{PerformanceConfigLatency, ResponseStream, Trace};

use std::marker::PhantomData;
use std::time::{Duration, Instant};

/// The typed native request: the family's encoding of the conversation, the typed
/// parameters written at their wire paths, then `extra_args` merged over it. Returns the
/// request and the prompt. What the native format cannot carry is refused here, before any
/// request.
pub(crate) fn native_request<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan<F>,
    chat: &ChatOptions<F>,
) -> Result<(F::Request, String)> {
    let use_converse = |what: &str| {
        format!(
            "the {} native format over InvokeModel takes no {what}; use Api::Converse",
            F::FAMILY.map_or("Converse-only", |f| f.name())
        )
    };
    if let Some(setter) = plan.not_native.first() {
        return Err(Error::invalid(*setter, use_converse("such parameter")));
    }
    for (i, turn) in conversation.turns().iter().enumerate() {
        if let Some(c) = turn.content.iter().find(|c| !F::accepts(c)) {
            let at = format!("conversation turn {}", i + 1);
            let no_vision = model.model.is_some_and(|m| !m.info().vision);
            if no_vision && matches!(c, Content::Image(_)) {
                let msg = format!("{} takes no images (it has no vision)", model.model_id);
                return Err(Error::invalid(at, msg));
            }
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
    check_model_features(model, conversation, chat)?;
    let ctx = EncodeContext {
        model: model.model,
        tools: &chat.tools,
        tool_choice: chat.tool_choice.as_ref(),
        reasoning: chat.reasoning,
    };
    let (mut request, prompt) = F::encode(conversation, &ctx)?;
    // The conversation's own fields are refused by `CallOptions::plan`; what else the encoder
    // wrote came from the chat options.
    if !plan.extra_args.is_empty() {
        let serde_json::Value::Object(written) =
            serde_json::to_value(&request).expect("bodies serialize")
        else {
            unreachable!("a request body is a JSON object")
        };
        check_not_overwritten(
            &written,
            &plan.extra_args,
            "the chat options (tools, tool choice, reasoning)",
        )?;
    }
    plan.params.apply(&mut request);
    merge_extra_args(&mut request, &plan.extra_args)?;
    F::check_body(&request, &ctx)?;
    Ok((request, prompt))
}

/// Checks what the catalog says the model takes: images (and how many), documents, tools,
/// reasoning. A model outside the catalog (an ARN) is given the benefit of the doubt.
fn check_model_features<F: FamilyTypes>(
    model: &TextModel<F>,
    conversation: &Conversation,
    chat: &ChatOptions<F>,
) -> Result<()> {
    if chat.tool_choice.is_some() && chat.tools.is_empty() {
        return Err(Error::invalid(
            "tool_choice",
            "a tool choice needs tools to choose from; offer them with ChatOptions::tool",
        ));
    }
    let images = images_of(conversation);
    if let Some((at, _)) = images.first() {
        let limits = image_limits(model.model, &model.model_id)
            .map_err(|e| Error::invalid(at.clone(), e.message().to_owned()))?;
        check_image_count(conversation, &limits)?;
    }
    let Some(info) = model.model.map(|m| m.info()) else {
        return Ok(());
    };
    for (i, turn) in conversation.turns().iter().enumerate() {
        let has_document = turn
            .content
            .iter()
            .any(|c| matches!(c, Content::Document(_)));
        if has_document && !info.input_modalities.contains(&Modality::Document) {
            return Err(Error::invalid(
                format!("conversation turn {}", i + 1),
                format!("{} takes no documents (catalog input modalities)", info.id),
            ));
        }
    }
    if !chat.tools.is_empty() && !info.tool_use {
        let msg = format!("{} does not support tool use (catalog)", info.id);
        return Err(Error::invalid("tools", msg));
    }
    if chat.reasoning.is_some() && info.reasoning.is_none() {
        let msg = format!("{} does not reason (catalog: no reasoning style)", info.id);
        return Err(Error::invalid("reasoning", msg));
    }
    Ok(())
}

/// What InvokeModel takes besides the body, as HTTP headers (bedrock-runtime service model,
/// `InvokeModelRequest`): `X-Amzn-Bedrock-GuardrailIdentifier`,
/// `X-Amzn-Bedrock-GuardrailVersion`, `X-Amzn-Bedrock-Trace`,
/// `X-Amzn-Bedrock-PerformanceConfig-Latency` and `X-Amzn-Bedrock-Request-Metadata`.
#[derive(Debug, Clone, Default)]
pub(crate) struct InvokeHeaders {
    guardrail_identifier: Option<String>,
    guardrail_version: Option<String>,
    trace: Option<Trace>,
    latency: Option<PerformanceConfigLatency>,
    request_metadata: Option<String>,
}

/// The service model's maximum length of `RequestMetadataJson`.
const MAX_REQUEST_METADATA_JSON: usize = 8500;

fn invoke_headers<F: FamilyTypes>(chat: &ChatOptions<F>) -> Result<InvokeHeaders> {
    let mut headers = InvokeHeaders::default();
    if let Some(g) = &chat.guardrail {
        g.validate()?;
        headers.guardrail_identifier = Some(g.identifier.clone());
        headers.guardrail_version = Some(g.version.clone());
        headers.trace = g.trace.then_some(Trace::Enabled);
    }
    if chat.latency_optimized {
        headers.latency = Some(PerformanceConfigLatency::Optimized);
    }
    if !chat.request_metadata.is_empty() {
        let json = serde_json::to_string(&chat.request_metadata).expect("strings serialize");
        if json.len() > MAX_REQUEST_METADATA_JSON {
            let msg = format!(
                "{} bytes as JSON; InvokeModel takes at most {MAX_REQUEST_METADATA_JSON}",
                json.len()
            );
            return Err(Error::invalid("request_metadata", msg));
        }
        headers.request_metadata = Some(json);
    }
    Ok(headers)
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

/// A decoded InvokeModel response: the family's typed response.
#[derive(Debug)]
pub(crate) struct Invoked<T> {
    /// The response body, decoded.
    pub value: T,
    /// The `x-amzn-RequestId`.
    pub request_id: Option<String>,
    /// From sending the request to the complete response, retries included.
    pub latency: Duration,
    /// The token counts of the `X-Amzn-Bedrock-*-Token-Count` response headers.
    pub usage: Usage,
}

/// One InvokeModel call with a serialized body (and the guardrail, latency and metadata
/// headers of `extra`), retried by the client's [`crate::RetryPolicy`] (throttling and
/// transient errors only), the response decoded once into `T`. Every family, text,
/// embedding or image, goes through it.
pub(crate) async fn invoke_bytes<T: serde::de::DeserializeOwned>(
    client: &Client,
    model_id: &str,
    bytes: Vec<u8>,
    extra: &InvokeHeaders,
) -> Result<Invoked<T>> {
    use tracing::Instrument;
    let started = Instant::now();
    let headers = TokenCountHeaders::default();
    // Inside a text call its span records the outcome; embeddings and images get their own.
    let current = tracing::Span::current();
    let in_call = current
        .metadata()
        .is_some_and(|m| m.name() == "bedrock_fm.call");
    let span = match in_call {
        true => current,
        false => crate::text::call_span(model_id, Api::InvokeModel, false),
    };
    let out = client
        .with_retries(model_id, || async {
            client
                .sdk()
                .invoke_model()
                .model_id(model_id)
                .content_type("application/json")
                .accept("application/json")
                .body(Blob::new(bytes.clone()))
                .set_guardrail_identifier(extra.guardrail_identifier.clone())
                .set_guardrail_version(extra.guardrail_version.clone())
                .set_trace(extra.trace.clone())
                .set_performance_config_latency(extra.latency.clone())
                .set_request_metadata(extra.request_metadata.clone())
                .customize()
                .interceptor(headers.clone())
                .send()
                .await
                .map_err(|e| Error::from(from_sdk(e)))
        })
        .instrument(span.clone())
        .await
        .inspect_err(|e| {
            span.record("error", tracing::field::display(e.kind()));
        })?;
    let latency = started.elapsed();
    let request_id = out.request_id().map(str::to_owned);
    if !in_call {
        span.record("latency_ms", latency.as_millis() as u64);
        if let Some(id) = &request_id {
            span.record("request_id", tracing::field::display(id));
        }
    }
    let raw = out.body.as_ref();
    let value: T =
        serde_json::from_slice(raw).map_err(|e| decode_error(raw, e, request_id.clone()))?;
    Ok(Invoked {
        value,
        request_id,
        latency,
        usage: headers.usage(),
    })
}

pub(crate) async fn call<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan<F>,
    chat: &ChatOptions<F>,
) -> Result<Details<F::Response>> {
    let (request, prompt) = native_request(model, conversation, plan, chat)?;
    let body = serde_json::to_value(&request).expect("typed bodies serialize");
    let bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    let extra = invoke_headers(chat)?;
    let Invoked {
        value: typed,
        request_id,
        latency,
        usage: header_usage,
    } = invoke_bytes::<F::Response>(&model.client, &model.model_id, bytes, &extra).await?;
    let decoded = F::decode(&typed);
    let stop_reason = if guardrail_intervened(&typed) {
        Some(StopReason::GuardrailIntervened)
    } else {
        decoded.stop_reason.as_deref().map(StopReason::from_wire)
    };
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
        usage: decoded.usage.or(header_usage),
        stop_reason,
        request_id,
        time_to_first_token: None,
        time_to_last_token: None,
        guardrail_trace: None,
    })
}

/// The chunks of an InvokeModelWithResponseStream response, decoded by the family `F`.
struct Chunks<F> {
    rx: EventReceiver<ResponseStream, ResponseStreamError>,
    family: PhantomData<fn() -> F>,
}

impl<F: TextFamily> EventSource for Chunks<F> {
    async fn next_event(&mut self, idle: Duration) -> Result<Option<Decoded>, ServiceError> {
        let Some(chunk) = next_chunk::<F::Chunk>(&mut self.rx, idle).await? else {
            return Ok(None);
        };
        let mut decoded = F::decode_chunk(&chunk).merge_usage(invocation_metrics_usage(&chunk));
        if guardrail_intervened(&chunk) {
            decoded.stop_reason = Some(StopReason::GuardrailIntervened.as_str().into());
        }
        Ok(Some(decoded))
    }
}

/// The next `{"bytes": ...}` chunk of an InvokeModelWithResponseStream response, decoded into
/// `C` (a family's typed chunk); `None` at the end of the stream, an error for a stream event
/// that reports one, a chunk that does not decode, or `idle` without an event.
pub(crate) async fn next_chunk<C: serde::de::DeserializeOwned>(
    rx: &mut EventReceiver<ResponseStream, ResponseStreamError>,
    idle: Duration,
) -> Result<Option<C>, ServiceError> {
    loop {
        let event = tokio::time::timeout(idle, rx.recv())
            .await
            .map_err(|_| idle_timeout(idle))?;
        match event.map_err(from_stream_sdk)? {
            None => return Ok(None),
            Some(ResponseStream::Chunk(part)) => {
                let bytes = part.bytes.map(Blob::into_inner).unwrap_or_default();
                return serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                    let mut err = ServiceError::new(
                        ErrorKind::Decode,
                        format!("cannot decode a stream chunk: {e}"),
                    );
                    err.raw_body = Some(String::from_utf8_lossy(&bytes).into_owned());
                    err
                });
            }
            Some(_) => continue,
        }
    }
}

/// One InvokeModelWithResponseStream request with a serialized body and the headers of
/// `extra` (opening only; the caller reads the events).
pub(crate) async fn send_stream(
    client: &Client,
    model_id: &str,
    bytes: &[u8],
    extra: &InvokeHeaders,
) -> Result<InvokeModelWithResponseStreamOutput> {
    client
        .sdk()
        .invoke_model_with_response_stream()
        .model_id(model_id)
        .content_type("application/json")
        .accept("application/json")
        .body(Blob::new(bytes.to_vec()))
        .set_guardrail_identifier(extra.guardrail_identifier.clone())
        .set_guardrail_version(extra.guardrail_version.clone())
        .set_trace(extra.trace.clone())
        .set_performance_config_latency(extra.latency.clone())
        .set_request_metadata(extra.request_metadata.clone())
        .send()
        .await
        .map_err(|e| Error::from(from_sdk(e)))
}

pub(crate) async fn stream<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan<F>,
    chat: &ChatOptions<F>,
) -> Result<TextStream> {
    let (mut request, prompt) = native_request(model, conversation, plan, chat)?;
    F::for_stream(&mut request);
    let body = serde_json::to_value(&request).expect("typed bodies serialize");
    let extra = invoke_headers(chat)?;
    let bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    let client = &model.client;
    let started = Instant::now();
    let (source, request_id, read) = open(client, &model.model_id, || async {
        let out = send_stream(client, &model.model_id, &bytes, &extra).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::Guardrail;
    use crate::generated::wrappers::Claude3Family;

    #[test]
    fn chat_options_become_the_service_model_headers() {
        let chat = ChatOptions::<Claude3Family>::new()
            .guardrail(Guardrail::new("gr1", "DRAFT").with_trace())
            .latency_optimized()
            .metadata("k", "v");
        let h = invoke_headers(&chat).unwrap();
        assert_eq!(h.guardrail_identifier.as_deref(), Some("gr1"));
        assert_eq!(h.guardrail_version.as_deref(), Some("DRAFT"));
        assert_eq!(h.trace, Some(Trace::Enabled));
        assert_eq!(h.latency, Some(PerformanceConfigLatency::Optimized));
        assert_eq!(h.request_metadata.as_deref(), Some(r#"{"k":"v"}"#));

        let quiet = invoke_headers(&ChatOptions::<Claude3Family>::new()).unwrap();
        assert!(quiet.guardrail_identifier.is_none() && quiet.trace.is_none());
        let untraced = ChatOptions::<Claude3Family>::new().guardrail(Guardrail::new("gr1", "1"));
        assert_eq!(invoke_headers(&untraced).unwrap().trace, None);

        let no_version = ChatOptions::<Claude3Family>::new().guardrail(Guardrail::new("gr1", " "));
        let err = invoke_headers(&no_version).unwrap_err().to_string();
        assert!(
            err.contains("guardrail.version: \" \" is not a guardrail version"),
            "{err}"
        );
        let huge = ChatOptions::<Claude3Family>::new().metadata("k", "v".repeat(9000));
        let err = invoke_headers(&huge).unwrap_err().to_string();
        assert!(err.contains("request_metadata"), "{err}");
    }
}
