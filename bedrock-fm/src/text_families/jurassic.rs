//! AI21 Jurassic-2: a single `prompt`, `completions[].data.text` back.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jurassic2.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::jurassic::{JurassicRequest, JurassicResponse};
use crate::conversation::Conversation;
use crate::error::Result;
use crate::generated::wrappers::JurassicFamily;

impl TextFamily for JurassicFamily {
    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
    ) -> Result<(JurassicRequest, String)> {
        let prompt = super::plain_prompt(conversation, "User", "Assistant");
        let request = JurassicRequest {
            prompt: prompt.clone(),
            ..JurassicRequest::default()
        };
        Ok((request, prompt))
    }

    fn decode(response: &JurassicResponse) -> Decoded {
        let texts = response
            .completions
            .iter()
            .map(|c| c.data.text.clone())
            .filter(|t| !t.is_empty())
            .collect();
        let stop = response
            .completions
            .first()
            .and_then(|c| c.finish_reason.as_ref())
            .and_then(|r| r.reason.as_deref())
            // AI21's "stop" means a stop sequence was generated (its natural end is "endoftext").
            .map(|r| if r == "stop" { "stop_sequence" } else { r });
        Decoded {
            texts,
            ..Decoded::default()
        }
        .with_stop(stop)
    }

    // Jurassic-2 does not stream; its chunk type is its response.
    fn decode_chunk(chunk: &JurassicResponse) -> Decoded {
        Self::decode(chunk)
    }
}
