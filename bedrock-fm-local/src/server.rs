//! The HTTP/1.1 server: accepts connections, authenticates, routes, injects faults, runs the
//! model backend, and writes JSON responses or event streams.
//!
//! Every response carries `x-amzn-RequestId`. Streams are written incrementally: the model's
//! iterator runs on a blocking thread, each item is paced (first-token latency, token interval),
//! encoded as an event-stream message and handed to the connection as soon as it exists.
//! A handler that panics answers `InternalServerException`; hyper itself answers requests it
//! cannot parse; nothing a client sends stops the accept loop.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::config::Config;
use crate::converse_validate;
use crate::engine::Engine;
use crate::errors::ServiceError;
use crate::eventstream;
use crate::faults::{FAULT_HEADER, FaultPlan, Faults};
use crate::guardrails::{self, Guardrail, GuardrailRequest};
use crate::http::{
    ChannelBody, Operation, RequestIds, RequestLog, RequestRecord, ResponseBody, Route, full, route,
};
use crate::models::{
    ConverseCall, ConverseEvent, ConverseOutput, CountTokensCall, InvokeCall, ModelBackend,
    ModelCaps, OutputBlock, Usage,
};
use crate::performance;
use crate::prompt_cache::PromptCache;
use crate::service_model;
use crate::sigv4::{self, AuthPolicy, RequestToVerify};

/// State shared by every connection of one server.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) backend: Arc<dyn ModelBackend>,
    pub(crate) faults: Faults,
    pub(crate) log: RequestLog,
    pub(crate) ids: RequestIds,
    pub(crate) engine: Engine,
    pub(crate) prompt_cache: PromptCache,
}

/// The handler asked for the connection to be closed without a response.
#[derive(Debug)]
struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped (injected fault)")
    }
}

impl StdError for DropConnection {}

enum Outcome {
    Response(Response<ResponseBody>),
    Drop,
}

/// Accepts connections until `shutdown` changes.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    // Connections are tracked so that stopping the server closes every one of them before
    // `serve` returns: a client then sees a closed socket, never a silent one.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                while connections.try_join_next().is_some() {}
                let (stream, _peer) = match accepted {
                    Ok(x) => x,
                    Err(_) => {
                        // Out of file descriptors or similar: back off briefly, keep serving.
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                connections.spawn(async move {
                    let svc = service_fn(move |req| handle(shared.clone(), req));
                    let conn = http1::Builder::new()
                        .timer(TokioTimer::new())
                        // A client that opens a connection and never finishes its request head
                        // is cut off instead of holding the connection forever.
                        .header_read_timeout(std::time::Duration::from_secs(30))
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), svc);
                    let _ = conn.await;
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<ResponseBody>, DropConnection> {
    let request_id = shared.ids.next_id();
    let rid = request_id.clone();
    // Run the request in its own task so that a panic becomes a 500, not a lost connection.
    let outcome = tokio::spawn(handle_inner(shared, request_id, req)).await;
    let mut response = match outcome {
        Ok(Outcome::Response(r)) => r,
        Ok(Outcome::Drop) => return Err(DropConnection),
        Err(_) => error_response(&ServiceError::internal_server()),
    };
    if let Ok(v) = HeaderValue::from_str(&rid) {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
    Ok(response)
}

fn redacted_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().to_owned();
            let value = if name == "authorization" {
                let v = String::from_utf8_lossy(value.as_bytes());
                // Keep the scheme and the credential scope, never the signature or token.
                match v.split_once(' ') {
                    Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => {
                        let _ = rest;
                        format!("{scheme} ** redacted **")
                    }
                    Some((scheme, rest)) => {
                        let cred = rest
                            .split(',')
                            .map(str::trim)
                            .filter(|p| !p.starts_with("Signature="))
                            .collect::<Vec<_>>()
                            .join(", ");
                        format!("{scheme} {cred}, Signature=** redacted **")
                    }
                    None => "** redacted **".to_owned(),
                }
            } else if name == "x-amz-security-token" {
                "** redacted **".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name, value)
        })
        .collect()
}

enum BodyError {
    TooLarge(u64),
    Io,
}

async fn read_body(body: Incoming, declared: Option<u64>, max: usize) -> Result<Bytes, BodyError> {
    if let Some(n) = declared
        && n > max as u64
    {
        return Err(BodyError::TooLarge(n));
    }
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(BodyError::TooLarge(max as u64 + 1))
            } else {
                Err(BodyError::Io)
            }
        }
    }
}

async fn handle_inner(shared: Arc<Shared>, request_id: String, req: Request<Incoming>) -> Outcome {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let raw_path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let route = route(&method, &raw_path);
    let (operation, model_id) = match &route {
        Route::Model {
            operation,
            model_id,
        } => (Some(*operation), Some(model_id.clone())),
        Route::Control { operation, .. } => (Some(*operation), None),
        _ => (None, None),
    };
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body = read_body(body, declared, shared.config.max_body_bytes).await;
    shared.log.record(RequestRecord {
        request_id,
        method: method.clone(),
        path: raw_path.clone(),
        query: query.clone(),
        headers: redacted_headers(&parts.headers),
        body: body.as_ref().map(Bytes::clone).unwrap_or_default(),
        operation,
        model_id,
    });
    let body = match body {
        Ok(b) => b,
        Err(BodyError::TooLarge(n)) => {
            let e = ServiceError::validation(format!(
                "The request body of {n} bytes exceeds the maximum request size of {} bytes.",
                shared.config.max_body_bytes
            ))
            .with_status(413);
            return Outcome::Response(error_response(&e));
        }
        // The client went away mid-body: nobody will read an answer.
        Err(BodyError::Io) => return Outcome::Drop,
    };
    let verify = RequestToVerify {
        method: &method,
        raw_path: &raw_path,
        raw_query: query.as_deref(),
        headers: &parts.headers,
        body: &body,
    };
    let policy = AuthPolicy {
        credentials: &shared.config.credentials,
        bearer_tokens: &shared.config.bearer_tokens,
        max_clock_skew: shared.config.max_clock_skew,
        service: service_model::signing_name(),
        allow_anonymous: shared.config.allow_anonymous,
    };
    let identity = match sigv4::authenticate(&verify, &policy, SystemTime::now()) {
        Ok(identity) => identity,
        Err(e) => return Outcome::Response(error_response(&e)),
    };
    let result = match route {
        Route::Control {
            operation,
            resource,
        } => {
            let region = match &identity {
                sigv4::Identity::SigV4 { region, .. } => region.as_str(),
                _ => crate::config::DEFAULT_REGION,
            };
            let ctx = crate::control_plane::Context {
                region,
                registered: &shared.config.registered_models,
                profiles: &shared.config.application_profiles,
            };
            crate::control_plane::handle(operation, resource.as_deref(), query.as_deref(), &ctx)
                .map(|v| Outcome::Response(json_response(&v)))
        }
        Route::Model {
            operation,
            model_id,
        } => model_operation(&shared, operation, model_id, &parts.headers, body, started).await,
        Route::WrongMethod => {
            let e = ServiceError::unknown_operation(format!(
                "The operation at {raw_path} only accepts POST, not {method}."
            ))
            .with_status(405);
            let mut r = error_response(&e);
            r.headers_mut()
                .insert("allow", HeaderValue::from_static("POST"));
            Ok(Outcome::Response(r))
        }
        Route::NotImplemented(name) => Err(ServiceError::unknown_operation(format!(
            "bedrock-fm-local does not implement the {name} operation."
        ))),
        Route::Unknown => Err(ServiceError::unknown_operation(format!(
            "No Bedrock Runtime operation matches {method} {raw_path}."
        ))),
        Route::BadModelId => Err(ServiceError::invalid_model_identifier()),
    };
    match result {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Response(error_response(&e)),
    }
}

/// The JSON error response of `e` (the request ID header is added by the caller).
pub(crate) fn error_response(e: &ServiceError) -> Response<ResponseBody> {
    let mut r = Response::new(full(e.body_bytes()));
    *r.status_mut() = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(&e.error_type_header()) {
        h.insert("x-amzn-errortype", v);
    }
    r
}

fn json_response(body: &Value) -> Response<ResponseBody> {
    let mut r = Response::new(full(serde_json::to_vec(body).unwrap_or_default()));
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Parses a REST-JSON body: empty means `{}`; anything else must be JSON, else Coral's
/// `SerializationException`.
fn parse_json(body: &[u8]) -> Result<Value, ServiceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|e| {
        ServiceError::serialization(format!("The request body is not valid JSON: {e}."))
    })
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

async fn run_blocking<T, F>(f: F) -> Result<T, ServiceError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ServiceError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err(ServiceError::internal_server()))
}

async fn model_operation(
    shared: &Arc<Shared>,
    operation: Operation,
    model_id: String,
    headers: &HeaderMap,
    body: Bytes,
    started: Instant,
) -> Result<Outcome, ServiceError> {
    let caps = crate::registry::resolve(
        &model_id,
        &shared.config.registered_models,
        &shared.config.application_profiles,
        &*shared.backend,
    )?;
    let plan = shared
        .faults
        .plan(operation, &model_id, header(headers, FAULT_HEADER))?;
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    if plan.drop_connection {
        return Ok(Outcome::Drop);
    }
    if let Some(e) = plan.error.clone() {
        return Err(e);
    }
    let backend = shared.backend.clone();
    let engine = shared.engine;
    match operation {
        Operation::Converse | Operation::ConverseStream => {
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
        Operation::CountTokens => {
            let request = parse_json(&body)?;
            converse_validate::validate(operation.name(), &request)?;
            let n = run_blocking(move || {
                backend.count_tokens(&CountTokensCall {
                    model: &caps,
                    model_id: &model_id,
                    input: &request["input"],
                    engine,
                })
            })
            .await?;
            Ok(Outcome::Response(json_response(&json!({"inputTokens": n}))))
        }
        op @ (Operation::ListFoundationModels
        | Operation::GetFoundationModel
        | Operation::ListInferenceProfiles
        | Operation::GetInferenceProfile) => Err(ServiceError::unknown_operation(format!(
            "{} is not a model operation.",
            op.name()
        ))),
        Operation::InvokeModel | Operation::InvokeModelWithResponseStream => {
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
            performance::check_request_metadata_header(header(
                headers,
                "x-amzn-bedrock-request-metadata",
            ))?;
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
    }
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

fn stream_response(
    body: ChannelBody,
    bedrock_content_type: Option<&'static str>,
    served_latency: Option<&'static str>,
) -> Response<ResponseBody> {
    let mut r = Response::new(body.boxed());
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(eventstream::CONTENT_TYPE),
    );
    if let Some(ct) = bedrock_content_type {
        h.insert("x-amzn-bedrock-content-type", HeaderValue::from_static(ct));
    }
    if let Some(latency) = served_latency {
        h.insert(
            "x-amzn-bedrock-performanceconfig-latency",
            HeaderValue::from_static(latency),
        );
    }
    r
}

const PAD: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Adds the `"p"` padding member Bedrock puts in stream payloads (seen in recorded traffic;
/// clients ignore it).
fn with_padding(mut payload: Value, n: u64) -> Value {
    if let Some(obj) = payload.as_object_mut() {
        let len = 1 + ((n.wrapping_mul(7) + 3) % (PAD.len() as u64 - 1)) as usize;
        obj.insert("p".into(), Value::String(PAD[..len].to_owned()));
    }
    payload
}

fn padded_bytes(payload: Value, n: u64) -> Vec<u8> {
    serde_json::to_vec(&with_padding(payload, n)).unwrap_or_default()
}

/// Timing of a stream, for latency figures in its events.
pub(crate) struct StreamTiming {
    started: Instant,
    /// Milliseconds from the request to the first frame.
    first_byte_ms: u64,
    /// Frames sent before this one.
    frames: u64,
}

impl StreamTiming {
    fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }
}

/// Runs a model iterator on a blocking thread and writes its items as event-stream frames.
fn spawn_stream<T, R>(
    items: Box<dyn Iterator<Item = Result<T, ServiceError>> + Send>,
    plan: FaultPlan,
    started: Instant,
    is_delta: fn(&T) -> bool,
    mut render: R,
) -> ChannelBody
where
    T: Send + 'static,
    R: FnMut(T, &StreamTiming) -> Bytes + Send + 'static,
{
    let (item_tx, mut item_rx) = mpsc::channel::<Result<T, ServiceError>>(1);
    tokio::task::spawn_blocking(move || {
        for item in items {
            if item_tx.blocking_send(item).is_err() {
                break;
            }
        }
    });
    let (frame_tx, body) = ChannelBody::channel(4);
    tokio::spawn(async move {
        let mut timing = StreamTiming {
            started,
            first_byte_ms: 0,
            frames: 0,
        };
        let mut deltas = 0u32;
        while let Some(item) = item_rx.recv().await {
            let delta = item.as_ref().is_ok_and(is_delta);
            let wait = if timing.frames == 0 {
                plan.first_token_latency
            } else if delta {
                plan.token_interval
            } else {
                std::time::Duration::ZERO
            };
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            if timing.frames == 0 {
                timing.first_byte_ms = timing.elapsed_ms();
            }
            let frame = match item {
                Ok(v) => {
                    if delta && plan.stream_error_after == Some(deltas) {
                        let e = ServiceError::model_stream_error(
                            "An error occurred while streaming the response. Retry your request.",
                            500,
                            "The model stream was interrupted.",
                        );
                        let _ = frame_tx
                            .send(Ok(eventstream::exception(
                                &e.event_member_name(),
                                &e.body_bytes(),
                            )))
                            .await;
                        break;
                    }
                    if delta && plan.drop_stream_after == Some(deltas) {
                        let _ = frame_tx
                            .send(Err(io::Error::new(
                                io::ErrorKind::ConnectionAborted,
                                "injected drop",
                            )))
                            .await;
                        break;
                    }
                    if delta {
                        deltas += 1;
                    }
                    render(v, &timing)
                }
                Err(e) => {
                    let _ = frame_tx
                        .send(Ok(eventstream::exception(
                            &e.event_member_name(),
                            &e.body_bytes(),
                        )))
                        .await;
                    break;
                }
            };
            timing.frames += 1;
            if frame_tx.send(Ok(frame)).await.is_err() {
                // The client went away.
                break;
            }
        }
    });
    body
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

    #[test]
    fn json_bodies() {
        assert_eq!(parse_json(b"").unwrap(), json!({}));
        assert_eq!(parse_json(b" {\"a\": 1} ").unwrap(), json!({"a": 1}));
        let e = parse_json(b"{\"a\":").unwrap_err();
        assert_eq!(e.error_type, "SerializationException");
        assert_eq!(e.status, 400);
    }

    #[test]
    fn padding_is_a_string_member() {
        let v = with_padding(json!({"a": 1}), 3);
        assert!(v["p"].as_str().is_some_and(|p| !p.is_empty()));
        assert_eq!(with_padding(json!([1]), 0), json!([1]));
    }

    #[test]
    fn authorization_is_redacted_in_the_log() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=abcdef",
            ),
        );
        h.insert(
            "x-amz-security-token",
            HeaderValue::from_static("secret-token"),
        );
        let r = redacted_headers(&h);
        let auth = &r.iter().find(|(n, _)| n == "authorization").unwrap().1;
        assert!(auth.contains("Credential=AKID/20240101/us-east-1/bedrock/aws4_request"));
        assert!(!auth.contains("abcdef"));
        let tok = &r
            .iter()
            .find(|(n, _)| n == "x-amz-security-token")
            .unwrap()
            .1;
        assert!(!tok.contains("secret"));
        let mut h = HeaderMap::new();
        h.insert("authorization", HeaderValue::from_static("Bearer sekrit"));
        assert!(!redacted_headers(&h)[0].1.contains("sekrit"));
    }
}
