//! [`Client::invoke`] and [`Client::invoke_stream`]: a family's typed request sent as it
//! is, its typed response (or stream chunks) decoded once, with the client's retries, model-ID
//! checks and routing.

use crate::client::Client;
use crate::details::Usage;
use crate::error::{Error, Result};
use crate::invoke::{InvokeHeaders, Invoked, invoke_bytes, next_chunk, send_stream};
use crate::model_id::ModelId;
use crate::native::NativeRequest;
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver;
use aws_sdk_bedrockruntime::types::ResponseStream;
use aws_sdk_bedrockruntime::types::error::ResponseStreamError;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::time::Duration;

/// A typed InvokeModel response and what came with it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NativeReply<T> {
    /// The family's typed response body.
    pub body: T,
    /// The `x-amzn-RequestId`.
    pub request_id: Option<String>,
    /// From sending the request to the complete response, retries included.
    pub latency: Duration,
    /// The token counts of the `X-Amzn-Bedrock-Input-Token-Count` and
    /// `X-Amzn-Bedrock-Output-Token-Count` response headers.
    pub usage: Usage,
}

/// The typed chunks of an InvokeModelWithResponseStream response, read one by one.
#[must_use = "a stream does nothing until it is read"]
pub struct NativeStream<C> {
    rx: EventReceiver<ResponseStream, ResponseStreamError>,
    idle: Duration,
    request_id: Option<String>,
    chunk: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for NativeStream<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeStream")
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

impl<C: DeserializeOwned> NativeStream<C> {
    /// The next chunk, `None` at the end of the stream; an error for a stream event that
    /// reports one, a chunk that does not decode, or a stream silent for longer than the
    /// client's stream idle timeout.
    pub async fn next(&mut self) -> Result<Option<C>> {
        next_chunk(&mut self.rx, self.idle).await.map_err(|mut e| {
            e.request_id = e.request_id.or_else(|| self.request_id.clone());
            Error::from(e)
        })
    }

    /// The `x-amzn-RequestId` of the stream.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl Client {
    /// The model ID to send for a request of `R`'s family: the catalog's checks (the family
    /// must match, a profile-only model needs its profile) and the client's cross-region
    /// routing; an ID the catalog does not know is sent as it is.
    fn native_target<R: NativeRequest>(&self, model: ModelId) -> Result<String> {
        let target = crate::model_id::resolve(model.as_str(), R::FAMILY, None, self.routing())?;
        Ok(target.send)
    }

    /// Sends a family's typed InvokeModel request as it is and decodes the family's typed
    /// response, retried by the client's [`RetryPolicy`](crate::RetryPolicy):
    ///
    /// ```no_run
    /// # async fn run(client: bedrock_fm::Client) -> bedrock_fm::Result<()> {
    /// use bedrock_fm::bodies::titan_text::{TitanTextGenerationConfig, TitanTextRequest};
    ///
    /// let request = TitanTextRequest::builder()
    ///     .input_text("Name three rivers.")
    ///     .text_generation_config(TitanTextGenerationConfig::builder().temperature(0.0).build()?)
    ///     .build()?;
    /// let reply = client.invoke("amazon.titan-text-premier-v1:0", &request).await?;
    /// println!("{}", reply.body.results[0].output_text);
    /// # Ok(()) }
    /// ```
    pub async fn invoke<R: NativeRequest>(
        &self,
        model: impl Into<ModelId>,
        request: &R,
    ) -> Result<NativeReply<R::Response>> {
        let model_id = self.native_target::<R>(model.into())?;
        let bytes = serde_json::to_vec(request).expect("typed bodies serialize");
        let Invoked {
            value,
            request_id,
            latency,
            usage,
        } = invoke_bytes(self, &model_id, bytes, &InvokeHeaders::default()).await?;
        Ok(NativeReply {
            body: value,
            request_id,
            latency,
            usage,
        })
    }

    /// Sends a family's typed request with InvokeModelWithResponseStream and returns its
    /// typed chunks; opening the stream is retried by the client's
    /// [`RetryPolicy`](crate::RetryPolicy).
    pub async fn invoke_stream<R: NativeRequest>(
        &self,
        model: impl Into<ModelId>,
        request: &R,
    ) -> Result<NativeStream<R::Chunk>> {
        let model_id = self.native_target::<R>(model.into())?;
        let bytes = serde_json::to_vec(request).expect("typed bodies serialize");
        let headers = InvokeHeaders::default();
        let out = self
            .with_retries(&model_id, || send_stream(self, &model_id, &bytes, &headers))
            .await?;
        Ok(NativeStream {
            request_id: out.request_id().map(str::to_owned),
            rx: out.body,
            idle: self.stream_idle_timeout(),
            chunk: PhantomData,
        })
    }
}
