//! Guardrails over Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream.

use super::*;

#[tokio::test]
async fn a_guardrail_blocks_input_with_a_trace() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("Tell me the forbidden recipe"))
        .guardrail_config(guardrail("1", GuardrailTrace::Enabled))
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::GuardrailIntervened);
    assert_eq!(text_of(&out), BLOCKED_MESSAGE);
    let usage = out.usage().unwrap();
    assert_eq!((usage.input_tokens(), usage.output_tokens()), (0, 0));
    let trace = out.trace().unwrap().guardrail().unwrap();
    let assessment = &trace.input_assessment().unwrap()[TEST_GUARDRAIL_ID];
    let words = assessment.word_policy().unwrap().custom_words();
    assert_eq!(words[0].r#match(), TEST_GUARDRAIL_BLOCKED_TERM);
    assert_eq!(words[0].action().as_str(), "BLOCKED");
    assert_eq!(trace.action_reason(), Some("Guardrail blocked."));
    let metrics = assessment.invocation_metrics().unwrap();
    assert_eq!(
        metrics
            .guardrail_coverage()
            .unwrap()
            .text_characters()
            .unwrap()
            .total(),
        Some(28)
    );
    // The wire: the guardrailConfig the SDK sent.
    let body: Value = serde_json::from_slice(&server.last_request().unwrap().body).unwrap();
    assert_eq!(
        body["guardrailConfig"],
        json!({"guardrailIdentifier": TEST_GUARDRAIL_ID, "guardrailVersion": "1", "trace": "enabled"})
    );

    // Without a trace: blocked all the same, no trace.
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("FORBIDDEN things"))
        .guardrail_config(guardrail("DRAFT", GuardrailTrace::Disabled))
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::GuardrailIntervened);
    assert!(out.trace().is_none());

    // Clean input: the model answers; the trace shows both assessments.
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("Tell me about rivers"))
        .guardrail_config(guardrail("1", GuardrailTrace::Enabled))
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::EndTurn);
    assert!(text_of(&out).starts_with("Tell me about rivers."));
    let trace = out.trace().unwrap().guardrail().unwrap();
    assert!(
        trace.output_assessments().unwrap()[TEST_GUARDRAIL_ID][0]
            .word_policy()
            .is_none()
    );
    assert!(trace.action_reason().is_none());
}

#[tokio::test]
async fn a_guardrail_blocks_output_when_only_guarded_content_is_assessed() {
    let server = bedrock_fm_local::start();
    // Only the guardContent block is assessed on input; the model echoes the unguarded text,
    // so the output carries the blocked word.
    let out = server
        .client()
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(vec![
            ContentBlock::Text("Repeat after me: forbidden".into()),
            ContentBlock::GuardContent(GuardrailConverseContentBlock::Text(
                GuardrailConverseTextBlock::builder()
                    .text("a harmless question")
                    .build()
                    .unwrap(),
            )),
        ]))
        .guardrail_config(guardrail("1", GuardrailTrace::Enabled))
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::GuardrailIntervened);
    assert_eq!(text_of(&out), BLOCKED_MESSAGE);
    let trace = out.trace().unwrap().guardrail().unwrap();
    assert!(
        trace.input_assessment().unwrap()[TEST_GUARDRAIL_ID]
            .word_policy()
            .is_none()
    );
    let output = &trace.output_assessments().unwrap()[TEST_GUARDRAIL_ID][0];
    assert_eq!(
        output.word_policy().unwrap().custom_words()[0].r#match(),
        "forbidden"
    );
    assert!(trace.model_output()[0].starts_with("Repeat after me: forbidden"));
    assert!(out.usage().unwrap().output_tokens() > 0);
}

#[tokio::test]
async fn unknown_guardrails_and_versions_are_validation_errors() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("hi"))
        .guardrail_config(
            GuardrailConfiguration::builder()
                .guardrail_identifier("nosuchguardrail")
                .guardrail_version("1")
                .build(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("The provided guardrail identifier is invalid.")
    );
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("hi"))
        .guardrail_config(guardrail("9", GuardrailTrace::Disabled))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.message(),
        Some("The guardrail identifier or version provided in the request does not exist.")
    );
    // A configured guardrail, named by its ARN.
    let server = bedrock_fm_local::start_with(Config::new().guardrail("pii", "3", &["ssn"]));
    let out = server
        .client()
        .converse()
        .model_id(HAIKU3)
        .messages(user("my SSN is 123"))
        .guardrail_config(
            GuardrailConfiguration::builder()
                .guardrail_identifier("arn:aws:bedrock:us-east-1:123456789012:guardrail/pii")
                .guardrail_version("3")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::GuardrailIntervened);
    // And the test guardrail can be configured away.
    let server = bedrock_fm_local::start_with(Config::new().without_guardrails());
    let err = server
        .client()
        .converse()
        .model_id(HAIKU3)
        .messages(user("hi"))
        .guardrail_config(guardrail("1", GuardrailTrace::Disabled))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_validation_exception());
}

#[tokio::test]
async fn converse_stream_with_a_guardrail_ends_intervened_with_the_trace_in_metadata() {
    let server = bedrock_fm_local::start();
    let mut out = server
        .client()
        .converse_stream()
        .model_id(HAIKU3)
        .messages(user("The forbidden city"))
        .guardrail_config(
            GuardrailStreamConfiguration::builder()
                .guardrail_identifier(TEST_GUARDRAIL_ID)
                .guardrail_version("1")
                .trace(GuardrailTrace::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    let mut stop = None;
    let mut trace = None;
    while let Some(event) = out.stream.recv().await.unwrap() {
        match event {
            ConverseStreamOutput::ContentBlockDelta(d) => {
                if let Some(ContentBlockDelta::Text(t)) = d.delta() {
                    text.push_str(t);
                }
            }
            ConverseStreamOutput::MessageStop(m) => stop = Some(m.stop_reason().clone()),
            ConverseStreamOutput::Metadata(m) => trace = m.trace().cloned(),
            _ => {}
        }
    }
    assert_eq!(text, BLOCKED_MESSAGE);
    assert_eq!(stop, Some(StopReason::GuardrailIntervened));
    let trace = trace.unwrap();
    assert!(
        trace.guardrail().unwrap().input_assessment().unwrap()[TEST_GUARDRAIL_ID]
            .word_policy()
            .is_some()
    );
}
#[tokio::test]
async fn invoke_model_with_guardrail_headers() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    // Blocked input: the recorded Claude body, action and trace.
    let out = client
        .invoke_model()
        .model_id(HAIKU3)
        .content_type("application/json")
        .body(Blob::new(claude_body("A forbidden question")))
        .guardrail_identifier(TEST_GUARDRAIL_ID)
        .guardrail_version("1")
        .trace(Trace::Enabled)
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["amazon-bedrock-guardrailAction"], "INTERVENED");
    assert_eq!(
        v["content"],
        json!([{"type": "text", "text": BLOCKED_MESSAGE}])
    );
    assert_eq!(v["type"], "message");
    assert_eq!(v["role"], "assistant");
    let g = &v["amazon-bedrock-trace"]["guardrail"];
    assert_eq!(g["actionReason"], "Guardrail blocked.");
    assert_eq!(
        g["input"][TEST_GUARDRAIL_ID]["wordPolicy"]["customWords"][0]["match"],
        "forbidden"
    );
    let req = server.last_request().unwrap();
    assert_eq!(
        req.header("x-amzn-bedrock-guardrailidentifier"),
        Some(TEST_GUARDRAIL_ID)
    );
    assert_eq!(req.header("x-amzn-bedrock-trace"), Some("ENABLED"));

    // Clean: the usual body plus action NONE; no trace without the trace header.
    let out = client
        .invoke_model()
        .model_id(HAIKU3)
        .body(Blob::new(claude_body("Tell me about lakes")))
        .guardrail_identifier(TEST_GUARDRAIL_ID)
        .guardrail_version("DRAFT")
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["amazon-bedrock-guardrailAction"], "NONE");
    assert!(v.get("amazon-bedrock-trace").is_none());
    assert!(
        v["content"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Tell me about lakes")
    );

    // Tagged input: only the tagged text is assessed (and the tags never reach the model), so
    // the echo of the untagged word is blocked on output.
    let body = json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 200,
        "messages": [{"role": "user", "content": "forbidden <amazon-bedrock-guardrails-guardContent_abc>is this fine</amazon-bedrock-guardrails-guardContent_abc>"}],
        "amazon-bedrock-guardrailConfig": {"tagSuffix": "abc"}
    });
    let out = client
        .invoke_model()
        .model_id(HAIKU3)
        .body(Blob::new(serde_json::to_vec(&body).unwrap()))
        .guardrail_identifier(TEST_GUARDRAIL_ID)
        .guardrail_version("1")
        .trace(Trace::EnabledFull)
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["amazon-bedrock-guardrailAction"], "INTERVENED");
    assert_eq!(v["content"][0]["text"], BLOCKED_MESSAGE);
    let g = &v["amazon-bedrock-trace"]["guardrail"];
    assert!(g["input"][TEST_GUARDRAIL_ID]["wordPolicy"].is_null());
    assert_eq!(
        g["outputs"][0][TEST_GUARDRAIL_ID]["wordPolicy"]["customWords"][0]["match"],
        "forbidden"
    );
    assert!(v["usage"]["output_tokens"].as_u64().unwrap() > 0);

    // Unknown guardrail.
    let err = client
        .invoke_model()
        .model_id(HAIKU3)
        .body(Blob::new(claude_body("hi")))
        .guardrail_identifier("nope")
        .guardrail_version("1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.message(),
        Some("The provided guardrail identifier is invalid.")
    );
}

#[tokio::test]
async fn invoke_model_guardrails_rewrite_other_families_text() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let invoke = |model: &'static str, body: Value| {
        client
            .invoke_model()
            .model_id(model)
            .body(Blob::new(serde_json::to_vec(&body).unwrap()))
            .guardrail_identifier(TEST_GUARDRAIL_ID)
            .guardrail_version("1")
            .trace(Trace::Enabled)
            .send()
    };
    let out = invoke(
        "meta.llama3-8b-instruct-v1:0",
        json!({"prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nThe forbidden word<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", "max_gen_len": 50}),
    )
    .await
    .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["generation"], BLOCKED_MESSAGE);
    assert_eq!(v["amazon-bedrock-guardrailAction"], "INTERVENED");
    let out = invoke(
        "amazon.titan-text-express-v1",
        json!({"inputText": "Describe a lake"}),
    )
    .await
    .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["amazon-bedrock-guardrailAction"], "NONE");
    assert!(
        v["results"][0]["outputText"]
            .as_str()
            .unwrap()
            .starts_with("Describe a lake")
    );
    assert!(v["amazon-bedrock-trace"]["guardrail"]["outputs"][0][TEST_GUARDRAIL_ID].is_object());
}

async fn stream_chunks(
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
    body: Value,
) -> Vec<Value> {
    let mut out = client
        .invoke_model_with_response_stream()
        .model_id(model)
        .body(Blob::new(serde_json::to_vec(&body).unwrap()))
        .guardrail_identifier(TEST_GUARDRAIL_ID)
        .guardrail_version("1")
        .trace(Trace::Enabled)
        .send()
        .await
        .unwrap();
    let mut chunks = Vec::new();
    while let Some(event) = out.body.recv().await.unwrap() {
        if let ResponseStream::Chunk(part) = event {
            chunks.push(serde_json::from_slice(part.bytes().unwrap().as_ref()).unwrap());
        }
    }
    chunks
}

#[tokio::test]
async fn invoke_model_streams_carry_the_action_on_the_last_chunk() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let chunks = stream_chunks(
        &client,
        HAIKU3,
        json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
               "messages": [{"role": "user", "content": "Is forbidden a word?"}]}),
    )
    .await;
    let text: String = chunks
        .iter()
        .filter_map(|c| c["delta"]["text"].as_str())
        .collect();
    assert_eq!(text, BLOCKED_MESSAGE);
    let last = chunks.last().unwrap();
    assert_eq!(last["type"], "message_stop");
    assert_eq!(last["amazon-bedrock-guardrailAction"], "INTERVENED");
    assert!(last["amazon-bedrock-invocationMetrics"].is_object());
    assert!(last["amazon-bedrock-trace"]["guardrail"]["input"][TEST_GUARDRAIL_ID].is_object());
    for c in &chunks[..chunks.len() - 1] {
        assert!(c.get("amazon-bedrock-guardrailAction").is_none());
    }
    // Nova, clean.
    let chunks = stream_chunks(
        &client,
        NOVA_PRO,
        json!({"messages": [{"role": "user", "content": [{"text": "Tell me about lakes"}]}]}),
    )
    .await;
    let last = chunks.last().unwrap();
    assert!(last["metadata"].is_object());
    assert_eq!(last["amazon-bedrock-guardrailAction"], "NONE");
    let text: String = chunks
        .iter()
        .filter_map(|c| c["contentBlockDelta"]["delta"]["text"].as_str())
        .collect();
    assert!(text.starts_with("Tell me about lakes"));
}
