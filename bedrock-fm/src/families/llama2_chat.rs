//! Meta Llama 2 Chat: `<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST]`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html>
//! and Meta's Llama 2 chat prompt format, which that page points to.

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::llama2_chat::Llama2ChatResponse;
use crate::conversation::{Conversation, Role};
use crate::error::Result;
use crate::generated::wrappers::Llama2ChatFamily;
use serde_json::{Map, Value};

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
pub(crate) fn decode_llama(value: &Value) -> Decoded {
    Decoded::text(value.get("generation").and_then(Value::as_str))
        .with_stop(value.get("stop_reason").and_then(Value::as_str))
        .with_usage(
            value.get("prompt_token_count"),
            value.get("generation_token_count"),
        )
}

impl TextFamily for Llama2ChatFamily {
    type Response = Llama2ChatResponse;

    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        let prompt = llama2_prompt(conversation);
        body.insert("prompt".into(), Value::String(prompt.clone()));
        Ok(prompt)
    }

    fn decode(response: &Value) -> Decoded {
        decode_llama(response)
    }
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
