//! The catalog informs and never forbids: model IDs the catalog does not know are sent (over
//! Converse with any wrapper, over InvokeModel with a family), profile-only models are refused
//! by their bare ID before the network (or routed through a profile when the client opts in),
//! limits name the AWS page they come from, and a client can keep only the service model's
//! own constraints. Every check looks at what reached the local server.

use bedrock_fm::catalog::Family;
use bedrock_fm::{
    AnyTextModel, Api, Claude3, Client, ConverseModel, CrossRegion, ErrorKind, Limits, Nova,
    RetryPolicy, Titan,
};
use bedrock_fm_local::LocalServer;
use serde_json::Value;
use std::time::Duration;

/// Claude 3.7 Sonnet is offered only through inference profiles (`us`, `eu`, `apac`,
/// `us-gov`): https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
const SONNET_3_7: &str = "anthropic.claude-3-7-sonnet-20250219-v1:0";

fn setup() -> (LocalServer, Client) {
    let server = bedrock_fm_local::start();
    let retry = RetryPolicy::default()
        .max_attempts(1)
        .initial_delay(Duration::from_millis(1));
    let client = Client::from_sdk_config(&server.sdk_config()).with_retry_policy(retry);
    (server, client)
}

fn last_body(server: &LocalServer) -> Value {
    let record = server.last_request().expect("a request reached the server");
    serde_json::from_slice(&record.body).expect("a JSON body")
}

fn last_path(server: &LocalServer) -> String {
    server.last_request().expect("a request").path
}

#[tokio::test]
async fn ids_missing_from_the_catalog_reach_the_service_over_converse_with_any_wrapper() {
    let (server, client) = setup();
    // Documented by AWS, absent from the catalog.
    let ids = [
        "openai.gpt-oss-20b-1:0",
        "openai.gpt-oss-120b-1:0",
        "us.writer.palmyra-x5-v1:0",
        "qwen.qwen3-32b-v1:0",
    ];
    for (n, id) in ids.into_iter().enumerate() {
        let any = AnyTextModel::builder(&client, id)
            .api(Api::Converse)
            .build()
            .unwrap();
        assert_eq!(any.family(), None, "{id}: no family is known");
        let err = any.generate("hi").await.unwrap_err();
        // The service, not the SDK, judges the ID.
        assert_eq!(server.request_count(), n as u64 + 1, "{id}");
        assert_eq!(err.kind(), ErrorKind::Validation, "{id}: {err}");
        let encoded = id.replace(':', "%3A");
        assert_eq!(last_path(&server), format!("/model/{encoded}/converse"));
    }
    // A family wrapper takes an unknown ID over Converse too, and so does ConverseModel.
    let claude = Claude3::builder(&client, "anthropic.claude-opus-4-7-v1:0")
        .api(Api::Converse)
        .temperature(0.0)
        .build()
        .unwrap();
    claude.generate("hi").await.unwrap_err();
    assert_eq!(last_body(&server)["inferenceConfig"]["temperature"], 0.0);
    let neutral = ConverseModel::builder(&client, "mistral.mistral-large-3-v1:0")
        .api(Api::Converse)
        .max_tokens(64)
        .extra_args(serde_json::json!({"safe_prompt": true}))
        .build()
        .unwrap();
    neutral.generate("hi").await.unwrap_err();
    let body = last_body(&server);
    assert_eq!(body["inferenceConfig"]["maxTokens"], 64);
    assert_eq!(body["additionalModelRequestFields"]["safe_prompt"], true);
}

#[tokio::test]
async fn over_invoke_model_an_unknown_id_takes_its_prefix_s_or_an_explicit_family() {
    let (server, client) = setup();
    // `anthropic.claude-` names the Messages API (models.toml `id_prefixes`).
    let opus = AnyTextModel::builder(&client, "anthropic.claude-opus-4-7-v1:0")
        .build()
        .unwrap();
    assert_eq!(opus.family(), Some(Family::ClaudeMessages));
    opus.generate("hi").await.unwrap_err();
    let body = last_body(&server);
    assert_eq!(body["anthropic_version"], "bedrock-2023-05-31");
    assert_eq!(body["messages"][0]["role"], "user");
    // No prefix names OpenAI's family: InvokeModel needs one, Converse does not.
    let e = AnyTextModel::builder(&client, "openai.gpt-oss-120b-1:0")
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("name the family"), "{e}");
    let explicit = AnyTextModel::builder(&client, "openai.gpt-oss-120b-1:0")
        .family(Family::Llama3)
        .build()
        .unwrap();
    assert_eq!(explicit.family(), Some(Family::Llama3));
    explicit.generate("hi").await.unwrap_err();
    assert!(last_body(&server)["prompt"].is_string());
}

#[tokio::test]
async fn a_profile_only_model_by_its_bare_id_fails_before_the_network_naming_its_profiles() {
    let (server, client) = setup();
    let region = client
        .region()
        .expect("the local server's region")
        .to_owned();
    for api in [Api::InvokeModel, Api::Converse] {
        let e = Claude3::builder(&client, SONNET_3_7)
            .api(api)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let msg = e.to_string();
        assert!(msg.contains("only through inference profiles"), "{msg}");
        assert!(
            msg.contains(&format!("from {region} use us.{SONNET_3_7}")),
            "{msg}"
        );
    }
    assert_eq!(server.request_count(), 0);
    // By its profile ID it is sent as given.
    let profile = format!("us.{SONNET_3_7}");
    let sonnet = Claude3::builder(&client, profile.as_str()).build().unwrap();
    sonnet.generate("hi").await.unwrap();
    assert_eq!(
        last_path(&server),
        format!("/model/{}/invoke", profile.replace(':', "%3A"))
    );
}

#[tokio::test]
async fn cross_region_opt_in_routes_a_bare_id_through_the_region_s_profile() {
    let (server, client) = setup();
    let client = client.with_cross_region(CrossRegion::Geography);
    let sonnet = Claude3::builder(&client, SONNET_3_7)
        .api(Api::Converse)
        .build()
        .unwrap();
    assert_eq!(sonnet.model_id(), format!("us.{SONNET_3_7}"));
    sonnet.generate("hi").await.unwrap();
    assert_eq!(
        last_path(&server),
        format!("/model/us.{}/converse", SONNET_3_7.replace(':', "%3A"))
    );
}

// "Amazon Nova models have more success calling tools when using greedy decoding. To enable
// greedy decoding, set the temperature parameters to 0."
// https://docs.aws.amazon.com/nova/latest/userguide/prompting-tool-troubleshooting.html
#[tokio::test]
async fn nova_takes_temperature_zero_on_both_apis() {
    let (server, client) = setup();
    for api in [Api::InvokeModel, Api::Converse] {
        let nova = Nova::builder(&client, "amazon.nova-lite-v1:0")
            .api(api)
            .temperature(0.0)
            .build()
            .unwrap();
        nova.generate("Name a river").await.unwrap();
        let body = last_body(&server);
        assert_eq!(body["inferenceConfig"]["temperature"], 0.0, "{api:?}");
    }
}

#[tokio::test]
async fn a_range_error_names_the_aws_page_of_its_limit() {
    let (server, client) = setup();
    let e = Titan::builder(&client, "amazon.titan-text-premier-v1:0")
        .temperature(1.5)
        .build()
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains(
            "limit from https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html"
        ),
        "{msg}"
    );
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn service_model_only_limits_leave_the_catalog_s_ranges_to_the_service() {
    let (server, client) = setup();
    let client = client.with_limits(Limits::ServiceModelOnly);
    let titan = Titan::builder(&client, "amazon.titan-text-premier-v1:0")
        .temperature(1.5)
        .max_tokens(100_000)
        .build()
        .unwrap();
    // The server (like Bedrock) judges the body; the SDK sent it.
    let _ = titan.generate("hi").await;
    assert_eq!(server.request_count(), 1);
    let body = last_body(&server);
    assert_eq!(body["textGenerationConfig"]["temperature"], 1.5);
    assert_eq!(body["textGenerationConfig"]["maxTokenCount"], 100_000);
}

#[tokio::test]
async fn malformed_ids_fail_before_the_network() {
    let (server, client) = setup();
    let long = "a".repeat(2000);
    let bad = [
        "",
        "anthropic.claude v2",
        "models/anthropic.claude-v2",
        long.as_str(),
        "arn:aws:s3:us-east-1::foundation-model/amazon.titan-text-premier-v1:0",
        "arn:azure:bedrock:us-east-1::foundation-model/amazon.titan-text-premier-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc",
    ];
    for id in bad {
        let e = ConverseModel::builder(&client, id)
            .api(Api::Converse)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{id:?}");
    }
    // Well-formed ARNs of every resource type are not bad input.
    let good = [
        "arn:aws:bedrock:us-east-1::foundation-model/openai.gpt-oss-120b-1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.deepseek.r1-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdef123456",
        "arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1",
    ];
    for id in good {
        ConverseModel::builder(&client, id)
            .api(Api::Converse)
            .build()
            .unwrap();
    }
    assert_eq!(server.request_count(), 0);
}

/// A server that serves `anthropic.claude-opus-4-7-v1:0`, a model the catalog does not know,
/// as a Claude Messages model: how a user tests a new model offline the day it appears.
fn setup_with_new_model() -> (LocalServer, Client) {
    let config = bedrock_fm_local::Config::default()
        .register_model("anthropic.claude-opus-4-7-v1:0", Family::ClaudeMessages)
        .application_profile("a1b2c3d4e5f6", "anthropic.claude-3-haiku-20240307-v1:0");
    let server = bedrock_fm_local::start_with(config);
    let client = Client::from_sdk_config(&server.sdk_config());
    (server, client)
}

#[tokio::test]
async fn a_model_registered_on_the_local_server_works_on_both_apis_without_a_catalog_entry() {
    let (server, client) = setup_with_new_model();
    for api in [Api::InvokeModel, Api::Converse] {
        let opus = AnyTextModel::builder(&client, "anthropic.claude-opus-4-7-v1:0")
            .api(api)
            .max_tokens(50)
            .build()
            .unwrap();
        let details = opus.generate_details("Name three rivers").await.unwrap();
        assert!(!details.output.is_empty(), "{api:?}");
        let mut stream = opus.generate_stream("Name three rivers").await.unwrap();
        let mut streamed = String::new();
        while let Some(delta) = stream.next().await {
            streamed.push_str(&delta.unwrap());
        }
        assert!(!streamed.is_empty(), "{api:?}");
    }
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn an_application_inference_profile_resolves_to_its_model_once() {
    let (server, client) = setup_with_new_model();
    let region = client.region().unwrap().to_owned();
    let arn = format!(
        "arn:aws:bedrock:{region}:{}:application-inference-profile/a1b2c3d4e5f6",
        bedrock_fm_local::config::ACCOUNT_ID
    );
    // AnyTextModel learns the family from GetInferenceProfile.
    let any = AnyTextModel::builder(&client, arn.as_str())
        .build_resolved()
        .await
        .unwrap();
    assert_eq!(any.family(), Some(Family::ClaudeMessages));
    any.generate("hi").await.unwrap();
    // A family wrapper learns the catalog model at its first call, and checks the family.
    let claude = Claude3::builder(&client, arn.as_str()).build().unwrap();
    claude.generate("hi").await.unwrap();
    claude.generate("again").await.unwrap();
    let titan = Titan::builder(&client, arn.as_str()).build().unwrap();
    let e = titan.generate("hi").await.unwrap_err();
    assert!(
        e.to_string().contains("runs anthropic.claude-3-haiku"),
        "{e}"
    );
    let lookups = server
        .requests()
        .records()
        .iter()
        .filter(|r| r.operation == Some(bedrock_fm_local::http::Operation::GetInferenceProfile))
        .count();
    assert_eq!(lookups, 1, "GetInferenceProfile once per ARN and client");
    let invoked = server.last_request().unwrap();
    assert_eq!(
        invoked.operation,
        Some(bedrock_fm_local::http::Operation::InvokeModel)
    );
}

#[tokio::test]
async fn the_account_s_models_are_listed_with_what_the_catalog_knows() {
    let (_server, client) = setup_with_new_model();
    let models = client.list_live_models().await.unwrap();
    let new = models
        .iter()
        .find(|m| m.id == "anthropic.claude-opus-4-7-v1:0")
        .expect("the registered model is listed");
    assert_eq!(new.catalog, None);
    let haiku = models
        .iter()
        .find(|m| m.id == "anthropic.claude-3-haiku-20240307-v1:0")
        .unwrap();
    assert!(haiku.catalog.is_some());
    let sonnet = models.iter().find(|m| m.id == SONNET_3_7).unwrap();
    assert_eq!(sonnet.inference_types, ["INFERENCE_PROFILE"]);
    let profiles = client.list_live_profiles().await.unwrap();
    assert!(profiles.iter().any(|p| p.id == format!("us.{SONNET_3_7}")
        && p.models.iter().any(|m| m == SONNET_3_7)));
}
