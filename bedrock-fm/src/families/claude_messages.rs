//! Anthropic Claude Messages API (Claude 3 and later).
//! Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::claude_messages::ClaudeMessagesResponse;
use crate::conversation::Conversation;
use crate::details::Usage;
use crate::error::Result;
use crate::generated::wrappers::Claude3Family;
use serde_json::{Map, Value, json};

/// The `anthropic_version` Bedrock requires.
pub(crate) const ANTHROPIC_VERSION: &str = "bedrock-2023-05-31";

fn usage(u: Option<&Value>) -> Usage {
    let count = |k| {
        u.and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .map(|n| n as u32)
    };
    Usage {
        input_tokens: count("input_tokens"),
        output_tokens: count("output_tokens"),
        cache_read_tokens: count("cache_read_input_tokens"),
        cache_write_tokens: count("cache_creation_input_tokens"),
    }
}

impl TextFamily for Claude3Family {
    type Response = ClaudeMessagesResponse;
    const PREFILL: bool = true;

    fn encode(
        conversation: &Conversation,
        ctx: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        body.insert("anthropic_version".into(), json!(ANTHROPIC_VERSION));
        body.insert("max_tokens".into(), json!(ctx.default_max_tokens()));
        if let Some(system) = conversation.system_text() {
            body.insert("system".into(), json!(system));
        }
        let messages: Vec<Value> = conversation
            .dialogue()
            .iter()
            .map(
                |t| json!({"role": t.role.wire(), "content": [{"type": "text", "text": t.text()}]}),
            )
            .collect();
        body.insert("messages".into(), Value::Array(messages));
        Ok(conversation.joined_text())
    }

    fn decode(response: &Value) -> Decoded {
        let text: String = response
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect();
        Decoded {
            usage: usage(response.get("usage")),
            ..Decoded::text(Some(&text))
        }
        .with_stop(response.get("stop_reason").and_then(Value::as_str))
    }

    /// `message_start` carries input usage, `content_block_delta` text deltas,
    /// `message_delta` the stop reason and output usage.
    fn decode_chunk(chunk: &Value) -> Decoded {
        let kind = chunk
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let decoded = match kind {
            "content_block_delta" => {
                let delta = chunk.get("delta");
                let is_text =
                    delta.and_then(|d| d.get("type")).and_then(Value::as_str) == Some("text_delta");
                let text = delta.and_then(|d| d.get("text")).and_then(Value::as_str);
                Decoded::text(text.filter(|_| is_text))
            }
            "message_start" => Decoded {
                usage: usage(chunk.get("message").and_then(|m| m.get("usage"))),
                ..Decoded::default()
            },
            "message_delta" => Decoded {
                usage: usage(chunk.get("usage")),
                ..Decoded::default()
            }
            .with_stop(
                chunk
                    .get("delta")
                    .and_then(|d| d.get("stop_reason"))
                    .and_then(Value::as_str),
            ),
            _ => Decoded::default(),
        };
        Decoded {
            usage: decoded.usage.or(super::invocation_metrics_usage(chunk)),
            ..decoded
        }
    }
}
