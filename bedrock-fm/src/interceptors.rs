//! Interceptors that read what the SDK's types do not expose: the token-count headers of an
//! InvokeModel response, and the body a request was sent with.
//!
//! Bedrock reports InvokeModel token counts in the `X-Amzn-Bedrock-Input-Token-Count` and
//! `X-Amzn-Bedrock-Output-Token-Count` response headers (and the cache read/write counts) (for every family, including those
//! whose body has no usage). The SDK's output type does not expose them, so an interceptor
//! reads them. Source: InvokeModel response syntax,
//! <https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html>

use crate::details::Usage;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::{Intercept, dyn_dispatch_hint};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::{Arc, Mutex};

/// Captures the token-count headers of the last response it saw.
#[derive(Debug, Clone, Default)]
pub(crate) struct TokenCountHeaders(Arc<Mutex<Usage>>);

impl TokenCountHeaders {
    pub(crate) fn usage(&self) -> Usage {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[dyn_dispatch_hint]
impl Intercept for TokenCountHeaders {
    fn name(&self) -> &'static str {
        "BedrockFmTokenCountHeaders"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let headers = context.response().headers();
        let count = |name| headers.get(name).and_then(|v| v.trim().parse().ok());
        let usage = Usage {
            input_tokens: count("x-amzn-bedrock-input-token-count"),
            output_tokens: count("x-amzn-bedrock-output-token-count"),
            // Prompt caching over InvokeModel reports the cached tokens the same way
            // (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html).
            cache_read_tokens: count("x-amzn-bedrock-cache-read-input-token-count"),
            cache_write_tokens: count("x-amzn-bedrock-cache-write-input-token-count"),
        };
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = usage;
        Ok(())
    }
}

/// Captures the serialized body of the last request it saw: the Converse request is built
/// once, with the SDK's types, and [`crate::Details::body`] is what went on the wire.
#[derive(Debug, Clone, Default)]
pub(crate) struct SentBody(Arc<Mutex<Option<Vec<u8>>>>);

impl SentBody {
    /// The body as JSON (`Null` before a request was sent, or for a body that is not JSON).
    pub(crate) fn json(&self) -> serde_json::Value {
        let body = self.0.lock().unwrap_or_else(|e| e.into_inner());
        body.as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or_default()
    }
}

#[dyn_dispatch_hint]
impl Intercept for SentBody {
    fn name(&self) -> &'static str {
        "BedrockFmSentBody"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let bytes = context.request().body().bytes().map(<[u8]>::to_vec);
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = bytes;
        Ok(())
    }
}
