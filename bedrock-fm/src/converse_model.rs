//! [`ConverseModel`]: the family-neutral wrapper, for any model over the Converse API.
//!
//! Converse has one request shape for every model, so a model no family is known for (one
//! Bedrock added after this catalog, for example) is still callable with `generate`, `chat`,
//! streams and details, with the common parameters (`temperature`, `top_p`, `max_tokens`,
//! `stop_words`) in `inferenceConfig` and `extra_args` in `additionalModelRequestFields`.

use crate::conversation::Conversation;
use crate::error::{Error, Result};
use crate::params::{CallOptions, CommonParams, FamilyTypes, NoNativeBody};
use crate::text::{TextModel, TextModelBuilder};
use crate::text_families::{Decoded, EncodeContext, TextFamily};
use serde_json::Value;

/// The family of [`ConverseModel`]: no native InvokeModel format, only the common
/// parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ConverseFamily;

impl FamilyTypes for ConverseFamily {
    const FAMILY: Option<crate::catalog::Family> = None;
    type Params = CommonParams;
    type Request = NoNativeBody;
    type Response = Value;
    type Chunk = Value;
}

impl TextFamily for ConverseFamily {
    // Converse takes every content block; the model decides what it accepts.
    fn accepts(_content: &crate::chat::content::Content) -> bool {
        true
    }

    fn encode(_: &Conversation, _: &EncodeContext<'_>) -> Result<(NoNativeBody, String)> {
        Err(Error::invalid(
            "api",
            "ConverseModel has no native InvokeModel format: use Api::Converse",
        ))
    }

    fn decode(_response: &Value) -> Decoded {
        Decoded::default()
    }

    fn decode_chunk(_chunk: &Value) -> Decoded {
        Decoded::default()
    }
}

/// Any Bedrock text model over the Converse API, whatever its family; build it with
/// `ConverseModel::builder(&client, id).api(Api::Converse)`.
pub type ConverseModel = TextModel<ConverseFamily>;
/// Builder of [`ConverseModel`].
pub type ConverseModelBuilder = TextModelBuilder<ConverseFamily>;
/// Per-call options of [`ConverseModel`].
pub type ConverseModelOptions = CallOptions<ConverseFamily>;
