//! bedrock-fm: a typed Rust SDK for Amazon Bedrock foundation models.
//!
//! The catalog ([`catalog::Model`], [`catalog::ALL_MODELS`]) and the typed InvokeModel bodies
//! of every family ([`bodies`]) are generated from `models.toml` by `bedrock-fm-codegen`.
#![deny(missing_docs)]

pub mod catalog;
pub mod document;
pub mod spec;

#[rustfmt::skip]
mod generated;

/// The typed InvokeModel request, response and stream-chunk bodies of every family.
pub use generated::bodies;
