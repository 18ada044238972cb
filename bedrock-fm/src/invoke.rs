//! The InvokeModel path: the family's native JSON body, InvokeModel and
//! InvokeModelWithResponseStream, with retries.

use crate::details::{Api, Details, StopReason};
use crate::error::{Error, ErrorKind, Result, ServiceError};
use crate::families::{Decoded, EncodeContext, TextFamily};
use crate::sdk_error::from_sdk;
use crate::stream::{StreamEvent, StreamStart, TextStream};
use crate::text::{Plan, TextModel, deep_merge, set_path};
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver;
use aws_sdk_bedrockruntime::types::ResponseStream;
use aws_sdk_bedrockruntime::types::error::ResponseStreamError;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The native body: the family's encoding of the conversation, the typed parameters at
/// their wire paths, then `extra_args` merged over it. Returns the body and the prompt.
pub(crate) fn native_body<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &crate::conversation::Conversation,
    plan: &Plan,
) -> Result<(Value, String)> {
    if let Some(setter) = plan.not_native.first() {
        let msg = format!(
            "the {} native format has no such parameter; use Api::Converse",
            F::FAMILY.name()
        );
        return Err(Error::invalid(*setter, msg));
    }
    let mut body = Map::new();
    let ctx = EncodeContext { model: model.model };
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
    Error::Service(e)
}

pub(crate) async fn call<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &crate::conversation::Conversation,
    plan: &Plan,
) -> Result<Details<F::Response>> {
    let (body, prompt) = native_body(model, conversation, plan)?;
    let bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    let started = Instant::now();
    let client = &model.client;
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
                .send()
                .await
                .map_err(|e| Error::Service(from_sdk(e)))
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
        completions: decoded.texts,
        response: Some(typed),
        prompt,
        body,
        api: Api::InvokeModel,
        model_id: model.model_id.clone(),
        latency,
        usage: decoded.usage,
        stop_reason: decoded.stop_reason.as_deref().map(StopReason::from_wire),
        request_id,
        time_to_first_token: None,
        time_to_last_token: None,
    })
}

type Chunks = EventReceiver<ResponseStream, ResponseStreamError>;

/// The next decoded chunk; `None` at the end of the stream.
async fn next_chunk<F: TextFamily>(
    rx: &mut Chunks,
    idle: Duration,
) -> Result<Option<Decoded>, ServiceError> {
    loop {
        let event = tokio::time::timeout(idle, rx.recv()).await.map_err(|_| {
            ServiceError::new(
                ErrorKind::Timeout,
                format!("the stream was silent for {idle:?}"),
            )
        })?;
        match event.map_err(from_sdk)? {
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

/// Sends a decoded chunk's deltas and metadata; false when the reader is gone.
pub(crate) async fn forward(tx: &mpsc::Sender<StreamEvent>, decoded: Decoded) -> bool {
    for text in decoded.texts {
        if tx.send(StreamEvent::Delta(text)).await.is_err() {
            return false;
        }
    }
    let meta = StreamEvent::Meta {
        usage: decoded.usage,
        stop_reason: decoded.stop_reason,
    };
    tx.send(meta).await.is_ok()
}

pub(crate) async fn stream<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &crate::conversation::Conversation,
    plan: &Plan,
) -> Result<TextStream> {
    let (body, prompt) = native_body(model, conversation, plan)?;
    let bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    let client = &model.client;
    let idle = client.stream_idle_timeout();
    let started = Instant::now();
    // A stream that fails before its first text is retried like any call.
    let (mut rx, request_id, buffered) = client
        .retry_policy()
        .run(|| async {
            let out = client
                .sdk()
                .invoke_model_with_response_stream()
                .model_id(&model.model_id)
                .content_type("application/json")
                .accept("application/json")
                .body(Blob::new(bytes.clone()))
                .send()
                .await
                .map_err(|e| Error::Service(from_sdk(e)))?;
            let request_id = out.request_id().map(str::to_owned);
            let mut rx = out.body;
            let mut buffered = Vec::new();
            while let Some(decoded) = next_chunk::<F>(&mut rx, idle)
                .await
                .map_err(Error::Service)?
            {
                let has_text = !decoded.texts.is_empty();
                buffered.push(decoded);
                if has_text {
                    break;
                }
            }
            Ok((rx, request_id, buffered))
        })
        .await?;
    let (tx, events) = mpsc::channel(64);
    tokio::spawn(async move {
        for decoded in buffered {
            if !forward(&tx, decoded).await {
                return;
            }
        }
        loop {
            match next_chunk::<F>(&mut rx, idle).await {
                Ok(Some(decoded)) => {
                    if !forward(&tx, decoded).await {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.send(StreamEvent::Failed(e)).await;
                    return;
                }
            }
        }
    });
    let start = StreamStart {
        prompt,
        body,
        api: Api::InvokeModel,
        model_id: model.model_id.clone(),
        request_id,
        started,
    };
    Ok(TextStream::new(events, start))
}
