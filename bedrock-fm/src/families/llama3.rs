//! Meta Llama 3 and later: header tokens `<|start_header_id|>role<|end_header_id|>`.
//! Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
//! and Meta's Llama 3 prompt format, which that page points to.

use super::llama2_chat::decode_llama;
use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::llama3::Llama3Response;
use crate::conversation::{Conversation, Role};
use crate::error::Result;
use crate::generated::wrappers::Llama3Family;
use serde_json::{Map, Value};

/// `<|begin_of_text|>`, then per turn `<|start_header_id|>{role}<|end_header_id|>\n\n{text}<|eot_id|>`,
/// then the open assistant header (or the assistant's prefill, left open).
pub(crate) fn llama3_prompt(conversation: &Conversation) -> String {
    let header = |role: &str| format!("<|start_header_id|>{role}<|end_header_id|>\n\n");
    let mut out = String::from("<|begin_of_text|>");
    let turns = conversation.turns();
    for (i, turn) in turns.iter().enumerate() {
        out.push_str(&header(turn.role.wire()));
        out.push_str(&turn.text());
        let prefill = i + 1 == turns.len() && turn.role == Role::Assistant;
        if !prefill {
            out.push_str("<|eot_id|>");
        }
    }
    if turns.last().is_some_and(|t| t.role != Role::Assistant) {
        out.push_str(&header("assistant"));
    }
    out
}

impl TextFamily for Llama3Family {
    type Response = Llama3Response;
    const PREFILL: bool = true;

    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        let prompt = llama3_prompt(conversation);
        body.insert("prompt".into(), Value::String(prompt.clone()));
        Ok(prompt)
    }

    fn decode(response: &Value) -> Decoded {
        decode_llama(response)
    }

    fn decode_chunk(chunk: &Value) -> Decoded {
        let d = decode_llama(chunk);
        Decoded {
            usage: d.usage.or(super::invocation_metrics_usage(chunk)),
            ..d
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Source: Meta's Llama 3 prompt format (model card "Meta Llama 3", prompt format),
    // which https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
    // refers to.
    #[test]
    fn the_documented_header_format() {
        let c = Conversation::new().system("You are terse.").human("Hi");
        assert_eq!(
            llama3_prompt(&c),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>\
             <|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>\
             <|start_header_id|>assistant<|end_header_id|>\n\n"
        );
        let prefill = Conversation::new().human("Count:").assistant("1, 2,");
        assert_eq!(
            llama3_prompt(&prefill),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nCount:<|eot_id|>\
             <|start_header_id|>assistant<|end_header_id|>\n\n1, 2,"
        );
    }
}
