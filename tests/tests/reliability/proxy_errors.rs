//! Error responses without `x-amzn-ErrorType`, as proxies and gateways send them, classified
//! by HTTP status the way Bedrock's own errors are (429 throttling, 503 unavailable, 500
//! internal, 408 timeout: "Troubleshooting Amazon Bedrock API Error Codes",
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/troubleshooting-api-error-codes.html>).

use crate::raw_server::{Auth, client, response, serve_bytes};
use crate::{HAIKU, TITAN};
use bedrock_fm::{Api, Claude3, Error, ErrorKind, Titan};
use bedrock_fm_local::config::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};

struct Case {
    status: &'static str,
    content_type: &'static str,
    body: &'static str,
    kind: ErrorKind,
    message: &'static str,
    retried: bool,
}

const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
    <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

fn cases() -> Vec<Case> {
    let case = |status, content_type, body, kind, message, retried| Case {
        status,
        content_type,
        body,
        kind,
        message,
        retried,
    };
    vec![
        case(
            "502 Bad Gateway",
            "text/html",
            NGINX_502,
            ErrorKind::InternalServer,
            "502 Bad Gateway 502 Bad Gateway nginx",
            true,
        ),
        case(
            "503 Service Unavailable",
            "text/html",
            "<html><body><h1>503 Service Unavailable</h1>\n<p>No server is available \
             to handle this request.</p></body></html>",
            ErrorKind::ServiceUnavailable,
            "503 Service Unavailable No server is available to handle this request.",
            true,
        ),
        case(
            "504 Gateway Timeout",
            "text/html",
            "<html><head><style>body { color: red }</style></head>\
             <body><h1>504 Gateway Time-out</h1></body></html>",
            ErrorKind::InternalServer,
            "504 Gateway Time-out",
            true,
        ),
        case(
            "429 Too Many Requests",
            "text/plain",
            "Rate exceeded",
            ErrorKind::Throttling,
            "Rate exceeded",
            true,
        ),
        case(
            "500 Internal Server Error",
            "application/json",
            r#"{"message":"Internal failure"}"#,
            ErrorKind::InternalServer,
            "Internal failure",
            true,
        ),
        case(
            "503 Service Unavailable",
            "text/plain",
            "",
            ErrorKind::ServiceUnavailable,
            "Service Unavailable",
            true,
        ),
        case(
            "408 Request Timeout",
            "text/plain",
            "",
            ErrorKind::Timeout,
            "Request Timeout",
            true,
        ),
        case(
            "403 Forbidden",
            "text/html",
            "<html><body><h2>Request blocked.</h2></body></html>",
            ErrorKind::AccessDenied,
            "Request blocked.",
            false,
        ),
        case(
            "404 Not Found",
            "text/plain",
            "",
            ErrorKind::ResourceNotFound,
            "Not Found",
            false,
        ),
        case(
            "413 Payload Too Large",
            "text/html",
            "<html><body>Request Entity Too Large</body></html>",
            ErrorKind::Http(413),
            "Request Entity Too Large",
            false,
        ),
        case(
            "400 Bad Request",
            "text/plain",
            "Bad Request",
            ErrorKind::Validation,
            "Bad Request",
            false,
        ),
    ]
}

fn check(case: &Case, err: &Error, requests: usize, api: &str) {
    let code: u16 = case.status[..3].parse().unwrap();
    let what = format!("{api} {}", case.status);
    assert_eq!(err.kind(), case.kind, "{what}: {err}");
    assert_eq!(err.message(), case.message, "{what}");
    assert_eq!(err.status(), Some(code), "{what}");
    assert_eq!(err.code(), None, "{what}: no AWS error code was sent");
    assert_eq!(err.is_retryable(), case.retried, "{what}");
    assert_eq!(
        requests,
        if case.retried { 3 } else { 1 },
        "{what}: requests"
    );
    assert_eq!(err.to_string(), format!("{}: {}", case.kind, case.message));
}

async fn proxy(case: &Case) -> crate::raw_server::RawServer {
    let headers = [("Content-Type", case.content_type)];
    serve_bytes(response(case.status, &headers, case.body)).await
}

#[tokio::test]
async fn invoke_model_errors_without_an_aws_code_are_classified_by_status() {
    for case in cases() {
        let server = proxy(&case).await;
        let client = client(
            &server.endpoint,
            Auth::Static(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY),
        );
        let titan = Titan::builder(&client, TITAN).build().unwrap();
        let err = titan.generate("Hello").await.unwrap_err();
        assert!(server.last_head().contains("/invoke "));
        check(&case, &err, server.requests(), "InvokeModel");
    }
}

#[tokio::test]
async fn converse_errors_without_an_aws_code_are_classified_by_status() {
    for case in cases() {
        let server = proxy(&case).await;
        let client = client(
            &server.endpoint,
            Auth::Static(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY),
        );
        let claude = Claude3::builder(&client, HAIKU)
            .api(Api::Converse)
            .build()
            .unwrap();
        let err = claude.generate("Hello").await.unwrap_err();
        assert!(server.last_head().contains("/converse "));
        check(&case, &err, server.requests(), "Converse");
    }
}

#[tokio::test]
async fn invoke_model_stream_errors_without_an_aws_code_are_classified_by_status() {
    let case = &cases()[0];
    let server = proxy(case).await;
    let client = client(
        &server.endpoint,
        Auth::Static(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY),
    );
    let titan = Titan::builder(&client, TITAN).build().unwrap();
    let Err(err) = titan.generate_stream("Hello").await else {
        panic!("a 502 opens no stream");
    };
    assert!(server.last_head().contains("/invoke-with-response-stream "));
    check(
        case,
        &err,
        server.requests(),
        "InvokeModelWithResponseStream",
    );
}

#[tokio::test]
async fn long_bodies_are_cut_and_the_raw_body_is_kept() {
    let body = format!(
        "<html><body><p>{}</p></body></html>",
        "overloaded ".repeat(100)
    );
    let server = serve_bytes(response(
        "502 Bad Gateway",
        &[("Content-Type", "text/html")],
        &body,
    ))
    .await;
    let client = client(
        &server.endpoint,
        Auth::Static(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY),
    );
    let titan = Titan::builder(&client, TITAN).build().unwrap();
    let err = titan.generate("Hello").await.unwrap_err();
    assert!(err.message().len() <= 204, "{}", err.message());
    assert!(err.message().starts_with("overloaded overloaded"));
    assert!(err.message().ends_with('…'), "{}", err.message());
    assert_eq!(err.raw_body(), Some(body.as_str()));
}
