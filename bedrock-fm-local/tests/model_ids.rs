//! Model IDs answered like Bedrock, over real HTTP with `aws-sdk-bedrockruntime`: unknown IDs,
//! profile-only and provisioned-only models by their bare IDs (on every runtime operation),
//! the same models through their inference profiles, registered models and application
//! inference profiles; and embeddings that follow character n-gram overlap.

use aws_sdk_bedrockruntime::Client;
use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ConverseStreamOutput, ConverseTokensRequest, CountTokensInput,
    Message, Tool, ToolChoice, ToolConfiguration, ToolInputSchema, ToolSpecification,
};
use aws_smithy_types::Document;
use bedrock_fm::catalog::Family;
use bedrock_fm_local::Config;
use serde_json::{Value, json};

/// A profile-only model (inferenceTypesSupported `INFERENCE_PROFILE`; profiles us, eu, apac,
/// us-gov).
const SONNET37: &str = "anthropic.claude-3-7-sonnet-20250219-v1:0";
/// A provisioned-only model.
const TITAN_8K: &str = "amazon.titan-text-express-v1:0:8k";
const CLAUDE_BODY: &str = r#"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
    "messages": [{"role": "user", "content": [{"type": "text", "text": "Name a river"}]}]}"#;

fn user(text: &str) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(text.into()))
        .build()
        .unwrap()
}

/// The error code, message and HTTP status of each runtime operation called with `model`
/// (`Ok` for an operation that succeeded).
async fn every_operation(client: &Client, model: &str) -> Vec<Result<(), (String, String, u16)>> {
    fn meta<E: ProvideErrorMetadata>(
        e: aws_sdk_bedrockruntime::error::SdkError<
            E,
            aws_sdk_bedrockruntime::config::http::HttpResponse,
        >,
    ) -> (String, String, u16) {
        let status = e.raw_response().map_or(0, |r| r.status().as_u16());
        (
            e.code().unwrap_or("").to_owned(),
            e.message().unwrap_or("").to_owned(),
            status,
        )
    }
    let body = || Blob::new(CLAUDE_BODY.as_bytes().to_vec());
    let mut out = Vec::new();
    let r = client
        .invoke_model()
        .model_id(model)
        .body(body())
        .send()
        .await;
    out.push(r.map(|_| ()).map_err(meta));
    let r = client
        .invoke_model_with_response_stream()
        .model_id(model)
        .body(body())
        .send()
        .await;
    out.push(r.map(|_| ()).map_err(meta));
    let r = client
        .converse()
        .model_id(model)
        .messages(user("Name a river"))
        .send()
        .await;
    out.push(r.map(|_| ()).map_err(meta));
    let r = client
        .converse_stream()
        .model_id(model)
        .messages(user("Name a river"))
        .send()
        .await;
    out.push(r.map(|_| ()).map_err(meta));
    let r = client
        .count_tokens()
        .model_id(model)
        .input(CountTokensInput::Converse(
            ConverseTokensRequest::builder()
                .messages(user("Name a river"))
                .build(),
        ))
        .send()
        .await;
    out.push(r.map(|_| ()).map_err(meta));
    out
}

fn validation(message: &str) -> Result<(), (String, String, u16)> {
    Err(("ValidationException".into(), message.into(), 400))
}

#[tokio::test]
async fn an_unknown_model_id_is_invalid_on_every_operation() {
    let server = bedrock_fm_local::start();
    for model in ["acme.not-a-model-v1:0", "us.acme.not-a-model-v1:0"] {
        let results = every_operation(&server.client(), model).await;
        assert_eq!(
            results,
            vec![validation("The provided model identifier is invalid."); 5],
            "{model}"
        );
    }
}

/// Bedrock's message for a profile-only model called by its bare ID, with its typographic
/// apostrophe and the ID as sent: recorded in anthropic-sdk-python issue #894 (InvokeModel),
/// terricain/aioboto3 issue #352 (InvokeModelWithResponseStream), aws-samples
/// bedrock-multi-agents-collaboration-workshop issue #21 (Converse) and aws-samples
/// sample-getting-started-with-strands-agents-course issue #1 (ConverseStream).
#[tokio::test]
async fn a_profile_only_model_by_its_bare_id_or_arn_needs_an_inference_profile() {
    let server = bedrock_fm_local::start();
    let arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{SONNET37}");
    for model in [SONNET37, arn.as_str()] {
        let expected = format!(
            "Invocation of model ID {model} with on-demand throughput isn\u{2019}t supported. \
             Retry your request with the ID or ARN of an inference profile that contains this model."
        );
        let results = every_operation(&server.client(), model).await;
        assert_eq!(results, vec![validation(&expected); 5], "{model}");
    }
}

#[tokio::test]
async fn the_same_model_through_its_inference_profiles_works() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let profile_arn =
        format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.{SONNET37}");
    for model in [
        format!("us.{SONNET37}"),
        format!("eu.{SONNET37}"),
        format!("us-gov.{SONNET37}"),
        profile_arn,
    ] {
        let results = every_operation(&client, &model).await;
        assert_eq!(results, vec![Ok(()); 5], "{model}");
    }
    // A geography the model is not offered in is no profile at all.
    let results = every_operation(&client, &format!("jp.{SONNET37}")).await;
    assert_eq!(
        results,
        vec![validation("The provided model identifier is invalid."); 5]
    );
}

/// Bedrock's message for a provisioned-only model by its bare ID, recorded in
/// mlcommons/modelbench issue #1654 (Converse on `amazon.nova-2-lite-v1:0:256k`).
#[tokio::test]
async fn a_provisioned_only_model_by_its_bare_id_needs_provisioned_throughput() {
    let server = bedrock_fm_local::start();
    for model in [TITAN_8K, "amazon.nova-2-lite-v1:0:256k"] {
        let results = every_operation(&server.client(), model).await;
        assert_eq!(
            results,
            vec![validation("The provided model doesn't support on-demand throughput."); 5],
            "{model}"
        );
    }
    // The on-demand sibling works.
    let out = server
        .client()
        .converse()
        .model_id("amazon.titan-text-express-v1")
        .messages(user("hi"))
        .send()
        .await;
    assert!(out.is_ok(), "{out:?}");
}

fn registered_server() -> bedrock_fm_local::LocalServer {
    bedrock_fm_local::start_with(
        Config::new()
            .register_model("acme.chat-v1", Family::ClaudeMessages)
            .register_model("acme.embed-v1", Family::TitanEmbedText)
            .application_profile("teamprofile1", "acme.chat-v1")
            .application_profile("teamprofile2", format!("us.{SONNET37}")),
    )
}

#[tokio::test]
async fn a_registered_text_model_serves_invoke_model_and_converse_with_tools_and_streams() {
    let server = registered_server();
    let client = server.client();
    assert_eq!(
        every_operation(&client, "acme.chat-v1").await,
        vec![Ok(()); 5]
    );

    // InvokeModel answers with the family's (Claude Messages) response JSON.
    let out = client
        .invoke_model()
        .model_id("acme.chat-v1")
        .body(Blob::new(CLAUDE_BODY.as_bytes().to_vec()))
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["type"], "message");
    assert!(
        v["content"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Name a river")
    );
    let problems = Family::ClaudeMessages.response_spec().validate(&v);
    assert!(problems.is_empty(), "{problems:?}");

    // Converse with a forced tool call.
    let schema = Document::Object(
        [
            ("type".to_owned(), Document::String("object".into())),
            (
                "properties".to_owned(),
                Document::Object(
                    [(
                        "city".to_owned(),
                        Document::Object(
                            [("type".to_owned(), Document::String("string".into()))].into(),
                        ),
                    )]
                    .into(),
                ),
            ),
            (
                "required".to_owned(),
                Document::Array(vec![Document::String("city".into())]),
            ),
        ]
        .into(),
    );
    let tools = ToolConfiguration::builder()
        .tools(Tool::ToolSpec(
            ToolSpecification::builder()
                .name("weather")
                .input_schema(ToolInputSchema::Json(schema))
                .build()
                .unwrap(),
        ))
        .tool_choice(ToolChoice::Any(
            aws_sdk_bedrockruntime::types::AnyToolChoice::builder().build(),
        ))
        .build()
        .unwrap();
    let out = client
        .converse()
        .model_id("acme.chat-v1")
        .messages(user("Weather in Porto?"))
        .tool_config(tools.clone())
        .send()
        .await
        .unwrap();
    let message = out.output().unwrap().as_message().unwrap();
    let call = message
        .content()
        .iter()
        .find_map(|b| b.as_tool_use().ok())
        .expect("a tool call");
    assert_eq!(call.name(), "weather");
    assert!(call.input().as_object().unwrap().contains_key("city"));

    // ConverseStream streams text deltas.
    let mut stream = client
        .converse_stream()
        .model_id("acme.chat-v1")
        .messages(user("Tell me about the Douro"))
        .send()
        .await
        .unwrap()
        .stream;
    let mut text = String::new();
    while let Some(event) = stream.recv().await.unwrap() {
        if let ConverseStreamOutput::ContentBlockDelta(d) = event
            && let Some(delta) = d.delta()
            && let Ok(t) = delta.as_text()
        {
            text.push_str(t);
        }
    }
    assert!(text.starts_with("Tell me about the Douro"), "{text}");

    // Text-only input: an image is refused.
    let image = ContentBlock::Image(
        aws_sdk_bedrockruntime::types::ImageBlock::builder()
            .format(aws_sdk_bedrockruntime::types::ImageFormat::Png)
            .source(aws_sdk_bedrockruntime::types::ImageSource::Bytes(
                Blob::new(b"\x89PNG\r\n\x1a\n".to_vec()),
            ))
            .build()
            .unwrap(),
    );
    let err = client
        .converse()
        .model_id("acme.chat-v1")
        .messages(
            Message::builder()
                .role(ConversationRole::User)
                .content(image)
                .content(ContentBlock::Text("What is this?".into()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
}

#[tokio::test]
async fn a_registered_embedding_model_uses_its_family_codec() {
    let server = registered_server();
    let out = server
        .client()
        .invoke_model()
        .model_id("acme.embed-v1")
        .body(Blob::new(
            serde_json::to_vec(&json!({"inputText": "river", "dimensions": 256})).unwrap(),
        ))
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["embedding"].as_array().unwrap().len(), 256);
    let problems = Family::TitanEmbedText.response_spec().validate(&v);
    assert!(problems.is_empty(), "{problems:?}");
    // Unregistered on another server.
    let plain = bedrock_fm_local::start();
    let results = every_operation(&plain.client(), "acme.embed-v1").await;
    assert_eq!(
        results[0],
        validation("The provided model identifier is invalid.")
    );
}

#[tokio::test]
async fn application_inference_profiles_are_invokable_by_their_arn() {
    let server = registered_server();
    let client = server.client();
    let arn = |id: &str| {
        format!("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/{id}")
    };
    for id in ["teamprofile1", "teamprofile2"] {
        assert_eq!(
            every_operation(&client, &arn(id)).await,
            vec![Ok(()); 5],
            "{id}"
        );
    }
    let req = server.last_request().unwrap();
    assert_eq!(req.model_id.as_deref(), Some(arn("teamprofile2").as_str()));
    assert!(
        req.path
            .contains("application-inference-profile%2Fteamprofile2"),
        "{}",
        req.path
    );
    // The profile's model answers: a Claude Messages body through a Claude profile.
    let out = client
        .invoke_model()
        .model_id(arn("teamprofile2"))
        .body(Blob::new(CLAUDE_BODY.as_bytes().to_vec()))
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["model"], "claude-3-7-sonnet-20250219");
    assert_eq!(
        every_operation(&client, &arn("nosuchprofile")).await,
        vec![validation("The provided model identifier is invalid."); 5]
    );
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// Local embeddings follow character trigram overlap: "river" and "rivers" are close,
/// "river" and "lyon" are not; the requested dimensions and normalisation hold.
#[tokio::test]
async fn embeddings_follow_character_ngram_overlap() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let embed = |text: &'static str| {
        let client = client.clone();
        async move {
            let body = json!({"inputText": text, "dimensions": 512, "normalize": true});
            let out = client
                .invoke_model()
                .model_id("amazon.titan-embed-text-v2:0")
                .body(Blob::new(serde_json::to_vec(&body).unwrap()))
                .send()
                .await
                .unwrap();
            let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
            v["embedding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect::<Vec<f64>>()
        }
    };
    let river = embed("river").await;
    let rivers = embed("rivers").await;
    let lyon = embed("lyon").await;
    assert_eq!(river.len(), 512);
    let norm: f64 = river.iter().map(|x| x * x).sum::<f64>().sqrt();
    assert!((norm - 1.0).abs() < 1e-3, "{norm}");
    let close = cosine(&river, &rivers);
    let far = cosine(&river, &lyon);
    assert!(close > 0.6, "{close}");
    assert!(close - far > 0.5, "river~rivers {close}, river~lyon {far}");
    assert_eq!(river, embed("river").await);
}
