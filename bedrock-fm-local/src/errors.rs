//! AWS REST-JSON error responses, as Bedrock Runtime sends them.
//!
//! Wire format (protocol `rest-json`, see the service model's `metadata.protocol`):
//!
//! - the HTTP status of the exception shape (`error.httpStatusCode` in the service model, read
//!   from `crate::service_model`, not from a table here);
//! - `x-amzn-ErrorType: <ShapeName>:http://internal.amazon.com/coral/com.amazon.bedrock/` --
//!   the suffix is what Bedrock sends (seen in recorded responses, e.g. aws-samples
//!   amazon-bedrock-client-for-mac issue #12: `x-amzn-ErrorType:
//!   ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/`); clients keep
//!   the part before the first `:` (botocore's rest-json parser and smithy-rs both do);
//! - `x-amzn-RequestId` (added by the server on every response, success or not);
//! - `Content-Type: application/json` and a JSON body `{"message": "..."}` plus the shape's
//!   other members (`ModelErrorException` has `originalStatusCode` and `resourceName`,
//!   `ModelStreamErrorException` has `originalStatusCode` and `originalMessage`).
//!
//! Errors raised before the request reaches Bedrock's own code (authentication, unknown
//! operations, undecodable JSON) are Coral's common exceptions; their statuses are not in the
//! service model and are listed in `common_status`.

use serde_json::{Map, Value, json};

use crate::service_model;

/// The `x-amzn-ErrorType` suffix Bedrock's own exceptions carry.
pub(crate) const BEDROCK_ERROR_NAMESPACE: &str =
    "http://internal.amazon.com/coral/com.amazon.bedrock/";
/// The `x-amzn-ErrorType` suffix of Coral's common exceptions (authentication, serialization).
pub(crate) const CORAL_ERROR_NAMESPACE: &str =
    "http://internal.amazon.com/coral/com.amazon.coral.service/";

/// The message Bedrock sends for an unknown model ID (a `ValidationException`), as seen in
/// countless user reports (e.g. aws-samples/amazon-bedrock-workshop issue #315).
pub(crate) const INVALID_MODEL_IDENTIFIER: &str = "The provided model identifier is invalid.";

/// An error response: status, error type and JSON body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServiceError {
    /// HTTP status code.
    pub status: u16,
    /// The error code, e.g. `ValidationException` (the shape name).
    pub error_type: String,
    /// The `message` member (`None` sends `"message": null`).
    pub message: Option<String>,
    /// The key the message is sent under: `message` for Bedrock's exceptions, `Message` for
    /// the bearer-key rejection (as recorded from the service).
    pub message_key: &'static str,
    /// Other members of the exception body (`originalStatusCode`, `resourceName`, ...); boxed
    /// to keep `Result<_, ServiceError>` small.
    pub fields: Box<Map<String, Value>>,
}

/// The HTTP status of Coral's common exceptions, which the service model does not declare.
///
/// Bedrock answers authentication failures with 403 (e.g. `403 Forbidden {"message":"Signature
/// expired: ..."}` in anthropic-sdk-go issue #122; `UnrecognizedClientException` with
/// `StatusCode: 403` in iamlive issue #58).
pub(crate) fn common_status(error_type: &str) -> Option<u16> {
    Some(match error_type {
        "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "IncompleteSignatureException"
        | "MissingAuthenticationTokenException"
        | "ExpiredTokenException" => 403,
        "SerializationException" => 400,
        "UnknownOperationException" => 404,
        "RequestEntityTooLargeException" => 413,
        _ => return None,
    })
}

impl ServiceError {
    /// An error of type `error_type` with `message`; the status comes from the service model,
    /// else from `common_status`, else 400 for an unknown type.
    pub fn new(error_type: &str, message: impl Into<String>) -> Self {
        let status = service_model::error_status(error_type)
            .or_else(|| common_status(error_type))
            .unwrap_or(400);
        Self {
            status,
            error_type: error_type.to_owned(),
            message: Some(message.into()),
            message_key: "message",
            fields: Box::default(),
        }
    }

    /// Sets another body member.
    pub fn with_field(mut self, key: &str, value: Value) -> Self {
        self.fields.insert(key.to_owned(), value);
        self
    }

    /// Overrides the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// `ValidationException` (400).
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new("ValidationException", message)
    }

    /// `ValidationException` for an unknown model: "The provided model identifier is invalid."
    pub fn invalid_model_identifier() -> Self {
        Self::validation(INVALID_MODEL_IDENTIFIER)
    }

    /// `ValidationException` for an InvokeModel body the model rejects, worded as Bedrock does:
    /// `Malformed input request: <detail>, please reformat your input and try again.`
    /// (e.g. langchain issue #2828, dify PR #3326).
    pub fn malformed_input(detail: &str) -> Self {
        Self::validation(format!(
            "Malformed input request: {detail}, please reformat your input and try again."
        ))
    }

    /// `ThrottlingException` (429) with Bedrock's usual message.
    pub fn throttling() -> Self {
        Self::new(
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        )
    }

    /// `AccessDeniedException` (403).
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new("AccessDeniedException", message)
    }

    /// `ResourceNotFoundException` (404).
    pub fn resource_not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", message)
    }

    /// `ServiceQuotaExceededException` (400).
    pub fn service_quota_exceeded(message: impl Into<String>) -> Self {
        Self::new("ServiceQuotaExceededException", message)
    }

    /// `ModelTimeoutException` (408).
    pub fn model_timeout() -> Self {
        Self::new(
            "ModelTimeoutException",
            "Model has timed out in processing the request. Try your request again.",
        )
    }

    /// `ModelNotReadyException` (429).
    pub fn model_not_ready() -> Self {
        Self::new(
            "ModelNotReadyException",
            "Model is not ready for inference. Wait and try your request again.",
        )
    }

    /// `ModelErrorException` (424) with `originalStatusCode` and `resourceName`.
    pub fn model_error(message: impl Into<String>, original_status: u16, resource: &str) -> Self {
        Self::new("ModelErrorException", message)
            .with_field("originalStatusCode", json!(original_status))
            .with_field("resourceName", json!(resource))
    }

    /// `ModelStreamErrorException` (424) with `originalStatusCode` and `originalMessage`.
    pub fn model_stream_error(
        message: impl Into<String>,
        original_status: u16,
        original_message: &str,
    ) -> Self {
        Self::new("ModelStreamErrorException", message)
            .with_field("originalStatusCode", json!(original_status))
            .with_field("originalMessage", json!(original_message))
    }

    /// `InternalServerException` (500) with the message Bedrock sends (aws-sdk-go-v2 #3382).
    pub fn internal_server() -> Self {
        Self::new(
            "InternalServerException",
            "The system encountered an unexpected error during processing. Try your request again.",
        )
    }

    /// `ServiceUnavailableException` (503).
    pub fn service_unavailable() -> Self {
        Self::new(
            "ServiceUnavailableException",
            "Bedrock is unable to process your request.",
        )
    }

    /// Coral's `SerializationException` (400): the body is not JSON of the expected shape.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new("SerializationException", message)
    }

    /// Coral's `UnknownOperationException` (404): no operation at this method and path.
    pub fn unknown_operation(message: impl Into<String>) -> Self {
        Self::new("UnknownOperationException", message)
    }

    /// The value of the `x-amzn-ErrorType` header.
    pub(crate) fn error_type_header(&self) -> String {
        let namespace = if service_model::error_status(&self.error_type).is_some() {
            BEDROCK_ERROR_NAMESPACE
        } else {
            CORAL_ERROR_NAMESPACE
        };
        format!("{}:{namespace}", self.error_type)
    }

    /// The JSON body.
    pub(crate) fn body_json(&self) -> Value {
        let mut body = Map::new();
        body.insert(
            self.message_key.to_owned(),
            self.message.clone().map_or(Value::Null, Value::String),
        );
        for (k, v) in self.fields.iter() {
            body.insert(k.clone(), v.clone());
        }
        Value::Object(body)
    }

    /// The JSON body, serialized.
    pub(crate) fn body_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.body_json()).unwrap_or_default()
    }

    /// The event-stream `:exception-type` of this error: the member name of the stream union
    /// (`ThrottlingException` -> `throttlingException`), which is what Bedrock sends in the
    /// middle of a stream (aws-sdk-java-v2 issue #6575) and what smithy-rs matches on.
    pub(crate) fn event_member_name(&self) -> String {
        let mut chars = self.error_type.chars();
        match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.error_type,
            self.status,
            self.message.as_deref().unwrap_or("")
        )
    }
}

impl std::error::Error for ServiceError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_come_from_the_service_model() {
        assert_eq!(ServiceError::validation("x").status, 400);
        assert_eq!(ServiceError::throttling().status, 429);
        assert_eq!(ServiceError::access_denied("x").status, 403);
        assert_eq!(ServiceError::resource_not_found("x").status, 404);
        assert_eq!(ServiceError::service_quota_exceeded("x").status, 400);
        assert_eq!(ServiceError::model_timeout().status, 408);
        assert_eq!(ServiceError::model_not_ready().status, 429);
        assert_eq!(ServiceError::model_error("x", 500, "m").status, 424);
        assert_eq!(ServiceError::model_stream_error("x", 500, "y").status, 424);
        assert_eq!(ServiceError::internal_server().status, 500);
        assert_eq!(ServiceError::service_unavailable().status, 503);
    }

    #[test]
    fn common_exceptions_have_their_coral_statuses() {
        assert_eq!(
            ServiceError::new("UnrecognizedClientException", "x").status,
            403
        );
        assert_eq!(
            ServiceError::new("InvalidSignatureException", "x").status,
            403
        );
        assert_eq!(ServiceError::serialization("x").status, 400);
        assert_eq!(ServiceError::unknown_operation("x").status, 404);
        assert_eq!(ServiceError::new("SomethingNew", "x").status, 400);
    }

    #[test]
    fn error_type_header_has_the_coral_namespace() {
        assert_eq!(
            ServiceError::validation("x").error_type_header(),
            "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"
        );
        assert_eq!(
            ServiceError::new("InvalidSignatureException", "x").error_type_header(),
            "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/"
        );
    }

    #[test]
    fn model_error_body_carries_the_model_members() {
        let e = ServiceError::model_error("boom", 500, "arn:aws:bedrock:x");
        assert_eq!(
            e.body_json(),
            json!({"message": "boom", "originalStatusCode": 500, "resourceName": "arn:aws:bedrock:x"})
        );
        let e = ServiceError::model_stream_error("s", 503, "orig");
        assert_eq!(
            e.body_json(),
            json!({"message": "s", "originalStatusCode": 503, "originalMessage": "orig"})
        );
    }

    #[test]
    fn malformed_input_is_worded_like_bedrock() {
        let e = ServiceError::malformed_input("#: extraneous key [foo] is not permitted");
        assert_eq!(e.error_type, "ValidationException");
        assert_eq!(
            e.message.as_deref(),
            Some(
                "Malformed input request: #: extraneous key [foo] is not permitted, please reformat your input and try again."
            )
        );
    }

    #[test]
    fn event_member_name_is_lower_camel() {
        assert_eq!(
            ServiceError::throttling().event_member_name(),
            "throttlingException"
        );
        assert_eq!(
            ServiceError::model_stream_error("a", 1, "b").event_member_name(),
            "modelStreamErrorException"
        );
    }

    #[test]
    fn null_message_is_sent_as_null() {
        let mut e = ServiceError::unknown_operation("x");
        e.message = None;
        assert_eq!(e.body_json(), json!({"message": null}));
    }
}
