//! Anthropic Claude Messages API: the request, the response and the stream chunks (tool use
//! and tool search are in `claude_messages_tools`).

use crate::documented::{check_request, parse};
use crate::invocation_metrics;
use bedrock_fm::bodies::claude_messages::*;
use serde_json::json;

#[test]
fn claude_messages() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
    // ("Multimodal prompts", verbatim).
    let documented = json!({ "anthropic_version": "bedrock-2023-05-31", "max_tokens": 1024, "messages": [ { "role": "user", "content": [ { "type": "image", "source": { "type": "base64", "media_type": "image/jpeg", "data": "iVBORw..." } }, { "type": "text", "text": "What's in these images?" } ] } ] });
    // `content` is free-form JSON in the catalog (a string or an array of blocks).
    let built = ClaudeMessagesRequest::builder()
        .anthropic_version(ClaudeMessagesRequestAnthropicVersion::Bedrock20230531)
        .max_tokens(1024)
        .messages([ClaudeMessagesMessage::builder()
            .role(ClaudeMessagesMessageRole::User)
            .content(json!([
                {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "iVBORw..."}},
                {"type": "text", "text": "What's in these images?"}
            ]))
            .build()
            .unwrap()])
        .build()
        .unwrap();
    check_request(&built, ClaudeMessagesRequest::spec(), documented);

    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
    // ("Effort parameter (beta)", verbatim).
    let documented = json!({
        "anthropic_version": "bedrock-2023-05-31",
        "anthropic_beta": [
            "effort-2025-11-24"
        ],
        "max_tokens": 4096,
        "output_config": {
            "effort": "medium"
        },
        "messages": [{
            "role": "user",
            "content": "Analyze this complex dataset and provide insights"
        }]
    });
    let built = ClaudeMessagesRequest::builder()
        .anthropic_version(ClaudeMessagesRequestAnthropicVersion::Bedrock20230531)
        .anthropic_beta(["effort-2025-11-24"])
        .max_tokens(4096)
        .output_config(
            ClaudeMessagesOutputConfig::builder()
                .effort(ClaudeMessagesOutputConfigEffort::Medium)
                .build()
                .unwrap(),
        )
        .messages([ClaudeMessagesMessage::builder()
            .role(ClaudeMessagesMessageRole::User)
            .content("Analyze this complex dataset and provide insights")
            .build()
            .unwrap()])
        .build()
        .unwrap();
    check_request(&built, ClaudeMessagesRequest::spec(), documented);
}

#[test]
fn claude_messages_response() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-tool-use.html
    // (the response requesting the tool, verbatim).
    let documented = json!({
        "id": "msg_bdrk_01USsY5m3XRUF4FCppHP8KBx",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-sonnet-20240229",
        "stop_sequence": null,
        "usage": {
            "input_tokens": 375,
            "output_tokens": 36
        },
        "content": [
            {
                "type": "tool_use",
                "id": "toolu_bdrk_01SnXQc6YVWD8Dom5jz7KhHy",
                "name": "top_song",
                "input": {
                    "sign": "WZPZ"
                }
            }
        ],
        "stop_reason": "tool_use"
    });
    let response: ClaudeMessagesResponse = parse(&documented);
    assert_eq!(
        response.id.as_deref(),
        Some("msg_bdrk_01USsY5m3XRUF4FCppHP8KBx")
    );
    assert_eq!(response.model.as_deref(), Some("claude-3-sonnet-20240229"));
    assert_eq!(response.kind, "message");
    assert_eq!(response.role, "assistant");
    assert_eq!(
        response.stop_reason,
        Some(ClaudeMessagesStopReason::ToolUse)
    );
    assert_eq!(response.stop_sequence, None);
    let usage = response.usage.as_ref().unwrap();
    assert_eq!(
        (usage.input_tokens, usage.output_tokens),
        (Some(375), Some(36))
    );
    match &response.content[..] {
        [ClaudeMessagesContentBlock::ToolUse(t)] => {
            assert_eq!(t.id, "toolu_bdrk_01SnXQc6YVWD8Dom5jz7KhHy");
            assert_eq!(t.name, "top_song");
            assert_eq!(t.input, json!({"sign": "WZPZ"}));
        }
        other => panic!("not one tool_use block: {other:?}"),
    }
    assert!(response.extra.is_empty());

    // Source: same page, the final response (verbatim; it has no `usage`).
    let documented = json!({
        "id": "msg_bdrk_012AaqvTiKuUSc6WadhUkDLP",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-sonnet-20240229",
        "content": [
            {
                "type": "text",
                "text": "According to the tool, the most popular song played on radio station WZPZ is \"Elemental Hotel\"."
            }
        ],
        "stop_reason": "end_turn"
    });
    let response: ClaudeMessagesResponse = parse(&documented);
    assert_eq!(
        response.stop_reason,
        Some(ClaudeMessagesStopReason::EndTurn)
    );
    assert_eq!(response.usage, None);
    match &response.content[..] {
        [ClaudeMessagesContentBlock::Text(t)] => assert_eq!(
            t.text,
            "According to the tool, the most popular song played on radio station WZPZ is \"Elemental Hotel\"."
        ),
        other => panic!("not one text block: {other:?}"),
    }

    // Source: same page ("Memory Tool (Beta)", "Example Response", verbatim): cache token
    // counts, and `context_management`, which the catalog does not describe and which is
    // kept in `extra`.
    let documented = json!({
        "id": "msg_vrtx_014mQ5ficCRB6PEa5k5sKqHd",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-20250514",
        "content": [
            {
                "type": "text",
                "text": "I'll start by checking your memory directory and then record this important information about you."
            },
            {
                "type": "tool_use",
                "id": "toolu_vrtx_01EU1UrCDigyPMRntr3VYvUB",
                "name": "memory",
                "input": {
                    "command": "view",
                    "path": "/memories"
                }
            }
        ],
        "stop_reason": "tool_use",
        "stop_sequence": null,
        "usage": {
            "input_tokens": 1403,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 87
        },
        "context_management": {
            "applied_edits": []
        }
    });
    let response: ClaudeMessagesResponse = parse(&documented);
    assert_eq!(response.content.len(), 2);
    assert_eq!(response.content[0].tag(), Some("text"));
    assert_eq!(response.content[1].tag(), Some("tool_use"));
    let usage = response.usage.as_ref().unwrap();
    assert_eq!(usage.input_tokens, Some(1403));
    assert_eq!(usage.output_tokens, Some(87));
    assert_eq!(usage.cache_creation_input_tokens, Some(0));
    assert_eq!(usage.cache_read_input_tokens, Some(0));
    assert_eq!(
        response.extra["context_management"],
        json!({"applied_edits": []})
    );
}

#[test]
fn claude_messages_stream_chunks() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-tool-use.html
    // ("Automatic tool call clearing", "Streaming Response": the `data:` events, verbatim).
    // Its abridged `message_start` (a message without `model` and `content`, which every
    // real message_start carries) is not checked here.
    let start: ClaudeMessagesStreamChunk = parse(
        &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "toolu_456", "name": "data_analyzer", "input": {}}}),
    );
    assert_eq!(start.kind, ClaudeMessagesStreamEventType::ContentBlockStart);
    assert_eq!(start.index, Some(0));
    match start.content_block {
        Some(ClaudeMessagesContentBlock::ToolUse(t)) => {
            assert_eq!(
                (t.id.as_str(), t.name.as_str()),
                ("toolu_456", "data_analyzer")
            );
            assert_eq!(t.input, json!({}));
        }
        other => panic!("not a tool_use block: {other:?}"),
    }

    let delta: ClaudeMessagesStreamChunk = parse(
        &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"data\": \"sample"}}),
    );
    assert_eq!(delta.kind, ClaudeMessagesStreamEventType::ContentBlockDelta);
    let d = delta.delta.unwrap();
    assert_eq!(d.kind, Some(ClaudeMessagesDeltaType::InputJsonDelta));
    assert_eq!(d.partial_json.as_deref(), Some("{\"data\": \"sample"));

    let stop: ClaudeMessagesStreamChunk = parse(&json!({"type": "content_block_stop", "index": 0}));
    assert_eq!(stop.kind, ClaudeMessagesStreamEventType::ContentBlockStop);

    let message_delta: ClaudeMessagesStreamChunk =
        parse(&json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}}));
    assert_eq!(
        message_delta.kind,
        ClaudeMessagesStreamEventType::MessageDelta
    );
    assert_eq!(
        message_delta.delta.unwrap().stop_reason,
        Some(ClaudeMessagesStopReason::ToolUse)
    );

    // The last event, with the metrics Bedrock adds to it.
    let message_stop: ClaudeMessagesStreamChunk = parse(&json!({
        "type": "message_stop",
        "amazon-bedrock-invocationMetrics": invocation_metrics()
    }));
    assert_eq!(
        message_stop.kind,
        ClaudeMessagesStreamEventType::MessageStop
    );
    assert_eq!(message_stop.invocation_metrics, Some(invocation_metrics()));
    assert!(message_stop.extra.is_empty());
}
