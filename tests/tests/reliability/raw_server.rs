//! A tiny HTTP/1.1 server on loopback that answers every request with one canned response,
//! the way a proxy or gateway in front of Bedrock would: no `x-amzn-ErrorType`, HTML pages,
//! plain text. It counts requests, so that a test can tell whether a call was retried.

use bedrock_fm::{Client, RetryPolicy};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server answers, built from the request's head (for servers that echo it).
type Answer = dyn Fn(&str) -> Vec<u8> + Send + Sync;

pub(crate) struct RawServer {
    pub(crate) endpoint: String,
    requests: Arc<AtomicUsize>,
    last_head: Arc<Mutex<String>>,
}

impl RawServer {
    /// Requests received so far.
    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The head (request line and headers) of the last request.
    pub(crate) fn last_head(&self) -> String {
        self.last_head.lock().unwrap().clone()
    }
}

/// Serves `response` to every request.
pub(crate) async fn serve_bytes(response: Vec<u8>) -> RawServer {
    serve(move |_| response.clone()).await
}

/// Serves what `answer` makes of each request's head.
pub(crate) async fn serve(answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let last_head = Arc::new(Mutex::new(String::new()));
    let answer: Arc<Answer> = Arc::new(answer);
    let (count, last) = (requests.clone(), last_head.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (answer, count, last) = (answer.clone(), count.clone(), last.clone());
            tokio::spawn(async move {
                let mut stream = stream;
                if let Some(head) = read_request(&mut stream).await {
                    count.fetch_add(1, Ordering::SeqCst);
                    *last.lock().unwrap() = head.clone();
                    let _ = stream.write_all(&answer(&head)).await;
                    let _ = stream.shutdown().await;
                }
            });
        }
    });
    RawServer {
        endpoint,
        requests,
        last_head,
    }
}

/// Reads one request (head and `Content-Length` body); returns its head.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let length = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            return Some(head);
        }
    }
}

/// An HTTP/1.1 response with `Content-Length` and `Connection: close`.
pub(crate) fn response(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut text = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    text.into_bytes()
}

/// Retries fast, three attempts in all.
pub(crate) fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(2))
}

/// How a test client authenticates.
pub(crate) enum Auth<'a> {
    /// An access key ID and secret access key.
    Static(&'a str, &'a str),
    /// Temporary credentials: access key ID, secret access key, session token.
    Session(&'a str, &'a str, &'a str),
    /// A Bedrock API key.
    Bearer(&'a str),
}

/// A client for `endpoint` with these credentials, the SDK's retries off and
/// [`fast_retries`]. Built from an SDK configuration so that the environment plays no part.
pub(crate) fn client(endpoint: &str, auth: Auth<'_>) -> Client {
    use aws_sdk_bedrockruntime::config::{
        BehaviorVersion, Credentials, Region, Token, retry::RetryConfig,
    };
    let builder = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .retry_config(RetryConfig::disabled());
    let builder = match auth {
        Auth::Static(id, secret) => {
            builder.credentials_provider(Credentials::new(id, secret, None, None, "test"))
        }
        Auth::Session(id, secret, token) => builder.credentials_provider(Credentials::new(
            id,
            secret,
            Some(token.to_owned()),
            None,
            "test",
        )),
        Auth::Bearer(token) => builder.bearer_token(Token::new(token, None)),
    };
    let sdk = aws_sdk_bedrockruntime::Client::from_conf(builder.build());
    Client::from_sdk_client(sdk).with_retry_policy(fast_retries())
}
