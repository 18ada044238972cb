//! Meta Llama 2 Chat: `<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST]`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html>
//! and Meta's Llama 2 chat prompt format, which that page points to.

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::llama2_chat::{Llama2ChatRequest, Llama2ChatResponse, Llama2ChatStreamChunk};
use crate::conversation::{Conversation, Role};
use crate::error::Result;
use crate::generated::wrappers::Llama2ChatFamily;

/// Each exchange is `<s>[INST] {user} [/INST] {assistant} </s>`; the system text goes inside
/// the first `[INST]` between `<<SYS>>` markers; the prompt ends after the last `[/INST]`.
pub(crate) fn llama2_prompt(conversation: &Conversation) -> String {
    let mut out = String::new();
    let mut system = conversation
        .system_text()
        .map(|s| format!("<<SYS>>\n{s}\n<</SYS>>\n\n"));
    for turn in conversation.dialogue() {
        match turn.role {
            Role::Human => {
                let sys = system.take().unwrap_or_default();
                out.push_str(&format!("<s>[INST] {sys}{} [/INST]", turn.text()));
            }
            _ => out.push_str(&format!(" {} </s>", turn.text())),
        }
    }
    out
}

/// Reads the Llama response and chunk shape (shared with Llama 3).
/// Llama's response and chunk fields (the same for Llama 2 and Llama 3): the generation,
/// the stop reason and the token counts.
pub(crate) fn decode_llama(
    generation: Option<&str>,
    stop_reason: Option<&str>,
    prompt_tokens: Option<u32>,
    generation_tokens: Option<u32>,
) -> Decoded {
    Decoded::text(generation)
        .with_stop(stop_reason)
        .with_usage(prompt_tokens, generation_tokens)
}

/// `decode` and `decode_chunk` of a Llama family: Llama 2 and Llama 3 answer the same fields
/// (`generation`, `stop_reason`, the token counts), each in its own generated types.
macro_rules! llama_decoders {
    ($response:ty, $chunk:ty) => {
        fn decode(r: &$response) -> Decoded {
            let stop = r.stop_reason.as_ref().map(|s| s.as_str());
            $crate::text_families::llama2_chat::decode_llama(
                Some(&r.generation),
                stop,
                r.prompt_token_count,
                r.generation_token_count,
            )
        }

        fn decode_chunk(c: &$chunk) -> Decoded {
            let stop = c.stop_reason.as_ref().map(|s| s.as_str());
            $crate::text_families::llama2_chat::decode_llama(
                c.generation.as_deref(),
                stop,
                c.prompt_token_count,
                c.generation_token_count,
            )
        }
    };
}
pub(crate) use llama_decoders;

impl TextFamily for Llama2ChatFamily {
    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
    ) -> Result<(Llama2ChatRequest, String)> {
        let prompt = llama2_prompt(conversation);
        let request = Llama2ChatRequest {
            prompt: prompt.clone(),
            ..Llama2ChatRequest::default()
        };
        Ok((request, prompt))
    }

    llama_decoders!(Llama2ChatResponse, Llama2ChatStreamChunk);
}

#[cfg(test)]
mod tests {
    use super::*;

    // Source: Meta's Llama 2 chat format, `<s>[INST] <<SYS>>\n{{ system_prompt }}\n<</SYS>>\n\n
    // {{ user_message }} [/INST]`, which
    // https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html refers to.
    #[test]
    fn the_documented_chat_format() {
        let c = Conversation::new().system("You are terse.").human("Hi");
        assert_eq!(
            llama2_prompt(&c),
            "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi [/INST]"
        );
        let multi = Conversation::new()
            .human("Hi")
            .assistant("Hello!")
            .human("Bye");
        assert_eq!(
            llama2_prompt(&multi),
            "<s>[INST] Hi [/INST] Hello! </s><s>[INST] Bye [/INST]"
        );
    }
}
