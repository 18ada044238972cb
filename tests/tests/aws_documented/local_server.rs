//! The local server: every documented request is served and every documented invalid one
//! refused with Bedrock's wording.

use crate::converse_shape::converse_response_shape;
use crate::family_types::{invocation_id, types};
use crate::fixtures::{Example, examples_of};
use crate::known_divergences::Outcomes;
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::invoke_model::InvokeModelError;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::ResponseStream;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

#[tokio::test]
async fn every_documented_request_is_served_and_every_invalid_one_refused_with_bedrocks_wording() {
    let server = bedrock_fm_local::start();
    let sdk = server.client();
    let mut outcomes = Outcomes::default();
    for ex in examples_of(&["request", "invalid_request"]) {
        let id = match invocation_id(&ex) {
            Ok(id) => id,
            Err(e) => {
                outcomes.fail(&ex, "served", format!("model ID: {e}"));
                continue;
            }
        };
        outcomes.count(if ex.stream {
            "request (stream)"
        } else {
            ex.kind.as_str()
        });
        if ex.family == "converse" {
            serve_converse(&server, &ex, &id, &mut outcomes);
            continue;
        }
        let body = Blob::new(serde_json::to_vec(&ex.body).unwrap());
        if ex.kind == "invalid_request" {
            let want = ex.error.clone().unwrap_or_default();
            match sdk.invoke_model().model_id(&id).body(body).send().await {
                Ok(_) => outcomes.fail(&ex, "refused", "answered 200"),
                Err(e) => {
                    let status = e.raw_response().map(|r| r.status().as_u16());
                    match e.into_service_error() {
                        InvokeModelError::ValidationException(v)
                            if status == Some(400)
                                && v.message().is_some_and(|m| m.contains(&want)) => {}
                        other => outcomes.fail(
                            &ex,
                            "refused",
                            format!("{status:?} {other:?}, documented {want:?}"),
                        ),
                    }
                }
            }
            continue;
        }
        let Some(types) = types(&ex.family) else {
            outcomes.fail(&ex, "decoded", "no typed bodies for this family");
            continue;
        };
        if ex.stream {
            let out = match sdk
                .invoke_model_with_response_stream()
                .model_id(&id)
                .body(body)
                .send()
                .await
            {
                Ok(out) => out,
                Err(e) => {
                    outcomes.fail(&ex, "served", format!("{id}: {}", sdk_error(&e)));
                    continue;
                }
            };
            let Some(chunk_type) = types.chunk else {
                outcomes.fail(&ex, "decoded", "the family has no stream-chunk type");
                continue;
            };
            let mut rx = out.body;
            let mut chunks = 0;
            loop {
                match rx.recv().await {
                    Ok(Some(ResponseStream::Chunk(part))) => {
                        let bytes = part.bytes.map(|b| b.into_inner()).unwrap_or_default();
                        let decoded = serde_json::from_slice::<Value>(&bytes)
                            .map_err(|e| e.to_string())
                            .and_then(|v| chunk_type(&v));
                        if let Err(e) = decoded {
                            outcomes.fail(&ex, "decoded", format!("chunk {chunks}: {e}"));
                            break;
                        }
                        chunks += 1;
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => {
                        outcomes.fail(&ex, "served", format!("stream: {}", sdk_error(&e)));
                        break;
                    }
                }
            }
            if chunks == 0 {
                outcomes.fail(&ex, "decoded", "no chunk");
            }
            continue;
        }
        match sdk.invoke_model().model_id(&id).body(body).send().await {
            Err(e) => outcomes.fail(&ex, "served", format!("{id}: {}", sdk_error(&e))),
            Ok(out) => {
                let decoded = serde_json::from_slice::<Value>(out.body.as_ref())
                    .map_err(|e| e.to_string())
                    .and_then(|v| (types.response)(&v));
                if let Err(e) = decoded {
                    outcomes.fail(&ex, "decoded", e);
                }
            }
        }
    }
    outcomes.assert_only_known(&["served", "decoded", "refused", "shape"]);
}

/// An SDK error as the service said it: error code and message.
fn sdk_error<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e {
        SdkError::ServiceError(_) => {
            format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or(""))
        }
        other => format!(
            "{}",
            aws_sdk_bedrockruntime::error::DisplayErrorContext(other)
        ),
    }
}

/// Posts a documented Converse request body to the server's Converse route (the raw SDK has
/// no way to send raw Converse JSON) and checks the answer against the service model.
fn serve_converse(
    server: &bedrock_fm_local::LocalServer,
    ex: &Example,
    id: &str,
    outcomes: &mut Outcomes,
) {
    let token = server.bearer_token().expect("a bearer token");
    let path = format!("/model/{}/converse", id.replace(':', "%3A"));
    let (status, body) = http_post(server.addr(), &path, token, &ex.body);
    if ex.kind == "invalid_request" {
        let want = ex.error.clone().unwrap_or_default();
        let message = body["message"].as_str().or(body["Message"].as_str());
        if status != 400 || !message.is_some_and(|m| m.contains(&want)) {
            outcomes.fail(
                ex,
                "refused",
                format!("{status} {body}, documented {want:?}"),
            );
        }
        return;
    }
    if status != 200 {
        outcomes.fail(ex, "served", format!("{status} {body}"));
        return;
    }
    if let Err(e) = converse_response_shape(&body, &[]) {
        outcomes.fail(ex, "shape", format!("the server's answer: {e}"));
    }
}

/// A minimal HTTP/1.1 POST with a bearer token (Bedrock API key); returns status and JSON.
fn http_post(addr: SocketAddr, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let body = serde_json::to_vec(body).unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nAccept: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut payload = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        payload = dechunk(&payload);
    }
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (
        status,
        serde_json::from_slice(&payload).unwrap_or(Value::Null),
    )
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 4 + size..];
    }
    out
}
