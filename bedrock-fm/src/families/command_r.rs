//! Cohere Command R and R+: `message`, `chat_history` and `preamble`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command-r-plus.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::command_r::CommandRResponse;
use crate::conversation::{Conversation, Role};
use crate::error::Result;
use crate::generated::wrappers::CommandRFamily;
use serde_json::{Map, Value, json};

fn billed(value: &Value) -> Decoded {
    let units = value.get("meta").and_then(|m| m.get("billed_units"));
    Decoded::default().with_usage(
        units.and_then(|u| u.get("input_tokens")),
        units.and_then(|u| u.get("output_tokens")),
    )
}

impl TextFamily for CommandRFamily {
    type Response = CommandRResponse;

    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        let dialogue = conversation.dialogue();
        let (last, history) = dialogue
            .split_last()
            .expect("validated: a human turn exists");
        body.insert("message".into(), json!(last.text()));
        if !history.is_empty() {
            let history: Vec<Value> = history
                .iter()
                .map(|t| {
                    let role = if t.role == Role::Human {
                        "USER"
                    } else {
                        "CHATBOT"
                    };
                    json!({"role": role, "message": t.text()})
                })
                .collect();
            body.insert("chat_history".into(), Value::Array(history));
        }
        if let Some(system) = conversation.system_text() {
            body.insert("preamble".into(), json!(system));
        }
        Ok(last.text())
    }

    fn decode(response: &Value) -> Decoded {
        let d = billed(response);
        Decoded {
            texts: Decoded::text(response.get("text").and_then(Value::as_str)).texts,
            ..d
        }
        .with_stop(response.get("finish_reason").and_then(Value::as_str))
    }

    /// `text-generation` events carry text; `stream-end` the finish reason and the usage.
    fn decode_chunk(chunk: &Value) -> Decoded {
        let event = chunk
            .get("event_type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match event {
            "text-generation" => Decoded::text(chunk.get("text").and_then(Value::as_str)),
            "stream-end" => {
                let usage = chunk.get("response").map(billed).unwrap_or_default();
                usage.with_stop(chunk.get("finish_reason").and_then(Value::as_str))
            }
            _ => Decoded::default(),
        }
    }
}
