//! Converse and ConverseStream as the SDK decodes them: text, determinism, limits, tool calls,
//! concurrent streams.

use super::*;

#[tokio::test]
async fn converse_round_trip() {
    let server = bedrock_fm_local::start();
    let out = server
        .client()
        .converse()
        .model_id(MODEL)
        .messages(user("Tell me about the river Douro"))
        .send()
        .await
        .unwrap();
    let text = reply_text(&out);
    assert!(text.starts_with("Tell me about the river Douro."), "{text}");
    assert_eq!(out.stop_reason(), &StopReason::EndTurn);
    let usage = out.usage().unwrap();
    assert_eq!(usage.input_tokens(), 6);
    assert!(usage.output_tokens() > 6);
    assert_eq!(
        usage.total_tokens(),
        usage.input_tokens() + usage.output_tokens()
    );
    assert!(out.metrics().is_some());
    assert!(out.request_id().is_some_and(|id| id.len() == 36));

    // The wire: path with the percent-encoded ID, a SigV4 signature scoped to bedrock, the
    // JSON body the SDK serialized.
    assert_eq!(server.request_count(), 1);
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.path,
        "/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    );
    assert_eq!(req.operation, Some(Operation::Converse));
    assert_eq!(req.model_id.as_deref(), Some(MODEL));
    let auth = req.header("authorization").unwrap();
    assert!(
        auth.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential={TEST_ACCESS_KEY_ID}/"
        )),
        "{auth}"
    );
    assert!(auth.contains("/us-east-1/bedrock/aws4_request"), "{auth}");
    assert!(!auth.contains("Signature=0") && auth.contains("** redacted **"));
    let body = req.json().unwrap();
    assert_eq!(body["messages"][0]["role"], "user");
    assert_eq!(
        body["messages"][0]["content"][0]["text"],
        "Tell me about the river Douro"
    );
    assert_eq!(req.request_id, out.request_id().unwrap());
}

#[tokio::test]
async fn converse_is_deterministic_and_honours_max_tokens_and_stop_sequences() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let ask = |max: Option<i32>, stop: Option<&str>| {
        let mut cfg = InferenceConfiguration::builder();
        if let Some(m) = max {
            cfg = cfg.max_tokens(m);
        }
        if let Some(s) = stop {
            cfg = cfg.stop_sequences(s);
        }
        client
            .converse()
            .model_id(MODEL)
            .messages(user("alpha beta gamma delta epsilon"))
            .inference_config(cfg.build())
            .send()
    };
    let a = ask(None, None).await.unwrap();
    let b = ask(None, None).await.unwrap();
    assert_eq!(reply_text(&a), reply_text(&b));

    let short = ask(Some(3), None).await.unwrap();
    assert_eq!(reply_text(&short), "alpha beta gamma");
    assert_eq!(short.stop_reason(), &StopReason::MaxTokens);
    assert_eq!(short.usage().unwrap().output_tokens(), 3);

    let stopped = ask(None, Some("delta")).await.unwrap();
    assert_eq!(reply_text(&stopped), "alpha beta gamma ");
    assert_eq!(stopped.stop_reason(), &StopReason::StopSequence);
    // Both limits reached the server as sent.
    let body = server.last_request().unwrap().json().unwrap();
    assert_eq!(body["inferenceConfig"]["stopSequences"][0], "delta");
}

#[tokio::test]
async fn converse_stream_content_is_decoded_by_the_sdk() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let unary = client
        .converse()
        .model_id(MODEL)
        .messages(user("Stream me a story about foxes"))
        .send()
        .await
        .unwrap();
    let mut out = client
        .converse_stream()
        .model_id(MODEL)
        .messages(user("Stream me a story about foxes"))
        .send()
        .await
        .unwrap();
    let mut kinds = Vec::new();
    let mut text = String::new();
    let mut deltas = 0;
    let mut stop = None;
    let mut usage = None;
    while let Some(event) = out.stream.recv().await.unwrap() {
        match &event {
            ConverseStreamOutput::MessageStart(m) => {
                assert_eq!(m.role(), &ConversationRole::Assistant);
                kinds.push("messageStart");
            }
            ConverseStreamOutput::ContentBlockDelta(d) => {
                assert_eq!(d.content_block_index(), 0);
                if let Some(ContentBlockDelta::Text(t)) = d.delta() {
                    text.push_str(t);
                    deltas += 1;
                }
                if kinds.last() != Some(&"contentBlockDelta") {
                    kinds.push("contentBlockDelta");
                }
            }
            ConverseStreamOutput::ContentBlockStop(_) => kinds.push("contentBlockStop"),
            ConverseStreamOutput::MessageStop(m) => {
                stop = Some(m.stop_reason().clone());
                kinds.push("messageStop");
            }
            ConverseStreamOutput::Metadata(m) => {
                usage = m.usage().cloned();
                assert!(m.metrics().is_some());
                kinds.push("metadata");
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(
        kinds,
        vec![
            "messageStart",
            "contentBlockDelta",
            "contentBlockStop",
            "messageStop",
            "metadata"
        ]
    );
    // The stream carries the same reply as Converse, token by token.
    assert_eq!(text, reply_text(&unary));
    assert!(deltas > 5);
    assert_eq!(stop, Some(StopReason::EndTurn));
    let usage = usage.unwrap();
    assert_eq!(usage.output_tokens(), deltas);
    assert_eq!(usage.input_tokens(), unary.usage().unwrap().input_tokens());
    let req = server.last_request().unwrap();
    assert_eq!(
        req.path,
        "/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"
    );
}

fn weather_tool() -> ToolConfiguration {
    let schema: HashMap<String, Document> = [
        ("type".to_owned(), Document::from("object")),
        (
            "properties".to_owned(),
            Document::Object(
                [
                    (
                        "city".to_owned(),
                        Document::Object([("type".to_owned(), Document::from("string"))].into()),
                    ),
                    (
                        "days".to_owned(),
                        Document::Object(
                            [
                                ("type".to_owned(), Document::from("integer")),
                                ("minimum".to_owned(), Document::from(1u64)),
                                ("maximum".to_owned(), Document::from(5u64)),
                            ]
                            .into(),
                        ),
                    ),
                ]
                .into(),
            ),
        ),
        (
            "required".to_owned(),
            Document::Array(vec![Document::from("city"), Document::from("days")]),
        ),
    ]
    .into();
    ToolConfiguration::builder()
        .tools(Tool::ToolSpec(
            ToolSpecification::builder()
                .name("get_weather")
                .description("The weather forecast for a city")
                .input_schema(ToolInputSchema::Json(Document::Object(schema)))
                .build()
                .unwrap(),
        ))
        .build()
        .unwrap()
}

#[tokio::test]
async fn tool_calls_have_schema_valid_input_unary_and_streamed() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let out = client
        .converse()
        .model_id(MODEL)
        .messages(user("Use get_weather: how is the weather in Porto?"))
        .tool_config(weather_tool())
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::ToolUse);
    let Some(ConverseOutput::Message(m)) = out.output() else {
        panic!()
    };
    let tool_use = m
        .content()
        .iter()
        .find_map(|b| b.as_tool_use().ok())
        .unwrap();
    assert_eq!(tool_use.name(), "get_weather");
    let Document::Object(input) = tool_use.input() else {
        panic!("{:?}", tool_use.input())
    };
    assert_eq!(input["city"], Document::from("Porto"));
    let days = match &input["days"] {
        Document::Number(n) => n.to_f64_lossy(),
        other => panic!("{other:?}"),
    };
    assert!((1.0..=5.0).contains(&days));

    // Streamed: a contentBlockStart for the tool, then its input as JSON fragments.
    let mut s = client
        .converse_stream()
        .model_id(MODEL)
        .messages(user("hello"))
        .tool_config(
            ToolConfiguration::builder()
                .set_tools(Some(weather_tool().tools().to_vec()))
                .tool_choice(ToolChoice::Any(AnyToolChoice::builder().build()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let mut name = None;
    let mut json = String::new();
    let mut stop = None;
    while let Some(ev) = s.stream.recv().await.unwrap() {
        match ev {
            ConverseStreamOutput::ContentBlockStart(st) => {
                if let Some(ContentBlockStart::ToolUse(t)) = st.start() {
                    name = Some(t.name().to_owned());
                    assert!(t.tool_use_id().starts_with("tooluse_"));
                }
            }
            ConverseStreamOutput::ContentBlockDelta(d) => {
                if let Some(ContentBlockDelta::ToolUse(t)) = d.delta() {
                    json.push_str(t.input());
                }
            }
            ConverseStreamOutput::MessageStop(m) => stop = Some(m.stop_reason().clone()),
            _ => {}
        }
    }
    assert_eq!(name.as_deref(), Some("get_weather"));
    assert_eq!(stop, Some(StopReason::ToolUse));
    let input: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(input["city"].is_string());
    assert!((1..=5).contains(&input["days"].as_i64().unwrap()));
    let body = server.last_request().unwrap().json().unwrap();
    assert!(body["toolConfig"]["toolChoice"]["any"].is_object());
}

#[tokio::test]
async fn concurrent_streams_are_served_independently() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let prompt = format!("request number {i}");
            let mut out = client
                .converse_stream()
                .model_id(MODEL)
                .messages(user(&prompt))
                .send()
                .await
                .unwrap();
            let mut text = String::new();
            while let Some(ev) = out.stream.recv().await.unwrap() {
                if let ConverseStreamOutput::ContentBlockDelta(d) = ev
                    && let Some(ContentBlockDelta::Text(t)) = d.delta()
                {
                    text.push_str(t);
                }
            }
            (prompt, text)
        }));
    }
    for t in tasks {
        let (prompt, text) = t.await.unwrap();
        assert!(text.starts_with(&format!("{prompt}.")), "{prompt}: {text}");
    }
    assert_eq!(server.request_count(), 16);
}
