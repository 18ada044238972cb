use bedrock_fm::catalog::Family;
use serde_json::json;

use super::*;
use crate::engine::{self, Engine, StopReason, ToolChoice};

#[test]
fn bodies_that_are_not_objects_get_the_org_json_message() {
    let msg = |b: &[u8]| parse_body(b).unwrap_err().message.unwrap();
    assert_eq!(
        msg(b"[1]"),
        "Malformed input request: A JSONObject text must begin with '{' at 1 [character 2 line 1], please reformat your input and try again."
    );
    assert!(
        msg(b"").contains("at 0 [character 1 line 1]"),
        "{}",
        msg(b"")
    );
    assert!(msg(b"\n x").contains("at 3 [character 2 line 2]"));
    let e = parse_body(b"{\"a\": }").unwrap_err();
    assert_eq!(e.error_type, "ValidationException");
    assert!(e.message.unwrap().starts_with("Malformed input request: "));
    assert_eq!(parse_body(b" {\"a\": 1}").unwrap(), json!({"a": 1}));
}

#[test]
fn violations_are_concatenated_as_bedrock_does() {
    let err = validate(
        Family::TitanText,
        &json!({"inputText": "x", "top_p": 1, "max_tokens_to_sample": 2}),
    )
    .unwrap_err();
    assert_eq!(
        err.message.as_deref(),
        Some(
            "Malformed input request: #: extraneous key [top_p] is not permitted#: extraneous key [max_tokens_to_sample] is not permitted, please reformat your input and try again."
        )
    );
}

#[test]
fn last_between_finds_the_last_turn() {
    let p = "<s>[INST] one [/INST] a</s>[INST] two [/INST]";
    assert_eq!(last_between(p, "[INST]", "[/INST]"), Some("two"));
    assert_eq!(last_between("plain", "[INST]", "[/INST]"), None);
    assert_eq!(last_between("User: hi", "User:", "\nBot:"), Some("hi"));
}

#[test]
fn a_chat_reply_calls_a_named_tool_or_answers_in_text() {
    let mut chat = Chat {
        turns: vec![Turn::user("What is the weather in Paris?")],
        tools: vec![tool(
            "weather",
            Some("Weather by city"),
            Some(
                &json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
            ),
        )],
        preface: true,
        tool_id: ("toolu_", 10),
        ..Chat::default()
    };
    let r = chat.reply(Engine::new(1));
    assert_eq!(r.stop_reason, StopReason::ToolUse);
    let calls = r.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].1, "weather");
    assert_eq!(calls[0].2["city"], "Paris");
    assert!(calls[0].0.starts_with("toolu_"));
    assert_eq!(r.text(), "I'll use the weather tool.");
    chat.tool_choice = ToolChoice::None;
    let r = chat.reply(Engine::new(1));
    assert_eq!(r.stop_reason, StopReason::EndTurn);
    assert!(r.text().starts_with("What is the weather in Paris?"));
    assert!(r.usage.input_tokens > engine::count_tokens("What is the weather in Paris?"));
}

#[test]
fn uuids_are_uuid_shaped_and_deterministic() {
    let u = uuid(Engine::new(1), "a");
    assert_eq!(u.len(), 36);
    assert_eq!(u, uuid(Engine::new(1), "a"));
    assert_ne!(u, uuid(Engine::new(1), "b"));
}
