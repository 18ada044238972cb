//! Reasoning: signed reasoning content, unary and streamed, and Claude's adaptive thinking.

use super::*;

#[tokio::test]
async fn converse_reasoning_returns_signed_reasoning_content_unary_and_streamed() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let fields =
        doc(json!({"thinking": {"type": "adaptive"}, "output_config": {"effort": "medium"}}));
    let out = client
        .converse()
        .model_id(OPUS46)
        .messages(user("Why is the sky blue?"))
        .additional_model_request_fields(fields.clone())
        .send()
        .await
        .unwrap();
    let content = message_of(&out).content();
    let ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(r)) = &content[0]
    else {
        panic!("{content:?}")
    };
    assert!(r.text().starts_with("Let me think"));
    assert!(r.signature().is_some_and(|s| !s.is_empty()));
    assert!(content[1].is_text());

    let mut stream = client
        .converse_stream()
        .model_id(OPUS46)
        .messages(user("Why is the sky blue?"))
        .additional_model_request_fields(fields)
        .send()
        .await
        .unwrap();
    let mut reasoning = String::new();
    let mut signature = None;
    while let Some(event) = stream.stream.recv().await.unwrap() {
        if let ConverseStreamOutput::ContentBlockDelta(d) = event {
            match d.delta() {
                Some(ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(t))) => {
                    reasoning.push_str(t)
                }
                Some(ContentBlockDelta::ReasoningContent(
                    ReasoningContentBlockDelta::Signature(s),
                )) => signature = Some(s.clone()),
                _ => {}
            }
        }
    }
    assert_eq!(reasoning, r.text());
    assert_eq!(signature.as_deref(), r.signature());

    // Budget thinking on Claude 3.7 Sonnet; Nova's reasoningConfig.
    let out = client
        .converse()
        .model_id(SONNET37)
        .messages(user("Plan a trip"))
        .additional_model_request_fields(doc(
            json!({"thinking": {"type": "enabled", "budget_tokens": 1024}}),
        ))
        .send()
        .await
        .unwrap();
    assert!(message_of(&out).content()[0].is_reasoning_content());
    let out = client
        .converse()
        .model_id(NOVA_PRO)
        .messages(user("Plan a trip"))
        .additional_model_request_fields(doc(
            json!({"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}}),
        ))
        .send()
        .await
        .unwrap();
    assert!(message_of(&out).content()[0].is_reasoning_content());

    // Adaptive thinking on a budget-only model: Anthropic's error through Bedrock.
    let err = client
        .converse()
        .model_id(SONNET37)
        .messages(user("x"))
        .additional_model_request_fields(doc(json!({"thinking": {"type": "adaptive"}})))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.message().unwrap().contains("Input tag 'adaptive'"));
}

#[tokio::test]
async fn invoke_model_adaptive_thinking() {
    let server = bedrock_fm_local::start();
    let body = json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 4000,
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "high"},
        "messages": [{"role": "user", "content": "Why is the sky blue?"}]
    });
    let out = server
        .client()
        .invoke_model()
        .model_id(OPUS46)
        .body(Blob::new(serde_json::to_vec(&body).unwrap()))
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["content"][0]["type"], "thinking");
    assert!(
        v["content"][0]["signature"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(v["content"][1]["type"], "text");
}
