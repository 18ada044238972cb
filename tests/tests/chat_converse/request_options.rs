//! Request options on the wire: guardrails, latency-optimized inference, request metadata
//! and prompt-caching cache points.

use crate::{HAIKU, SONNET_3_7, claude, last_body, last_path, setup};
use bedrock_fm::chat::content::Content;
use bedrock_fm::chat::{ChatOptions, Guardrail};
use bedrock_fm::{Conversation, Role, StopReason};
use bedrock_fm_local::guardrails::{TEST_GUARDRAIL_BLOCKED_TERM, TEST_GUARDRAIL_ID};
use serde_json::json;

#[tokio::test]
async fn guardrail_latency_and_metadata_are_on_the_wire() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let options = ChatOptions::new()
        .guardrail(Guardrail::new(TEST_GUARDRAIL_ID, "DRAFT").with_trace())
        .latency_optimized()
        .metadata("team", "search")
        .metadata("run", "2024-05-01T10:00");
    let conversation = Conversation::new().human("Hello");
    let details = model.chat_details(&conversation, &options).await.unwrap();
    let body = last_body(&server);
    // GuardrailConfiguration {guardrailIdentifier, guardrailVersion, trace: GuardrailTrace}.
    assert_eq!(
        body["guardrailConfig"],
        json!({"guardrailIdentifier": TEST_GUARDRAIL_ID, "guardrailVersion": "DRAFT", "trace": "enabled"})
    );
    // PerformanceConfiguration {latency: PerformanceConfigLatency}.
    assert_eq!(body["performanceConfig"], json!({"latency": "optimized"}));
    // RequestMetadata: a string map.
    assert_eq!(
        body["requestMetadata"],
        json!({"team": "search", "run": "2024-05-01T10:00"})
    );
    // With trace enabled the guardrail's assessment comes back (GuardrailTraceAssessment).
    assert!(details.guardrail_trace.is_some());
    assert_ne!(details.stop_reason, Some(StopReason::GuardrailIntervened));

    // A blocked term in the input: the guardrail intervenes instead of the model.
    let blocked = Conversation::new().human(format!(
        "Tell me about {TEST_GUARDRAIL_BLOCKED_TERM} things"
    ));
    let reply = model.chat_with(&blocked, &options).await.unwrap();
    assert_eq!(reply.stop_reason, Some(StopReason::GuardrailIntervened));

    // ConverseStream takes the same (GuardrailStreamConfiguration).
    model
        .chat_stream(&conversation, &options)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let body = last_body(&server);
    assert!(last_path(&server).ends_with("/converse-stream"));
    assert_eq!(body["guardrailConfig"]["trace"], "enabled");
    assert_eq!(body["performanceConfig"], json!({"latency": "optimized"}));
}

#[tokio::test]
async fn cache_points_go_in_the_system_prompt_and_the_messages() {
    let (server, client) = setup();
    // Prompt caching needs a model that supports it (Claude 3.7 Sonnet, 1,024-token minimum).
    let model = claude(&client, SONNET_3_7);
    let long_context = "The Danube flows through ten countries. ".repeat(200);
    let conversation = Conversation::new()
        .push_content(
            Role::System,
            [
                Content::text("You are a careful analyst."),
                Content::CachePoint,
            ],
        )
        .human_with([
            Content::text(long_context.clone()),
            Content::CachePoint,
            Content::text("The question."),
        ]);
    let first = model.chat(&conversation).await.unwrap();
    let body = last_body(&server);
    // SystemContentBlock and ContentBlock unions with CachePointBlock {type: "default"}.
    assert_eq!(
        body["system"],
        json!([{"text": "You are a careful analyst."}, {"cachePoint": {"type": "default"}}])
    );
    assert_eq!(
        body["messages"][0]["content"][1],
        json!({"cachePoint": {"type": "default"}})
    );
    // TokenUsage: the first call writes the cached prefix, the same prefix is then read.
    let written = first.usage.cache_write_tokens.unwrap();
    assert!(written >= 1024, "{:?}", first.usage);
    let second = model.chat(&conversation).await.unwrap();
    assert_eq!(second.usage.cache_read_tokens, Some(written));
    assert!(
        second.usage.input_tokens.unwrap() < written,
        "cached tokens are not input tokens"
    );
}
