//! AI21 Jamba: OpenAI-style `messages`, `choices` and `usage`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jamba.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::jamba::{
    JambaFinishReason, JambaMessage, JambaMessageRole, JambaRequest, JambaResponse,
    JambaStreamChunk, JambaUsage,
};
use crate::conversation::Conversation;
use crate::error::Result;
use crate::generated::wrappers::JambaFamily;

/// The texts of the choices (messages or deltas), the first finish reason and the usage.
fn decode_choices<'a>(
    texts: impl Iterator<Item = Option<&'a str>>,
    finish: Option<&JambaFinishReason>,
    usage: Option<&JambaUsage>,
) -> Decoded {
    let texts = texts
        .flatten()
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    Decoded {
        texts,
        ..Decoded::default()
    }
    .with_stop(finish.map(|r| r.as_str()))
    .with_usage(
        usage.and_then(|u| u.prompt_tokens),
        usage.and_then(|u| u.completion_tokens),
    )
}

impl TextFamily for JambaFamily {
    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
    ) -> Result<(JambaRequest, String)> {
        let messages = super::role_texts(conversation)
            .map(|(role, text)| JambaMessage {
                role: JambaMessageRole::from(role),
                content: Some(text),
                tool_calls: None,
                tool_call_id: None,
                extra: Default::default(),
            })
            .collect();
        let request = JambaRequest {
            messages,
            ..JambaRequest::default()
        };
        Ok((request, conversation.joined_text()))
    }

    fn decode(response: &JambaResponse) -> Decoded {
        let choices = &response.choices;
        decode_choices(
            choices.iter().map(|c| c.message.content.as_deref()),
            choices.first().and_then(|c| c.finish_reason.as_ref()),
            response.usage.as_ref(),
        )
    }

    fn decode_chunk(chunk: &JambaStreamChunk) -> Decoded {
        let choices = chunk.choices.as_deref().unwrap_or_default();
        decode_choices(
            choices
                .iter()
                .map(|c| c.delta.as_ref().and_then(|d| d.content.as_deref())),
            choices.first().and_then(|c| c.finish_reason.as_ref()),
            chunk.usage.as_ref(),
        )
    }
}
