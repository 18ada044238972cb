//! `aws-sdk-bedrockruntime` itself (no bedrock-fm wrapper) against bedrock-fm-local, for one
//! model of every family: InvokeModel and, where the model streams, InvokeModelWithResponseStream
//! and ConverseStream, asserting the content received — a mis-framed stream could otherwise
//! decode silently as empty. Request bodies follow each family's AWS model-parameters page.

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput, Message,
    ResponseStream,
};
use bedrock_fm::catalog::Model;
use serde_json::{Value, json};

const TEXT: &str = "Describe the rivers and lakes of Europe";

/// (model, documented request body, JSON pointer of a non-empty answer in the response).
fn families() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        (
            "amazon.titan-text-premier-v1:0",
            json!({"inputText": TEXT, "textGenerationConfig": {"maxTokenCount": 40}}),
            "/results/0/outputText",
        ),
        (
            "anthropic.claude-v2:1",
            json!({"prompt": format!("\n\nHuman: {TEXT}\n\nAssistant:"), "max_tokens_to_sample": 40}),
            "/completion",
        ),
        (
            "anthropic.claude-3-haiku-20240307-v1:0",
            json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 40, "messages": [{"role": "user", "content": [{"type": "text", "text": TEXT}]}]}),
            "/content/0/text",
        ),
        (
            "meta.llama2-13b-chat-v1",
            json!({"prompt": format!("<s>[INST] {TEXT} [/INST]"), "max_gen_len": 40}),
            "/generation",
        ),
        (
            "meta.llama3-8b-instruct-v1:0",
            json!({"prompt": format!("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n{TEXT}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"), "max_gen_len": 40}),
            "/generation",
        ),
        (
            "mistral.mistral-7b-instruct-v0:2",
            json!({"prompt": format!("<s>[INST] {TEXT} [/INST]"), "max_tokens": 40}),
            "/outputs/0/text",
        ),
        (
            "mistral.mistral-large-2407-v1:0",
            json!({"messages": [{"role": "user", "content": TEXT}], "max_tokens": 40}),
            "/choices/0/message/content",
        ),
        (
            // Profile-only: called by its US inference profile (model-parameters-deepseek.html).
            "us.deepseek.r1-v1:0",
            json!({"prompt": TEXT, "max_tokens": 40}),
            "/choices/0/text",
        ),
        (
            "cohere.command-text-v14",
            json!({"prompt": TEXT, "max_tokens": 40}),
            "/generations/0/text",
        ),
        (
            "cohere.command-r-v1:0",
            json!({"message": TEXT, "max_tokens": 40}),
            "/text",
        ),
        (
            "ai21.j2-ultra-v1",
            json!({"prompt": TEXT, "maxTokens": 40}),
            "/completions/0/data/text",
        ),
        (
            "ai21.jamba-1-5-mini-v1:0",
            json!({"messages": [{"role": "user", "content": TEXT}], "max_tokens": 40}),
            "/choices/0/message/content",
        ),
        (
            "amazon.nova-lite-v1:0",
            json!({"schemaVersion": "messages-v1", "messages": [{"role": "user", "content": [{"text": TEXT}]}], "inferenceConfig": {"maxTokens": 40}}),
            "/output/message/content/0/text",
        ),
        (
            "amazon.titan-embed-text-v2:0",
            json!({"inputText": TEXT, "dimensions": 256}),
            "/embedding/255",
        ),
        (
            "amazon.titan-embed-image-v1",
            json!({"inputText": TEXT}),
            "/embedding/0",
        ),
        (
            "cohere.embed-english-v3",
            json!({"texts": [TEXT], "input_type": "search_document"}),
            "/embeddings/0/0",
        ),
        (
            "amazon.titan-image-generator-v2:0",
            json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"}, "imageGenerationConfig": {"numberOfImages": 1, "width": 512, "height": 512}}),
            "/images/0",
        ),
        (
            "amazon.nova-canvas-v1:0",
            json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"}, "imageGenerationConfig": {"numberOfImages": 1, "width": 512, "height": 512}}),
            "/images/0",
        ),
        (
            "stability.stable-diffusion-xl-v1",
            json!({"text_prompts": [{"text": "a lighthouse"}], "width": 1024, "height": 1024}),
            "/artifacts/0/base64",
        ),
        (
            "stability.sd3-5-large-v1:0",
            json!({"prompt": "a lighthouse"}),
            "/images/0",
        ),
    ]
}

fn non_empty(v: Option<&Value>) -> bool {
    match v {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(_)) => true,
        _ => false,
    }
}

#[tokio::test]
async fn every_family_answers_invoke_model_and_its_streams_with_content() {
    let server = bedrock_fm_local::start();
    let sdk = server.client();
    let mut families_seen = std::collections::BTreeSet::new();
    for (id, body, answer) in families() {
        let model = Model::resolve(id).unwrap().model;
        families_seen.insert(model.family());
        let out = sdk
            .invoke_model()
            .model_id(id)
            .body(Blob::new(serde_json::to_vec(&body).unwrap()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{id}: {e:?}"));
        let response: Value = serde_json::from_slice(out.body.as_ref()).unwrap();
        assert!(non_empty(response.pointer(answer)), "{id}: {response}");
        let violations = model.family().response_spec().validate(&response);
        assert!(violations.is_empty(), "{id}: {violations:?}");

        if !model.info().streaming || model.family().stream_chunk_spec().is_none() {
            continue;
        }
        let out = sdk
            .invoke_model_with_response_stream()
            .model_id(id)
            .body(Blob::new(serde_json::to_vec(&body).unwrap()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{id}: {e:?}"));
        let mut rx = out.body;
        let mut chunks = Vec::new();
        while let Some(event) = rx.recv().await.unwrap_or_else(|e| panic!("{id}: {e:?}")) {
            if let ResponseStream::Chunk(part) = event {
                let chunk: Value = serde_json::from_slice(part.bytes.unwrap().as_ref()).unwrap();
                chunks.push(chunk);
            }
        }
        assert!(chunks.len() > 2, "{id}: {} chunks", chunks.len());
        let spec = model.family().stream_chunk_spec().unwrap();
        for chunk in &chunks {
            assert!(spec.validate(chunk).is_empty(), "{id}: {chunk}");
        }
        let metrics = chunks
            .last()
            .unwrap()
            .get("amazon-bedrock-invocationMetrics");
        assert!(
            metrics.and_then(|m| m.get("outputTokenCount")).is_some(),
            "{id}: no metrics on the last chunk"
        );
        assert!(
            chunks[..chunks.len() - 1]
                .iter()
                .all(|c| c.get("amazon-bedrock-invocationMetrics").is_none())
        );

        if !model.info().converse {
            continue;
        }
        let message = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text(TEXT.into()))
            .build()
            .unwrap();
        let out = sdk
            .converse_stream()
            .model_id(id)
            .messages(message)
            .send()
            .await
            .unwrap();
        let mut rx = out.stream;
        let (mut text, mut kinds) = (String::new(), Vec::new());
        while let Some(event) = rx.recv().await.unwrap() {
            kinds.push(
                format!("{event:?}")
                    .split('(')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            );
            if let ConverseStreamOutput::ContentBlockDelta(d) = &event
                && let Some(ContentBlockDelta::Text(t)) = d.delta()
            {
                text.push_str(t);
            }
        }
        assert!(!text.is_empty(), "{id}: empty ConverseStream");
        assert_eq!(
            kinds.first().map(String::as_str),
            Some("MessageStart"),
            "{id}"
        );
        assert_eq!(kinds.last().map(String::as_str), Some("Metadata"), "{id}");
    }
    assert_eq!(
        families_seen.len(),
        bedrock_fm::catalog::Family::ALL.len(),
        "one model of every family"
    );
}
