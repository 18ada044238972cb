//! Embeddings: typed vectors for documents and queries, and batch embedding for pipelines.
//!
//! One wrapper per family: [`TitanEmbed`] (Titan Text Embeddings G1 and V2),
//! [`TitanMultimodalEmbed`] (texts and images) and [`CohereEmbed`] (v3 English and
//! Multilingual, v4), plus [`AnyEmbedModel`] to pick the wrapper from a model ID at run time.
//! Each has `generate_for_documents`, `generate_for_query`, their `_details` variants with
//! usage and request ids, and [`TitanEmbed::embed_batch`] for any number of inputs.
//!
//! Bad input fails with [`crate::ErrorKind::InvalidInput`] before any request: a dimension
//! the model does not offer, an empty text, a text over the model's documented limit (unless
//! a [`Truncation`] is chosen), an image too large.
//!
//! ```no_run
//! # async fn run(client: bedrock_fm::Client) -> bedrock_fm::Result<()> {
//! use bedrock_fm::catalog::Model;
//! use bedrock_fm::embeddings::{BatchOptions, TitanEmbed};
//!
//! let titan = TitanEmbed::builder(&client, Model::AmazonTitanEmbedTextV2_0).build()?;
//! let docs: Vec<String> = (0..1000).map(|i| format!("document {i}")).collect();
//! let options = BatchOptions::new()
//!     .concurrency(8)
//!     .on_progress(|p| eprintln!("{}/{} embedded", p.embedded, p.total));
//! let report = titan.embed_batch(&docs, &options).await;
//! for failure in &report.failures {
//!     eprintln!("document {} failed: {}", failure.index, failure.error);
//! }
//! # Ok(()) }
//! ```

mod any;
pub(crate) mod batch;
mod cohere;
mod details;
mod input;
mod methods;
pub(crate) mod model;
mod titan_multimodal;
mod titan_text;
mod vector;

pub use any::{AnyEmbedModel, AnyEmbedModelBuilder};
pub use batch::{BatchFailure, BatchOptions, BatchProgress, BatchReport, DEFAULT_CONCURRENCY};
pub use cohere::{CohereEmbed, CohereEmbedBuilder};
pub use details::EmbedDetails;
pub use input::{EmbedInput, InputType, Truncation};
pub use model::ModelId;
pub use titan_multimodal::{TitanMultimodalEmbed, TitanMultimodalEmbedBuilder};
pub use titan_text::{TitanEmbed, TitanEmbedBuilder};
pub use vector::{Embedding, EmbeddingType, cosine_similarity};

/// Documented limits of the embedding models, checked before any request.
pub mod limits {
    pub use super::cohere::{
        MAX_IMAGE_BYTES as COHERE_MAX_IMAGE_BYTES, MAX_TEXTS_PER_REQUEST as COHERE_MAX_TEXTS,
        V3_MAX_TEXT_CHARS as COHERE_V3_MAX_TEXT_CHARS,
    };
    pub use super::titan_multimodal::{
        MAX_IMAGE_BYTES as TITAN_MULTIMODAL_MAX_IMAGE_BYTES,
        MAX_IMAGE_SIDE as TITAN_MULTIMODAL_MAX_IMAGE_SIDE,
    };
    pub use super::titan_text::MAX_INPUT_CHARS as TITAN_TEXT_MAX_CHARS;
}
