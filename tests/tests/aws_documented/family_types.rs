//! The family's typed bodies: each fixture family's root types, and the model ID to invoke.

use crate::fixtures::Example;
use bedrock_fm::catalog::{ALL_MODELS, Family, InferenceType, Model};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes `v` as a `T` and encodes it back.
fn round_trip<T: DeserializeOwned + Serialize>(v: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(v.clone()).map_err(|e| format!("decode: {e}"))?;
    serde_json::to_value(&typed).map_err(|e| format!("encode: {e}"))
}

pub(crate) type RoundTrip = fn(&Value) -> Result<Value, String>;

/// A family's root types (models.toml `[family.X]` request, response, stream_chunk).
pub(crate) struct Types {
    pub(crate) request: RoundTrip,
    pub(crate) response: RoundTrip,
    pub(crate) chunk: Option<RoundTrip>,
}

pub(crate) fn types(family: &str) -> Option<Types> {
    use bedrock_fm::bodies::*;
    macro_rules! t {
        ($m:ident, $req:ident, $resp:ident, $chunk:ident) => {
            Types {
                request: round_trip::<$m::$req>,
                response: round_trip::<$m::$resp>,
                chunk: Some(round_trip::<$m::$chunk>),
            }
        };
        ($m:ident, $req:ident, $resp:ident) => {
            Types {
                request: round_trip::<$m::$req>,
                response: round_trip::<$m::$resp>,
                chunk: None,
            }
        };
    }
    Some(match family {
        "titan_text" => t!(
            titan_text,
            TitanTextRequest,
            TitanTextResponse,
            TitanTextStreamChunk
        ),
        "claude_text" => t!(
            claude_text,
            ClaudeTextRequest,
            ClaudeTextResponse,
            ClaudeTextStreamChunk
        ),
        "claude_messages" => t!(
            claude_messages,
            ClaudeMessagesRequest,
            ClaudeMessagesResponse,
            ClaudeMessagesStreamChunk
        ),
        "llama2_chat" => t!(
            llama2_chat,
            Llama2ChatRequest,
            Llama2ChatResponse,
            Llama2ChatStreamChunk
        ),
        "llama3" => t!(llama3, Llama3Request, Llama3Response, Llama3StreamChunk),
        "mistral" => t!(mistral, MistralRequest, MistralResponse, MistralStreamChunk),
        "mistral_chat" => t!(
            mistral_chat,
            MistralChatRequest,
            MistralChatResponse,
            MistralChatStreamChunk
        ),
        "command" => t!(command, CommandRequest, CommandResponse, CommandStreamChunk),
        "command_r" => t!(
            command_r,
            CommandRRequest,
            CommandRResponse,
            CommandRStreamChunk
        ),
        "jurassic" => t!(jurassic, JurassicRequest, JurassicResponse),
        "jamba" => t!(jamba, JambaRequest, JambaResponse, JambaStreamChunk),
        "deepseek" => t!(
            deepseek,
            DeepSeekRequest,
            DeepSeekResponse,
            DeepSeekStreamChunk
        ),
        "nova" => t!(nova, NovaRequest, NovaResponse, NovaStreamChunk),
        "titan_embed_text" => t!(titan_embed_text, TitanEmbedRequest, TitanEmbedResponse),
        "titan_embed_image" => t!(
            titan_embed_image,
            TitanMultimodalEmbedRequest,
            TitanMultimodalEmbedResponse
        ),
        "cohere_embed" => t!(cohere_embed, CohereEmbedRequest, CohereEmbedResponse),
        "titan_image" => t!(titan_image, TitanImageRequest, TitanImageResponse),
        "nova_canvas" => t!(nova_canvas, NovaCanvasRequest, NovaCanvasResponse),
        "stable_diffusion" => t!(
            stable_diffusion,
            StableDiffusionRequest,
            StableDiffusionResponse
        ),
        "stable_image" => t!(stable_image, StableImageRequest, StableImageResponse),
        _ => return None,
    })
}

pub(crate) fn family(id: &str) -> Option<Family> {
    Family::ALL.iter().copied().find(|f| f.id() == id)
}

/// The model ID to invoke for an example: its own, or the first catalog model of its family;
/// an inference-profile ID (`us.`) when the catalog says the model is not offered on demand.
pub(crate) fn invocation_id(ex: &Example) -> Result<String, String> {
    let (id, model) = match &ex.model_id {
        Some(id) => {
            let resolved = Model::resolve(id).map_err(|e| e.to_string())?;
            if resolved.profile.is_some() {
                return Ok(id.clone());
            }
            (id.clone(), resolved.model)
        }
        None => {
            let fam = family(&ex.family).ok_or("no SDK family and no model_id")?;
            let info = ALL_MODELS
                .iter()
                .find(|m| m.family == fam)
                .ok_or("no catalog model of the family")?;
            (info.id.to_owned(), info.model)
        }
    };
    if model
        .info()
        .inference_types
        .contains(&InferenceType::OnDemand)
    {
        Ok(id)
    } else {
        Ok(format!("us.{id}"))
    }
}
