//! Cohere Command and Command Light: a single `prompt`, `generations[]` back.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::command::CommandResponse;
use crate::conversation::Conversation;
use crate::error::Result;
use crate::generated::wrappers::CommandFamily;
use serde_json::{Map, Value};

impl TextFamily for CommandFamily {
    type Response = CommandResponse;

    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        let prompt = super::plain_prompt(conversation, "User", "Chatbot");
        body.insert("prompt".into(), Value::String(prompt.clone()));
        Ok(prompt)
    }

    fn decode(response: &Value) -> Decoded {
        let generations = response
            .get("generations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let texts = generations
            .iter()
            .filter_map(|g| g.get("text").and_then(Value::as_str))
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let stop = generations
            .first()
            .and_then(|g| g.get("finish_reason"))
            .and_then(Value::as_str);
        Decoded {
            texts,
            ..Decoded::default()
        }
        .with_stop(stop)
    }

    /// "stream – (Required to support streaming) Specify true to return the response
    /// piece-by-piece in real-time" (model-parameters-cohere-command.html).
    fn for_stream(body: &mut Map<String, Value>) {
        body.insert("stream".into(), Value::Bool(true));
    }

    fn decode_chunk(chunk: &Value) -> Decoded {
        Decoded::text(chunk.get("text").and_then(Value::as_str))
            .with_stop(chunk.get("finish_reason").and_then(Value::as_str))
    }
}
