//! Cohere Command R and R+: `message`, `chat_history` and `preamble`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command-r-plus.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::command_r::{
    CommandRChatMessage, CommandRChatMessageRole, CommandRRequest, CommandRResponse,
    CommandRStreamChunk,
};
use crate::conversation::{Conversation, Role};
use crate::error::Result;
use crate::generated::wrappers::CommandRFamily;

fn billed(response: &CommandRResponse) -> Decoded {
    let units = response.meta.as_ref().and_then(|m| m.billed_units.as_ref());
    Decoded::default().with_usage(
        units.and_then(|u| u.input_tokens),
        units.and_then(|u| u.output_tokens),
    )
}

impl TextFamily for CommandRFamily {
    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
    ) -> Result<(CommandRRequest, String)> {
        let dialogue = conversation.dialogue();
        let (last, history) = dialogue
            .split_last()
            .expect("validated: a human turn exists");
        let chat_history = (!history.is_empty()).then(|| {
            history
                .iter()
                .map(|t| CommandRChatMessage {
                    role: if t.role == Role::Human {
                        CommandRChatMessageRole::User
                    } else {
                        CommandRChatMessageRole::Chatbot
                    },
                    message: t.text(),
                    extra: Default::default(),
                })
                .collect()
        });
        let request = CommandRRequest {
            message: last.text(),
            chat_history,
            preamble: conversation.system_text().map(|s| s.to_owned()),
            ..CommandRRequest::default()
        };
        Ok((request, last.text()))
    }

    fn decode(response: &CommandRResponse) -> Decoded {
        Decoded {
            texts: Decoded::text(response.text.as_deref()).texts,
            ..billed(response)
        }
        .with_stop(response.finish_reason.as_ref().map(|r| r.as_str()))
    }

    /// `text-generation` events carry text; `stream-end` the finish reason and the usage.
    fn decode_chunk(chunk: &CommandRStreamChunk) -> Decoded {
        match chunk.event_type.as_deref().unwrap_or_default() {
            "text-generation" => Decoded::text(chunk.text.as_deref()),
            "stream-end" => {
                let usage = chunk.response.as_ref().map(billed).unwrap_or_default();
                usage.with_stop(chunk.finish_reason.as_ref().map(|r| r.as_str()))
            }
            _ => Decoded::default(),
        }
    }
}
