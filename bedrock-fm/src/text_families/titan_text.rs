//! Amazon Titan Text: `inputText` + `textGenerationConfig`; conversations use the
//! documented `User: ...\nBot:` style.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::titan_text::{TitanTextRequest, TitanTextResponse, TitanTextStreamChunk};
use crate::conversation::{Conversation, Role};
use crate::error::Result;
use crate::generated::wrappers::TitanFamily;

/// `User: {prompt}\nBot:` turns, the system text first; a lone prompt is sent as it is.
pub(crate) fn titan_prompt(conversation: &Conversation) -> String {
    if let [only] = conversation.turns()
        && only.role == Role::Human
    {
        return only.text();
    }
    let mut out = String::new();
    for turn in conversation.turns() {
        match turn.role {
            Role::System => out.push_str(&format!("{}\n\n", turn.text())),
            Role::Human => out.push_str(&format!("User: {}\n", turn.text())),
            _ => out.push_str(&format!("Bot: {}\n", turn.text())),
        }
    }
    out.push_str("Bot:");
    out
}

impl TextFamily for TitanFamily {
    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
    ) -> Result<(TitanTextRequest, String)> {
        let prompt = titan_prompt(conversation);
        let request = TitanTextRequest {
            input_text: prompt.clone(),
            ..TitanTextRequest::default()
        };
        Ok((request, prompt))
    }

    fn decode(response: &TitanTextResponse) -> Decoded {
        let texts = response
            .results
            .iter()
            .map(|r| r.output_text.clone())
            .collect();
        let output = response.results.iter().map(|r| r.token_count).sum();
        let stop = response
            .results
            .first()
            .and_then(|r| r.completion_reason.as_ref());
        Decoded {
            texts,
            ..Decoded::default()
        }
        .with_stop(stop.map(|r| r.as_str()))
        .with_usage(Some(response.input_text_token_count), Some(output))
    }

    fn decode_chunk(chunk: &TitanTextStreamChunk) -> Decoded {
        Decoded::text(Some(&chunk.output_text))
            .with_stop(chunk.completion_reason.as_ref().map(|r| r.as_str()))
            .with_usage(
                chunk.input_text_token_count,
                chunk.total_output_text_token_count,
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Source: "inputText": "User: {{<theUserPrompt>}}\nBot:",
    // https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
    #[test]
    fn a_lone_prompt_is_sent_as_is_and_conversations_use_user_bot() {
        assert_eq!(titan_prompt(&Conversation::new().human("Hello")), "Hello");
        let c = Conversation::new()
            .human("Hi")
            .assistant("Hello")
            .human("Bye");
        assert_eq!(titan_prompt(&c), "User: Hi\nBot: Hello\nUser: Bye\nBot:");
    }
}
