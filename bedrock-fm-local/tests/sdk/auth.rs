//! SigV4 and bearer-key authentication: wrong secrets, other credentials and regions.

use super::*;

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
