//! Tests of `claude_messages`.

use super::*;
use crate::catalog::Model;
use crate::chat::Effort;
use crate::chat::tools::Tool;

fn ctx<'a>(
    model: Model,
    tools: &'a [Tool],
    choice: Option<&'a ToolChoice>,
    reasoning: Option<ReasoningConfig>,
) -> EncodeContext<'a> {
    EncodeContext {
        model: Some(model),
        tools,
        tool_choice: choice,
        reasoning,
    }
}

fn encode(c: &Conversation, ctx: &EncodeContext<'_>) -> Result<Value> {
    let (request, _prompt) = Claude3Family::encode(c, ctx)?;
    Ok(serde_json::to_value(&request).unwrap())
}

fn request(c: &Conversation, ctx: &EncodeContext<'_>) -> ClaudeMessagesRequest {
    Claude3Family::encode(c, ctx).unwrap().0
}

const HAIKU: Model = Model::AnthropicClaude3Haiku20240307V1_0;

// Shapes: model-parameters-anthropic-claude-messages-tool-use.html (tool_use,
// tool_result, tools, tool_choice) and prompt-caching.html (cache_control).
#[test]
fn tool_blocks_tools_choice_and_cache_control_take_the_documented_shapes() {
    let tools = [Tool::new(
        "get_weather",
        "Weather of a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}}),
    )];
    let choice = ToolChoice::Tool("get_weather".into());
    let c = Conversation::new()
        .system("Be brief.")
        .human_with([
            Content::text("Long context"),
            Content::CachePoint,
            Content::text("Weather?"),
        ])
        .assistant_with([Content::ToolUse(ToolUse::new(
            "toolu_1",
            "get_weather",
            json!({"city": "Paris"}),
        ))])
        .human_with([
            Content::tool_result_json("toolu_1", json!({"c": 21})),
            Content::tool_error("toolu_1", "timeout"),
        ]);
    let body = encode(&c, &ctx(HAIKU, &tools, Some(&choice), None)).unwrap();
    assert_eq!(body["system"], "Be brief.");
    assert_eq!(
        body["messages"][0]["content"],
        json!([
            {"type": "text", "text": "Long context", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "Weather?"}
        ])
    );
    assert_eq!(
        body["messages"][1]["content"][0],
        json!({"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}})
    );
    assert_eq!(
        body["messages"][2]["content"],
        json!([
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "{\"c\":21}"}]},
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "timeout"}], "is_error": true}
        ])
    );
    assert_eq!(
        body["tools"],
        json!([{"name": "get_weather", "description": "Weather of a city",
                "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}])
    );
    assert_eq!(
        body["tool_choice"],
        json!({"type": "tool", "name": "get_weather"})
    );
}

#[test]
fn a_cache_point_in_the_system_turn_makes_system_blocks() {
    let c = Conversation::new()
        .push_content(Role::System, [Content::text("Rules"), Content::CachePoint])
        .human("Hi");
    let body = encode(&c, &ctx(HAIKU, &[], None, None)).unwrap();
    assert_eq!(
        body["system"],
        json!([{"type": "text", "text": "Rules", "cache_control": {"type": "ephemeral"}}])
    );
    let first = Conversation::new().human_with([Content::CachePoint, Content::text("x")]);
    let err = encode(&first, &ctx(HAIKU, &[], None, None)).unwrap_err();
    assert!(
        err.to_string()
            .contains("turn 1: a cache point must follow")
    );
}

#[test]
fn documents_are_pdf_only_and_reasoning_goes_back_with_its_signature() {
    let c = Conversation::new()
        .human_with([Content::document("report", "pdf", b"%PDF-1.4".to_vec())])
        .assistant_with([
            Content::Reasoning(Reasoning::new("thinking...", Some("sig".into()))),
            Content::text("Done"),
        ])
        .human("More");
    let body = encode(&c, &ctx(HAIKU, &[], None, None)).unwrap();
    // Source: model-parameters-anthropic-claude-messages.html (document blocks).
    assert_eq!(
        body["messages"][0]["content"][0],
        json!({"type": "document", "title": "report",
               "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjQ="}})
    );
    assert_eq!(
        body["messages"][1]["content"][0],
        json!({"type": "thinking", "thinking": "thinking...", "signature": "sig"})
    );
    let csv = Conversation::new().human_with([Content::document("t", "csv", b"a,b".to_vec())]);
    let err = encode(&csv, &ctx(HAIKU, &[], None, None))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("turn 1: the Claude native format takes PDF documents"),
        "{err}"
    );
}

#[test]
fn reasoning_budget_and_effort_follow_the_thinking_pages() {
    let sonnet37 = Model::AnthropicClaude3_7Sonnet20250219V1_0;
    let c = Conversation::new().human("Why?");
    let budget_ctx = ctx(sonnet37, &[], None, Some(ReasoningConfig::Budget(2048)));
    let body = encode(&c, &budget_ctx).unwrap();
    assert_eq!(
        body["thinking"],
        json!({"type": "enabled", "budget_tokens": 2048})
    );
    assert!(body["max_tokens"].as_u64().unwrap() > 2048);
    let typed = request(&c, &budget_ctx);
    Claude3Family::check_body(&typed, &ctx(sonnet37, &[], None, None)).unwrap();

    let mut small = typed.clone();
    small.max_tokens = 2048;
    let err = Claude3Family::check_body(&small, &ctx(sonnet37, &[], None, None)).unwrap_err();
    assert!(
        err.to_string()
            .contains("max_tokens: 2048 must be greater than the thinking budget")
    );

    let err = encode(
        &c,
        &ctx(sonnet37, &[], None, Some(ReasoningConfig::Budget(100))),
    )
    .unwrap_err();
    assert!(err.to_string().contains("at least 1024 tokens"));
    let any = ToolChoice::Any;
    let err = encode(
        &c,
        &ctx(
            sonnet37,
            &[],
            Some(&any),
            Some(ReasoningConfig::Budget(2048)),
        ),
    )
    .unwrap_err();
    assert!(err.to_string().contains("tool_choice"));
    let err = encode(
        &c,
        &ctx(
            sonnet37,
            &[],
            None,
            Some(ReasoningConfig::Effort(Effort::Low)),
        ),
    )
    .unwrap_err();
    assert!(err.to_string().contains("takes a thinking budget"));

    let opus46 = Model::AnthropicClaudeOpus4_6V1;
    let body = encode(
        &c,
        &ctx(
            opus46,
            &[],
            None,
            Some(ReasoningConfig::Effort(Effort::Medium)),
        ),
    )
    .unwrap();
    assert_eq!(body["thinking"], json!({"type": "adaptive"}));
    assert_eq!(body["output_config"], json!({"effort": "medium"}));
}

// Response shape: model-parameters-anthropic-claude-messages-request-response.html and
// claude-messages-extended-thinking.html.
#[test]
fn a_response_decodes_into_reasoning_text_tool_calls_and_cache_usage() {
    let response: ClaudeMessagesResponse = serde_json::from_value(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
        "content": [
            {"type": "thinking", "thinking": "Let me see.", "signature": "EqQB"},
            {"type": "text", "text": "I'll check."},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
        ],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 7, "cache_creation_input_tokens": 3}
    }))
    .unwrap();
    let d = Claude3Family::decode(&response);
    assert_eq!(d.texts, ["I'll check."]);
    assert_eq!(
        d.reasoning,
        Some(Reasoning::new("Let me see.", Some("EqQB".into())))
    );
    assert_eq!(
        d.tool_uses,
        [ToolUse::new(
            "toolu_1",
            "get_weather",
            json!({"city": "Paris"})
        )]
    );
    assert_eq!(d.stop_reason.as_deref(), Some("tool_use"));
    assert_eq!(d.usage.cache_read_tokens, Some(7));
    assert_eq!(d.usage.cache_write_tokens, Some(3));
    assert_eq!(
        d.content(),
        [
            Content::Reasoning(Reasoning::new("Let me see.", Some("EqQB".into()))),
            Content::text("I'll check."),
            Content::ToolUse(ToolUse::new(
                "toolu_1",
                "get_weather",
                json!({"city": "Paris"})
            )),
        ]
    );
}

// Stream events: model-parameters-anthropic-claude-messages-tool-use.html (streamed tool
// input) and claude-messages-extended-thinking.html (thinking and signature deltas).
#[test]
fn stream_chunks_become_chat_events() {
    let chunk = |v: Value| -> ClaudeMessagesStreamChunk { serde_json::from_value(v).unwrap() };
    let events = |v: Value| Claude3Family::decode_chunk(&chunk(v)).events;
    assert_eq!(
        events(json!({"type": "content_block_start", "index": 1,
                      "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}})),
        [ChatEvent::ToolUseStart {
            id: "toolu_1".into(),
            name: "get_weather".into()
        }]
    );
    assert_eq!(
        events(json!({"type": "content_block_delta", "index": 1,
                      "delta": {"type": "input_json_delta", "partial_json": "{\"city\": "}})),
        [ChatEvent::ToolUseInputDelta("{\"city\": ".into())]
    );
    assert!(
        events(json!({"type": "content_block_delta", "index": 1,
                          "delta": {"type": "input_json_delta", "partial_json": ""}}))
        .is_empty()
    );
    assert_eq!(
        events(json!({"type": "content_block_delta", "index": 0,
                      "delta": {"type": "thinking_delta", "thinking": "Hmm"}})),
        [ChatEvent::ReasoningDelta("Hmm".into())]
    );
    assert_eq!(
        events(json!({"type": "content_block_delta", "index": 0,
                      "delta": {"type": "signature_delta", "signature": "EqQB"}})),
        [ChatEvent::ReasoningSignature("EqQB".into())]
    );
    let text =
        Claude3Family::decode_chunk(&chunk(json!({"type": "content_block_delta", "index": 0,
        "delta": {"type": "text_delta", "text": "Hi"}})));
    assert_eq!((text.texts, text.events), (vec!["Hi".to_owned()], vec![]));
    let stop = Claude3Family::decode_chunk(&chunk(json!({"type": "message_delta",
        "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}})));
    assert_eq!(stop.stop_reason.as_deref(), Some("tool_use"));
    assert_eq!(stop.usage.output_tokens, Some(9));
}
