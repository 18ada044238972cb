//! Converse and ConverseStream: validation against the service model, guardrails, and the
//! JSON response or the event stream.

use std::sync::Arc;
use std::time::Instant;

use hyper::Response;
use serde_json::{Value, json};

use super::stream::{padded_bytes, spawn_stream, stream_response};
use super::{ModelCall, Outcome, Shared, json_response, parse_json, run_blocking};
use crate::converse_validate;
use crate::errors::ServiceError;
use crate::eventstream;
use crate::faults::FaultPlan;
use crate::guardrails::{self, Guardrail, GuardrailRequest};
use crate::http::{Operation, ResponseBody};
use crate::models::{
    ConverseCall, ConverseEvent, ConverseOutput, ModelBackend, OutputBlock, Usage,
};
use crate::performance;

/// Converse and ConverseStream.
pub(super) async fn handle(shared: &Arc<Shared>, call: ModelCall) -> Result<Outcome, ServiceError> {
    let ModelCall {
        operation,
        caps,
        model_id,
        body,
        plan,
        started,
    } = call;
    let backend = shared.backend.clone();
    let engine = shared.engine;
    let request = parse_json(&body)?;
    converse_validate::validate(operation.name(), &request)?;
    let streaming = operation == Operation::ConverseStream;
    let guard = match GuardrailRequest::from_converse(&request) {
        Some(r) => {
            let g = r.resolve(&shared.config.guardrails)?.clone();
            Some((r, g))
        }
        None => None,
    };
    // Members the server adds to the response (or to the stream's metadata event).
    let mut extras = serde_json::Map::new();
    if let Some(latency) =
        performance::served_latency(&caps, request["performanceConfig"]["latency"].as_str())
    {
        extras.insert("performanceConfig".into(), json!({"latency": latency}));
    }
    let sh = shared.clone();
    if streaming && guard.is_none() {
        let events = run_blocking(move || {
            backend.converse_stream(&ConverseCall {
                model: &caps,
                model_id: &model_id,
                request: &request,
                engine,
                streaming,
                prompt_cache: Some(&sh.prompt_cache),
            })
        })
        .await?;
        return Ok(Outcome::Response(converse_stream_response(
            events, extras, plan, started,
        )));
    }
    let (out, trace) = run_blocking(move || {
        let call = ConverseCall {
            model: &caps,
            model_id: &model_id,
            request: &request,
            engine,
            streaming,
            prompt_cache: Some(&sh.prompt_cache),
        };
        guarded_converse(&*backend, &call, guard.as_ref())
    })
    .await?;
    if let Some(trace) = trace {
        extras.insert("trace".into(), trace);
    }
    if streaming {
        let events = Box::new(crate::converse::events(&out).into_iter().map(Ok));
        return Ok(Outcome::Response(converse_stream_response(
            events, extras, plan, started,
        )));
    }
    let latency = started.elapsed().as_millis() as u64;
    let mut response = out.to_response_json(latency);
    if let Some(obj) = response.as_object_mut() {
        obj.extend(extras);
    }
    Ok(Outcome::Response(json_response(&response)))
}

/// Converse with a guardrail, if any (see [`crate::guardrails`]): the reply, and the trace when
/// it is asked for.
fn guarded_converse(
    backend: &dyn ModelBackend,
    call: &ConverseCall<'_>,
    guard: Option<&(GuardrailRequest, Guardrail)>,
) -> Result<(ConverseOutput, Option<Value>), ServiceError> {
    let Some((req, g)) = guard else {
        return Ok((backend.converse(call)?, None));
    };
    let input = guardrails::Assessment::of(g, &guardrails::converse_input_texts(call.request));
    let outcome;
    let out = if input.blocked() {
        // The conversation is still checked; the model is not called.
        crate::converse::check(call)?;
        outcome = guardrails::Outcome {
            input,
            output: None,
            model_output: None,
        };
        ConverseOutput {
            blocks: vec![OutputBlock::text(g.blocked_input_message.clone())],
            stop_reason: crate::engine::StopReason::GuardrailIntervened,
            usage: Usage::new(0, 0),
            additional_model_response_fields: None,
        }
    } else {
        let mut out = backend.converse(call)?;
        let text: String = out
            .blocks
            .iter()
            .filter_map(|b| match b {
                OutputBlock::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        let output = guardrails::Assessment::of(g, std::slice::from_ref(&text));
        if output.blocked() {
            out.blocks = vec![OutputBlock::text(g.blocked_output_message.clone())];
            out.stop_reason = crate::engine::StopReason::GuardrailIntervened;
        }
        outcome = guardrails::Outcome {
            input,
            output: Some(output),
            model_output: Some(text),
        };
        out
    };
    let trace = req.trace.on().then(|| outcome.converse_trace(g));
    Ok((out, trace))
}

/// A ConverseStream response for `events`; the `metadata` event gets `extras` (trace,
/// performance configuration).
fn converse_stream_response(
    events: crate::models::ConverseEventStream,
    extras: serde_json::Map<String, Value>,
    plan: FaultPlan,
    started: Instant,
) -> Response<ResponseBody> {
    let body = spawn_stream(
        events,
        plan,
        started,
        |e| e.is_delta(),
        move |event, timing| {
            let mut payload = event.payload(timing.elapsed_ms());
            if matches!(event, ConverseEvent::Metadata { .. })
                && let Some(obj) = payload.as_object_mut()
            {
                obj.extend(extras.clone());
            }
            eventstream::event(event.event_type(), &padded_bytes(payload, timing.frames))
        },
    );
    stream_response(body, None, None)
}
