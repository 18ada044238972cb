//! The Bedrock Runtime service model (botocore `service-2.json` form of the Smithy model),
//! compiled into the crate and parsed once.
//!
//! It is the authority for the HTTP status of every error (`error.httpStatusCode` of each
//! exception shape) and for the shapes [`crate::converse_validate`] checks request bodies
//! against. The file is a copy of `shared/reference/bedrock-runtime-2023-09-30.service-2.json`.

use std::sync::OnceLock;

use serde_json::Value;

/// The raw JSON text of the service model.
pub const SERVICE_MODEL_JSON: &str =
    include_str!("../service-model/bedrock-runtime-2023-09-30.json");

/// The parsed service model (parsed on first use).
pub fn model() -> &'static Value {
    static MODEL: OnceLock<Value> = OnceLock::new();
    MODEL.get_or_init(|| {
        serde_json::from_str(SERVICE_MODEL_JSON).expect("the bundled service model is valid JSON")
    })
}

/// The shape named `name`, if the model has it.
pub fn shape(name: &str) -> Option<&'static Value> {
    model().get("shapes")?.get(name)
}

/// The input shape name of operation `op` (`"Converse"` -> `"ConverseRequest"`).
pub fn operation_input(op: &str) -> Option<&'static str> {
    model()
        .get("operations")?
        .get(op)?
        .get("input")?
        .get("shape")?
        .as_str()
}

/// The HTTP status of the exception shape `name` (`"ThrottlingException"` -> 429), if the
/// model declares it as an error.
pub fn error_status(name: &str) -> Option<u16> {
    let status = shape(name)?.get("error")?.get("httpStatusCode")?.as_u64()?;
    u16::try_from(status).ok()
}

/// The signing name of the service (`bedrock`), from `metadata.signingName`.
pub fn signing_name() -> &'static str {
    model()
        .get("metadata")
        .and_then(|m| m.get("signingName"))
        .and_then(Value::as_str)
        .unwrap_or("bedrock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_knows_the_operations() {
        assert_eq!(operation_input("Converse"), Some("ConverseRequest"));
        assert_eq!(
            operation_input("ConverseStream"),
            Some("ConverseStreamRequest")
        );
        assert_eq!(operation_input("CountTokens"), Some("CountTokensRequest"));
        assert_eq!(operation_input("NoSuchOperation"), None);
    }

    #[test]
    fn error_statuses_come_from_the_model() {
        // Values as declared by the service model's `error.httpStatusCode`.
        assert_eq!(error_status("AccessDeniedException"), Some(403));
        assert_eq!(error_status("ResourceNotFoundException"), Some(404));
        assert_eq!(error_status("ThrottlingException"), Some(429));
        assert_eq!(error_status("ServiceQuotaExceededException"), Some(400));
        assert_eq!(error_status("ValidationException"), Some(400));
        assert_eq!(error_status("ModelTimeoutException"), Some(408));
        assert_eq!(error_status("ModelNotReadyException"), Some(429));
        assert_eq!(error_status("ModelErrorException"), Some(424));
        assert_eq!(error_status("ModelStreamErrorException"), Some(424));
        assert_eq!(error_status("InternalServerException"), Some(500));
        assert_eq!(error_status("ServiceUnavailableException"), Some(503));
        assert_eq!(error_status("Message"), None);
    }

    #[test]
    fn signing_name_is_bedrock() {
        assert_eq!(signing_name(), "bedrock");
    }
}
