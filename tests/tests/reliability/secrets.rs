//! No access key ID, secret access key, session token or bearer token in an error's
//! `Display`, `Debug`, source chain or raw body, whether the service echoes the signed
//! request (bedrock-fm-local's signature mismatch quotes the canonical request, which holds
//! `x-amz-security-token`, as AWS's does) or a proxy echoes the request's headers
//! (`Authorization`, `X-Amz-Security-Token`: "Signature Version 4 authentication",
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html>).

use crate::TITAN;
use crate::raw_server::{Auth, client, response, serve};
use bedrock_fm::{Error, ErrorKind, Titan};
use bedrock_fm_local::config::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
use bedrock_fm_local::{Config, Credentials};

// Fakes in the shapes of the real ones (access key IDs: AKIA long-term, ASIA temporary,
// STS GetAccessKeyInfo, <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html>).
const SESSION_KEY_ID: &str = "ASIAFAKEKEYFORTESTS1";
const SESSION_SECRET: &str = "fake/session+secret/for/bedrock-fm/tests00";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzEFakeSessionToken/for+bedrock-fm/tests//////wEa==";
const BEARER: &str = "ABSKZmFrZS1iZWRyb2NrLWFwaS1rZXktZm9yLXRlc3Rz";
const WRONG_SECRET: &str = "not/the/secret/but/secret/all/the/same/01";

/// Everything a user, a log or an error reporter may print of `err`.
fn shown(err: &Error) -> String {
    let mut text = format!(
        "{err}\n{err:?}\n{err:#?}\n{}\n",
        err.raw_body().unwrap_or("")
    );
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!("{s}\n{s:?}\n"));
        source = s.source();
    }
    text
}

fn assert_hidden(err: &Error, secrets: &[&str]) {
    let text = shown(err);
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} shown in:\n{text}");
    }
}

async fn generate(client: &bedrock_fm::Client) -> Error {
    let titan = Titan::builder(client, TITAN).build().unwrap();
    titan.generate("Hello").await.unwrap_err()
}

#[tokio::test]
async fn a_signature_mismatch_with_static_keys_shows_no_key() {
    let server = bedrock_fm_local::start();
    let client = client(
        &server.endpoint(),
        Auth::Static(TEST_ACCESS_KEY_ID, WRONG_SECRET),
    );
    let err = generate(&client).await;
    assert_eq!(err.kind(), ErrorKind::AccessDenied, "{err}");
    assert!(err.message().contains("Canonical String"), "{err}");
    assert_hidden(&err, &[WRONG_SECRET, TEST_SECRET_ACCESS_KEY]);
}

#[tokio::test]
async fn a_signature_mismatch_with_session_credentials_shows_no_session_token() {
    let server = bedrock_fm_local::start_with(Config::new().add_credentials(
        Credentials::new(SESSION_KEY_ID, SESSION_SECRET).with_session_token(SESSION_TOKEN),
    ));
    let client = client(
        &server.endpoint(),
        Auth::Session(SESSION_KEY_ID, WRONG_SECRET, SESSION_TOKEN),
    );
    let err = generate(&client).await;
    assert_eq!(err.kind(), ErrorKind::AccessDenied, "{err}");
    // The canonical request is still quoted, its token line redacted.
    assert!(
        err.message().contains("x-amz-security-token:[redacted]"),
        "{err}"
    );
    assert_hidden(
        &err,
        &[SESSION_TOKEN, WRONG_SECRET, SESSION_SECRET, SESSION_KEY_ID],
    );
}

#[tokio::test]
async fn a_rejected_bearer_token_is_not_shown() {
    let server = bedrock_fm_local::start();
    let client = client(&server.endpoint(), Auth::Bearer(BEARER));
    let err = generate(&client).await;
    assert_eq!(err.kind(), ErrorKind::AccessDenied, "{err}");
    assert_hidden(&err, &[BEARER]);
}

/// A gateway that answers 403 and echoes the request's head, as plain text or inside an
/// AWS-style JSON error.
async fn echoing_gateway(json: bool) -> crate::raw_server::RawServer {
    serve(move |head| {
        if json {
            let body = serde_json::json!({ "message": format!("Denied request:\n{head}") });
            let headers = [
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", "AccessDeniedException"),
            ];
            response("403 Forbidden", &headers, &body.to_string())
        } else {
            let headers = [("Content-Type", "text/plain")];
            response(
                "403 Forbidden",
                &headers,
                &format!("Denied request:\n{head}"),
            )
        }
    })
    .await
}

#[tokio::test]
async fn echoed_request_headers_show_no_credential() {
    for json in [false, true] {
        for (auth, on_wire, secrets) in [
            (
                Auth::Static(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY),
                vec![TEST_ACCESS_KEY_ID],
                vec![TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY],
            ),
            (
                Auth::Session(SESSION_KEY_ID, SESSION_SECRET, SESSION_TOKEN),
                vec![SESSION_KEY_ID, SESSION_TOKEN],
                vec![SESSION_KEY_ID, SESSION_SECRET, SESSION_TOKEN],
            ),
            (Auth::Bearer(BEARER), vec![BEARER], vec![BEARER]),
        ] {
            let server = echoing_gateway(json).await;
            let err = generate(&client(&server.endpoint, auth)).await;
            let head = server.last_head();
            assert!(
                on_wire.iter().all(|s| head.contains(s)),
                "the gateway echoes credentials it saw: {head}"
            );
            assert_eq!(err.kind(), ErrorKind::AccessDenied, "{err}");
            assert!(shown(&err).contains("[redacted]"), "{err}");
            assert_hidden(&err, &secrets);
        }
    }
}
