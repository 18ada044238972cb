//! Converts the SDK's errors into [`ServiceError`]: kind from the error code, the service's
//! message, the request id, the HTTP status, and the raw body when decoding failed.

use crate::error::{ErrorKind, ServiceError};
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use std::any::Any;

/// Converts any SDK error of an operation or an event stream, keeping it as the source.
pub(crate) fn from_sdk<E, R>(err: SdkError<E, R>) -> ServiceError
where
    E: ProvideErrorMetadata + RequestId + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let mut converted = convert(&err);
    converted.source = Some(std::sync::Arc::new(err));
    converted
}

fn convert<E, R>(err: &SdkError<E, R>) -> ServiceError
where
    E: ProvideErrorMetadata + RequestId + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let status = |raw: &R| {
        (raw as &dyn Any)
            .downcast_ref::<HttpResponse>()
            .map(|r| r.status().as_u16())
    };
    match err {
        SdkError::ServiceError(ctx) => {
            let e = ctx.err();
            let code = e.code().map(str::to_owned);
            let kind = code
                .as_deref()
                .map(ErrorKind::from_code)
                .unwrap_or(ErrorKind::Unknown(String::new()));
            ServiceError {
                kind,
                code,
                message: e.message().unwrap_or_default().to_owned(),
                request_id: e.request_id().map(str::to_owned),
                status: status(ctx.raw()),
                raw_body: None,
                source: None,
            }
        }
        SdkError::TimeoutError(_) => ServiceError::new(ErrorKind::Timeout, "the request timed out"),
        SdkError::DispatchFailure(d) => {
            let kind = if d.is_timeout() {
                ErrorKind::Timeout
            } else {
                ErrorKind::Connection
            };
            ServiceError::new(kind, describe(err))
        }
        SdkError::ResponseError(r) => {
            let raw = r.raw();
            let body = (raw as &dyn Any)
                .downcast_ref::<HttpResponse>()
                .and_then(|r| r.body().bytes())
                .map(|b| String::from_utf8_lossy(b).into_owned());
            let mut e = ServiceError::new(ErrorKind::Decode, describe(err));
            e.status = status(raw);
            e.raw_body = body;
            e
        }
        _ => ServiceError::new(ErrorKind::Connection, describe(err)),
    }
}

/// The error code of an exception received inside an event stream, where the SDK reports
/// no code (it only reads one from the payload): the variant names it.
pub(crate) trait StreamExceptionCode {
    fn exception_code(&self) -> Option<&'static str>;
}

macro_rules! stream_exception_codes {
    ($ty:ty: $($variant:ident),*) => {
        impl StreamExceptionCode for $ty {
            fn exception_code(&self) -> Option<&'static str> {
                match self {
                    $( Self::$variant(_) => Some(stringify!($variant)), )*
                    _ => None,
                }
            }
        }
    };
}

stream_exception_codes!(aws_sdk_bedrockruntime::types::error::ResponseStreamError:
    InternalServerException, ModelStreamErrorException, ValidationException,
    ThrottlingException, ModelTimeoutException, ServiceUnavailableException);
stream_exception_codes!(aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError:
    InternalServerException, ModelStreamErrorException, ValidationException,
    ThrottlingException, ServiceUnavailableException);

/// Converts an error received while reading an event stream.
pub(crate) fn from_stream_sdk<E, R>(err: SdkError<E, R>) -> ServiceError
where
    E: ProvideErrorMetadata
        + RequestId
        + StreamExceptionCode
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = err
        .as_service_error()
        .and_then(StreamExceptionCode::exception_code);
    let mut e = from_sdk(err);
    if let (None, Some(code)) = (&e.code, code) {
        e.kind = ErrorKind::from_code(code);
        e.code = Some(code.to_owned());
    }
    e
}

/// The whole source chain, which the SDK's `Display` alone leaves out.
fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
