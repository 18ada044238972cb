//! Calling a codec as the server does, and checking what it answers.

use bedrock_fm::catalog::{Family, Model};
use bedrock_fm::schema::StructSpec;
use serde_json::Value;

use crate::catalog_backend::caps_of;
use crate::engine::Engine;
use crate::errors::ServiceError;
use crate::models::{FamilyCodec, InvokeCall, ModelCaps, Usage};

/// The seed of the tests' engine.
pub const SEED: u64 = 7;

/// The capabilities of a catalog model.
pub fn caps(model_id: &str) -> ModelCaps {
    let model: Model = model_id.parse().expect("a catalog model ID");
    caps_of(model)
}

fn call<'a>(caps: &'a ModelCaps, body: &'a [u8]) -> InvokeCall<'a> {
    InvokeCall {
        model: caps,
        model_id: &caps.model_id,
        body,
        content_type: Some("application/json"),
        accept: Some("application/json"),
        engine: Engine::new(SEED),
        prompt_cache: None,
    }
}

/// InvokeModel with raw bytes.
pub fn invoke_bytes(
    codec: &dyn FamilyCodec,
    model_id: &str,
    body: &[u8],
) -> Result<(Value, Option<Usage>), ServiceError> {
    let caps = caps(model_id);
    let out = codec.invoke(&call(&caps, body))?;
    assert_eq!(out.content_type, "application/json");
    let json = serde_json::from_slice(&out.body).expect("a JSON response");
    Ok((json, out.usage))
}

/// InvokeModel with a JSON body.
pub fn invoke(
    codec: &dyn FamilyCodec,
    model_id: &str,
    body: &Value,
) -> Result<(Value, Option<Usage>), ServiceError> {
    invoke_bytes(codec, model_id, &serde_json::to_vec(body).unwrap())
}

/// InvokeModelWithResponseStream: every chunk, or the error of the call.
pub fn stream(
    codec: &dyn FamilyCodec,
    model_id: &str,
    body: &Value,
) -> Result<Vec<Value>, ServiceError> {
    let caps = caps(model_id);
    let bytes = serde_json::to_vec(body).unwrap();
    let chunks = codec.invoke_stream(&call(&caps, &bytes))?;
    Ok(chunks.map(|c| c.expect("no error chunk")).collect())
}

/// The message of the `ValidationException` that answers `body` with `key` set to `value`.
pub fn rejection_with(
    codec: &dyn FamilyCodec,
    model_id: &str,
    body: &Value,
    key: &str,
    value: Value,
) -> String {
    let mut body = body.clone();
    body[key] = value;
    validation_message(invoke(codec, model_id, &body))
}

/// InvokeModel and InvokeModelWithResponseStream with the same body: asserts that the
/// chunks are valid against `family`'s chunk schema and carry the usage of the response
/// (see [`assert_stream`]), and that the texts of the chunks (at the JSON pointer
/// `chunk_text`) make the response's (at `response_text`). Returns both.
pub fn invoke_and_stream(
    codec: &dyn FamilyCodec,
    family: Family,
    model_id: &str,
    body: &Value,
    response_text: &str,
    chunk_text: &str,
) -> (Value, Vec<Value>) {
    let (v, usage) = invoke(codec, model_id, body).unwrap();
    let chunks = stream(codec, model_id, body).unwrap();
    let spec = family.stream_chunk_spec().expect("a streaming family");
    assert_stream(spec, &chunks, usage.unwrap());
    let text: String = chunks
        .iter()
        .map(|c| c.pointer(chunk_text).and_then(Value::as_str).unwrap())
        .collect();
    assert_eq!(
        text,
        v.pointer(response_text).and_then(Value::as_str).unwrap()
    );
    (v, chunks)
}

/// The message of a `ValidationException`.
pub fn validation_message<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> String {
    let err = result.expect_err("a ValidationException");
    assert_eq!(err.error_type, "ValidationException", "{err}");
    assert_eq!(err.status, 400);
    err.message.unwrap_or_default()
}

/// Asserts that `value` is valid against `spec`.
pub fn assert_valid(spec: &StructSpec, value: &Value) {
    let violations = spec.validate(value);
    assert!(
        violations.is_empty(),
        "{} violations: {violations:?}\nin {value:#}",
        spec.name
    );
}

/// Asserts that every chunk is valid against `spec`, that only the last carries the
/// invocation metrics, and that their token counts match `usage`.
pub fn assert_stream(spec: &StructSpec, chunks: &[Value], usage: Usage) {
    assert!(!chunks.is_empty());
    for c in chunks {
        assert_valid(spec, c);
    }
    let (last, rest) = chunks.split_last().unwrap();
    for c in rest {
        assert!(c.get("amazon-bedrock-invocationMetrics").is_none(), "{c}");
    }
    let m = &last["amazon-bedrock-invocationMetrics"];
    assert_eq!(m["inputTokenCount"], usage.input_tokens, "{last}");
    assert_eq!(m["outputTokenCount"], usage.output_tokens, "{last}");
}
