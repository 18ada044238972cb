//! Client construction: the AWS configuration chain's environment variables, explicit
//! settings, bearer keys, and secrets kept out of `Debug`. One test per process-wide
//! environment change, so this file holds a single test that touches the environment.

use bedrock_fm::{Claude3, Client, ErrorKind, Titan};
use bedrock_fm_local::config::{TEST_ACCESS_KEY_ID, TEST_BEARER_TOKEN, TEST_SECRET_ACCESS_KEY};

const TITAN: &str = "amazon.titan-text-premier-v1:0";

fn authorization(server: &bedrock_fm_local::LocalServer) -> String {
    let record = server.last_request().expect("a request");
    let auth = record.headers.iter().find(|(k, _)| k == "authorization");
    auth.map(|(_, v)| v.clone()).unwrap_or_default()
}

#[tokio::test]
async fn the_configuration_chain_honours_endpoint_and_bearer_environment_variables() {
    let server = bedrock_fm_local::start();
    // SAFETY: this test binary has this one test; nothing else reads the environment
    // concurrently.
    unsafe {
        std::env::set_var("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.endpoint());
        std::env::set_var("AWS_BEARER_TOKEN_BEDROCK", TEST_BEARER_TOKEN);
        std::env::set_var("AWS_REGION", "us-west-2");
        std::env::remove_var("AWS_ACCESS_KEY_ID");
        std::env::remove_var("AWS_SECRET_ACCESS_KEY");
        std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/bedrock-fm/config");
        std::env::set_var(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/bedrock-fm/credentials",
        );
    }
    let client = Client::from_env().await;
    let titan = Titan::builder(&client, TITAN).build().unwrap();
    assert!(!titan.generate("Hello").await.unwrap()[0].is_empty());
    assert!(
        authorization(&server).starts_with("Bearer"),
        "{}",
        authorization(&server)
    );

    // Explicit settings override the chain: static credentials sign with SigV4.
    let explicit = Client::builder()
        .endpoint_url(server.endpoint())
        .region("eu-west-1")
        .credentials(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY)
        .build()
        .await
        .unwrap();
    let claude = Claude3::builder(&explicit, "anthropic.claude-3-haiku-20240307-v1:0")
        .build()
        .unwrap();
    assert!(!claude.generate("Hello").await.unwrap()[0].is_empty());
    assert!(authorization(&server).starts_with("AWS4-HMAC-SHA256"));

    // A wrong secret is the service's access error, typed, and not retried.
    let before = server.request_count();
    let wrong = Client::builder()
        .endpoint_url(server.endpoint())
        .credentials(TEST_ACCESS_KEY_ID, "not-the-secret")
        .build()
        .await
        .unwrap();
    let err = Titan::builder(&wrong, TITAN)
        .build()
        .unwrap()
        .generate("Hello")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AccessDenied, "{err}");
    assert_eq!(server.request_count(), before + 1);

    // A per-client bearer key; neither it nor the credentials show in Debug.
    let builder = Client::builder()
        .endpoint_url(server.endpoint())
        .bearer_token(TEST_BEARER_TOKEN)
        .credentials(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY);
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains(TEST_BEARER_TOKEN) && !shown.contains(TEST_SECRET_ACCESS_KEY),
        "{shown}"
    );
    let bearer = builder.build().await.unwrap();
    assert!(!format!("{bearer:?}").contains(TEST_BEARER_TOKEN));
    Titan::builder(&bearer, TITAN)
        .build()
        .unwrap()
        .generate("Hello")
        .await
        .unwrap();
    assert!(
        authorization(&server).starts_with("Bearer"),
        "bearer is preferred over SigV4"
    );
}
