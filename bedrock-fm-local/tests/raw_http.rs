//! Bad input over raw TCP: garbage, truncated requests, malformed JSON, unknown paths, wrong
//! methods and content types, oversized bodies, scripted faults. Every answer is the service's
//! error response, and the server keeps serving.

use std::time::Duration;

use bedrock_fm_local::{Config, TEST_BEARER_TOKEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PATH: &str = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse";

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn error_type(&self) -> &str {
        self.header("x-amzn-errortype")
            .unwrap_or("")
            .split(':')
            .next()
            .unwrap()
    }
}

/// Sends raw bytes, reads until the server closes; `None` if it closed without a response.
async fn raw(addr: std::net::SocketAddr, request: &[u8]) -> Option<Reply> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf)).await;
    match read {
        Ok(Ok(_)) | Ok(Err(_)) => {}
        Err(_) => panic!("the server neither answered nor closed"),
    }
    if buf.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let head_end = text.find("\r\n\r\n").expect("a response head");
    let mut lines = text[..head_end].split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    Some(Reply {
        status,
        headers,
        body: buf[head_end + 4..].to_vec(),
    })
}

fn post(path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn bearer() -> String {
    format!("Bearer {TEST_BEARER_TOKEN}")
}

const GOOD: &[u8] = br#"{"messages":[{"role":"user","content":[{"text":"ping"}]}]}"#;

async fn still_serving(addr: std::net::SocketAddr) {
    let auth = bearer();
    let r = raw(
        addr,
        &post(
            PATH,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            GOOD,
        ),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        r.json()["output"]["message"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("ping.")
    );
    assert_eq!(r.header("x-amzn-requestid").map(str::len), Some(36));
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn garbage_and_truncated_requests_do_not_stop_the_server() {
    let server = bedrock_fm_local::start();
    let addr = server.addr();
    // Not HTTP at all: hyper answers 400 or closes.
    if let Some(r) = raw(addr, b"\x00\x01\x02 hello garbage\r\n\r\n").await {
        assert_eq!(r.status, 400);
    }
    // A head that never ends, then EOF.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /model/x/converse HTTP/1.1\r\nHost: a\r\nContent-Le")
        .await
        .unwrap();
    drop(s);
    // A body shorter than its Content-Length, then EOF.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("POST {PATH} HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n{{\"mess")
            .as_bytes(),
    )
    .await
    .unwrap();
    s.shutdown().await.unwrap();
    let mut sink = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut sink)).await;
    // A huge header.
    let big = "x".repeat(200_000);
    let _ = raw(
        addr,
        format!("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Big: {big}\r\n\r\n")
            .as_bytes(),
    )
    .await;
    // Invalid UTF-8 and control bytes in the path.
    let _ = raw(addr, b"POST /model/\xff\xfe/converse HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").await;
    still_serving(addr).await;
}

#[tokio::test]
async fn malformed_json_is_a_serialization_exception() {
    let server = bedrock_fm_local::start();
    let auth = bearer();
    for body in [&b"{\"messages\": ["[..], b"not json at all", b"\xff\xfe"] {
        let r = raw(
            server.addr(),
            &post(
                PATH,
                &[
                    ("Authorization", &auth),
                    ("Content-Type", "application/json"),
                ],
                body,
            ),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 400);
        assert_eq!(r.error_type(), "SerializationException");
        assert!(
            r.header("x-amzn-errortype")
                .unwrap()
                .contains(":http://internal.amazon.com/coral/")
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("not valid JSON")
        );
        assert!(r.header("x-amzn-requestid").is_some());
    }
    // Valid JSON of the wrong shape is a ValidationException.
    let r = raw(
        server.addr(),
        &post(PATH, &[("Authorization", &auth)], br#"{"messages": "hi"}"#),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.error_type(), "ValidationException");
    assert_eq!(
        r.json()["message"],
        "The format of the value at messages is invalid. Provide a list for the field and try again."
    );
    // The log kept the malformed bodies as sent.
    assert_eq!(server.request_count(), 4);
    assert_eq!(&server.requests().records()[1].body[..], b"not json at all");
    still_serving(server.addr()).await;
}

#[tokio::test]
async fn unknown_paths_wrong_methods_and_missing_auth() {
    let server = bedrock_fm_local::start();
    let auth = bearer();
    let r = raw(
        server.addr(),
        &post("/model/x/chat", &[("Authorization", &auth)], b"{}"),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(r.error_type(), "UnknownOperationException");
    let r = raw(
        server.addr(),
        &post(
            "/guardrail/g/version/1/apply",
            &[("Authorization", &auth)],
            b"{}",
        ),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 404);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("ApplyGuardrail")
    );
    let get = format!(
        "GET {PATH} HTTP/1.1\r\nHost: a\r\nConnection: close\r\nAuthorization: {auth}\r\n\r\n"
    );
    let r = raw(server.addr(), get.as_bytes()).await.unwrap();
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    assert_eq!(r.error_type(), "UnknownOperationException");
    // No Authorization at all.
    let r = raw(server.addr(), &post(PATH, &[], GOOD)).await.unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.error_type(), "MissingAuthenticationTokenException");
    assert_eq!(r.json()["message"], "Missing Authentication Token");
    // A wrong bearer key.
    let r = raw(
        server.addr(),
        &post(PATH, &[("Authorization", "Bearer nope")], GOOD),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.error_type(), "AccessDeniedException");
    assert_eq!(
        r.json()["Message"],
        "Authentication failed: Please make sure your API Key is valid."
    );
}

#[tokio::test]
async fn oversized_bodies_and_wrong_content_types() {
    let server = bedrock_fm_local::start_with(Config::new().max_body_bytes(1024));
    let auth = bearer();
    let big = vec![b'a'; 4096];
    let r = raw(
        server.addr(),
        &post(PATH, &[("Authorization", &auth)], &big),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(r.error_type(), "ValidationException");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("exceeds the maximum request size of 1024 bytes")
    );
    // Chunked, without a Content-Length, also over the limit.
    let mut chunked = format!(
        "POST {PATH} HTTP/1.1\r\nHost: a\r\nConnection: close\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..4 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b'b'; 1024]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let r = raw(server.addr(), &chunked).await.unwrap();
    assert_eq!(r.status, 413);
    // InvokeModel with a body that cannot be JSON.
    let r = raw(
        server.addr(),
        &post(
            "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
            &[("Authorization", &auth), ("Content-Type", "text/plain")],
            b"hello",
        ),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.error_type(), "ValidationException");
    assert!(r.json()["message"].as_str().unwrap().contains("text/plain"));
    still_serving(server.addr()).await;
}

#[tokio::test]
async fn fault_header_scripts_faults_per_request() {
    let server = bedrock_fm_local::start();
    let auth = bearer();
    let with = |fault: &str| {
        post(
            PATH,
            &[
                ("Authorization", &auth),
                ("x-bedrock-fm-local-fault", fault),
            ],
            GOOD,
        )
    };
    let r = raw(server.addr(), &with("throttle")).await.unwrap();
    assert_eq!(r.status, 429);
    assert_eq!(r.error_type(), "ThrottlingException");
    let r = raw(server.addr(), &with("unavailable")).await.unwrap();
    assert_eq!(r.status, 503);
    let r = raw(server.addr(), &with("internal")).await.unwrap();
    assert_eq!(r.status, 500);
    assert_eq!(
        r.json()["message"],
        "The system encountered an unexpected error during processing. Try your request again."
    );
    let r = raw(server.addr(), &with("not-ready")).await.unwrap();
    assert_eq!((r.status, r.error_type()), (429, "ModelNotReadyException"));
    let r = raw(server.addr(), &with("timeout")).await.unwrap();
    assert_eq!((r.status, r.error_type()), (408, "ModelTimeoutException"));
    // A dropped connection: no response at all.
    assert!(raw(server.addr(), &with("drop")).await.is_none());
    // A bad header is the client's mistake.
    let r = raw(server.addr(), &with("explode")).await.unwrap();
    assert_eq!((r.status, r.error_type()), (400, "ValidationException"));
    // So is a wait beyond 10 minutes, which would otherwise hang the request for ever.
    let r = raw(server.addr(), &with("latency-ms=18446744073709551615"))
        .await
        .unwrap();
    assert_eq!((r.status, r.error_type()), (400, "ValidationException"));
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("latency-ms is at most 600000")
    );
    // Faults apply after authentication.
    let r = raw(
        server.addr(),
        &post(PATH, &[("x-bedrock-fm-local-fault", "throttle")], GOOD),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 403);
    still_serving(server.addr()).await;
}

#[tokio::test]
async fn anonymous_mode_and_empty_body() {
    let server = bedrock_fm_local::start_with(Config::new().allow_anonymous(true));
    let r = raw(server.addr(), &post(PATH, &[], GOOD)).await.unwrap();
    assert_eq!(r.status, 200);
    let r = raw(server.addr(), &post(PATH, &[], b"")).await.unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["message"],
        "A conversation must start with a user message. Try again with a conversation that starts with a user message."
    );
}

#[tokio::test]
async fn non_ascii_authorization_is_an_aws_error_not_a_500() {
    let server = bedrock_fm_local::start();
    // HTTP allows obs-text (bytes 0x80-0xFF) in header values; byte 7 of this one falls
    // inside the character that replaces 0xFF.
    for auth in [&b"Beare\xffxyz"[..], "Bearé€ token".as_bytes()] {
        let mut req = format!(
            "POST {PATH} HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: {}\r\nAuthorization: ",
            GOOD.len()
        )
        .into_bytes();
        req.extend_from_slice(auth);
        req.extend_from_slice(b"\r\n\r\n");
        req.extend_from_slice(GOOD);
        let r = raw(server.addr(), &req).await.unwrap();
        assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.error_type(), "IncompleteSignatureException");
    }
    still_serving(server.addr()).await;
}

#[tokio::test]
async fn the_request_log_is_bounded_and_keeps_no_unauthenticated_body() {
    let server = bedrock_fm_local::start_with(Config::new().request_log_capacity(3));
    // A request that fails authentication is logged without its body.
    let r = raw(
        server.addr(),
        &post(PATH, &[("Authorization", "Bearer nope")], GOOD),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 403);
    let rejected = server.last_request().unwrap();
    assert!(rejected.body.is_empty());
    assert_eq!(rejected.body_len, GOOD.len());
    assert_eq!(
        rejected.header("authorization"),
        Some("Bearer ** redacted **")
    );
    for _ in 0..5 {
        still_serving(server.addr()).await;
    }
    let log = server.requests();
    assert_eq!(log.records().len(), 3);
    assert_eq!(server.last_request().unwrap().body, GOOD);
    assert_eq!((log.count(), log.total(), log.evicted()), (6, 6, 3));
    log.clear();
    assert_eq!((log.count(), log.total(), log.evicted()), (0, 6, 3));

    // The byte budget: bodies of 1,500 bytes in a log of 2,000 bytes keep one at a time.
    let server = bedrock_fm_local::start_with(Config::new().request_log_max_bytes(2000));
    let auth = bearer();
    let mut body = GOOD.to_vec();
    body.resize(1500, b' ');
    for _ in 0..4 {
        let r = raw(
            server.addr(),
            &post(PATH, &[("Authorization", &auth)], &body),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert!(server.requests().kept_bytes() <= 2000);
    }
    assert_eq!(server.requests().records().len(), 1);
    assert_eq!(server.last_request().unwrap().body, body);
    assert_eq!(server.requests().evicted(), 3);
}
