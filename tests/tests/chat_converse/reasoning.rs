//! Reasoning: a token budget with its signature sent back, and each family's effort shape.

use crate::{NOVA_2_LITE, OPUS_4_6, SONNET_3_7, claude, last_body, setup};
use bedrock_fm::chat::content::Content;
use bedrock_fm::chat::{ChatEvent, ChatOptions, Effort, ReasoningConfig};
use bedrock_fm::{Api, CallOptions, Conversation, Nova};
use serde_json::json;

#[tokio::test]
async fn reasoning_with_a_budget_returns_a_signature_that_is_sent_back() {
    let (server, client) = setup();
    let model = claude(&client, SONNET_3_7);
    let options = ChatOptions::new()
        .params(CallOptions::new().max_tokens(4096))
        .reasoning(ReasoningConfig::Budget(2048));
    let conversation = Conversation::new().human("Why is the sky blue?");
    let reply = model.chat_with(&conversation, &options).await.unwrap();
    // additionalModelRequestFields.thinking, model-parameters of Claude extended thinking.
    assert_eq!(
        last_body(&server)["additionalModelRequestFields"],
        json!({"thinking": {"type": "enabled", "budget_tokens": 2048}})
    );
    let reasoning = reply.reasoning().expect("a reasoning block").clone();
    assert!(!reasoning.text.is_empty());
    let signature = reasoning.signature.clone().expect("a signature");
    assert!(matches!(reply.content[0], Content::Reasoning(_)));
    assert!(!reply.text().is_empty());

    // Streamed: reasoning deltas and the signature, collected into the same reply.
    let mut stream = model.chat_stream(&conversation, &options).await.unwrap();
    let mut saw = (false, false);
    while let Some(e) = stream.next().await {
        match e.unwrap() {
            ChatEvent::ReasoningDelta(_) => saw.0 = true,
            ChatEvent::ReasoningSignature(s) => {
                assert_eq!(s, signature);
                saw.1 = true;
            }
            _ => {}
        }
    }
    assert_eq!(saw, (true, true));
    let streamed = model
        .chat_stream(&conversation, &options)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(streamed, reply);

    // Sent back unmodified: ReasoningContentBlock {reasoningText: {text, signature}}.
    let next = conversation
        .assistant_with(reply.content.clone())
        .human("And at sunset?");
    model.chat_with(&next, &options).await.unwrap();
    assert_eq!(
        last_body(&server)["messages"][1]["content"][0],
        json!({"reasoningContent": {"reasoningText": {"text": reasoning.text, "signature": signature}}})
    );
}

#[tokio::test]
async fn reasoning_effort_takes_each_family_s_documented_shape() {
    let (server, client) = setup();
    let conversation = Conversation::new().human("Plan a three-city trip");
    let nova = Nova::builder(&client, NOVA_2_LITE)
        .api(Api::Converse)
        .build()
        .unwrap();
    let reply = nova
        .chat_with(
            &conversation,
            &ChatOptions::new().reasoning(ReasoningConfig::Effort(Effort::High)),
        )
        .await
        .unwrap();
    // Nova 2 extended thinking: reasoningConfig {type: enabled, maxReasoningEffort}.
    assert_eq!(
        last_body(&server)["additionalModelRequestFields"],
        json!({"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "high"}})
    );
    assert!(reply.reasoning().is_some());

    let opus = claude(&client, OPUS_4_6);
    opus.chat_with(
        &conversation,
        &ChatOptions::new().reasoning(ReasoningConfig::Effort(Effort::Medium)),
    )
    .await
    .unwrap();
    // Claude adaptive thinking: thinking {type: adaptive} with output_config.effort.
    assert_eq!(
        last_body(&server)["additionalModelRequestFields"],
        json!({"thinking": {"type": "adaptive"}, "output_config": {"effort": "medium"}})
    );
}
