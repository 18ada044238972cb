//! The content of a conversation turn: text, images, documents, tool calls and results,
//! reasoning and cache points. Shapes follow Converse's `ContentBlock` (bedrock-runtime
//! service model), which every family's native format is a subset of.

use serde_json::Value;
use std::path::PathBuf;

/// One block of a turn.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Content {
    /// Text.
    Text(String),
    /// An image (human turns only), fitted to the model's limits when sent.
    Image(ImageInput),
    /// A document (human turns only), for models that read documents.
    Document(DocumentInput),
    /// A tool call the assistant made.
    ToolUse(ToolUse),
    /// The result of a tool call (human turns only).
    ToolResult(ToolResult),
    /// The assistant's reasoning, returned with its signature so it can be sent back.
    Reasoning(Reasoning),
    /// A prompt-cache checkpoint: the content before it may be cached.
    CachePoint,
}

impl Content {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    /// An image read from a file when the request is sent.
    pub fn image_path(path: impl Into<PathBuf>) -> Self {
        Self::Image(ImageInput::Path(path.into()))
    }

    /// An image from encoded bytes (PNG, JPEG, GIF or WebP).
    pub fn image_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self::Image(ImageInput::Bytes(bytes.into()))
    }

    /// An image from a decoded `image::DynamicImage` (sent as PNG).
    pub fn image(image: image::DynamicImage) -> Self {
        Self::Image(ImageInput::Image(image))
    }

    /// A document; `format` is its extension (`pdf`, `csv`, `txt`, `md`, `html`, ...).
    pub fn document(
        name: impl Into<String>,
        format: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Self {
        Self::Document(DocumentInput {
            name: name.into(),
            format: format.into(),
            bytes: bytes.into(),
        })
    }

    /// A successful tool result with text.
    pub fn tool_result_text(tool_use_id: impl Into<String>, text: impl Into<String>) -> Self {
        Self::ToolResult(ToolResult {
            tool_use_id: tool_use_id.into(),
            content: vec![ToolResultContent::Text(text.into())],
            is_error: false,
        })
    }

    /// A successful tool result with JSON.
    pub fn tool_result_json(tool_use_id: impl Into<String>, json: Value) -> Self {
        Self::ToolResult(ToolResult {
            tool_use_id: tool_use_id.into(),
            content: vec![ToolResultContent::Json(json)],
            is_error: false,
        })
    }

    /// A failed tool call, reported to the model.
    pub fn tool_error(tool_use_id: impl Into<String>, message: impl Into<String>) -> Self {
        Self::ToolResult(ToolResult {
            tool_use_id: tool_use_id.into(),
            content: vec![ToolResultContent::Text(message.into())],
            is_error: true,
        })
    }

    /// The kind of block, for error messages (`"image"`, `"tool result"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Image(_) => "image",
            Self::Document(_) => "document",
            Self::ToolUse(_) => "tool use",
            Self::ToolResult(_) => "tool result",
            Self::Reasoning(_) => "reasoning",
            Self::CachePoint => "cache point",
        }
    }

    /// The block with its indefinite article, for error messages (`"an image block"`).
    pub(crate) fn a_block(&self) -> &'static str {
        match self {
            Self::Text(_) => "a text block",
            Self::Image(_) => "an image block",
            Self::Document(_) => "a document block",
            Self::ToolUse(_) => "a tool use block",
            Self::ToolResult(_) => "a tool result block",
            Self::Reasoning(_) => "a reasoning block",
            Self::CachePoint => "a cache point block",
        }
    }
}

impl From<&str> for Content {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Content {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

/// Where an image comes from: the one image input type of the crate, shared with the image
/// wrappers.
pub use crate::images::ImageInput;

/// A document to read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocumentInput {
    /// Its name (Converse requires one; letters, digits, spaces, hyphens, brackets).
    pub name: String,
    /// Its format: `pdf`, `csv`, `doc`, `docx`, `xls`, `xlsx`, `html`, `txt` or `md`.
    pub format: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A tool call made by the model.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ToolUse {
    /// The call's id, to be quoted by its result.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The input, valid against the tool's schema.
    pub input: Value,
}

impl ToolUse {
    /// A tool call.
    pub fn new(id: impl Into<String>, name: impl Into<String>, input: Value) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            input,
        }
    }

    /// The input decoded as `T`.
    pub fn input_as<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_value(self.input.clone())
    }
}

/// The result of a tool call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ToolResult {
    /// The id of the call it answers.
    pub tool_use_id: String,
    /// What the tool returned.
    pub content: Vec<ToolResultContent>,
    /// Whether the tool failed.
    pub is_error: bool,
}

/// One part of a tool result.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ToolResultContent {
    /// Text.
    Text(String),
    /// JSON.
    Json(Value),
    /// An image.
    Image(ImageInput),
}

/// Reasoning text the model produced before its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reasoning {
    /// The reasoning text.
    pub text: String,
    /// The signature that lets the reasoning be sent back in a later turn.
    pub signature: Option<String>,
}

impl Reasoning {
    /// Reasoning text with an optional signature.
    pub fn new(text: impl Into<String>, signature: Option<String>) -> Self {
        Self {
            text: text.into(),
            signature,
        }
    }
}
