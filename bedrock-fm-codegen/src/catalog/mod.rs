//! The catalog as the codegen sees it: parsed from `models.toml` and validated whole before
//! anything is emitted. The types live here; `family` and `body_types` parse the families and
//! the structs, enums and unions of their bodies, `models` the model entries, `validate` checks
//! the catalog whole.

mod body_types;
mod checks;
mod family;
mod models;
mod validate;

use crate::reader::{CatalogError, Entry, error};

pub use family::param_field;

/// A validated catalog.
#[derive(Debug)]
pub struct Catalog {
    /// Families, in `models.toml` key order.
    pub families: Vec<Family>,
    /// Models, in file order.
    pub models: Vec<ModelEntry>,
}

#[derive(Debug)]
pub struct Family {
    pub id: String,
    pub wrapper: String,
    pub name: String,
    pub provider: String,
    pub kind: String,
    pub source: String,
    pub request: String,
    pub response: String,
    pub stream_chunk: Option<String>,
    /// Model-ID prefixes that name this family for IDs the catalog does not know
    /// (`anthropic.claude-` for the Messages API); the longest declared prefix wins.
    pub id_prefixes: Vec<String>,
    /// Typed wrapper setters: `(setter, wire path)`, in key order.
    pub params: Vec<(String, Vec<String>)>,
    pub structs: Vec<StructDef>,
    pub enums: Vec<EnumDef>,
    pub unions: Vec<UnionDef>,
}

#[derive(Debug)]
pub struct StructDef {
    pub name: String,
    pub doc: String,
    pub fields: Vec<FieldDef>,
}

#[derive(Debug)]
pub struct FieldDef {
    pub name: String,
    pub wire: String,
    pub ty: TypeExpr,
    pub required: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub values: Vec<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// The server default rendered as JSON text.
    pub default: Option<String>,
    /// The AWS page of this field's limits, when it is not the family's page.
    pub source: Option<String>,
    /// The family's encoder writes this field from the conversation (the prompt or the
    /// messages, the system prompt, images, the API version): `extra_args` may not set it.
    /// Fields of the request struct of a text family only.
    pub conversation: bool,
    pub doc: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    String,
    Bool,
    U32,
    I32,
    U64,
    I64,
    F64,
    Json,
    Array(Box<TypeExpr>),
    Map(Box<TypeExpr>),
    Named(String),
}

impl TypeExpr {
    pub fn parse(text: &str) -> Option<TypeExpr> {
        let t = text.trim();
        if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            return Some(TypeExpr::Array(Box::new(Self::parse(inner)?)));
        }
        if let Some(inner) = t.strip_prefix("map<").and_then(|r| r.strip_suffix('>')) {
            return Some(TypeExpr::Map(Box::new(Self::parse(inner)?)));
        }
        Some(match t {
            "string" => TypeExpr::String,
            "bool" => TypeExpr::Bool,
            "u32" => TypeExpr::U32,
            "i32" => TypeExpr::I32,
            "u64" => TypeExpr::U64,
            "i64" => TypeExpr::I64,
            "f64" => TypeExpr::F64,
            "json" => TypeExpr::Json,
            _ if checks::is_type_name(t) => TypeExpr::Named(t.to_owned()),
            _ => return None,
        })
    }

    pub fn is_number(&self) -> bool {
        matches!(
            self,
            TypeExpr::U32 | TypeExpr::I32 | TypeExpr::U64 | TypeExpr::I64 | TypeExpr::F64
        )
    }

    /// The named types this expression mentions.
    pub fn named(&self) -> Option<&str> {
        match self {
            TypeExpr::Array(t) | TypeExpr::Map(t) => t.named(),
            TypeExpr::Named(n) => Some(n),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct EnumDef {
    pub name: String,
    pub doc: String,
    pub values: Vec<EnumValue>,
}

#[derive(Debug)]
pub struct EnumValue {
    pub name: String,
    pub wire: String,
    pub doc: String,
}

#[derive(Debug)]
pub struct UnionDef {
    pub name: String,
    pub doc: String,
    pub tag: String,
    pub variants: Vec<UnionVariant>,
}

#[derive(Debug)]
pub struct UnionVariant {
    pub name: String,
    pub wire: String,
    pub ty: String,
    pub doc: String,
}

#[derive(Debug)]
pub struct ModelEntry {
    pub id: String,
    pub family: String,
    pub provider: String,
    pub name: String,
    pub input: Vec<String>,
    pub output: Vec<String>,
    pub streaming: bool,
    pub converse: bool,
    pub tool_use: bool,
    pub vision: bool,
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u64>,
    /// The `max_tokens` the service uses when a request sends none, where the family's
    /// page gives one per model (Mistral: 512 for 7B and Mixtral, 8,192 for Small and Large).
    pub default_max_tokens: Option<u64>,
    pub embedding_dimensions: Vec<u64>,
    pub image_sizes: Vec<ImageSize>,
    pub reasoning: Option<String>,
    pub image_input: Option<ImageInputLimits>,
    pub lifecycle: String,
    pub profiles: Vec<String>,
    /// How AWS offers the model: ListFoundationModels' `inferenceTypesSupported`.
    pub inference_types: Vec<String>,
    /// A prompt format other than the family's default (Llama 4 in the Llama family).
    pub prompt_format: Option<String>,
    /// A latency-optimized version exists (`performanceConfig.latency = optimized`).
    pub latency_optimized: bool,
    /// Prompt caching, when the model supports it.
    pub prompt_cache: Option<PromptCache>,
    /// Image models: the task types offered (`TEXT_IMAGE`, `INPAINTING`, ...; empty: the
    /// family's), whether text-to-image takes a conditioning image, the output formats.
    pub image_tasks: Vec<String>,
    pub image_conditioning: bool,
    pub image_output_formats: Vec<String>,
    pub source: String,
}

/// Prompt-caching rules of a model (prompt-caching.html, supported-models table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptCache {
    pub min_tokens: u64,
    pub max_checkpoints: u64,
    /// Checkpoints are accepted in tool definitions.
    pub tools: bool,
    /// The `1h` TTL is accepted.
    pub one_hour_ttl: bool,
}

/// Limits on images in a conversation. Defaults, for a vision model that states none, are
/// Converse's `Message` limits: "up to 20 images. Each image's size, height, and width must be
/// no more than 3.75 MB, 8000 px, and 8000 px" and `ImageFormat` png | jpeg | gif | webp
/// (<https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html>).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInputLimits {
    pub formats: Vec<String>,
    pub max_count: u64,
    pub max_bytes: u64,
    pub max_dimension: u64,
}

impl Default for ImageInputLimits {
    fn default() -> Self {
        Self {
            formats: ["png", "jpeg", "gif", "webp"].map(String::from).to_vec(),
            max_count: 20,
            max_bytes: 3_932_160,
            max_dimension: 8000,
        }
    }
}

pub const IMAGE_FORMATS: &[&str] = &["png", "jpeg", "gif", "webp"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSize {
    Pixels(u32, u32),
    Ratio(u32, u32),
}

pub const KINDS: &[&str] = &["text", "embedding", "image"];
pub const MODALITIES: &[&str] = &[
    "text",
    "image",
    "document",
    "video",
    "audio",
    "speech",
    "embedding",
];
pub const LIFECYCLES: &[&str] = &["active", "legacy"];
pub const PROFILES: &[&str] = &["us", "eu", "apac", "global", "jp", "au", "us-gov", "ca"];
pub const REASONING: &[&str] = &["budget", "effort"];
/// ListFoundationModels' `inferenceTypesSupported` values, as the service returns them.
pub const INFERENCE_TYPES: &[&str] = &["ON_DEMAND", "INFERENCE_PROFILE", "PROVISIONED"];
/// Prompt formats a model may use instead of its family's default.
pub const PROMPT_FORMATS: &[&str] = &["llama4"];

/// Parses and validates `models.toml`.
pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
    let root: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| error("the file", "", e.to_string().trim().to_owned()))?;
    let mut top = Entry::new("the file", &root);
    let mut families = top
        .table_map("family")?
        .into_iter()
        .map(|(id, v)| family::parse_family(id, v))
        .collect::<Result<Vec<_>, _>>()?;
    for family in &mut families {
        crate::value_enums::synthesize(family)?;
    }
    let models = match top.opt_value("model") {
        None => Vec::new(),
        Some(v) => v
            .as_array()
            .ok_or_else(|| error("the file", "model", "expected an array of [[model]] tables"))?
            .iter()
            .enumerate()
            .map(|(i, v)| models::parse_model(i, v))
            .collect::<Result<Vec<_>, _>>()?,
    };
    top.finish()?;
    let catalog = Catalog { families, models };
    validate::validate_types(&catalog)?;
    validate::validate_models(&catalog)?;
    Ok(catalog)
}

/// The family whose longest declared ID prefix starts `id`.
pub fn family_by_prefix<'a>(catalog: &'a Catalog, id: &str) -> Option<(&'a Family, &'a str)> {
    catalog
        .families
        .iter()
        .flat_map(|f| f.id_prefixes.iter().map(move |p| (f, p.as_str())))
        .filter(|(_, p)| id.starts_with(p))
        .max_by_key(|(_, p)| p.len())
}
