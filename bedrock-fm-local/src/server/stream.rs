//! Event-stream responses: the model's iterator on a blocking thread, each item paced (first
//! token latency, token interval, injected stream faults), framed and sent as it exists.

use std::io;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::Response;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::errors::ServiceError;
use crate::eventstream;
use crate::faults::FaultPlan;
use crate::http::{ChannelBody, ResponseBody};

pub(super) fn stream_response(
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

pub(super) fn padded_bytes(payload: Value, n: u64) -> Vec<u8> {
    serde_json::to_vec(&with_padding(payload, n)).unwrap_or_default()
}

/// Timing of a stream, for latency figures in its events.
pub(super) struct StreamTiming {
    started: Instant,
    /// Milliseconds from the request to the first frame.
    pub(super) first_byte_ms: u64,
    /// Frames sent before this one.
    pub(super) frames: u64,
}

impl StreamTiming {
    pub(super) fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }
}

/// Runs a model iterator on a blocking thread and writes its items as event-stream frames.
pub(super) fn spawn_stream<T, R>(
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
                    if delta && plan.end_stream_after == Some(deltas) {
                        // A clean end at a frame boundary, without the final event.
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
    use serde_json::json;

    #[test]
    fn padding_is_a_string_member() {
        let v = with_padding(json!({"a": 1}), 3);
        assert!(v["p"].as_str().is_some_and(|p| !p.is_empty()));
        assert_eq!(with_padding(json!([1]), 0), json!([1]));
    }
}
