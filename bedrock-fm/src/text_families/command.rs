//! Cohere Command and Command Light: a single `prompt`, `generations[]` back.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::command::{CommandRequest, CommandResponse, CommandStreamChunk};
use crate::conversation::Conversation;
use crate::error::Result;
use crate::generated::wrappers::CommandFamily;

impl TextFamily for CommandFamily {
    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
    ) -> Result<(CommandRequest, String)> {
        let prompt = super::plain_prompt(conversation, "User", "Chatbot");
        let request = CommandRequest {
            prompt: prompt.clone(),
            ..CommandRequest::default()
        };
        Ok((request, prompt))
    }

    fn decode(response: &CommandResponse) -> Decoded {
        let texts = response
            .generations
            .iter()
            .map(|g| g.text.clone())
            .filter(|t| !t.is_empty())
            .collect();
        let stop = response
            .generations
            .first()
            .and_then(|g| g.finish_reason.as_ref());
        Decoded {
            texts,
            ..Decoded::default()
        }
        .with_stop(stop.map(|r| r.as_str()))
    }

    /// "stream – (Required to support streaming) Specify true to return the response
    /// piece-by-piece in real-time" (model-parameters-cohere-command.html).
    fn for_stream(request: &mut CommandRequest) {
        request.stream = Some(true);
    }

    fn decode_chunk(chunk: &CommandStreamChunk) -> Decoded {
        Decoded::text(chunk.text.as_deref())
            .with_stop(chunk.finish_reason.as_ref().map(|r| r.as_str()))
    }
}
