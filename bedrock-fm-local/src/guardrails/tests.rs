//! Word matching, requests, assessments and the rewriting of inputs and responses.

use super::*;

#[test]
fn words_match_whole_and_case_insensitively() {
    let g = Guardrail::test("1");
    assert_eq!(
        g.find(&["The Forbidden city".into()]),
        vec!["Forbidden".to_owned()]
    );
    assert!(g.find(&["unforbiddenness".into()]).is_empty());
    assert_eq!(g.find(&["x".into(), "forbidden!".into()]).len(), 1);
    let g = Guardrail::new("g1", "DRAFT", &["secret plan", "x"]);
    assert_eq!(g.find(&["my Secret Plan is".into()]), vec!["Secret Plan"]);
    assert!(find_word("naïve forbidden", "forbidden").is_some());
}

#[test]
#[should_panic(expected = "[a-z0-9]+")]
fn ids_follow_the_service_model_pattern() {
    Guardrail::new("local-guardrail", "1", &["x"]);
}

#[test]
fn requests_resolve_by_id_or_arn_and_version() {
    let gs = vec![Guardrail::test("1"), Guardrail::test("DRAFT")];
    let r = |id: &str, v: &str| GuardrailRequest {
        identifier: id.into(),
        version: v.into(),
        trace: TraceMode::Disabled,
    };
    assert_eq!(r(TEST_GUARDRAIL_ID, "1").resolve(&gs).unwrap().version, "1");
    let arn = format!("arn:aws:bedrock:us-west-2:{ACCOUNT_ID}:guardrail/{TEST_GUARDRAIL_ID}");
    assert_eq!(r(&arn, "DRAFT").resolve(&gs).unwrap().version, "DRAFT");
    let e = r("nosuchguardrail", "1").resolve(&gs).unwrap_err();
    assert_eq!(e.error_type, "ValidationException");
    assert_eq!(e.message.as_deref(), Some(INVALID_IDENTIFIER));
    let e = r(TEST_GUARDRAIL_ID, "7").resolve(&gs).unwrap_err();
    assert_eq!(e.message.as_deref(), Some(UNKNOWN_VERSION));
    assert!(
        GuardrailRequest::from_headers(None, None, None)
            .unwrap()
            .is_none()
    );
    assert!(GuardrailRequest::from_headers(Some("x"), Some("1"), Some("on")).is_err());
    let e = GuardrailRequest::from_headers(Some("gr-abc"), Some("v2"), None).unwrap_err();
    assert_eq!(
        e.message.as_deref(),
        Some(
            "2 validation errors detected: Value 'gr-abc' at 'guardrailIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+)); Value 'v2' at 'guardrailVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (|([1-9][0-9]{0,7})|(DRAFT))"
        )
    );
    assert_eq!(
        GuardrailRequest::from_headers(Some("x"), Some("1"), Some("ENABLED_FULL"))
            .unwrap()
            .unwrap()
            .trace,
        TraceMode::EnabledFull
    );
}

#[test]
fn converse_input_is_the_text_or_only_the_guarded_content() {
    let req = json!({"system": [{"text": "be nice"}], "messages": [
        {"role": "user", "content": [{"text": "hello"}, {"toolResult": {"toolUseId": "t", "content": [{"text": "forbidden"}]}}]}
    ]});
    assert_eq!(converse_input_texts(&req), vec!["hello", "be nice"]);
    let req = json!({"messages": [
        {"role": "user", "content": [{"text": "forbidden context"}, {"guardContent": {"text": {"text": "the question"}}}]}
    ]});
    assert_eq!(converse_input_texts(&req), vec!["the question"]);
}

#[test]
fn traces_have_the_service_model_shapes() {
    let g = Guardrail::test("1");
    let outcome = Outcome {
        input: Assessment::of(&g, &["a forbidden thing".into()]),
        output: None,
        model_output: None,
    };
    assert!(outcome.intervened());
    let trace = outcome.converse_trace(&g);
    let problems = crate::converse_validate::problems("ConverseTrace", &trace);
    assert!(problems.is_empty(), "{problems:?}");
    let a = &trace["guardrail"]["inputAssessment"][TEST_GUARDRAIL_ID];
    assert_eq!(a["wordPolicy"]["customWords"][0]["match"], "forbidden");
    assert_eq!(a["wordPolicy"]["customWords"][0]["action"], "BLOCKED");
    assert_eq!(trace["guardrail"]["actionReason"], ACTION_REASON_BLOCKED);
    let ok = Outcome {
        input: Assessment::of(&g, &["fine".into()]),
        output: Some(Assessment::of(&g, &["also fine".into()])),
        model_output: Some("also fine".into()),
    };
    assert!(!ok.intervened());
    let t = ok.converse_trace(&g);
    assert!(t["guardrail"]["outputAssessments"][TEST_GUARDRAIL_ID][0]["wordPolicy"].is_null());
    assert!(t["guardrail"].get("modelOutput").is_none());
    assert!(crate::converse_validate::problems("ConverseTrace", &t).is_empty());
    let mut body = json!({"generation": "x"});
    ok.annotate(&mut body, &g, TraceMode::Enabled);
    assert_eq!(body["amazon-bedrock-guardrailAction"], "NONE");
    assert!(body["amazon-bedrock-trace"]["guardrail"]["input"][TEST_GUARDRAIL_ID].is_object());
    assert!(body["amazon-bedrock-trace"]["guardrail"]["outputs"][0][TEST_GUARDRAIL_ID].is_object());
}

#[test]
fn invoke_bodies_lose_the_config_and_tags() {
    let body = json!({
        "prompt": "context <amazon-bedrock-guardrails-guardContent_xyz>the question</amazon-bedrock-guardrails-guardContent_xyz>",
        "amazon-bedrock-guardrailConfig": {"tagSuffix": "xyz"}
    });
    let input = invoke_input(&serde_json::to_vec(&body).unwrap());
    assert_eq!(input.texts, vec!["the question"]);
    let model_body: Value = serde_json::from_slice(&input.body).unwrap();
    assert_eq!(model_body, json!({"prompt": "context the question"}));
    let input = invoke_input(br#"{"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "hi"}]}"#);
    assert_eq!(input.texts, vec!["hi"]);
    assert_eq!(invoke_input(b"[1]").body, b"[1]");
}

#[test]
fn family_texts_are_found_and_replaced() {
    let mut claude = json!({"content": [{"type": "text", "text": "a "}, {"type": "tool_use", "id": "t", "name": "f", "input": {}}, {"type": "text", "text": "b"}], "stop_reason": "tool_use"});
    assert_eq!(response_text("claude_messages", &claude), "a b");
    replace_response_text("claude_messages", &mut claude, "no");
    assert_eq!(claude["content"], json!([{"type": "text", "text": "no"}]));
    assert_eq!(claude["stop_reason"], "end_turn");
    let mut titan = json!({"results": [{"outputText": "x"}, {"outputText": "y"}]});
    assert_eq!(response_text("titan_text", &titan), "xy");
    replace_response_text("titan_text", &mut titan, "no");
    assert_eq!(titan["results"][0]["outputText"], "no");
    assert_eq!(titan["results"][1]["outputText"], "");
    let mut chunks = vec![
        json!({"is_finished": false, "event_type": "text-generation", "text": "one"}),
        json!({"is_finished": true, "event_type": "stream-end", "response": {"text": "one"}}),
    ];
    assert_eq!(chunks_text("command_r", &chunks), "one");
    replace_chunks_text("command_r", &mut chunks, "no");
    assert_eq!(chunks[0]["text"], "no");
    assert_eq!(chunks[1]["response"]["text"], "no");
}
