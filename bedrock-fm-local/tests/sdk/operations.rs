//! Validation errors, model ARNs and CountTokens.

use super::*;

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
