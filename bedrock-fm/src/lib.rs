//! bedrock-fm: a typed Rust SDK for Amazon Bedrock foundation models.
//!
//! One typed wrapper per model family ([`Titan`], [`Claude3`], [`Llama2Chat`], ...), each an
//! instance of [`TextModel`], with `generate`, streaming and details over InvokeModel or
//! Converse. The catalog ([`catalog::Model`], [`catalog::ALL_MODELS`]), the typed InvokeModel
//! bodies of every family ([`bodies`]) and the wrappers' typed parameters are generated from
//! `models.toml` by `bedrock-fm-codegen`.
//!
//! ```no_run
//! # async fn run() -> bedrock_fm::Result<()> {
//! use bedrock_fm::{Client, Titan, catalog::Model};
//!
//! let client = Client::from_env().await;
//! let titan = Titan::builder(&client, Model::AmazonTitanTextPremierV1_0)
//!     .temperature(0.0)
//!     .max_tokens(256)
//!     .build()?;
//! let answer = titan.generate("Name three rivers.").await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod catalog;
pub mod chat;
pub mod client;
pub mod control_plane;
pub mod conversation;
pub mod details;
pub mod embeddings;
pub mod error;
pub mod images;
pub mod model_id;
pub mod native;
pub mod params;
pub mod retry;
pub mod schema;
pub mod sdk_document;
pub mod stream;
pub mod text;
pub mod text_families;

mod converse;
mod converse_model;
mod interceptors;
mod invoke;
mod native_call;
mod rate_limit;
mod sdk_error;

#[rustfmt::skip]
mod generated;

/// The typed InvokeModel request, response and stream-chunk bodies of every family.
pub use generated::bodies;
pub use generated::wrappers::*;

pub use client::{Client, ClientBuilder, Limits};
pub use converse_model::{
    ConverseFamily, ConverseModel, ConverseModelBuilder, ConverseModelOptions,
};
pub use model_id::{CrossRegion, ModelId};
// The chat API: options, replies, stream events, content blocks, tools and the tool loop.
pub use chat::content::{Content, Reasoning, ToolResult, ToolResultContent, ToolUse};
pub use chat::tools::{Tool, ToolChoice};
pub use chat::{
    ChatError, ChatEvent, ChatOptions, ChatReply, ChatStream, Effort, Guardrail, ReasoningConfig,
    ToolHandlers, ToolRun,
};
pub use conversation::{Conversation, Role};
pub use details::{Api, Details, StopReason, Usage};
pub use error::{Error, ErrorKind, Result, ServiceError};
pub use native::{NativeRequest, NativeResponse};
pub use native_call::{NativeReply, NativeStream};
pub use params::{CallOptions, CommonParams, FamilyTypes, Params};
pub use retry::{RetryMode, RetryPolicy};
pub use stream::TextStream;
pub use text::{TextModel, TextModelBuilder};

// The embedding and image wrappers.
pub use embeddings::{
    AnyEmbedModel, CohereEmbed, EmbedInput, Embedding, TitanEmbed, TitanMultimodalEmbed,
};
pub use images::{
    AnyImageModel, ImageInput, ImageRequest, NovaCanvas, StableDiffusion, StableImage, TitanImage,
};
