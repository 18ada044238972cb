//! Amazon Nova understanding models: `schemaVersion: messages-v1`, `system`, `messages`,
//! `inferenceConfig`.
//! Source: https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::nova::NovaResponse;
use crate::conversation::Conversation;
use crate::details::Usage;
use crate::error::Result;
use crate::generated::wrappers::NovaFamily;
use serde_json::{Map, Value, json};

fn usage(u: Option<&Value>) -> Usage {
    let count = |k| {
        u.and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .map(|n| n as u32)
    };
    Usage {
        input_tokens: count("inputTokens"),
        output_tokens: count("outputTokens"),
        cache_read_tokens: count("cacheReadInputTokenCount"),
        cache_write_tokens: count("cacheWriteInputTokenCount"),
    }
}

impl TextFamily for NovaFamily {
    type Response = NovaResponse;
    const PREFILL: bool = true;

    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        body.insert("schemaVersion".into(), json!("messages-v1"));
        if let Some(system) = conversation.system_text() {
            body.insert("system".into(), json!([{"text": system}]));
        }
        let messages: Vec<Value> = conversation
            .dialogue()
            .iter()
            .map(|t| json!({"role": t.role.wire(), "content": [{"text": t.text()}]}))
            .collect();
        body.insert("messages".into(), Value::Array(messages));
        Ok(conversation.joined_text())
    }

    fn decode(response: &Value) -> Decoded {
        let content = response
            .pointer("/output/message/content")
            .and_then(Value::as_array);
        let text: String = content
            .into_iter()
            .flatten()
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect();
        Decoded {
            usage: usage(response.get("usage")),
            ..Decoded::text(Some(&text))
        }
        .with_stop(response.get("stopReason").and_then(Value::as_str))
    }

    /// Chunks carry one event each: `contentBlockDelta.delta.text`,
    /// `messageStop.stopReason`, `metadata.usage`.
    fn decode_chunk(chunk: &Value) -> Decoded {
        let text = chunk
            .pointer("/contentBlockDelta/delta/text")
            .and_then(Value::as_str);
        let stop = chunk
            .pointer("/messageStop/stopReason")
            .and_then(Value::as_str);
        Decoded {
            usage: usage(chunk.pointer("/metadata/usage")),
            ..Decoded::text(text)
        }
        .with_stop(stop)
        .merge_usage(super::invocation_metrics_usage(chunk))
    }
}
