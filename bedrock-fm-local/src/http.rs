//! HTTP plumbing: REST-JSON routing of the Bedrock Runtime paths, request IDs and response
//! bodies (whole, or channel-backed for streams). The request log is [`crate::request_log`].
//!
//! Routes (from the service model's `operations.*.http`):
//!
//! | method | path                                        | operation                      |
//! |--------|---------------------------------------------|--------------------------------|
//! | POST   | `/model/{modelId}/invoke`                   | InvokeModel                    |
//! | POST   | `/model/{modelId}/invoke-with-response-stream` | InvokeModelWithResponseStream |
//! | POST   | `/model/{modelId}/converse`                 | Converse                       |
//! | POST   | `/model/{modelId}/converse-stream`          | ConverseStream                 |
//! | POST   | `/model/{modelId}/count-tokens`             | CountTokens                    |
//!
//! `{modelId}` is percent-encoded by clients (`:` as `%3A`, `/` of an ARN as `%2F`); the router
//! decodes it. The service's other operations (guardrails, asynchronous invocation,
//! bidirectional streams) are recognised and answered with `UnknownOperationException` saying
//! they are not implemented here.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;

pub use crate::request_log::{RequestLog, RequestRecord};

/// A Bedrock Runtime operation the server implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `POST /model/{modelId}/invoke`.
    InvokeModel,
    /// `POST /model/{modelId}/invoke-with-response-stream`.
    InvokeModelWithResponseStream,
    /// `POST /model/{modelId}/converse`.
    Converse,
    /// `POST /model/{modelId}/converse-stream`.
    ConverseStream,
    /// `POST /model/{modelId}/count-tokens`.
    CountTokens,
    /// Control plane (`bedrock`): `GET /foundation-models`.
    ListFoundationModels,
    /// Control plane: `GET /foundation-models/{modelIdentifier}`.
    GetFoundationModel,
    /// Control plane: `GET /inference-profiles`.
    ListInferenceProfiles,
    /// Control plane: `GET /inference-profiles/{inferenceProfileIdentifier}`.
    GetInferenceProfile,
}

impl Operation {
    /// The operation name of the service model.
    pub fn name(self) -> &'static str {
        match self {
            Operation::InvokeModel => "InvokeModel",
            Operation::InvokeModelWithResponseStream => "InvokeModelWithResponseStream",
            Operation::Converse => "Converse",
            Operation::ConverseStream => "ConverseStream",
            Operation::CountTokens => "CountTokens",
            Operation::ListFoundationModels => "ListFoundationModels",
            Operation::GetFoundationModel => "GetFoundationModel",
            Operation::ListInferenceProfiles => "ListInferenceProfiles",
            Operation::GetInferenceProfile => "GetInferenceProfile",
        }
    }

    fn from_suffix(suffix: &str) -> Option<Operation> {
        Some(match suffix {
            "invoke" => Operation::InvokeModel,
            "invoke-with-response-stream" => Operation::InvokeModelWithResponseStream,
            "converse" => Operation::Converse,
            "converse-stream" => Operation::ConverseStream,
            "count-tokens" => Operation::CountTokens,
            _ => return None,
        })
    }

    /// Whether this is an operation of the control-plane service (`bedrock`, service model
    /// `bedrock-2023-04-20`) rather than of Bedrock Runtime.
    pub fn is_control_plane(self) -> bool {
        matches!(
            self,
            Operation::ListFoundationModels
                | Operation::GetFoundationModel
                | Operation::ListInferenceProfiles
                | Operation::GetInferenceProfile
        )
    }

    /// Whether the response is an event stream.
    pub fn is_streaming(self) -> bool {
        matches!(
            self,
            Operation::InvokeModelWithResponseStream | Operation::ConverseStream
        )
    }
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Route {
    /// A model operation on a (percent-decoded) model ID.
    Model {
        /// The operation.
        operation: Operation,
        /// The model ID, percent-decoded.
        model_id: String,
    },
    /// A control-plane operation ([`Operation::is_control_plane`]), with the percent-decoded
    /// resource identifier of its path, if any.
    Control {
        /// The operation.
        operation: Operation,
        /// The `{modelIdentifier}` or `{inferenceProfileIdentifier}` of the path.
        resource: Option<String>,
    },
    /// An operation of the service this server does not implement.
    NotImplemented(&'static str),
    /// A known path with the wrong method.
    WrongMethod,
    /// No operation here.
    Unknown,
    /// The model ID segment is not valid percent-encoded UTF-8.
    BadModelId,
}

/// Routes a request by method and raw (still percent-encoded) path.
pub(crate) fn route(method: &str, raw_path: &str) -> Route {
    let path = raw_path.strip_suffix('/').unwrap_or(raw_path);
    let segments: Vec<&str> = path.split('/').collect();
    // ["", "model", id..., op]
    if segments.len() >= 4 && segments[0].is_empty() && segments[1] == "model" {
        let suffix = segments[segments.len() - 1];
        // An ARN whose '/' the client did not encode spans several segments.
        let raw_id = segments[2..segments.len() - 1].join("/");
        let op = Operation::from_suffix(suffix);
        if op.is_none() && suffix != "invoke-with-bidirectional-stream" {
            return Route::Unknown;
        }
        if method != "POST" {
            return Route::WrongMethod;
        }
        let Some(operation) = op else {
            return Route::NotImplemented("InvokeModelWithBidirectionalStream");
        };
        return match percent_encoding::percent_decode_str(&raw_id).decode_utf8() {
            Ok(id) if !id.is_empty() => Route::Model {
                operation,
                model_id: id.into_owned(),
            },
            _ => Route::BadModelId,
        };
    }
    if let Some(r) = control_route(method, &segments) {
        return r;
    }
    let not_implemented = match (method, segments.as_slice()) {
        ("POST", ["", "guardrail", _, "version", _, "apply"]) => "ApplyGuardrail",
        ("POST", ["", "guardrail-checks", "invoke"]) => "InvokeGuardrailChecks",
        ("POST", ["", "async-invoke"]) => "StartAsyncInvoke",
        ("GET", ["", "async-invoke"]) => "ListAsyncInvokes",
        ("GET", ["", "async-invoke", _]) => "GetAsyncInvoke",
        _ => return Route::Unknown,
    };
    Route::NotImplemented(not_implemented)
}

/// The control-plane paths of the service model `bedrock-2023-04-20` this server serves
/// (`GET /foundation-models[/{id}]`, `GET /inference-profiles[/{id}]`), and the other
/// inference-profile operations, answered as not implemented.
fn control_route(method: &str, segments: &[&str]) -> Option<Route> {
    let (collection, rest) = match segments {
        [
            "",
            c @ ("foundation-models" | "inference-profiles"),
            rest @ ..,
        ] => (*c, rest),
        _ => return None,
    };
    let resource = if rest.is_empty() {
        None
    } else {
        // An ARN whose '/' the client did not encode spans several segments.
        match percent_encoding::percent_decode_str(&rest.join("/")).decode_utf8() {
            Ok(id) if !id.is_empty() => Some(id.into_owned()),
            _ => return Some(Route::BadModelId),
        }
    };
    let operation = match (method, collection, resource.is_some()) {
        ("GET", "foundation-models", false) => Operation::ListFoundationModels,
        ("GET", "foundation-models", true) => Operation::GetFoundationModel,
        ("GET", "inference-profiles", false) => Operation::ListInferenceProfiles,
        ("GET", "inference-profiles", true) => Operation::GetInferenceProfile,
        ("POST", "inference-profiles", false) => {
            return Some(Route::NotImplemented("CreateInferenceProfile"));
        }
        ("DELETE", "inference-profiles", true) => {
            return Some(Route::NotImplemented("DeleteInferenceProfile"));
        }
        _ => return Some(Route::Unknown),
    };
    Some(Route::Control {
        operation,
        resource,
    })
}

/// Request IDs in the UUID form Bedrock uses (`1e5051f7-ccc0-4c5d-9b1f-7feb707d126b`), unique
/// per server.
#[derive(Debug)]
pub(crate) struct RequestIds {
    base: u64,
    counter: AtomicU64,
}

impl RequestIds {
    /// A generator with a base taken from the clock.
    pub(crate) fn new() -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos() as u64;
        Self {
            base: crate::engine::mix(now ^ u64::from(std::process::id())),
            counter: AtomicU64::new(0),
        }
    }

    /// The next ID.
    pub(crate) fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let a = crate::engine::mix(self.base ^ n);
        let b = crate::engine::mix(a ^ 0x5bd1_e995);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 + (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }
}

impl Default for RequestIds {
    fn default() -> Self {
        Self::new()
    }
}

/// The response body type: whole bodies and streams.
pub(crate) type ResponseBody = BoxBody<Bytes, io::Error>;

/// A whole body.
pub(crate) fn full(bytes: impl Into<Bytes>) -> ResponseBody {
    http_body_util::Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// A body fed by a channel: each `Ok` item is written (and flushed) as soon as it is received;
/// an `Err` aborts the connection mid-body.
#[derive(Debug)]
pub(crate) struct ChannelBody {
    rx: mpsc::Receiver<Result<Bytes, io::Error>>,
}

impl ChannelBody {
    /// A body and the sender that feeds it (`capacity` items may wait unsent).
    pub(crate) fn channel(
        capacity: usize,
    ) -> (mpsc::Sender<Result<Bytes, io::Error>>, ChannelBody) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (tx, ChannelBody { rx })
    }
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(Ok(bytes))) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(op: Operation, id: &str) -> Route {
        Route::Model {
            operation: op,
            model_id: id.into(),
        }
    }

    #[test]
    fn routes_the_model_operations_and_decodes_ids() {
        assert_eq!(
            route(
                "POST",
                "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
            ),
            model(
                Operation::Converse,
                "anthropic.claude-3-haiku-20240307-v1:0"
            )
        );
        assert_eq!(
            route("POST", "/model/us.amazon.nova-pro-v1%3A0/converse-stream"),
            model(Operation::ConverseStream, "us.amazon.nova-pro-v1:0")
        );
        assert_eq!(
            route("POST", "/model/amazon.titan-embed-text-v2%3A0/invoke"),
            model(Operation::InvokeModel, "amazon.titan-embed-text-v2:0")
        );
        assert_eq!(
            route("POST", "/model/m/invoke-with-response-stream"),
            model(Operation::InvokeModelWithResponseStream, "m")
        );
        assert_eq!(
            route("POST", "/model/m/count-tokens"),
            model(Operation::CountTokens, "m")
        );
        // Unencoded ':' is fine too.
        assert_eq!(
            route("POST", "/model/a.b-v1:0/invoke"),
            model(Operation::InvokeModel, "a.b-v1:0")
        );
    }

    #[test]
    fn routes_arns_encoded_or_not() {
        let arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0";
        let encoded = "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-haiku-20240307-v1%3A0";
        assert_eq!(
            route("POST", &format!("/model/{encoded}/converse")),
            model(Operation::Converse, arn)
        );
        assert_eq!(
            route("POST", &format!("/model/{arn}/converse")),
            model(Operation::Converse, arn)
        );
    }

    #[test]
    fn routes_the_control_plane_paths() {
        let control = |operation, resource: Option<&str>| Route::Control {
            operation,
            resource: resource.map(str::to_owned),
        };
        assert_eq!(
            route("GET", "/foundation-models"),
            control(Operation::ListFoundationModels, None)
        );
        assert_eq!(
            route("GET", "/foundation-models/amazon.nova-pro-v1%3A0"),
            control(Operation::GetFoundationModel, Some("amazon.nova-pro-v1:0"))
        );
        assert_eq!(
            route("GET", "/inference-profiles/"),
            control(Operation::ListInferenceProfiles, None)
        );
        let arn =
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0";
        let encoded = "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.amazon.nova-pro-v1%3A0";
        for path in [arn, encoded] {
            assert_eq!(
                route("GET", &format!("/inference-profiles/{path}")),
                control(Operation::GetInferenceProfile, Some(arn))
            );
        }
        assert_eq!(
            route("POST", "/inference-profiles"),
            Route::NotImplemented("CreateInferenceProfile")
        );
        assert_eq!(route("PUT", "/foundation-models"), Route::Unknown);
        assert_eq!(route("GET", "/inference-profiles/%FF"), Route::BadModelId);
        assert!(Operation::GetInferenceProfile.is_control_plane());
        assert!(!Operation::Converse.is_control_plane());
    }

    #[test]
    fn wrong_methods_unknown_paths_and_other_operations() {
        assert_eq!(route("GET", "/model/m/converse"), Route::WrongMethod);
        assert_eq!(route("POST", "/model/m/chat"), Route::Unknown);
        assert_eq!(route("POST", "/models"), Route::Unknown);
        assert_eq!(route("GET", "/"), Route::Unknown);
        assert_eq!(route("POST", "/model//converse"), Route::BadModelId);
        assert_eq!(route("POST", "/model/%FF/converse"), Route::BadModelId);
        assert_eq!(
            route("POST", "/guardrail/g1/version/1/apply"),
            Route::NotImplemented("ApplyGuardrail")
        );
        assert_eq!(
            route("GET", "/async-invoke"),
            Route::NotImplemented("ListAsyncInvokes")
        );
        assert_eq!(
            route("POST", "/model/m/invoke-with-bidirectional-stream"),
            Route::NotImplemented("InvokeModelWithBidirectionalStream")
        );
    }

    #[test]
    fn request_ids_are_uuid_shaped_and_unique() {
        let ids = RequestIds::new();
        let a = ids.next_id();
        let b = ids.next_id();
        assert_ne!(a, b);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            vec![8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }

    #[tokio::test]
    async fn channel_body_yields_items_as_sent() {
        let (tx, mut body) = ChannelBody::channel(1);
        tokio::spawn(async move {
            tx.send(Ok(Bytes::from_static(b"a"))).await.unwrap();
            tx.send(Ok(Bytes::from_static(b"b"))).await.unwrap();
        });
        let mut got = Vec::new();
        while let Some(frame) = body.frame().await {
            got.push(frame.unwrap().into_data().unwrap());
        }
        assert_eq!(
            got,
            vec![Bytes::from_static(b"a"), Bytes::from_static(b"b")]
        );
    }
}
