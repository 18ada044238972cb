//! No credential in the `tracing` output of a call that failed with session credentials
//! (the call's span records the error). A binary of its own: `tracing`'s thread-local
//! subscriber and its global callsite cache race with other tests in the same process.

#[allow(dead_code)]
#[path = "reliability/raw_server.rs"]
mod raw_server;

use bedrock_fm::{ErrorKind, Titan};
use bedrock_fm_local::{Config, Credentials};
use raw_server::{Auth, client};

const TITAN: &str = "amazon.titan-text-premier-v1:0";
const SESSION_KEY_ID: &str = "ASIAFAKEKEYFORTESTS1";
const SESSION_SECRET: &str = "fake/session+secret/for/bedrock-fm/tests00";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzEFakeSessionToken/for+bedrock-fm/tests//////wEa==";
const WRONG_SECRET: &str = "not/the/secret/but/secret/all/the/same/01";

async fn generate(client: &bedrock_fm::Client) -> bedrock_fm::Error {
    let titan = Titan::builder(client, TITAN).build().unwrap();
    titan.generate("Hello").await.unwrap_err()
}

// The `tracing` output of the same failed call (its span records the error) shows none of
// them either.
#[tokio::test]
async fn the_tracing_output_of_a_failed_call_shows_no_credential() {
    let captured = bedrock_fm_tests::Captured::default();
    let _guard = tracing::subscriber::set_default(bedrock_fm_tests::subscriber(&captured));
    let server = bedrock_fm_local::start_with(Config::new().add_credentials(
        Credentials::new(SESSION_KEY_ID, SESSION_SECRET).with_session_token(SESSION_TOKEN),
    ));
    let client = client(
        &server.endpoint(),
        Auth::Session(SESSION_KEY_ID, WRONG_SECRET, SESSION_TOKEN),
    );
    let err = generate(&client).await;
    assert_eq!(err.kind(), ErrorKind::AccessDenied, "{err}");
    let text = captured.text();
    assert!(text.contains("bedrock_fm.call"), "a call span: {text}");
    for secret in [SESSION_TOKEN, WRONG_SECRET, SESSION_SECRET, SESSION_KEY_ID] {
        assert!(
            !text.contains(secret),
            "{secret} in the tracing output:\n{text}"
        );
    }
}
