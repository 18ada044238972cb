//! Mistral text completion: `<s>[INST] {user} [/INST]`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::mistral::MistralResponse;
use crate::conversation::{Conversation, Role};
use crate::error::Result;
use crate::generated::wrappers::MistralFamily;
use serde_json::{Map, Value};

/// `<s>[INST] {user} [/INST] {assistant}</s>[INST] {user} [/INST]`; Mistral has no system
/// role, so the system text opens the first instruction.
pub(crate) fn mistral_prompt(conversation: &Conversation) -> String {
    let mut out = String::from("<s>");
    let mut system = conversation.system_text().map(|s| format!("{s}\n\n"));
    for turn in conversation.dialogue() {
        match turn.role {
            Role::Human => {
                let sys = system.take().unwrap_or_default();
                out.push_str(&format!("[INST] {sys}{} [/INST]", turn.text()));
            }
            _ => out.push_str(&format!(" {}</s>", turn.text())),
        }
    }
    out
}

impl TextFamily for MistralFamily {
    type Response = MistralResponse;

    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        let prompt = mistral_prompt(conversation);
        body.insert("prompt".into(), Value::String(prompt.clone()));
        Ok(prompt)
    }

    fn decode(response: &Value) -> Decoded {
        let outputs = response
            .get("outputs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let texts = outputs
            .iter()
            .filter_map(|o| o.get("text").and_then(Value::as_str))
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let stop = outputs
            .first()
            .and_then(|o| o.get("stop_reason"))
            .and_then(Value::as_str);
        Decoded {
            texts,
            ..Decoded::default()
        }
        .with_stop(stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Source: "<s>[INST] Instruction [/INST] Model answer</s>[INST] Follow-up instruction [/INST]",
    // https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
    #[test]
    fn the_documented_instruction_format() {
        let one = Conversation::new().human("What is your favourite condiment?");
        assert_eq!(
            mistral_prompt(&one),
            "<s>[INST] What is your favourite condiment? [/INST]"
        );
        let multi = Conversation::new()
            .human("Instruction")
            .assistant("Model answer")
            .human("Follow-up instruction");
        assert_eq!(
            mistral_prompt(&multi),
            "<s>[INST] Instruction [/INST] Model answer</s>[INST] Follow-up instruction [/INST]"
        );
        let system = Conversation::new().system("Be brief.").human("Hi");
        assert_eq!(mistral_prompt(&system), "<s>[INST] Be brief.\n\nHi [/INST]");
    }
}
