//! Text generation against bedrock-fm-local over real HTTP: every check looks at the request
//! that went on the wire (path and JSON body, against the family's documented names) and at
//! the typed result.

use bedrock_fm::catalog::Model;
use bedrock_fm::text::TextModel;
use bedrock_fm::{
    AnyTextModel, Api, CallOptions, Claude3, Client, CommandR, ErrorKind, RetryPolicy, StopReason,
    Titan,
};
use bedrock_fm_local::{Fault, LocalServer};
use serde_json::{Value, json};
use std::time::Duration;

const TITAN: &str = "amazon.titan-text-premier-v1:0";
const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn setup() -> (LocalServer, Client) {
    let server = bedrock_fm_local::start();
    let retry = RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5));
    let client = Client::from_sdk_config(&server.sdk_config()).with_retry_policy(retry);
    (server, client)
}

fn last_body(server: &LocalServer) -> Value {
    let record = server.last_request().expect("a request reached the server");
    serde_json::from_slice(&record.body).expect("a JSON body")
}

#[tokio::test]
async fn an_explicit_zero_temperature_is_sent_on_both_apis() {
    let (server, client) = setup();
    let titan = Titan::builder(&client, TITAN)
        .temperature(0.0)
        .build()
        .unwrap();
    let out = titan.generate("Name three rivers").await.unwrap();
    assert!(!out[0].is_empty());
    // Source: textGenerationConfig.temperature, model-parameters-titan-text.html
    assert_eq!(
        last_body(&server)["textGenerationConfig"]["temperature"],
        json!(0.0)
    );

    let titan = Titan::builder(&client, TITAN)
        .temperature(0.0)
        .api(Api::Converse)
        .build()
        .unwrap();
    titan.generate("Name three rivers").await.unwrap();
    // Source: Converse inferenceConfig.temperature, bedrock-runtime service model.
    assert_eq!(
        last_body(&server)["inferenceConfig"]["temperature"],
        json!(0.0)
    );
}

#[tokio::test]
async fn builder_stop_words_are_sent_on_both_apis() {
    let (server, client) = setup();
    let claude = Claude3::builder(&client, HAIKU)
        .stop_words(["END"])
        .build()
        .unwrap();
    claude.generate("Say hello").await.unwrap();
    // Source: stop_sequences, model-parameters-anthropic-claude-messages-request-response.html
    assert_eq!(last_body(&server)["stop_sequences"], json!(["END"]));

    let claude = Claude3::builder(&client, HAIKU)
        .stop_words(["END"])
        .api(Api::Converse)
        .build()
        .unwrap();
    claude.generate("Say hello").await.unwrap();
    assert_eq!(
        last_body(&server)["inferenceConfig"]["stopSequences"],
        json!(["END"])
    );
}

/// One model per text family with the documented wire names of temperature, top-p and max
/// tokens in its native body (JSON pointers), from each family's model-parameters page.
const WIRE_NAMES: &[(&str, [&str; 3])] = &[
    (
        TITAN,
        [
            "/textGenerationConfig/temperature",
            "/textGenerationConfig/topP",
            "/textGenerationConfig/maxTokenCount",
        ],
    ),
    (
        "anthropic.claude-v2:1",
        ["/temperature", "/top_p", "/max_tokens_to_sample"],
    ),
    (HAIKU, ["/temperature", "/top_p", "/max_tokens"]),
    (
        "meta.llama2-13b-chat-v1",
        ["/temperature", "/top_p", "/max_gen_len"],
    ),
    (
        "meta.llama3-8b-instruct-v1:0",
        ["/temperature", "/top_p", "/max_gen_len"],
    ),
    (
        "mistral.mistral-7b-instruct-v0:2",
        ["/temperature", "/top_p", "/max_tokens"],
    ),
    (
        "mistral.mistral-large-2407-v1:0",
        ["/temperature", "/top_p", "/max_tokens"],
    ),
    (
        "cohere.command-text-v14",
        ["/temperature", "/p", "/max_tokens"],
    ),
    (
        "cohere.command-r-v1:0",
        ["/temperature", "/p", "/max_tokens"],
    ),
    ("ai21.j2-ultra-v1", ["/temperature", "/topP", "/maxTokens"]),
    (
        "ai21.jamba-1-5-mini-v1:0",
        ["/temperature", "/top_p", "/max_tokens"],
    ),
    (
        "amazon.nova-lite-v1:0",
        [
            "/inferenceConfig/temperature",
            "/inferenceConfig/topP",
            "/inferenceConfig/maxTokens",
        ],
    ),
];

#[tokio::test]
async fn every_text_family_generates_over_invoke_model_with_its_own_wire_names() {
    let (server, client) = setup();
    for (id, [temperature, top_p, max_tokens]) in WIRE_NAMES {
        let model = AnyTextModel::builder(&client, *id)
            .temperature(0.5)
            .top_p(0.75)
            .max_tokens(40)
            .build()
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let details = model
            .generate_details("Tell me about rivers and lakes")
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let body = last_body(&server);
        assert_eq!(body.pointer(temperature), Some(&json!(0.5)), "{id}: {body}");
        assert_eq!(body.pointer(top_p), Some(&json!(0.75)), "{id}: {body}");
        assert_eq!(body.pointer(max_tokens), Some(&json!(40)), "{id}: {body}");
        assert_eq!(details.body, body, "{id}: details.body is the body as sent");
        assert!(!details.output.is_empty(), "{id}: no text");
        assert!(details.response.is_some(), "{id}: no typed response");
        assert!(details.stop_reason.is_some(), "{id}: no stop reason");
        let record = server.last_request().unwrap();
        assert_eq!(
            details.request_id.as_deref(),
            Some(record.request_id.as_str()),
            "{id}"
        );
        assert_eq!(
            record.path,
            format!("/model/{}/invoke", id.replace(':', "%3A")),
            "{id}"
        );
    }
}

#[tokio::test]
async fn every_converse_capable_text_family_generates_over_converse() {
    let (server, client) = setup();
    for (id, _) in WIRE_NAMES {
        let model: Model = id.parse().unwrap();
        if !model.info().converse {
            continue;
        }
        let m = AnyTextModel::builder(&client, *id)
            .api(Api::Converse)
            .max_tokens(30)
            .build()
            .unwrap();
        let details = m
            .generate_details("Tell me about rivers")
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(!details.output.is_empty(), "{id}");
        assert_eq!(details.api, Api::Converse);
        assert!(
            details.usage.input_tokens.unwrap() > 0 && details.usage.output_tokens.unwrap() > 0,
            "{id}"
        );
        assert_eq!(
            last_body(&server)["inferenceConfig"]["maxTokens"],
            json!(30),
            "{id}"
        );
        assert!(server.last_request().unwrap().path.ends_with("/converse"));
    }
}

#[tokio::test]
async fn call_level_extra_args_merge_with_builder_ones_call_winning() {
    let (server, client) = setup();
    let model = CommandR::builder(&client, "cohere.command-r-v1:0")
        .extra_args(json!({"return_prompt": true, "search_queries_only": false}))
        .build()
        .unwrap();
    let call = CallOptions::new().extra_args(json!({"return_prompt": false}));
    model.generate_with("Where is Lyon?", &call).await.unwrap();
    let body = last_body(&server);
    // Source: return_prompt and search_queries_only, model-parameters-cohere-command-r-plus.html
    assert_eq!(body["return_prompt"], json!(false));
    assert_eq!(body["search_queries_only"], json!(false));
}

#[tokio::test]
async fn per_call_options_override_builder_defaults_key_by_key() {
    let (server, client) = setup();
    let titan = Titan::builder(&client, TITAN)
        .temperature(0.2)
        .top_p(0.5)
        .build()
        .unwrap();
    titan
        .generate_with("Hi there", &CallOptions::new().temperature(0.9))
        .await
        .unwrap();
    let config = &last_body(&server)["textGenerationConfig"];
    assert_eq!(
        (config["temperature"].clone(), config["topP"].clone()),
        (json!(0.9), json!(0.5))
    );
}

#[tokio::test]
async fn an_extra_args_key_naming_a_typed_parameter_is_an_error_naming_the_setter() {
    let (server, client) = setup();
    let err = Titan::builder(&client, TITAN)
        .extra_args(json!({"temperature": 0.3}))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("`.temperature(...)`"), "{err}");
    let titan = Titan::builder(&client, TITAN).build().unwrap();
    let call = CallOptions::new().extra_args(json!({"textGenerationConfig": {"topP": 0.3}}));
    let err = titan.generate_with("Hi", &call).await.unwrap_err();
    assert!(err.to_string().contains("`.top_p(...)`"), "{err}");
    let call = CallOptions::new().extra_args(json!({"maxTokenCount": 3}));
    let err = titan.generate_with("Hi", &call).await.unwrap_err();
    assert!(err.to_string().contains("`.max_tokens(...)`"), "{err}");
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

async fn collect(
    model: &TextModel<impl bedrock_fm::text_families::TextFamily>,
) -> (Vec<String>, bedrock_fm::Details<()>) {
    let mut stream = model
        .generate_stream("Describe the rivers and lakes of Europe in detail")
        .await
        .unwrap();
    let mut deltas = Vec::new();
    while let Some(delta) = stream.next().await {
        deltas.push(delta.unwrap());
    }
    (deltas, stream.details().await.unwrap())
}

#[tokio::test]
async fn streams_yield_non_empty_deltas_and_details_on_both_apis() {
    let (_server, client) = setup();
    for api in [Api::InvokeModel, Api::Converse] {
        let claude = Claude3::builder(&client, HAIKU)
            .api(api)
            .max_tokens(60)
            .build()
            .unwrap();
        let (deltas, details) = collect(&claude).await;
        assert!(deltas.len() > 1, "{api:?}: {deltas:?}");
        assert!(
            deltas.iter().all(|d| !d.is_empty()),
            "{api:?}: an empty delta"
        );
        assert_eq!(deltas.concat(), details.output);
        assert!(details.time_to_first_token.unwrap() <= details.time_to_last_token.unwrap());
        assert!(details.usage.output_tokens.is_some(), "{api:?}: usage");
        assert!(details.stop_reason.is_some(), "{api:?}: stop reason");
        let titan = Titan::builder(&client, TITAN).api(api).build().unwrap();
        let (deltas, _) = collect(&titan).await;
        assert!(!deltas.is_empty() && deltas.iter().all(|d| !d.is_empty()));
    }
}

#[tokio::test]
async fn an_exception_in_the_middle_of_a_stream_is_typed_and_keeps_the_partial_text() {
    let (server, client) = setup();
    let claude = Claude3::builder(&client, HAIKU)
        .max_tokens(200)
        .build()
        .unwrap();
    server.faults().push(Fault::StreamErrorAfter(4));
    let mut stream = claude
        .generate_stream("Describe the rivers and lakes of Europe in detail")
        .await
        .unwrap();
    let (received, err) =
        bedrock_fm_tests::read_until_error(&mut stream, "an injected stream error").await;
    assert_eq!(err.kind(), ErrorKind::ModelStreamError);
    assert!(!received.is_empty());
    assert_eq!(err.partial_output(), Some(received.as_str()));
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_and_then_succeeds() {
    let (server, client) = setup();
    let titan = Titan::builder(&client, TITAN).build().unwrap();
    server.faults().push(Fault::Throttle);
    server.faults().push(Fault::Throttle);
    let out = titan.generate("Hello").await.unwrap();
    assert!(!out[0].is_empty());
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn throttling_past_the_policy_is_a_throttling_error() {
    let (server, client) = setup();
    let client = client.with_retry_policy(RetryPolicy::none());
    let titan = Titan::builder(&client, TITAN).build().unwrap();
    server.faults().push(Fault::Throttle);
    let err = titan.generate("Hello").await.unwrap_err();
    assert!(err.is_throttling() && err.is_retryable());
    assert!(err.request_id().is_some());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_validation_error_is_not_retried() {
    let (server, client) = setup();
    let titan = Titan::builder(&client, TITAN).build().unwrap();
    // Not a typed parameter, so it reaches the server, which rejects the extraneous key.
    let call = CallOptions::new().extra_args(json!({"textGenerationConfig": {"bogus": 1}}));
    let err = titan.generate_with("Hello", &call).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert!(err.message().contains("bogus"), "{err}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn invalid_input_fails_before_any_request() {
    let (server, client) = setup();
    let cases: Vec<bedrock_fm::Error> = vec![
        Titan::builder(&client, TITAN)
            .temperature(1.5)
            .build()
            .unwrap_err(),
        Titan::builder(&client, HAIKU).build().unwrap_err(),
        Titan::builder(&client, "amazon.titan text")
            .build()
            .unwrap_err(),
        AnyTextModel::from_model_id(&client, "amazon.titan-embed-text-v2:0").unwrap_err(),
        Titan::builder(&client, TITAN)
            .max_tokens(100_000)
            .build()
            .unwrap_err(),
        Titan::builder(&client, TITAN)
            .build()
            .unwrap()
            .generate("  ")
            .await
            .unwrap_err(),
        AnyTextModel::from_model_id(
            &client,
            "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/x",
        )
        .unwrap_err(),
    ];
    let messages: Vec<String> = cases.iter().map(ToString::to_string).collect();
    for (err, msg) in cases.iter().zip(&messages) {
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{msg}");
    }
    assert!(
        messages[0].contains("temperature") && messages[0].contains("1.5"),
        "{}",
        messages[0]
    );
    assert!(messages[1].contains("Claude3"), "{}", messages[1]);
    assert!(messages[3].contains("embedding"), "{}", messages[3]);
    assert!(messages[4].contains("max_tokens"), "{}", messages[4]);
    assert!(messages[5].contains("prompt"), "{}", messages[5]);
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn profile_ids_and_arns_with_an_explicit_family_work() {
    let (server, client) = setup();
    let profile = format!("us.{HAIKU}");
    let m = AnyTextModel::from_model_id(&client, profile.as_str()).unwrap();
    assert!(matches!(m, AnyTextModel::Claude3(_)));
    m.generate("Hello").await.unwrap();
    assert_eq!(
        server.last_request().unwrap().model_id.as_deref(),
        Some(profile.as_str())
    );

    let arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{TITAN}");
    let titan = Titan::builder(&client, arn.as_str()).build().unwrap();
    assert!(!titan.generate("Hello").await.unwrap()[0].is_empty());
}

#[tokio::test]
async fn details_report_the_prompt_usage_and_a_typed_stop_reason() {
    let (_server, client) = setup();
    let titan = Titan::builder(&client, TITAN)
        .max_tokens(5)
        .build()
        .unwrap();
    let details = titan
        .generate_details("Describe the rivers and lakes of Europe in detail")
        .await
        .unwrap();
    assert_eq!(
        details.prompt,
        "Describe the rivers and lakes of Europe in detail"
    );
    assert_eq!(details.stop_reason, Some(StopReason::MaxTokens));
    assert_eq!(details.usage.output_tokens, Some(5));
    assert!(details.usage.input_tokens.unwrap() > 0);
    let response = details.response.unwrap();
    assert_eq!(response.results[0].output_text, details.output);
}

#[tokio::test]
async fn cohere_command_streams_ask_for_a_stream_in_the_body() {
    let (server, client) = setup();
    let command = bedrock_fm::Command::builder(&client, "cohere.command-text-v14")
        .build()
        .unwrap();
    let text = command
        .generate_stream("Hello there")
        .await
        .unwrap()
        .collect_text()
        .await
        .unwrap();
    assert!(!text.is_empty());
    // Source: "stream – (Required to support streaming)", model-parameters-cohere-command.html
    assert_eq!(last_body(&server)["stream"], json!(true));
    command.generate("Hello there").await.unwrap();
    assert!(
        last_body(&server).get("stream").is_none(),
        "not sent on InvokeModel"
    );
}

#[tokio::test]
async fn stream_usage_comes_from_the_invocation_metrics_when_the_chunks_carry_none() {
    let (_server, client) = setup();
    // Mistral's chunks carry text and stop reasons only; usage is in the last chunk's
    // `amazon-bedrock-invocationMetrics` (DESIGN.md, wire facts).
    let mistral = bedrock_fm::Mistral::builder(&client, "mistral.mistral-7b-instruct-v0:2")
        .build()
        .unwrap();
    let (_, details) = collect(&mistral).await;
    assert!(
        details.usage.input_tokens.unwrap() > 0 && details.usage.output_tokens.unwrap() > 0,
        "{:?}",
        details.usage
    );
}

#[tokio::test]
async fn a_service_error_keeps_the_sdk_error_as_its_source_with_status_and_code() {
    use std::error::Error as _;
    let (_server, client) = setup();
    // An ID Bedrock does not know: ValidationException, HTTP 400.
    let model = AnyTextModel::builder(&client, "acme.unknown-model-v1:0")
        .api(Api::Converse)
        .build()
        .unwrap();
    let err = model.generate("hi").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("ValidationException"));
    let service = err.source().expect("the service error");
    let sdk = service.source().expect("the SDK's error behind it");
    assert!(
        sdk.downcast_ref::<aws_sdk_bedrockruntime::error::SdkError<
            aws_sdk_bedrockruntime::operation::converse::ConverseError,
            aws_sdk_bedrockruntime::config::http::HttpResponse,
        >>()
        .is_some(),
        "{sdk:?}"
    );
}

#[tokio::test]
async fn parameters_set_by_name_reach_the_wire_and_unknown_names_list_the_family_s() {
    let (server, client) = setup();
    // Cohere Command R's `k` by name, on the family-neutral builder: checked at build().
    let model = AnyTextModel::builder(&client, "cohere.command-r-v1:0")
        .param_named("top_k", json!(40))
        .param_named("temperature", json!(0.0))
        .build()
        .unwrap();
    model.generate("Name three rivers").await.unwrap();
    let record = server.last_request().unwrap();
    let body: Value = serde_json::from_slice(&record.body).unwrap();
    assert_eq!(body["k"], 40);
    assert_eq!(body["temperature"], 0.0);
    let e = AnyTextModel::builder(&client, TITAN)
        .param_named("top_k", json!(40))
        .build()
        .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("no parameter \"top_k\""), "{msg}");
    assert!(
        msg.contains("temperature, top_p, max_tokens, stop_words"),
        "{msg}"
    );
    // A value of the wrong type is refused like the typed setter's would be.
    let e = CommandR::builder(&client, "cohere.command-r-v1:0")
        .param_named("top_k", json!("forty"))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert_eq!(server.request_count(), 1);
}
