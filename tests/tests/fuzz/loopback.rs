//! Loopback plumbing: a server that answers every request with the bytes the current case
//! put in its slot, a raw HTTP/1.1 client (for `bedrock-fm-local` and for capturing seeds),
//! and SDK clients pointed at either.

use bedrock_fm::{Client, RetryPolicy};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A loopback server answering every request with the bytes in its slot, then closing.
pub(crate) struct CannedServer {
    pub(crate) endpoint: String,
    slot: Arc<Mutex<Vec<u8>>>,
}

impl CannedServer {
    /// Binds 127.0.0.1:0 and serves on the current runtime.
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let slot = Arc::new(Mutex::new(Vec::new()));
        let serving = slot.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let slot = serving.clone();
                tokio::spawn(async move {
                    if read_request(&mut stream).await.is_some() {
                        let bytes = slot.lock().unwrap().clone();
                        let _ = stream.write_all(&bytes).await;
                        let _ = stream.shutdown().await;
                    }
                });
            }
        });
        Self { endpoint, slot }
    }

    /// What the next requests are answered with.
    pub(crate) fn set(&self, response: Vec<u8>) {
        *self.slot.lock().unwrap() = response;
    }
}

/// Reads one request (head and `Content-Length` body); returns its head.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let length = header_in(&head, "content-length")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            return Some(head);
        }
    }
}

fn header_in(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_owned())
}

/// How a canned response's body reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `Content-Length` of the body, then the body.
    Exact,
    /// `Content-Length` larger than the body, then the connection closes (a transfer cut).
    Short,
    /// No `Content-Length`: the body ends when the connection closes.
    UntilClose,
}

/// A `200 OK` with `content_type`, a request id, and `body` framed as asked.
pub(crate) fn ok_response(content_type: &str, body: &[u8], framing: Framing) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\
         x-amzn-RequestId: 00000000-0000-4000-8000-00000000f022\r\nConnection: close\r\n"
    );
    match framing {
        Framing::Exact => head.push_str(&format!("Content-Length: {}\r\n", body.len())),
        Framing::Short => head.push_str(&format!("Content-Length: {}\r\n", body.len() + 17)),
        Framing::UntilClose => {}
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A bedrock-fm client for `endpoint`: the local server's test credentials, no retries (so
/// that every case is one request), a short stream idle timeout.
pub(crate) fn client(endpoint: &str) -> Client {
    use aws_sdk_bedrockruntime::config::{
        BehaviorVersion, Credentials, Region, StalledStreamProtectionConfig, retry::RetryConfig,
    };
    use bedrock_fm_local::config::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
    let config = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            TEST_ACCESS_KEY_ID,
            TEST_SECRET_ACCESS_KEY,
            None,
            None,
            "fuzz",
        ))
        .retry_config(RetryConfig::disabled())
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .build();
    Client::from_sdk_client(aws_sdk_bedrockruntime::Client::from_conf(config))
        .with_retry_policy(RetryPolicy::none())
        .with_stream_idle_timeout(Duration::from_secs(5))
}

/// An HTTP response as read off the socket.
#[derive(Debug, Clone)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// The body ended as its framing said (not cut by a closed connection).
    pub(crate) complete: bool,
}

impl RawResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `request` (raw bytes) to `addr` and reads the response to the end of the connection
/// (requests say `Connection: close`); `None` when the connection closed without a response
/// head. With `half_close` the client shuts its sending side after the request (hyper then
/// closes the connection, answered or not: for requests that would otherwise wait for bytes
/// that never come). `Err` on a timeout.
pub(crate) async fn exchange(
    addr: std::net::SocketAddr,
    request: &[u8],
    half_close: bool,
    timeout: Duration,
) -> Result<Option<RawResponse>, String> {
    let work = async {
        let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        // A server may answer (and close) before reading the whole request.
        let _ = stream.write_all(request).await;
        if half_close {
            let _ = stream.shutdown().await;
        }
        let mut buf = Vec::new();
        let _ = stream.read_to_end(&mut buf).await;
        Ok::<_, String>(parse_response(&buf))
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| format!("no answer within {timeout:?}"))?
}

/// Parses one HTTP/1.1 response (`Content-Length`, chunked, or until the end of `buf`).
pub(crate) fn parse_response(buf: &[u8]) -> Option<RawResponse> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status: u16 = status_line.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rest = &buf[end + 4..];
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let (body, complete) = if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        dechunk(rest)
    } else if let Some(n) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        (rest[..n.min(rest.len())].to_vec(), rest.len() >= n)
    } else {
        (rest.to_vec(), true)
    };
    Some(RawResponse {
        status,
        headers,
        body,
        complete,
    })
}

/// Decodes a chunked body; `complete` when the terminating chunk was read.
fn dechunk(mut rest: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    loop {
        let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
            return (out, false);
        };
        let size_text = String::from_utf8_lossy(&rest[..eol]);
        let Ok(size) = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
        else {
            return (out, false);
        };
        rest = &rest[eol + 2..];
        if size == 0 {
            return (out, true);
        }
        if rest.len() < size + 2 {
            out.extend_from_slice(&rest[..size.min(rest.len())]);
            return (out, false);
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// A POST with `headers`, `Content-Length` and `Connection: close`.
pub(crate) fn post(path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut text = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = text.into_bytes();
    out.extend_from_slice(body);
    out
}
