//! AI21 Jurassic-2: a single `prompt`, `completions[].data.text` back.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jurassic2.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::jurassic::JurassicResponse;
use crate::conversation::Conversation;
use crate::error::Result;
use crate::generated::wrappers::JurassicFamily;
use serde_json::{Map, Value};

impl TextFamily for JurassicFamily {
    type Response = JurassicResponse;

    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        let prompt = super::plain_prompt(conversation, "User", "Assistant");
        body.insert("prompt".into(), Value::String(prompt.clone()));
        Ok(prompt)
    }

    fn decode(response: &Value) -> Decoded {
        let completions = response
            .get("completions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let texts = completions
            .iter()
            .filter_map(|c| {
                c.get("data")
                    .and_then(|d| d.get("text"))
                    .and_then(Value::as_str)
            })
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let stop = completions
            .first()
            .and_then(|c| c.get("finishReason"))
            .and_then(|r| r.get("reason"))
            .and_then(Value::as_str)
            // AI21's "stop" means a stop sequence was generated (its natural end is "endoftext").
            .map(|r| if r == "stop" { "stop_sequence" } else { r });
        Decoded {
            texts,
            ..Decoded::default()
        }
        .with_stop(stop)
    }

    fn decode_chunk(chunk: &Value) -> Decoded {
        Self::decode(chunk)
    }
}
