//! The one error type of bedrock-fm, with predicates instead of string matching.

use crate::chat::ChatError;
use crate::schema::BuildError;
use std::fmt;
use std::sync::Arc;

/// A `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, for branching on (`err.kind() == ErrorKind::Throttling`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Input rejected before any request was sent.
    InvalidInput,
    /// `AccessDeniedException` (403), or a rejected signature or key.
    AccessDenied,
    /// `ResourceNotFoundException` (404).
    ResourceNotFound,
    /// `ThrottlingException` (429), or a 429 without an AWS error code (a proxy's
    /// "Rate exceeded").
    Throttling,
    /// `ServiceQuotaExceededException` (400).
    ServiceQuotaExceeded,
    /// `ValidationException` (400).
    Validation,
    /// `ModelTimeoutException` (408).
    ModelTimeout,
    /// `ModelNotReadyException` (429).
    ModelNotReady,
    /// `ModelErrorException` (424).
    ModelError,
    /// `ModelStreamErrorException` (424), in the middle of a stream.
    ModelStreamError,
    /// `InternalServerException` (500), or a 500, 502 or 504 without an AWS error code
    /// (a proxy's or gateway's).
    InternalServer,
    /// `ServiceUnavailableException` (503).
    ServiceUnavailable,
    /// `ConflictException` (400).
    Conflict,
    /// The request or a stream took longer than allowed.
    Timeout,
    /// The connection failed or was dropped.
    Connection,
    /// A response body or stream chunk could not be decoded.
    Decode,
    /// A tool loop hit its bound on iterations with the model still calling tools
    /// ([`ChatError::ToolLoopLimit`]).
    ToolLoopLimit,
    /// The model's output does not fit the type asked for ([`ChatError::OutputMismatch`]).
    OutputMismatch,
    /// A stream that ended without its final event (Converse `messageStop`, the family's
    /// last chunk with its stop reason): a proxy or a connection that closed at a frame
    /// boundary. Retried when nothing was yielded yet; otherwise an [`Error::Stream`] with
    /// the text received so far.
    IncompleteStream,
    /// An HTTP error without an AWS error code whose status names no other kind (a proxy's
    /// 413, a 501, a redirect): see [`ErrorKind::from_status`].
    Http(u16),
    /// An error code this version does not know, kept as received.
    Unknown(String),
}

impl ErrorKind {
    /// Maps an AWS error code (`x-amzn-ErrorType` up to the first `:`) to a kind.
    pub fn from_code(code: &str) -> Self {
        let code = code.split(':').next().unwrap_or(code);
        match code {
            "AccessDeniedException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "ExpiredTokenException" => Self::AccessDenied,
            "ResourceNotFoundException" => Self::ResourceNotFound,
            "ThrottlingException" | "TooManyRequestsException" => Self::Throttling,
            "ServiceQuotaExceededException" => Self::ServiceQuotaExceeded,
            "ValidationException" => Self::Validation,
            "ModelTimeoutException" => Self::ModelTimeout,
            "ModelNotReadyException" => Self::ModelNotReady,
            "ModelErrorException" => Self::ModelError,
            "ModelStreamErrorException" => Self::ModelStreamError,
            "InternalServerException" => Self::InternalServer,
            "ServiceUnavailableException" => Self::ServiceUnavailable,
            "ConflictException" => Self::Conflict,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The kind of an error response without an AWS error code (a proxy's, a gateway's),
    /// from its HTTP status, the way Bedrock's own errors use them ("Troubleshooting Amazon
    /// Bedrock API Error Codes", <https://docs.aws.amazon.com/bedrock/latest/userguide/troubleshooting-api-error-codes.html>):
    /// 429 throttling, 503 unavailable, 500/502/504 internal, 408 timeout (all retryable);
    /// 400 validation, 401/403 access, 404 not found, 409 conflict; anything else `Http`.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::Validation,
            401 | 403 => Self::AccessDenied,
            404 => Self::ResourceNotFound,
            408 => Self::Timeout,
            409 => Self::Conflict,
            429 => Self::Throttling,
            500 | 502 | 504 => Self::InternalServer,
            503 => Self::ServiceUnavailable,
            other => Self::Http(other),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(code) => f.write_str(code),
            Self::Http(status) => write!(f, "HTTP {status}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The bedrock-fm error. `Display` is one line, `<Kind>: <message>`; [`std::error::Error::source`]
/// leads to the SDK's own error where there is one. Neither ever contains a credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input rejected before any request was sent: says what and where.
    #[error("InvalidInput: {location}: {message}")]
    InvalidInput {
        /// Where: the parameter, turn or item at fault (`temperature`, `turn 3`, ...).
        location: String,
        /// What is wrong.
        message: String,
    },
    /// The service (or the local server) answered with an error.
    #[error("{}: {}", .0.kind, .0.message)]
    Service(#[source] Box<ServiceError>),
    /// A stream failed after it started; the text received so far is kept.
    #[error("{}: {} (stream failed after {} characters of output)", error.kind, error.message, partial_output.chars().count())]
    Stream {
        /// The error that ended the stream.
        #[source]
        error: Box<ServiceError>,
        /// The text received before the error.
        partial_output: String,
    },
    /// A chat helper could not finish: a tool loop hit its bound, or structured output did
    /// not fit its type.
    #[error("{}: {}", .0.kind(), .0.message())]
    Chat(Box<ChatError>),
}

/// The SDK's error behind a [`ServiceError`], shared so that the error stays `Clone`.
pub type SdkSource = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// An error answered by the service (or met on the way to it). `Display` is
/// `<Kind>: <message>`; `source()` is the SDK's error, when there is one.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServiceError {
    /// The kind, from the error code (or the HTTP status when there is none).
    pub kind: ErrorKind,
    /// The error code as received (`ThrottlingException`), if any.
    pub code: Option<String>,
    /// The service's message, or the text of a body without one (credentials redacted).
    pub message: String,
    /// The `x-amzn-RequestId` of the failed request.
    pub request_id: Option<String>,
    /// The HTTP status, when the error came with one.
    pub status: Option<u16>,
    /// The raw body, credentials redacted, when it could not be decoded or carried no AWS
    /// error code (a proxy's page).
    pub raw_body: Option<String>,
    /// The SDK's error this one was made from, if any; a stand-in with its redacted text
    /// when that text held a credential (then it does not downcast to the SDK's type).
    pub source: Option<SdkSource>,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ServiceError {
    // The SDK's error itself, not the `Arc` around it, so that callers can downcast it.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl ServiceError {
    /// An error of this kind with a message and nothing else known.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: None,
            message: message.into(),
            request_id: None,
            status: None,
            raw_body: None,
            source: None,
        }
    }
}

impl Error {
    /// An invalid-input error.
    pub fn invalid(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            location: location.into(),
            message: message.into(),
        }
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::Service(e) | Self::Stream { error: e, .. } => e.kind.clone(),
            Self::Chat(e) => e.kind(),
        }
    }

    fn service(&self) -> Option<&ServiceError> {
        match self {
            Self::Service(e) | Self::Stream { error: e, .. } => Some(e.as_ref()),
            Self::InvalidInput { .. } | Self::Chat(_) => None,
        }
    }

    /// Throttling or a model not ready (both HTTP 429).
    pub fn is_throttling(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Throttling | ErrorKind::ModelNotReady
        )
    }

    /// A timeout, on the client side or the model's.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind(), ErrorKind::Timeout | ErrorKind::ModelTimeout)
    }

    /// Worth retrying: throttling and transient server or connection errors. Never
    /// validation, access or invalid-input errors.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Throttling
                | ErrorKind::ModelNotReady
                | ErrorKind::ModelTimeout
                | ErrorKind::InternalServer
                | ErrorKind::ServiceUnavailable
                | ErrorKind::Timeout
                | ErrorKind::Connection
                | ErrorKind::IncompleteStream
        )
    }

    /// The `x-amzn-RequestId` of the failed request, if the service answered.
    pub fn request_id(&self) -> Option<&str> {
        self.service().and_then(|e| e.request_id.as_deref())
    }

    /// The service's message (or the invalid-input message).
    pub fn message(&self) -> &str {
        match self {
            Self::InvalidInput { message, .. } => message,
            Self::Service(e) | Self::Stream { error: e, .. } => &e.message,
            Self::Chat(e) => e.message(),
        }
    }

    /// The HTTP status of the failed response, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.service().and_then(|e| e.status)
    }

    /// The service's error code as received (`ThrottlingException`), when there was one.
    pub fn code(&self) -> Option<&str> {
        self.service().and_then(|e| e.code.as_deref())
    }

    /// The raw body, credentials redacted, when a response could not be decoded or carried
    /// no AWS error code.
    pub fn raw_body(&self) -> Option<&str> {
        self.service().and_then(|e| e.raw_body.as_deref())
    }

    /// The chat helper's error, for a tool loop that hit its bound or structured output that
    /// did not fit its type.
    pub fn chat_error(&self) -> Option<&ChatError> {
        match self {
            Self::Chat(e) => Some(e),
            _ => None,
        }
    }

    /// The text a stream produced before it failed.
    pub fn partial_output(&self) -> Option<&str> {
        match self {
            Self::Stream { partial_output, .. } => Some(partial_output),
            _ => None,
        }
    }
}

impl From<BuildError> for Error {
    fn from(e: BuildError) -> Self {
        Self::invalid(format!("{}.{}", e.type_name, e.field), e.to_string())
    }
}

impl From<ChatError> for Error {
    fn from(e: ChatError) -> Self {
        Self::Chat(Box::new(e))
    }
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Self::Service(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds_up_to_the_first_colon() {
        let k = ErrorKind::from_code("ThrottlingException:http://internal.amazon.com/coral/");
        assert_eq!(k, ErrorKind::Throttling);
        assert_eq!(
            ErrorKind::from_code("ModelNotReadyException"),
            ErrorKind::ModelNotReady
        );
        assert_eq!(
            ErrorKind::from_code("BrandNewException"),
            ErrorKind::Unknown("BrandNewException".into())
        );
    }

    #[test]
    fn statuses_without_a_code_map_to_kinds_and_retries() {
        let retryable = |status| {
            let kind = ErrorKind::from_status(status);
            (
                kind.clone(),
                Error::from(ServiceError::new(kind, "m")).is_retryable(),
            )
        };
        assert_eq!(retryable(429), (ErrorKind::Throttling, true));
        assert_eq!(retryable(503), (ErrorKind::ServiceUnavailable, true));
        for status in [500, 502, 504] {
            assert_eq!(retryable(status), (ErrorKind::InternalServer, true));
        }
        assert_eq!(retryable(408), (ErrorKind::Timeout, true));
        assert_eq!(retryable(403), (ErrorKind::AccessDenied, false));
        assert_eq!(retryable(400), (ErrorKind::Validation, false));
        assert_eq!(retryable(413), (ErrorKind::Http(413), false));
        assert_eq!(retryable(501), (ErrorKind::Http(501), false));
        assert_eq!(ErrorKind::Http(413).to_string(), "HTTP 413");
    }

    #[test]
    fn predicates_follow_the_kind() {
        let e = |k| Error::from(ServiceError::new(k, "m"));
        assert!(
            e(ErrorKind::Throttling).is_throttling() && e(ErrorKind::Throttling).is_retryable()
        );
        assert!(e(ErrorKind::ModelNotReady).is_throttling());
        assert!(e(ErrorKind::ServiceUnavailable).is_retryable());
        assert!(!e(ErrorKind::Validation).is_retryable());
        assert!(!e(ErrorKind::AccessDenied).is_retryable());
        assert!(e(ErrorKind::ModelTimeout).is_timeout());
        assert!(!Error::invalid("temperature", "out of range").is_retryable());
    }

    #[test]
    fn stream_errors_keep_partial_output() {
        let e = Error::Stream {
            error: Box::new(ServiceError::new(ErrorKind::ModelStreamError, "boom")),
            partial_output: "Hello wor".into(),
        };
        assert_eq!(e.partial_output(), Some("Hello wor"));
        assert_eq!(e.kind(), ErrorKind::ModelStreamError);
        assert!(e.to_string().starts_with("ModelStreamError: boom"));
    }
}
