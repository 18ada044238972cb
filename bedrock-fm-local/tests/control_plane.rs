//! The control-plane operations (service model `bedrock-2023-04-20`) on the runtime's endpoint,
//! driven by `aws-sdk-bedrock`, a client this crate did not write: ListFoundationModels with
//! its filters, ListInferenceProfiles with type filter and paging, GetInferenceProfile by ID
//! and by percent-encoded ARN, and AWS error responses.

use aws_sdk_bedrock::error::ProvideErrorMetadata;
use aws_sdk_bedrock::types::{
    FoundationModelLifecycleStatus, InferenceProfileStatus, InferenceProfileType, InferenceType,
    ModelModality,
};
use bedrock_fm::catalog::{ALL_MODELS, Family};
use bedrock_fm_local::{Config, Operation};

fn bedrock(server: &bedrock_fm_local::LocalServer) -> aws_sdk_bedrock::Client {
    aws_sdk_bedrock::Client::new(&server.sdk_config())
}

fn server() -> bedrock_fm_local::LocalServer {
    bedrock_fm_local::start_with(
        Config::new()
            .register_model("acme.chat-v1", Family::ClaudeMessages)
            .application_profile("teamprofile1", "us.anthropic.claude-3-haiku-20240307-v1:0"),
    )
}

#[tokio::test]
async fn list_foundation_models_lists_the_catalog_and_registered_models() {
    let server = server();
    let client = bedrock(&server);
    let out = client.list_foundation_models().send().await.unwrap();
    let models = out.model_summaries();
    assert_eq!(models.len(), ALL_MODELS.len() + 1);
    let req = server.last_request().unwrap();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("GET", "/foundation-models")
    );
    assert_eq!(req.operation, Some(Operation::ListFoundationModels));
    assert!(
        req.header("authorization")
            .unwrap()
            .contains("/bedrock/aws4_request")
    );

    let haiku = models
        .iter()
        .find(|m| m.model_id() == "anthropic.claude-3-haiku-20240307-v1:0")
        .unwrap();
    assert_eq!(
        haiku.model_arn(),
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    );
    assert_eq!(haiku.provider_name(), Some("Anthropic"));
    assert_eq!(haiku.model_name(), Some("Claude 3 Haiku"));
    assert_eq!(
        haiku.input_modalities(),
        [ModelModality::Text, ModelModality::Image]
    );
    assert_eq!(haiku.output_modalities(), [ModelModality::Text]);
    assert_eq!(haiku.response_streaming_supported(), Some(true));
    assert!(haiku.customizations_supported().is_empty());
    assert_eq!(haiku.inference_types_supported(), [InferenceType::OnDemand]);

    // A profile-only model says so (the value the catalog records from ListFoundationModels).
    let sonnet = models
        .iter()
        .find(|m| m.model_id() == "anthropic.claude-3-7-sonnet-20250219-v1:0")
        .unwrap();
    assert_eq!(
        sonnet.inference_types_supported(),
        [InferenceType::from("INFERENCE_PROFILE")]
    );
    assert_eq!(
        sonnet.model_lifecycle().unwrap().status(),
        &FoundationModelLifecycleStatus::Legacy
    );
    let embed = models
        .iter()
        .find(|m| m.model_id() == "amazon.titan-embed-text-v2:0")
        .unwrap();
    assert_eq!(embed.output_modalities(), [ModelModality::Embedding]);
    let acme = models
        .iter()
        .find(|m| m.model_id() == "acme.chat-v1")
        .unwrap();
    assert_eq!(acme.provider_name(), Some("Anthropic"));
    assert_eq!(acme.inference_types_supported(), [InferenceType::OnDemand]);
    assert_eq!(
        acme.model_lifecycle().unwrap().status(),
        &FoundationModelLifecycleStatus::Active
    );
}

#[tokio::test]
async fn list_foundation_models_filters() {
    let server = server();
    let client = bedrock(&server);
    let ids =
        |out: aws_sdk_bedrock::operation::list_foundation_models::ListFoundationModelsOutput| {
            out.model_summaries()
                .iter()
                .map(|m| m.model_id().to_owned())
                .collect::<Vec<_>>()
        };
    let meta = ids(client
        .list_foundation_models()
        .by_provider("Meta")
        .send()
        .await
        .unwrap());
    assert!(!meta.is_empty());
    assert!(meta.iter().all(|id| id.starts_with("meta.")), "{meta:?}");
    let mistral = ids(client
        .list_foundation_models()
        .by_provider("Mistral AI")
        .send()
        .await
        .unwrap());
    assert!(mistral.iter().all(|id| id.starts_with("mistral.")) && !mistral.is_empty());
    let req = server.last_request().unwrap();
    assert_eq!(req.query.as_deref(), Some("byProvider=Mistral%20AI"));

    let images = ids(client
        .list_foundation_models()
        .by_output_modality(ModelModality::Image)
        .send()
        .await
        .unwrap());
    assert!(images.contains(&"amazon.nova-canvas-v1:0".to_owned()));
    assert!(!images.contains(&"amazon.nova-pro-v1:0".to_owned()));

    let provisioned = ids(client
        .list_foundation_models()
        .by_inference_type(InferenceType::Provisioned)
        .send()
        .await
        .unwrap());
    assert!(provisioned.contains(&"amazon.titan-text-express-v1:0:8k".to_owned()));
    assert!(!provisioned.contains(&"amazon.titan-text-express-v1".to_owned()));

    let tuned = ids(client
        .list_foundation_models()
        .by_customization_type(aws_sdk_bedrock::types::ModelCustomization::FineTuning)
        .send()
        .await
        .unwrap());
    assert!(tuned.is_empty(), "the catalog records no customizations");

    // A value outside the enum: Coral's constraint message.
    let err = client
        .list_foundation_models()
        .by_output_modality(ModelModality::from("VIDEO"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some(
            "1 validation error detected: Value 'VIDEO' at 'byOutputModality' failed to satisfy \
             constraint: Member must satisfy enum value set: [TEXT, IMAGE, EMBEDDING]"
        )
    );
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 400);
}

#[tokio::test]
async fn list_inference_profiles_pages_and_filters() {
    let server = server();
    let client = bedrock(&server);
    let system: usize = ALL_MODELS.iter().map(|m| m.profiles.len()).sum();
    let all = client.list_inference_profiles().send().await.unwrap();
    assert_eq!(all.inference_profile_summaries().len(), system + 1);
    assert!(all.next_token().is_none());

    // Paging with maxResults and nextToken, by hand and with the SDK's paginator.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_inference_profiles()
            .max_results(7)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        assert!(page.inference_profile_summaries().len() <= 7);
        seen.extend(
            page.inference_profile_summaries()
                .iter()
                .map(|p| p.inference_profile_id().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let ids: Vec<String> = all
        .inference_profile_summaries()
        .iter()
        .map(|p| p.inference_profile_id().to_owned())
        .collect();
    assert_eq!(seen, ids);
    let paged: Vec<_> = client
        .list_inference_profiles()
        .max_results(50)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(paged.len(), ids.len());

    let haiku = all
        .inference_profile_summaries()
        .iter()
        .find(|p| p.inference_profile_id() == "us.anthropic.claude-3-haiku-20240307-v1:0")
        .unwrap();
    assert_eq!(
        haiku.inference_profile_arn(),
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"
    );
    assert_eq!(haiku.status(), &InferenceProfileStatus::Active);
    assert_eq!(haiku.r#type(), &InferenceProfileType::SystemDefined);
    let arns: Vec<&str> = haiku
        .models()
        .iter()
        .filter_map(|m| m.model_arn())
        .collect();
    assert!(arns.contains(
        &"arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    ));
    assert!(
        arns.iter()
            .all(|a| a.ends_with("/anthropic.claude-3-haiku-20240307-v1:0"))
    );

    let apps = client
        .list_inference_profiles()
        .type_equals(InferenceProfileType::Application)
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.last_request().unwrap().query.as_deref(),
        Some("type=APPLICATION")
    );
    let [app] = apps.inference_profile_summaries() else {
        panic!("{apps:?}")
    };
    assert_eq!(app.inference_profile_id(), "teamprofile1");
    assert_eq!(
        app.inference_profile_arn(),
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/teamprofile1"
    );
    assert_eq!(app.models(), haiku.models());
    let system_only = client
        .list_inference_profiles()
        .type_equals(InferenceProfileType::SystemDefined)
        .send()
        .await
        .unwrap();
    assert_eq!(system_only.inference_profile_summaries().len(), system);

    for (max, rule) in [
        (0, "Member must have value greater than or equal to 1"),
        (1001, "Member must have value less than or equal to 1000"),
    ] {
        let err = client
            .list_inference_profiles()
            .max_results(max)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("ValidationException"));
        assert_eq!(
            err.message().map(str::to_owned),
            Some(format!(
                "1 validation error detected: Value '{max}' at 'maxResults' failed to satisfy constraint: {rule}"
            ))
        );
    }
    let err = client
        .list_inference_profiles()
        .next_token("garbage")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationException"));
}

#[tokio::test]
async fn get_inference_profile_by_id_or_arn() {
    let server = server();
    let client = bedrock(&server);
    let id = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
    let by_id = client
        .get_inference_profile()
        .inference_profile_identifier(id)
        .send()
        .await
        .unwrap();
    assert_eq!(by_id.inference_profile_id(), id);
    assert_eq!(by_id.r#type(), &InferenceProfileType::SystemDefined);
    assert_eq!(by_id.status(), &InferenceProfileStatus::Active);
    assert!(!by_id.models().is_empty());
    assert_eq!(
        server.last_request().unwrap().operation,
        Some(Operation::GetInferenceProfile)
    );

    let arn = by_id.inference_profile_arn().to_owned();
    let by_arn = client
        .get_inference_profile()
        .inference_profile_identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(by_arn.inference_profile_id(), by_id.inference_profile_id());
    assert_eq!(by_arn.inference_profile_arn(), arn);
    assert_eq!(by_arn.models(), by_id.models());
    let path = server.last_request().unwrap().path;
    assert!(
        path.starts_with("/inference-profiles/arn%3Aaws%3Abedrock%3A"),
        "{path}"
    );

    let app = client
        .get_inference_profile()
        .inference_profile_identifier(
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/teamprofile1",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(app.r#type(), &InferenceProfileType::Application);

    // A geography the model is not offered in, an unknown model, and a bad identifier.
    for missing in [
        "jp.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "us.acme.nothing-v1:0",
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
    ] {
        let err = client
            .get_inference_profile()
            .inference_profile_identifier(missing)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err.raw_response().unwrap().status().as_u16(),
            404,
            "{missing}"
        );
        assert!(err.into_service_error().is_resource_not_found_exception());
    }
    let err = client
        .get_inference_profile()
        .inference_profile_identifier("no spaces allowed")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationException"));
}

#[tokio::test]
async fn control_plane_requests_are_authenticated_like_the_runtime() {
    let server = server();
    let mut config = server.sdk_config().into_builder();
    config.set_credentials_provider(Some(
        aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_credential_types::Credentials::new(
                bedrock_fm_local::TEST_ACCESS_KEY_ID,
                "wrong-secret",
                None,
                None,
                "test",
            ),
        ),
    ));
    let client = aws_sdk_bedrock::Client::new(&config.build());
    let err = client.list_foundation_models().send().await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidSignatureException"));
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
    // The region of the signature is the region of the ARNs.
    let eu = aws_sdk_bedrock::Client::from_conf(
        aws_sdk_bedrock::config::Builder::from(&server.sdk_config())
            .region(aws_sdk_bedrock::config::Region::new("eu-west-1"))
            .build(),
    );
    let out = eu
        .get_foundation_model()
        .model_identifier("amazon.nova-pro-v1:0")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.model_details().unwrap().model_arn(),
        "arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0"
    );
    let err = eu
        .get_foundation_model()
        .model_identifier("acme.nothing-v1:0")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_resource_not_found_exception());
}
