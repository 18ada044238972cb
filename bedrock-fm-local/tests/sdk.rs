//! The server driven by `aws-sdk-bedrockruntime`, a client this crate did not write: every
//! test asserts both what reached the server and what the client decoded.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, ContentBlock, ContentBlockDelta, ContentBlockStart, ConversationRole,
    ConverseOutput, ConverseStreamOutput, InferenceConfiguration, Message, StopReason, Tool,
    ToolChoice, ToolConfiguration, ToolInputSchema, ToolSpecification,
};
use aws_smithy_types::Document;
use bedrock_fm_local::{Config, Fault, FaultConfig, FaultMatch, Operation, TEST_ACCESS_KEY_ID};

/// A Converse-capable, streaming, tool-using model of the catalog, named by its inference
/// profile as most users do.
const MODEL: &str = "us.anthropic.claude-3-haiku-20240307-v1:0";

fn user(text: &str) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(text.into()))
        .build()
        .unwrap()
}

fn reply_text(out: &aws_sdk_bedrockruntime::operation::converse::ConverseOutput) -> String {
    let Some(ConverseOutput::Message(m)) = out.output() else {
        panic!("no message in {out:?}")
    };
    m.content()
        .iter()
        .filter_map(|b| b.as_text().ok().cloned())
        .collect()
}

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
async fn wrong_secret_is_rejected_with_403_and_nothing_runs() {
    let server = bedrock_fm_local::start();
    let config = server
        .client_config()
        .to_builder()
        .credentials_provider(aws_sdk_bedrockruntime::config::Credentials::new(
            TEST_ACCESS_KEY_ID,
            "not-the-secret",
            None,
            None,
            "test",
        ))
        .build();
    let client = aws_sdk_bedrockruntime::Client::from_conf(config);
    let err = client
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
    let svc = err.into_service_error();
    assert_eq!(svc.code(), Some("InvalidSignatureException"));
    assert!(svc.message().unwrap().starts_with(
        "The request signature we calculated does not match the signature you provided."
    ));

    let config = server
        .client_config()
        .to_builder()
        .credentials_provider(aws_sdk_bedrockruntime::config::Credentials::new(
            "AKIDSOMEONEELSE",
            "x",
            None,
            None,
            "test",
        ))
        .build();
    let err = aws_sdk_bedrockruntime::Client::from_conf(config)
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
    assert_eq!(
        err.into_service_error().code(),
        Some("UnrecognizedClientException")
    );
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn custom_credentials_any_region_and_bearer_keys() {
    let server = bedrock_fm_local::start_with(
        Config::new()
            .credentials("AKIDCUSTOM", "s3cr3t")
            .bearer_token("my-api-key"),
    );
    let out = server
        .client()
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap();
    assert!(!reply_text(&out).is_empty());
    let eu = server
        .client_config()
        .to_builder()
        .region(aws_config::Region::new("eu-west-3"))
        .build();
    aws_sdk_bedrockruntime::Client::from_conf(eu)
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap();
    assert!(
        server
            .last_request()
            .unwrap()
            .header("authorization")
            .unwrap()
            .contains("/eu-west-3/bedrock/")
    );

    let out = server
        .bearer_client()
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap();
    assert!(!reply_text(&out).is_empty());
    assert_eq!(
        server.last_request().unwrap().header("authorization"),
        Some("Bearer ** redacted **")
    );

    let wrong = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(server.endpoint())
        .bearer_token(aws_sdk_bedrockruntime::config::Token::new("bad-key", None))
        .build();
    let err = aws_sdk_bedrockruntime::Client::from_conf(wrong)
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
    let svc = err.into_service_error();
    assert!(svc.is_access_denied_exception(), "{svc:?}");
    assert_eq!(
        svc.message(),
        Some("Authentication failed: Please make sure your API Key is valid.")
    );
}

#[tokio::test]
async fn injected_throttle_is_a_throttling_exception() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    server.faults().push(Fault::Throttle);
    let err = client
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 429);
    let svc = err.into_service_error();
    assert!(svc.is_throttling_exception(), "{svc:?}");
    assert_eq!(
        svc.message(),
        Some("Too many requests, please wait before trying again.")
    );
    // Consumed: the next call succeeds.
    client
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap();

    // Matched by operation: a Converse call does not consume a ConverseStream fault.
    server.faults().push_for(
        FaultMatch::operation(Operation::ConverseStream),
        Fault::ServiceUnavailable,
    );
    client
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap();
    let err = client
        .converse_stream()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 503);
    assert!(err.into_service_error().is_service_unavailable_exception());

    for (fault, status, code) in [
        (Fault::InternalServer, 500, "InternalServerException"),
        (Fault::ModelNotReady, 429, "ModelNotReadyException"),
        (Fault::ModelTimeout, 408, "ModelTimeoutException"),
        (Fault::ModelError, 424, "ModelErrorException"),
    ] {
        server.faults().push(fault);
        let err = client
            .converse()
            .model_id(MODEL)
            .messages(user("hi"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.raw_response().unwrap().status().as_u16(), status);
        assert_eq!(err.into_service_error().code(), Some(code));
    }
}

#[tokio::test]
async fn throttle_every_nth_request() {
    let mut faults = FaultConfig::default();
    faults.throttle_every = Some(2);
    let server = bedrock_fm_local::start_with(Config::new().faults(faults));
    let client = server.client();
    let mut results = Vec::new();
    for _ in 0..4 {
        results.push(
            client
                .converse()
                .model_id(MODEL)
                .messages(user("hi"))
                .send()
                .await
                .is_ok(),
        );
    }
    assert_eq!(results, vec![true, false, true, false]);
}

#[tokio::test]
async fn stream_error_in_the_middle_keeps_the_partial_output() {
    let server = bedrock_fm_local::start();
    server.faults().push(Fault::StreamErrorAfter(3));
    let mut out = server
        .client()
        .converse_stream()
        .model_id(MODEL)
        .messages(user("one two three four five six"))
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    let err = loop {
        match out.stream.recv().await {
            Ok(Some(ConverseStreamOutput::ContentBlockDelta(d))) => {
                if let Some(ContentBlockDelta::Text(t)) = d.delta() {
                    text.push_str(t);
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => panic!("the stream ended without the injected error"),
            Err(e) => break e,
        }
    };
    assert_eq!(text, "one two three");
    let svc = err.into_service_error();
    assert!(svc.is_model_stream_error_exception(), "{svc:?}");
    assert_eq!(
        svc.message(),
        Some("An error occurred while streaming the response. Retry your request.")
    );
}

#[tokio::test]
async fn malformed_requests_are_validation_exceptions() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    // Out of range for the service model (temperature max 1).
    let err = client
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .inference_config(InferenceConfiguration::builder().temperature(1.5).build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 400);
    let svc = err.into_service_error();
    assert!(svc.is_validation_exception());
    assert_eq!(
        svc.message(),
        Some(
            "1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1"
        )
    );
    // A conversation rule.
    let err = client
        .converse()
        .model_id(MODEL)
        .messages(user("a"))
        .messages(user("b"))
        .send()
        .await
        .unwrap_err();
    let svc = err.into_service_error();
    assert!(svc.is_validation_exception());
    assert!(
        svc.message()
            .unwrap()
            .starts_with("A conversation must alternate between user and assistant roles.")
    );
    // A document that is not an object.
    let err = client
        .converse()
        .model_id(MODEL)
        .messages(user("a"))
        .additional_model_request_fields(Document::from("top_k=5"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().message(),
        Some(
            "The format of the value at additionalModelRequestFields is invalid. Provide a json object for the field and try again."
        )
    );
    // An unknown model.
    let err = client
        .converse()
        .model_id("acme.unknown-model-v1:0")
        .messages(user("a"))
        .send()
        .await
        .unwrap_err();
    let svc = err.into_service_error();
    assert!(svc.is_validation_exception());
    assert_eq!(
        svc.message(),
        Some("The provided model identifier is invalid.")
    );
    // A profile the catalog does not list for the model.
    let err = client
        .converse()
        .model_id("xx.anthropic.claude-3-haiku-20240307-v1:0")
        .messages(user("a"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().message(),
        Some("The provided model identifier is invalid.")
    );
}

#[tokio::test]
async fn arns_and_count_tokens() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0";
    let out = client
        .converse()
        .model_id(arn)
        .messages(user("hi there"))
        .send()
        .await
        .unwrap();
    assert!(reply_text(&out).starts_with("hi there."));
    let req = server.last_request().unwrap();
    assert!(req.path.contains("arn%3Aaws%3Abedrock"), "{}", req.path);
    assert_eq!(req.model_id.as_deref(), Some(arn));

    let n = client
        .count_tokens()
        .model_id("anthropic.claude-3-haiku-20240307-v1:0")
        .input(aws_sdk_bedrockruntime::types::CountTokensInput::Converse(
            aws_sdk_bedrockruntime::types::ConverseTokensRequest::builder()
                .messages(user("one two three"))
                .build(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(n.input_tokens(), 3);
}

#[tokio::test]
async fn request_log_proves_no_request_was_sent() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    // A request the SDK refuses to build never reaches the server.
    let err = client.converse().send().await.unwrap_err();
    assert!(err.raw_response().is_none());
    assert_eq!(server.request_count(), 0);
    assert!(server.last_request().is_none());
    client
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(server.request_count(), 1);
    server.requests().clear();
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn dropped_handle_stops_the_server() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let endpoint = server.endpoint();
    client
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .unwrap();
    drop(server);
    let err = client
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .unwrap_err();
    assert!(err.raw_response().is_none(), "{endpoint} still answers");
}

#[tokio::test]
async fn sdk_config_works_with_client_new() {
    let server = bedrock_fm_local::start();
    let client = aws_sdk_bedrockruntime::Client::new(&server.sdk_config());
    let out = client
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .unwrap();
    assert!(!reply_text(&out).is_empty());
}

#[tokio::test]
async fn latency_fault_delays_the_answer() {
    let server = bedrock_fm_local::start();
    server
        .faults()
        .push(Fault::Latency(Duration::from_millis(200)));
    let started = std::time::Instant::now();
    server
        .client()
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .unwrap();
    // A lower bound only: the server must not answer before the injected latency.
    assert!(started.elapsed() >= Duration::from_millis(200));
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
