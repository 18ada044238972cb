//! Mistral text completion: `<s>[INST] {user} [/INST]`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::mistral::{MistralOutput, MistralRequest, MistralResponse, MistralStreamChunk};
use crate::conversation::{Conversation, Role};
use crate::error::Result;
use crate::generated::wrappers::MistralFamily;

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

fn decode_outputs(outputs: &[MistralOutput]) -> Decoded {
    let texts = outputs
        .iter()
        .map(|o| o.text.clone())
        .filter(|t| !t.is_empty())
        .collect();
    let stop = outputs.first().and_then(|o| o.stop_reason.as_ref());
    Decoded {
        texts,
        ..Decoded::default()
    }
    .with_stop(stop.map(|r| r.as_str()))
}

impl TextFamily for MistralFamily {
    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
    ) -> Result<(MistralRequest, String)> {
        let prompt = mistral_prompt(conversation);
        let request = MistralRequest {
            prompt: prompt.clone(),
            ..MistralRequest::default()
        };
        Ok((request, prompt))
    }

    fn decode(response: &MistralResponse) -> Decoded {
        decode_outputs(&response.outputs)
    }

    fn decode_chunk(chunk: &MistralStreamChunk) -> Decoded {
        decode_outputs(chunk.outputs.as_deref().unwrap_or_default())
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
