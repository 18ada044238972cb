//! The `--details` JSON object.
//!
//! Keys, in this order: `output` (string), `prompt` (string, as sent), `body` (the JSON body
//! as sent), `latency_ms` (number), `usage` (`input_tokens`, `output_tokens`,
//! `cache_read_tokens`, `cache_write_tokens`: integers, or null when not reported),
//! `stop_reason` (string or null), `request_id` (string or null), for streams
//! `time_to_first_token_ms` and `time_to_last_token_ms` (number or null when no text came);
//! then `model_id`, `api` (`invoke` or `converse`), `completions` (every completion) and, when
//! the call returned one, `response` (the family's typed response as JSON).

use bedrock_fm::{Api, Details};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::time::Duration;

/// Milliseconds with microsecond precision (`12.345`).
pub fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1_000.0
}

/// The `--api` spelling of an API.
pub fn api_name(api: Api) -> &'static str {
    match api {
        Api::Converse => "converse",
        _ => "invoke",
    }
}

/// The details of a call as one JSON object; `streamed` adds the stream timings.
pub fn details_json<R: Serialize>(details: &Details<R>, streamed: bool) -> Value {
    let mut out = Map::new();
    out.insert("output".into(), json!(details.output));
    out.insert("prompt".into(), json!(details.prompt));
    out.insert("body".into(), details.body.clone());
    out.insert("latency_ms".into(), json!(millis(details.latency)));
    out.insert(
        "usage".into(),
        json!({
            "input_tokens": details.usage.input_tokens,
            "output_tokens": details.usage.output_tokens,
            "cache_read_tokens": details.usage.cache_read_tokens,
            "cache_write_tokens": details.usage.cache_write_tokens,
        }),
    );
    out.insert(
        "stop_reason".into(),
        json!(details.stop_reason.as_ref().map(|r| r.as_str())),
    );
    out.insert("request_id".into(), json!(details.request_id));
    if streamed {
        out.insert(
            "time_to_first_token_ms".into(),
            json!(details.time_to_first_token.map(millis)),
        );
        out.insert(
            "time_to_last_token_ms".into(),
            json!(details.time_to_last_token.map(millis)),
        );
    }
    out.insert("model_id".into(), json!(details.model_id));
    out.insert("api".into(), json!(api_name(details.api)));
    out.insert("completions".into(), json!(details.completions));
    if let Some(response) = &details.response {
        let response = serde_json::to_value(response).unwrap_or(Value::Null);
        if !response.is_null() {
            out.insert("response".into(), response);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_keep_microseconds() {
        assert_eq!(millis(Duration::from_micros(12_345)), 12.345);
        assert_eq!(millis(Duration::from_secs(2)), 2000.0);
        assert_eq!(millis(Duration::ZERO), 0.0);
    }

    #[test]
    fn api_names_match_the_flag() {
        assert_eq!(api_name(Api::Converse), "converse");
        assert_eq!(api_name(Api::InvokeModel), "invoke");
    }
}
