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
use std::sync::Arc;
use std::time::{Instant, SystemTime};

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
use tokio::sync::watch;

use crate::config::Config;
use crate::converse_validate;
use crate::engine::Engine;
use crate::errors::ServiceError;
use crate::faults::{FAULT_HEADER, FaultPlan, Faults};
use crate::http::{Operation, RequestIds, ResponseBody, Route, full, route};
use crate::models::{CountTokensCall, ModelBackend, ModelCaps};
use crate::prompt_cache::PromptCache;
use crate::request_log::{self, RequestLog, RequestRecord};
use crate::service_model;
use crate::sigv4::{self, AuthPolicy, RequestToVerify};

mod converse;
mod invoke;
mod stream;

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
    // The body joins the record only once the request has authenticated (see `request_log`).
    let mut record = RequestRecord {
        request_id,
        method: method.clone(),
        path: raw_path.clone(),
        query: query.clone(),
        headers: request_log::redacted_headers(&parts.headers),
        body: Bytes::new(),
        body_len: body.as_ref().map_or(0, Bytes::len),
        operation,
        model_id,
    };
    let body = match body {
        Ok(b) => b,
        Err(BodyError::TooLarge(n)) => {
            shared.log.record(record);
            let e = ServiceError::validation(format!(
                "The request body of {n} bytes exceeds the maximum request size of {} bytes.",
                shared.config.max_body_bytes
            ))
            .with_status(413);
            return Outcome::Response(error_response(&e));
        }
        // The client went away mid-body: nobody will read an answer.
        Err(BodyError::Io) => {
            shared.log.record(record);
            return Outcome::Drop;
        }
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
    let identity = sigv4::authenticate(&verify, &policy, SystemTime::now());
    if identity.is_ok() {
        record.body = body.clone();
    }
    shared.log.record(record);
    let identity = match identity {
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

async fn run_blocking<T, F>(f: F) -> Result<T, ServiceError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ServiceError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err(ServiceError::internal_server()))
}

/// A model operation after routing, model resolution and the fault plan.
struct ModelCall {
    operation: Operation,
    caps: ModelCaps,
    model_id: String,
    body: Bytes,
    plan: FaultPlan,
    started: Instant,
}

/// Resolves the model, applies the request's faults, and runs the operation's handler.
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
    let call = ModelCall {
        operation,
        caps,
        model_id,
        body,
        plan,
        started,
    };
    match operation {
        Operation::Converse | Operation::ConverseStream => converse::handle(shared, call).await,
        Operation::CountTokens => count_tokens(shared, call).await,
        Operation::InvokeModel | Operation::InvokeModelWithResponseStream => {
            invoke::handle(shared, headers, call).await
        }
        op @ (Operation::ListFoundationModels
        | Operation::GetFoundationModel
        | Operation::ListInferenceProfiles
        | Operation::GetInferenceProfile) => Err(ServiceError::unknown_operation(format!(
            "{} is not a model operation.",
            op.name()
        ))),
    }
}

/// CountTokens.
async fn count_tokens(shared: &Arc<Shared>, call: ModelCall) -> Result<Outcome, ServiceError> {
    let ModelCall {
        operation,
        caps,
        model_id,
        body,
        ..
    } = call;
    let backend = shared.backend.clone();
    let engine = shared.engine;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies() {
        assert_eq!(parse_json(b"").unwrap(), json!({}));
        assert_eq!(parse_json(b" {\"a\": 1} ").unwrap(), json!({"a": 1}));
        let e = parse_json(b"{\"a\":").unwrap_err();
        assert_eq!(e.error_type, "SerializationException");
        assert_eq!(e.status, 400);
    }
}
