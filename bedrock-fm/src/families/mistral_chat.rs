//! Mistral chat completion (Mistral Large 2407 and later): OpenAI-style `messages`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::mistral_chat::MistralChatResponse;
use crate::conversation::Conversation;
use crate::error::Result;
use crate::generated::wrappers::MistralChatFamily;
use serde_json::{Map, Value};

/// Reads `choices[].message.content` (or `.delta.content` in a chunk) and the stop reason.
pub(crate) fn decode_choices(value: &Value) -> Decoded {
    let choices = value
        .get("choices")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let texts = choices
        .iter()
        .filter_map(|c| c.get("message").or_else(|| c.get("delta")))
        .filter_map(|m| m.get("content").and_then(Value::as_str))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let first = choices.first();
    let stop = first
        .and_then(|c| c.get("stop_reason").or_else(|| c.get("finish_reason")))
        .and_then(Value::as_str);
    let usage = value.get("usage");
    Decoded {
        texts,
        ..Decoded::default()
    }
    .with_stop(stop)
    .with_usage(
        usage.and_then(|u| u.get("prompt_tokens")),
        usage.and_then(|u| u.get("completion_tokens")),
    )
}

impl TextFamily for MistralChatFamily {
    type Response = MistralChatResponse;

    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        Ok(super::encode_role_content(conversation, body))
    }

    fn decode(response: &Value) -> Decoded {
        decode_choices(response)
    }
}
