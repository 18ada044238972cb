//! Tests of `models`.

use super::*;

#[test]
fn usage_json_has_totals_and_optional_cache_figures() {
    assert_eq!(
        Usage::new(3, 4).to_converse_json(),
        json!({"inputTokens": 3, "outputTokens": 4, "totalTokens": 7})
    );
    let mut u = Usage::new(1, 1);
    u.cache_read_input_tokens = Some(5);
    assert_eq!(u.to_converse_json()["cacheReadInputTokens"], 5);
}

#[test]
fn event_payloads_are_the_bare_event_objects() {
    assert_eq!(
        ConverseEvent::MessageStart.payload(0),
        json!({"role": "assistant"})
    );
    let d = ConverseEvent::ContentBlockDelta {
        index: 1,
        delta: json!({"text": "hi"}),
    };
    assert_eq!(d.event_type(), "contentBlockDelta");
    assert_eq!(
        d.payload(0),
        json!({"contentBlockIndex": 1, "delta": {"text": "hi"}})
    );
    let m = ConverseEvent::Metadata {
        usage: Usage::new(1, 2),
    };
    assert_eq!(m.payload(42)["metrics"]["latencyMs"], 42);
    let s = ConverseEvent::MessageStop {
        stop_reason: StopReason::MaxTokens,
        additional_model_response_fields: None,
    };
    assert_eq!(s.payload(0), json!({"stopReason": "max_tokens"}));
}

#[test]
fn converse_response_json() {
    let out = ConverseOutput {
        blocks: vec![
            OutputBlock::text("Hello."),
            OutputBlock::ToolUse {
                id: "tooluse_1".into(),
                name: "f".into(),
                input: json!({"a": 1}),
            },
        ],
        stop_reason: StopReason::ToolUse,
        usage: Usage::new(5, 6),
        additional_model_response_fields: None,
    };
    let v = out.to_response_json(12);
    assert_eq!(v["output"]["message"]["role"], "assistant");
    assert_eq!(v["output"]["message"]["content"][0]["text"], "Hello.");
    assert_eq!(
        v["output"]["message"]["content"][1]["toolUse"]["input"]["a"],
        1
    );
    assert_eq!(v["stopReason"], "tool_use");
    assert_eq!(v["usage"]["totalTokens"], 11);
    assert_eq!(v["metrics"]["latencyMs"], 12);
    // The response is valid against the service model's ConverseResponse shape.
    let problems = crate::converse_validate::problems("ConverseResponse", &v);
    assert!(problems.is_empty(), "{problems:?}");
}
