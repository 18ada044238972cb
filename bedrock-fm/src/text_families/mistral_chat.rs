//! Mistral chat completion (Mistral Large 2407 and later): OpenAI-style `messages`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::mistral_chat::{
    MistralChatChoice, MistralChatMessage, MistralChatMessageRole, MistralChatRequest,
    MistralChatResponse, MistralChatStreamChunk,
};
use crate::conversation::Conversation;
use crate::error::Result;
use crate::generated::wrappers::MistralChatFamily;
use serde_json::Value;

/// Reads `choices[].message.content` (or `.delta.content` in a chunk) and the stop reason.
/// The choices' message texts (a chunk's choices carry a message too), the first stop
/// reason.
fn decode_choices(choices: &[MistralChatChoice]) -> Decoded {
    let texts = choices
        .iter()
        .filter_map(|c| c.message.as_ref()?.content.as_ref()?.as_str())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let stop = choices.first().and_then(|c| c.stop_reason.as_ref());
    Decoded {
        texts,
        ..Decoded::default()
    }
    .with_stop(stop.map(|r| r.as_str()))
}

impl TextFamily for MistralChatFamily {
    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
    ) -> Result<(MistralChatRequest, String)> {
        let messages = super::role_texts(conversation)
            .map(|(role, text)| MistralChatMessage {
                role: MistralChatMessageRole::from(role),
                content: Some(Value::String(text)),
                tool_calls: None,
                tool_call_id: None,
                extra: Default::default(),
            })
            .collect();
        let request = MistralChatRequest {
            messages,
            ..MistralChatRequest::default()
        };
        Ok((request, conversation.joined_text()))
    }

    fn decode(response: &MistralChatResponse) -> Decoded {
        decode_choices(&response.choices)
    }

    fn decode_chunk(chunk: &MistralChatStreamChunk) -> Decoded {
        decode_choices(chunk.choices.as_deref().unwrap_or_default())
    }
}
