//! InvokeModel and InvokeModelWithResponseStream: the family's native body, guardrails from
//! the headers, and the response with Bedrock's token-count and latency headers, or the
//! stream of `chunk` events.

use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use bytes::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{HeaderMap, Response};
use serde_json::{Value, json};

use super::stream::{padded_bytes, spawn_stream, stream_response};
use super::{ModelCall, Outcome, Shared, header, run_blocking};
use crate::errors::ServiceError;
use crate::eventstream;
use crate::faults::FaultPlan;
use crate::guardrails::{self, Guardrail, GuardrailRequest};
use crate::http::{Operation, full};
use crate::models::{InvokeCall, ModelCaps};
use crate::performance;
use crate::service_model;

/// InvokeModel and InvokeModelWithResponseStream.
pub(super) async fn handle(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    call: ModelCall,
) -> Result<Outcome, ServiceError> {
    let ModelCall {
        operation,
        caps,
        model_id,
        body,
        plan,
        started,
    } = call;
    let content_type = header(headers, "content-type").map(str::to_owned);
    if !invoke_content_type_ok(content_type.as_deref()) {
        return Err(ServiceError::validation(format!(
            "The provided Content-Type {} is not supported. Specify application/json and try again.",
            content_type.as_deref().unwrap_or("")
        )));
    }
    let max = service_model::shape("Body")
        .and_then(|s| s.get("max"))
        .and_then(Value::as_u64)
        .unwrap_or(25_000_000);
    if body.len() as u64 > max {
        return Err(ServiceError::validation(format!(
            "1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have length less than or equal to {max}"
        )));
    }
    let streaming = operation == Operation::InvokeModelWithResponseStream;
    let accept_header = if streaming {
        "x-amzn-bedrock-accept"
    } else {
        "accept"
    };
    let accept = header(headers, accept_header).map(str::to_owned);
    let guard = GuardrailRequest::from_headers(
        header(headers, "x-amzn-bedrock-guardrailidentifier"),
        header(headers, "x-amzn-bedrock-guardrailversion"),
        header(headers, "x-amzn-bedrock-trace")
            .or(header(headers, "x-amzn-bedrock-guardrailtrace")),
    )?;
    let guard = match guard {
        Some(r) => {
            let g = r.resolve(&shared.config.guardrails)?.clone();
            Some((r, g))
        }
        None => None,
    };
    let latency_header = header(headers, "x-amzn-bedrock-performanceconfig-latency");
    performance::check_latency_header(latency_header)?;
    performance::check_request_metadata_header(header(headers, "x-amzn-bedrock-request-metadata"))?;
    let served_latency = performance::served_latency(&caps, latency_header);
    invoke(
        shared.clone(),
        InvokeArgs {
            caps,
            model_id,
            body,
            content_type,
            accept,
            streaming,
            guard,
            served_latency,
        },
        plan,
        started,
    )
    .await
}

/// Whether an InvokeModel `Content-Type` can carry a JSON body ("You must specify
/// application/json", says the service model; a missing type and the SDKs' blob default are
/// tolerated).
fn invoke_content_type_ok(ct: Option<&str>) -> bool {
    let Some(ct) = ct else { return true };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "" | "application/json" | "*/*" | "application/octet-stream" | "text/json"
    ) || essence.ends_with("+json")
}

/// What an InvokeModel call needs beyond the server.
struct InvokeArgs {
    caps: ModelCaps,
    model_id: String,
    body: Bytes,
    content_type: Option<String>,
    accept: Option<String>,
    streaming: bool,
    guard: Option<(GuardrailRequest, Guardrail)>,
    served_latency: Option<&'static str>,
}

/// The guardrail's outcome for a model answer whose text `text` reads (only when the input
/// passed), and the message that replaces the answer's text when the guardrail intervenes: the
/// blocked-input message when the input was blocked, the blocked-output message when the
/// answer is.
fn assess_answer(
    input: guardrails::Assessment,
    g: &Guardrail,
    text: impl FnOnce() -> String,
) -> (guardrails::Outcome, Option<&str>) {
    if input.blocked() {
        let outcome = guardrails::Outcome {
            input,
            output: None,
            model_output: None,
        };
        return (outcome, Some(&g.blocked_input_message));
    }
    let text = text();
    let output = guardrails::Assessment::of(g, std::slice::from_ref(&text));
    let replacement = output
        .blocked()
        .then_some(g.blocked_output_message.as_str());
    let outcome = guardrails::Outcome {
        input,
        output: Some(output),
        model_output: Some(text),
    };
    (outcome, replacement)
}

/// Applies a guardrail to an InvokeModel response body.
fn guard_invoke_body(
    family: &str,
    body: &[u8],
    input: guardrails::Assessment,
    req: &GuardrailRequest,
    g: &Guardrail,
) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    let input_blocked = input.blocked();
    let (outcome, replacement) = assess_answer(input, g, || guardrails::response_text(family, &v));
    match replacement {
        Some(message) if input_blocked && family == "claude_messages" => {
            v = guardrails::claude_blocked_input_body(message);
        }
        Some(message) => guardrails::replace_response_text(family, &mut v, message),
        None => {}
    }
    outcome.annotate(&mut v, g, req.trace);
    serde_json::to_vec(&v).unwrap_or_default()
}

/// Applies a guardrail to the chunks of an InvokeModel stream (assessed whole, as in the
/// synchronous mode): text rewritten when it intervenes, the action and trace on the last chunk.
fn guard_invoke_chunks(
    family: &str,
    chunks: Vec<Result<Value, ServiceError>>,
    input: guardrails::Assessment,
    req: &GuardrailRequest,
    g: &Guardrail,
) -> Vec<Result<Value, ServiceError>> {
    if chunks.iter().any(Result::is_err) {
        return chunks;
    }
    let mut values: Vec<Value> = chunks.into_iter().filter_map(Result::ok).collect();
    let (outcome, replacement) =
        assess_answer(input, g, || guardrails::chunks_text(family, &values));
    if let Some(message) = replacement {
        guardrails::replace_chunks_text(family, &mut values, message);
    }
    if let Some(last) = values.last_mut() {
        outcome.annotate(last, g, req.trace);
    }
    values.into_iter().map(Ok).collect()
}

async fn invoke(
    shared: Arc<Shared>,
    args: InvokeArgs,
    plan: FaultPlan,
    started: Instant,
) -> Result<Outcome, ServiceError> {
    let InvokeArgs {
        caps,
        model_id,
        body,
        content_type,
        accept,
        streaming,
        guard,
        served_latency,
    } = args;
    if streaming && !caps.streaming {
        return Err(ServiceError::validation(
            "The model is unsupported for streaming.",
        ));
    }
    let backend = shared.backend.clone();
    let engine = shared.engine;
    // With a guardrail: the assessed input, and the body without the guardrail's config and
    // tags.
    let (body, input) = match &guard {
        Some((_, g)) => {
            let prepared = guardrails::invoke_input(&body);
            let input = guardrails::Assessment::of(g, &prepared.texts);
            (Bytes::from(prepared.body), Some(input))
        }
        None => (body, None),
    };
    let family = caps.family.clone();
    if streaming {
        let chunks = run_blocking(move || {
            let chunks = backend.invoke_stream(&InvokeCall {
                model: &caps,
                model_id: &model_id,
                body: &body,
                content_type: content_type.as_deref(),
                accept: accept.as_deref(),
                engine,
                prompt_cache: Some(&shared.prompt_cache),
            })?;
            Ok(match (guard, input) {
                (Some((req, g)), Some(input)) => {
                    let all: Vec<_> = chunks.collect();
                    let guarded = guard_invoke_chunks(&family, all, input, &req, &g);
                    Box::new(guarded.into_iter()) as crate::models::ChunkStream
                }
                _ => chunks,
            })
        })
        .await?;
        let body = spawn_stream(
            chunks,
            plan,
            started,
            |_| true,
            |mut chunk, timing| {
                if let Some(m) = chunk
                    .get_mut("amazon-bedrock-invocationMetrics")
                    .and_then(Value::as_object_mut)
                {
                    m.insert("invocationLatency".into(), json!(timing.elapsed_ms()));
                    m.insert("firstByteLatency".into(), json!(timing.first_byte_ms));
                }
                let bytes = serde_json::to_vec(&chunk).unwrap_or_default();
                let payload =
                    json!({"bytes": base64::engine::general_purpose::STANDARD.encode(bytes)});
                eventstream::event("chunk", &padded_bytes(payload, timing.frames))
            },
        );
        Ok(Outcome::Response(stream_response(
            body,
            Some("application/json"),
            served_latency,
        )))
    } else {
        let (out, input_blocked) = run_blocking(move || {
            let mut out = backend.invoke(&InvokeCall {
                model: &caps,
                model_id: &model_id,
                body: &body,
                content_type: content_type.as_deref(),
                accept: accept.as_deref(),
                engine,
                prompt_cache: Some(&shared.prompt_cache),
            })?;
            let mut input_blocked = false;
            if let (Some((req, g)), Some(input)) = (guard, input) {
                input_blocked = input.blocked();
                out.body = guard_invoke_body(&family, &out.body, input, &req, &g);
            }
            Ok((out, input_blocked))
        })
        .await?;
        let mut r = Response::new(full(out.body));
        let h = r.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&out.content_type) {
            h.insert(CONTENT_TYPE, v);
        }
        // A blocked input never reached the model: no token counts.
        if let Some(u) = out.usage.filter(|_| !input_blocked) {
            h.insert(
                "x-amzn-bedrock-input-token-count",
                HeaderValue::from(u.input_tokens),
            );
            h.insert(
                "x-amzn-bedrock-output-token-count",
                HeaderValue::from(u.output_tokens),
            );
            // With prompt caching, the cached tokens have their own headers (input excludes
            // them); the header names are Bedrock's, read by many clients (e.g. Langfuse and
            // OpenLLMetry's Bedrock instrumentations).
            if let Some(n) = u.cache_read_input_tokens {
                h.insert(
                    "x-amzn-bedrock-cache-read-input-token-count",
                    HeaderValue::from(n),
                );
            }
            if let Some(n) = u.cache_write_input_tokens {
                h.insert(
                    "x-amzn-bedrock-cache-write-input-token-count",
                    HeaderValue::from(n),
                );
            }
        }
        if let Some(latency) = served_latency {
            h.insert(
                "x-amzn-bedrock-performanceconfig-latency",
                HeaderValue::from_static(latency),
            );
        }
        let latency = started.elapsed().as_millis() as u64;
        h.insert(
            "x-amzn-bedrock-invocation-latency",
            HeaderValue::from(latency),
        );
        Ok(Outcome::Response(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoke_content_types() {
        assert!(invoke_content_type_ok(None));
        assert!(invoke_content_type_ok(Some("application/json")));
        assert!(invoke_content_type_ok(Some(
            "application/json; charset=utf-8"
        )));
        assert!(invoke_content_type_ok(Some("application/vnd.foo+json")));
        assert!(invoke_content_type_ok(Some("application/octet-stream")));
        assert!(!invoke_content_type_ok(Some("text/plain")));
        assert!(!invoke_content_type_ok(Some(
            "application/x-www-form-urlencoded"
        )));
    }
}
