//! What an embedding call returns beyond its vectors.

use super::input::InputType;
use super::vector::Embedding;
use crate::details::Usage;
use std::time::Duration;

/// The vectors of an embedding call with usage, request ids and timing.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EmbedDetails {
    /// One embedding per input, in input order.
    pub embeddings: Vec<Embedding>,
    /// Input tokens, summed over the requests: from the response body (Titan) or the
    /// `X-Amzn-Bedrock-Input-Token-Count` header (Cohere).
    pub usage: Usage,
    /// The `x-amzn-RequestId` of each request, in completion order.
    pub request_ids: Vec<String>,
    /// Requests sent (one per Titan input; one per 96 Cohere texts).
    pub requests: usize,
    /// Wall time of the call, retries included.
    pub latency: Duration,
    /// The model ID sent.
    pub model_id: String,
    /// What the inputs were embedded for.
    pub input_type: InputType,
    /// Inputs whose text was cut to fit the model (with a truncation chosen).
    pub truncated: Vec<usize>,
}

impl EmbedDetails {
    /// The request id of a single-request call.
    pub fn request_id(&self) -> Option<&str> {
        self.request_ids.first().map(String::as_str)
    }
}
