//! The model catalog: every Bedrock model ID in `models.toml`, with its capabilities.
//!
//! [`Model`] has one variant per model ID (generated), so model names complete in the IDE and
//! a typo fails to compile. [`Model::resolve`] also accepts inference-profile IDs
//! (`us.anthropic.claude-...`) and foundation-model or inference-profile ARNs.

use std::fmt;
use std::str::FromStr;

pub use crate::generated::catalog::*;

/// What a model takes in or gives out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Modality {
    /// Text.
    Text,
    /// Images.
    Image,
    /// Documents (PDF, CSV, ...).
    Document,
    /// Video.
    Video,
    /// Audio.
    Audio,
    /// Speech.
    Speech,
    /// Embedding vectors.
    Embedding,
}

/// Whether AWS still offers a model to new work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lifecycle {
    /// Available.
    Active,
    /// Legacy or scheduled for end of life.
    Legacy,
}

/// How AWS offers a model: the `inferenceTypesSupported` values of ListFoundationModels
/// (<https://docs.aws.amazon.com/bedrock/latest/APIReference/API_FoundationModelSummary.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InferenceType {
    /// `ON_DEMAND`: the bare model ID is invokable in the regions that offer it.
    OnDemand,
    /// `INFERENCE_PROFILE`: only through an inference profile (`us.`, `eu.`, ...).
    InferenceProfile,
    /// `PROVISIONED`: only through Provisioned Throughput (a provisioned-model ARN).
    Provisioned,
}

impl InferenceType {
    /// The value as ListFoundationModels writes it (`"ON_DEMAND"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OnDemand => "ON_DEMAND",
            Self::InferenceProfile => "INFERENCE_PROFILE",
            Self::Provisioned => "PROVISIONED",
        }
    }
}

/// What a family produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FamilyKind {
    /// Text generation and chat.
    Text,
    /// Embedding vectors.
    Embedding,
    /// Image generation.
    Image,
}

/// The prefix of a cross-region inference profile ID (`us.` in `us.amazon.nova-pro-v1:0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProfilePrefix {
    /// `us.`
    Us,
    /// `eu.`
    Eu,
    /// `apac.`
    Apac,
    /// `global.`
    Global,
    /// `jp.`
    Jp,
    /// `au.`
    Au,
    /// `us-gov.`
    UsGov,
    /// `ca.`
    Ca,
}

impl ProfilePrefix {
    /// Every prefix, longest first so that `us-gov.` is tried before `us.`.
    pub const ALL: [ProfilePrefix; 8] = [
        Self::UsGov,
        Self::Global,
        Self::Apac,
        Self::Us,
        Self::Eu,
        Self::Jp,
        Self::Au,
        Self::Ca,
    ];

    /// The prefix without its dot (`"us-gov"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Us => "us",
            Self::Eu => "eu",
            Self::Apac => "apac",
            Self::Global => "global",
            Self::Jp => "jp",
            Self::Au => "au",
            Self::UsGov => "us-gov",
            Self::Ca => "ca",
        }
    }
}

/// An image size a model generates: exact pixels or an aspect ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageSize {
    /// Width and height in pixels.
    Pixels {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// An aspect ratio such as 16:9 (the model picks the pixels).
    AspectRatio {
        /// Width part.
        width: u32,
        /// Height part.
        height: u32,
    },
}

/// A model's entry in the catalog.
#[derive(Debug)]
#[non_exhaustive]
pub struct ModelInfo {
    /// The typed model.
    pub model: Model,
    /// The canonical Bedrock model ID.
    pub id: &'static str,
    /// The family whose wrapper and native JSON the model uses.
    pub family: Family,
    /// The provider, as AWS lists it.
    pub provider: &'static str,
    /// The model's name, as AWS lists it.
    pub name: &'static str,
    /// What it takes in.
    pub input_modalities: &'static [Modality],
    /// What it gives out.
    pub output_modalities: &'static [Modality],
    /// Whether it streams (InvokeModelWithResponseStream, ConverseStream).
    pub streaming: bool,
    /// Whether it supports the Converse API.
    pub converse: bool,
    /// Whether it supports tool use.
    pub tool_use: bool,
    /// Whether it accepts images in a conversation.
    pub vision: bool,
    /// Maximum input tokens (text and embedding models).
    pub context_window: Option<u32>,
    /// Maximum output tokens (text models).
    pub max_output_tokens: Option<u32>,
    /// The `max_tokens` the service applies when a request sends none, where the family's
    /// page documents one per model (Mistral text completion).
    pub default_max_tokens: Option<u32>,
    /// Output vector lengths offered (embedding models); the first is the default.
    pub embedding_dimensions: &'static [u32],
    /// Image sizes offered (image models).
    pub image_sizes: &'static [ImageSize],
    /// The reasoning style, if the model reasons.
    pub reasoning: Option<ReasoningStyle>,
    /// Limits on images in a conversation (vision models).
    pub image_input: Option<ImageInputLimits>,
    /// Active or legacy.
    pub lifecycle: Lifecycle,
    /// The cross-region inference profiles it is offered under.
    pub profiles: &'static [ProfilePrefix],
    /// How AWS offers it (on demand, only through inference profiles, provisioned only).
    pub inference_types: &'static [InferenceType],
    /// A prompt format other than the family's default (`"llama4"`), if any.
    pub prompt_format: Option<&'static str>,
    /// A latency-optimized version exists (latency-optimized-inference.html).
    pub latency_optimized: bool,
    /// Prompt caching, when the model supports it (prompt-caching.html).
    pub prompt_cache: Option<PromptCache>,
    /// Image models: the task types offered, as sent in `taskType` (empty: the family's).
    pub image_tasks: &'static [&'static str],
    /// Image models: text-to-image takes a conditioning image.
    pub image_conditioning: bool,
    /// Image models: the output formats offered (empty: the family's).
    pub image_output_formats: &'static [&'static str],
    /// The AWS page this entry comes from.
    pub source: &'static str,
}

/// What a model accepts for prompt caching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PromptCache {
    /// Fewest prefix tokens a checkpoint needs to be cached.
    pub min_tokens: u32,
    /// Most checkpoints in one request.
    pub max_checkpoints: u32,
    /// Checkpoints are accepted in tool definitions.
    pub tools: bool,
    /// The `1h` TTL is accepted.
    pub one_hour_ttl: bool,
}

/// Limits on the images a vision model takes in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImageInputLimits {
    /// Accepted formats (`png`, `jpeg`, `gif`, `webp`).
    pub formats: &'static [&'static str],
    /// Most images in one request.
    pub max_count: u32,
    /// Largest encoded image, in bytes.
    pub max_bytes: u64,
    /// Largest width or height, in pixels.
    pub max_dimension: u32,
}

/// How a model is asked to reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReasoningStyle {
    /// A budget of reasoning tokens (Claude extended thinking).
    Budget,
    /// An effort level (low, medium, high).
    Effort,
}

impl Model {
    /// The catalog entry of this model.
    pub fn info(self) -> &'static ModelInfo {
        &ALL_MODELS[self as usize]
    }

    /// The canonical model ID.
    pub fn id(self) -> &'static str {
        self.info().id
    }

    /// The model's family.
    pub fn family(self) -> Family {
        self.info().family
    }

    /// Resolves a canonical ID, an inference-profile ID (`us.`, `eu.`, `apac.`, `global.`,
    /// `jp.`, `au.`, `us-gov.`, `ca.` followed by a canonical ID) or a `foundation-model/` or
    /// `inference-profile/` ARN to the base model.
    pub fn resolve(id: &str) -> Result<ResolvedModel, ParseModelError> {
        let unknown = || ParseModelError { id: id.to_owned() };
        let bare = match id.strip_prefix("arn:") {
            Some(_) => arn_resource(id).ok_or_else(unknown)?,
            None => id,
        };
        if let Ok(model) = bare.parse::<Model>() {
            return Ok(ResolvedModel {
                model,
                profile: None,
            });
        }
        for prefix in ProfilePrefix::ALL {
            let base = bare
                .strip_prefix(prefix.as_str())
                .and_then(|rest| rest.strip_prefix('.'));
            if let Some(model) = base.and_then(|b| b.parse::<Model>().ok()) {
                return Ok(ResolvedModel {
                    model,
                    profile: Some(prefix),
                });
            }
        }
        Err(unknown())
    }
}

/// The model ID inside `arn:PARTITION:bedrock:REGION:ACCOUNT:TYPE/ID` for the two resource
/// types that name a catalog model; other ARNs (provisioned models, custom models, prompts)
/// do not say which model they run and need an explicit family.
fn arn_resource(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let (kind, id) = resource.split_once('/')?;
    matches!(kind, "foundation-model" | "inference-profile").then_some(id)
}

/// A model ID resolved to its catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolvedModel {
    /// The base model.
    pub model: Model,
    /// The inference profile the ID named, if any.
    pub profile: Option<ProfilePrefix>,
}

/// A string that names no model in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseModelError {
    id: String,
}

impl ParseModelError {
    pub(crate) fn new(id: &str) -> Self {
        Self { id: id.to_owned() }
    }

    /// The string that was not recognised.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for ParseModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown model ID {:?}: not in the bedrock-fm catalog (ARNs of custom or \
             provisioned models need an explicit family)",
            self.id
        )
    }
}

impl std::error::Error for ParseModelError {}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Model {
    type Err = ParseModelError;

    /// Parses a canonical model ID exactly; see [`Model::resolve`] for profiles and ARNs.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Model::from_canonical_id(s).ok_or_else(|| ParseModelError::new(s))
    }
}

impl ModelInfo {
    /// The inference-profile ID of this model under `prefix` (`us.amazon.nova-pro-v1:0`).
    pub fn profile_id(&self, prefix: ProfilePrefix) -> String {
        format!("{}.{}", prefix.as_str(), self.id)
    }
}
