//! Amazon Titan Text: `inputText` + `textGenerationConfig`; conversations use the
//! documented `User: ...\nBot:` style.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::titan_text::TitanTextResponse;
use crate::conversation::{Conversation, Role};
use crate::error::Result;
use crate::generated::wrappers::TitanFamily;
use serde_json::{Map, Value};

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
    type Response = TitanTextResponse;

    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        let prompt = titan_prompt(conversation);
        body.insert("inputText".into(), Value::String(prompt.clone()));
        Ok(prompt)
    }

    fn decode(response: &Value) -> Decoded {
        let results = response
            .get("results")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let texts = results
            .iter()
            .filter_map(|r| r.get("outputText").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        let output: u64 = results
            .iter()
            .filter_map(|r| r.get("tokenCount").and_then(Value::as_u64))
            .sum();
        let stop = results
            .first()
            .and_then(|r| r.get("completionReason"))
            .and_then(Value::as_str);
        Decoded {
            texts,
            ..Decoded::default()
        }
        .with_stop(stop)
        .with_usage(
            response.get("inputTextTokenCount"),
            Some(&Value::from(output)),
        )
    }

    fn decode_chunk(chunk: &Value) -> Decoded {
        Decoded::text(chunk.get("outputText").and_then(Value::as_str))
            .with_stop(chunk.get("completionReason").and_then(Value::as_str))
            .with_usage(
                chunk.get("inputTextTokenCount"),
                chunk.get("totalOutputTextTokenCount"),
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
