//! Typed native bodies sent as they are with `Client::invoke` / `Client::invoke_stream`,
//! against bedrock-fm-local over real HTTP: the documented request (copied from its AWS
//! page, in tests/fixtures/aws) goes on the wire unchanged, and the family's typed response
//! and chunks come back. Also the generated typed parameters: merged field by field, and
//! closed value sets as enums.

use bedrock_fm::bodies::claude_messages::{
    ClaudeMessagesRequest, ClaudeMessagesStreamChunk, ClaudeMessagesStreamEventType,
};
use bedrock_fm::bodies::command::CommandReturnLikelihoods;
use bedrock_fm::bodies::titan_embed_text::TitanEmbedRequest;
use bedrock_fm::bodies::titan_text::TitanTextRequest;
use bedrock_fm::{
    Claude3Options, Claude3Params, Client, Command, CommandOptions, ErrorKind, Limits, RetryPolicy,
    Titan,
};
use bedrock_fm_local::LocalServer;
use serde_json::{Value, json};
use std::time::Duration;

const TITAN: &str = "amazon.titan-text-premier-v1:0";
const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const COMMAND: &str = "cohere.command-text-v14";

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

/// A documented request body of `family`'s fixture, by example name.
fn documented(family: &str, name: &str) -> Value {
    let path = format!("{}/fixtures/aws/{family}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the fixture exists");
    let fixture: Value = serde_json::from_str(&text).expect("the fixture is JSON");
    fixture["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("{family}: no example {name}"))["body"]
        .clone()
}

// Source: "Code examples", Titan Text Premier, model-parameters-titan-text.html.
#[tokio::test]
async fn a_documented_titan_request_is_sent_as_it_is_and_the_typed_response_comes_back() {
    let (server, client) = setup();
    let body = documented("titan_text", "premier_meeting_transcript");
    let request: TitanTextRequest = serde_json::from_value(body.clone()).unwrap();
    let reply = client.invoke(TITAN, &request).await.unwrap();
    assert_eq!(last_body(&server), body, "the documented body, unchanged");
    let path = server.last_request().unwrap().path;
    // The SDK percent-encodes the model ID in the URI label (`:` as `%3A`).
    assert_eq!(path, format!("/model/{}/invoke", TITAN.replace(':', "%3A")));
    assert!(!reply.body.results[0].output_text.is_empty());
    assert!(reply.body.input_text_token_count > 0);
    assert!(reply.request_id.is_some());
}

// Source: the "Multimodal prompts" request, model-parameters-anthropic-claude-messages.html.
#[tokio::test]
async fn a_documented_claude_request_streams_typed_chunks_ending_with_message_stop() {
    let (server, client) = setup();
    let mut body = documented("claude_messages", "multimodal_prompt");
    // The page's image data is a truncated placeholder; a text-only turn keeps the rest.
    body["messages"][0]["content"] = json!([{"type": "text", "text": "What's in a river?"}]);
    let request: ClaudeMessagesRequest = serde_json::from_value(body.clone()).unwrap();
    let mut stream = client.invoke_stream(HAIKU, &request).await.unwrap();
    let mut kinds = Vec::new();
    let mut text = String::new();
    while let Some(chunk) = stream.next().await.unwrap() {
        let chunk: ClaudeMessagesStreamChunk = chunk;
        if let Some(t) = chunk.delta.as_ref().and_then(|d| d.text.as_deref()) {
            text.push_str(t);
        }
        kinds.push(chunk.kind);
    }
    assert_eq!(last_body(&server), body);
    let path = server.last_request().unwrap().path;
    assert_eq!(
        path,
        format!(
            "/model/{}/invoke-with-response-stream",
            HAIKU.replace(':', "%3A")
        )
    );
    assert_eq!(
        kinds.first(),
        Some(&ClaudeMessagesStreamEventType::MessageStart)
    );
    assert_eq!(
        kinds.last(),
        Some(&ClaudeMessagesStreamEventType::MessageStop)
    );
    assert!(!text.is_empty());
}

// Source: "Example code", Titan Text Embeddings V2 tab, model-parameters-titan-embed-text.html.
#[tokio::test]
async fn an_embedding_request_is_typed_too() {
    let (server, client) = setup();
    let body = documented("titan_embed_text", "v2_binary_embedding");
    let request: TitanEmbedRequest = serde_json::from_value(body.clone()).unwrap();
    let reply = client
        .invoke("amazon.titan-embed-text-v2:0", &request)
        .await
        .unwrap();
    assert_eq!(last_body(&server), body);
    assert!(reply.body.input_text_token_count > 0);
}

#[tokio::test]
async fn a_request_of_one_family_for_a_model_of_another_fails_before_any_request() {
    let (server, client) = setup();
    let body = documented("titan_text", "premier_meeting_transcript");
    let request: TitanTextRequest = serde_json::from_value(body).unwrap();
    let err = client.invoke(HAIKU, &request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("Claude"), "{err}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn typed_parameters_merge_field_by_field_builder_then_call() {
    let (server, client) = setup();
    let mut params = Claude3Params::default();
    params.top_k = Some(40);
    let claude = bedrock_fm::Claude3::builder(&client, HAIKU)
        .temperature(0.2)
        .max_tokens(100)
        .build()
        .unwrap();
    let call = Claude3Options::new().with_params(params).temperature(0.7);
    claude.generate_with("Hello", &call).await.unwrap();
    let body = last_body(&server);
    // Per call: temperature 0.7 and top_k 40; from the builder: max_tokens 100.
    assert_eq!(body["temperature"], json!(0.7));
    assert_eq!(body["top_k"], json!(40));
    assert_eq!(body["max_tokens"], json!(100));
    assert_eq!(call.params().top_k, Some(40));
}

// Source: return_likelihoods "GENERATION, ALL, or NONE", model-parameters-cohere-command.html.
#[tokio::test]
async fn a_closed_value_set_is_an_enum_sent_as_its_wire_value() {
    let (server, client) = setup();
    let command = Command::builder(&client, COMMAND)
        .return_likelihoods(CommandReturnLikelihoods::Generation)
        .build()
        .unwrap();
    command.generate("Hello").await.unwrap();
    assert_eq!(
        last_body(&server)["return_likelihoods"],
        json!("GENERATION")
    );
    // A value outside the catalog's set is refused before the network by default...
    let call = CommandOptions::new().return_likelihoods(CommandReturnLikelihoods::from("SOME"));
    let before = server.request_count();
    let err = command.generate_with("Hello", &call).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("SOME"), "{err}");
    assert_eq!(server.request_count(), before);
    // ...and still sendable with the catalog's limits off: the service judges it.
    let open = client.clone().with_limits(Limits::ServiceModelOnly);
    let command = Command::builder(&open, COMMAND).build().unwrap();
    let err = command.generate_with("Hello", &call).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert_eq!(server.request_count(), before + 1);
    assert_eq!(last_body(&server)["return_likelihoods"], json!("SOME"));
    let titan = Titan::builder(&client, TITAN).build().unwrap();
    assert!(titan.defaults().params().common.temperature.is_none());
}

// Source: the request fields of model-parameters-deepseek.html (`prompt`, `max_tokens`,
// `stop`); a family added as one models.toml entry, one SDK file and one server codec.
#[tokio::test]
async fn the_deepseek_wrapper_sends_the_documented_names_through_its_us_profile() {
    let (server, client) = setup();
    let deepseek = bedrock_fm::DeepSeek::builder(&client, "us.deepseek.r1-v1:0")
        .max_tokens(64)
        .stop_words(["\n\n"])
        .build()
        .unwrap();
    let details = deepseek
        .generate_details("Why is the sky blue?")
        .await
        .unwrap();
    assert_eq!(
        last_body(&server),
        json!({"prompt": "Why is the sky blue?", "max_tokens": 64, "stop": ["\n\n"]})
    );
    assert!(!details.output.is_empty());
    let response = details.response.unwrap();
    assert!(!response.choices[0].text.is_empty());
    // The bare ID is profile-only, refused before the network.
    let before = server.request_count();
    let bare = bedrock_fm::DeepSeek::builder(&client, "deepseek.r1-v1:0").build();
    assert!(bare.is_err());
    assert_eq!(server.request_count(), before);
}
