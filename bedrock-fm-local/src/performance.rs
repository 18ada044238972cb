//! Latency-optimized inference and request metadata.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/latency-optimized-inference.html>.
//! A request asks for `"performanceConfig": {"latency": "standard" | "optimized"}` (Converse,
//! ConverseStream) or the header `X-Amzn-Bedrock-PerformanceConfig-Latency` (InvokeModel,
//! InvokeModelWithResponseStream). "The latency configuration for a served request is visible
//! in API response": Converse answers `performanceConfig` (ConverseStream in its `metadata`
//! event) and InvokeModel the same response header (all in the service model's response
//! shapes). The optimized versions are those of Amazon Nova Pro, Claude 3.5 Haiku and Llama 3.1
//! 405B and 70B; Bedrock serves a request at standard latency when it cannot optimize it ("we
//! will attempt to serve the request with Standard latency"), so this server answers
//! `standard` for other models (ours: no error, the served configuration is reported).
//!
//! Request metadata (`requestMetadata` in Converse, validated by the service model's
//! `RequestMetadata` map: 1 to 16 entries, keys of 1 to 256 and values of 0 to 256 characters
//! of `[a-zA-Z0-9\s:_@$#=/+,-.]`; the header `X-Amzn-Bedrock-Request-Metadata` in InvokeModel,
//! a JSON object of at most 8,500 characters with the same rules) is accepted and not echoed:
//! Bedrock only writes it to the model invocation logs.

use serde_json::Value;

use crate::converse_validate;
use crate::errors::ServiceError;
use crate::models::ModelCaps;

/// Whether `caps` has a latency-optimized version (the catalog's `latency_optimized`).
pub fn latency_optimized(caps: &ModelCaps) -> bool {
    bedrock_fm::catalog::Model::resolve(&caps.model_id)
        .is_ok_and(|r| r.model.info().latency_optimized)
}

/// The latency a request asking for `requested` is served with (`None` when it asks for
/// nothing, and nothing is echoed).
pub fn served_latency(caps: &ModelCaps, requested: Option<&str>) -> Option<&'static str> {
    match requested? {
        "optimized" if latency_optimized(caps) => Some("optimized"),
        _ => Some("standard"),
    }
}

/// Validates the `X-Amzn-Bedrock-PerformanceConfig-Latency` header (the service model's
/// `PerformanceConfigLatency` enum, Coral's wording).
pub fn check_latency_header(value: Option<&str>) -> Result<(), ServiceError> {
    match value {
        None | Some("standard") | Some("optimized") => Ok(()),
        Some(other) => Err(ServiceError::validation(format!(
            "1 validation error detected: Value '{other}' at 'performanceConfigLatency' failed to satisfy constraint: Member must satisfy enum value set: [standard, optimized]"
        ))),
    }
}

/// Validates the `X-Amzn-Bedrock-Request-Metadata` header: at most 8,500 characters (the
/// `RequestMetadataJson` shape), a JSON object of strings valid against `RequestMetadata`.
pub fn check_request_metadata_header(value: Option<&str>) -> Result<(), ServiceError> {
    let Some(v) = value else { return Ok(()) };
    let len = v.encode_utf16().count();
    if len > 8_500 {
        return Err(ServiceError::validation(
            "1 validation error detected: Value at 'requestMetadata' failed to satisfy constraint: Member must have length less than or equal to 8500",
        ));
    }
    let parsed: Value = serde_json::from_str(v).map_err(|_| {
        ServiceError::validation(
            "The value of the X-Amzn-Bedrock-Request-Metadata header is not a JSON object. Provide a JSON object of string keys and values and try again.",
        )
    })?;
    let problems = converse_validate::problems("RequestMetadata", &parsed);
    let problems: Vec<converse_validate::Problem> = problems
        .into_iter()
        .map(|p| match p {
            converse_validate::Problem::Constraint {
                value,
                path,
                constraint,
            } => converse_validate::Problem::Constraint {
                value,
                path: if path.is_empty() {
                    "requestMetadata".to_owned()
                } else {
                    format!("requestMetadata{}", path)
                },
                constraint,
            },
            other => other,
        })
        .collect();
    match converse_validate::to_error(&problems) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_latency_follows_the_models_with_an_optimized_version() {
        let haiku = ModelCaps::text_chat(
            "anthropic.claude-3-5-haiku-20241022-v1:0",
            "claude_messages",
        );
        let other =
            ModelCaps::text_chat("anthropic.claude-3-haiku-20240307-v1:0", "claude_messages");
        assert_eq!(served_latency(&haiku, Some("optimized")), Some("optimized"));
        assert_eq!(served_latency(&other, Some("optimized")), Some("standard"));
        assert_eq!(served_latency(&haiku, Some("standard")), Some("standard"));
        assert_eq!(served_latency(&haiku, None), None);
    }

    #[test]
    fn headers_are_validated() {
        assert!(check_latency_header(Some("optimized")).is_ok());
        let e = check_latency_header(Some("fast")).unwrap_err();
        assert!(e.message.unwrap().contains("[standard, optimized]"));
        assert!(check_request_metadata_header(Some(r#"{"team": "search", "run": "42"}"#)).is_ok());
        let e = check_request_metadata_header(Some(r#"{"team": "a!"}"#)).unwrap_err();
        assert!(
            e.message.as_deref().unwrap().contains("at 'requestMetadata.team.member' failed to satisfy constraint: Member must satisfy regular expression pattern"),
            "{e}"
        );
        assert!(check_request_metadata_header(Some("{}")).is_err());
        assert!(check_request_metadata_header(Some("[1]")).is_err());
        assert!(check_request_metadata_header(Some("nope")).is_err());
        assert!(check_request_metadata_header(Some(&"x".repeat(8_501))).is_err());
    }
}
