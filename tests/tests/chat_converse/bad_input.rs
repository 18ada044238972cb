//! Bad input is refused with a typed error before any request.

use crate::structured_output::City;
use crate::{HAIKU, HAIKU_3_5, SONNET_3_7, TITAN, claude, setup, small_png, weather_tool};
use bedrock_fm::chat::content::Content;
use bedrock_fm::chat::tools::{Tool, ToolChoice};
use bedrock_fm::chat::{ChatOptions, Effort, Guardrail, ReasoningConfig};
use bedrock_fm::{Api, CallOptions, Conversation, ErrorKind, Titan};
use serde_json::json;

/// Every bad input of issue 5 (and of Converse's documented rules) is refused with a typed
/// error that names where, and no request is sent.
#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let (server, client) = setup();
    let haiku = claude(&client, HAIKU);
    let no_vision = claude(&client, HAIKU_3_5);
    let sonnet = claude(&client, SONNET_3_7);
    let titan = Titan::builder(&client, TITAN)
        .api(Api::Converse)
        .build()
        .unwrap();
    let png = small_png();
    let none = || ChatOptions::new();
    let tools = || ChatOptions::new().tool(weather_tool());
    let twenty_one: Vec<Content> = std::iter::once(Content::text("Look"))
        .chain((0..21).map(|_| Content::image_bytes(png.clone())))
        .collect();
    let cases: Vec<(&str, Result<(), bedrock_fm::Error>, &str, &str)> = vec![
        (
            "two system messages",
            haiku
                .chat_with(
                    &Conversation::new().system("a").system("b").human("x"),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 2",
            "a second system message",
        ),
        (
            "a system message not first",
            haiku
                .chat_with(&Conversation::new().human("x").system("a"), &none())
                .await
                .map(drop),
            "conversation turn 2",
            "must be the first turn",
        ),
        (
            "two human turns in a row",
            haiku
                .chat_with(&Conversation::new().human("a").human("b"), &none())
                .await
                .map(drop),
            "conversation turn 2",
            "two human turns in a row",
        ),
        (
            "ending with the assistant (no prefill over Converse)",
            haiku
                .chat_with(&Conversation::new().human("a").assistant("b"), &none())
                .await
                .map(drop),
            "conversation turn 2",
            "ends with the assistant",
        ),
        (
            "an image that cannot be read or converted",
            haiku
                .chat_with(
                    &Conversation::new().human_with([
                        Content::text("What is this?"),
                        Content::image_bytes(b"GIF87 not really".to_vec()),
                    ]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1, image 1",
            "not an image",
        ),
        (
            "more images than allowed",
            haiku
                .chat_with(&Conversation::new().human_with(twenty_one), &none())
                .await
                .map(drop),
            "conversation turn 1",
            "at most 20",
        ),
        (
            "an image for a text-only model",
            no_vision
                .chat_with(
                    &Conversation::new()
                        .human_with([Content::text("What?"), Content::image_bytes(png.clone())]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "takes no images",
        ),
        (
            "a tool schema that is not an object",
            haiku
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().tool(Tool::new("t", "d", json!({"type": "string"}))),
                )
                .await
                .map(drop),
            "tool \"t\"",
            "not an object schema",
        ),
        (
            "a tool result for an unknown tool-use ID",
            haiku
                .chat_with(
                    &Conversation::new().human_with([Content::tool_result_text("t-9", "42")]),
                    &tools(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "unknown tool-use ID \"t-9\"",
        ),
        (
            "tools for a model without tool use",
            titan
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().tool(weather_tool()),
                )
                .await
                .map(drop),
            "tools",
            "does not support tool use",
        ),
        (
            "reasoning for a model without a reasoning style",
            haiku
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().reasoning(ReasoningConfig::Budget(2048)),
                )
                .await
                .map(drop),
            "reasoning",
            "does not reason",
        ),
        (
            "reasoning in the other style",
            sonnet
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().reasoning(ReasoningConfig::Effort(Effort::Low)),
                )
                .await
                .map(drop),
            "reasoning",
            "takes a reasoning token budget",
        ),
        (
            "a reasoning budget below the minimum",
            sonnet
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().reasoning(ReasoningConfig::Budget(100)),
                )
                .await
                .map(drop),
            "reasoning",
            "below the minimum of 1024",
        ),
        (
            "a reasoning budget not below max_tokens",
            sonnet
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new()
                        .params(CallOptions::new().max_tokens(2000))
                        .reasoning(ReasoningConfig::Budget(4000)),
                )
                .await
                .map(drop),
            "reasoning",
            "must be less than max_tokens",
        ),
        (
            "a document without a text block",
            haiku
                .chat_with(
                    &Conversation::new().human_with([Content::document(
                        "notes",
                        "txt",
                        b"hello".to_vec(),
                    )]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "needs a text block",
        ),
        (
            "a document format Converse does not take",
            haiku
                .chat_with(
                    &Conversation::new().human_with([
                        Content::document("notes", "rtf", b"hello".to_vec()),
                        Content::text("Summarize"),
                    ]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "format \"rtf\"",
        ),
        (
            "a document name Converse does not take",
            haiku
                .chat_with(
                    &Conversation::new().human_with([
                        Content::document("notes.txt", "txt", b"hello".to_vec()),
                        Content::text("Summarize"),
                    ]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "document name",
        ),
        (
            "a document for a model that reads none",
            titan
                .chat_with(
                    &Conversation::new().human_with([
                        Content::document("notes", "txt", b"hello".to_vec()),
                        Content::text("Summarize"),
                    ]),
                    &ChatOptions::new(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "reads no documents",
        ),
        (
            "tool calls without the tools offered",
            haiku
                .chat_with(
                    &Conversation::new()
                        .human("Weather?")
                        .assistant_with([Content::ToolUse(
                            bedrock_fm::chat::content::ToolUse::new(
                                "t-1",
                                "get_weather",
                                json!({"city": "Oslo"}),
                            ),
                        )])
                        .human_with([Content::tool_result_text("t-1", "4 C")]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 2",
            "needs the tools offered",
        ),
        (
            "a tool choice naming a tool not offered",
            haiku
                .chat_with(
                    &Conversation::new().human("x"),
                    &tools().tool_choice(ToolChoice::Tool("other".into())),
                )
                .await
                .map(drop),
            "tool_choice",
            "not among the tools offered",
        ),
        (
            "a guardrail version that is not one",
            haiku
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().guardrail(Guardrail::new("gr1", "latest")),
                )
                .await
                .map(drop),
            "guardrail.version",
            "not a guardrail version",
        ),
        (
            "request metadata with characters Converse refuses",
            haiku
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().metadata("team", "a&b"),
                )
                .await
                .map(drop),
            "request_metadata.team",
            "keys (1 to 256)",
        ),
        (
            "streaming refuses the same way",
            haiku
                .chat_stream(
                    &Conversation::new()
                        .human_with([Content::text("x"), Content::image_bytes(b"nope".to_vec())]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1, image 1",
            "not an image",
        ),
        (
            "structured output refuses the same way",
            no_vision
                .chat_structured::<City>(
                    &Conversation::new()
                        .human_with([Content::text("x"), Content::image_bytes(png.clone())]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "takes no images",
        ),
    ];
    for (case, result, location, message) in cases {
        let err = result.expect_err(case);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{case}: {err}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("InvalidInput: {location}")),
            "{case}: {shown}"
        );
        assert!(shown.contains(message), "{case}: {shown}");
    }
    assert_eq!(server.request_count(), 0, "no request was sent");
}
