//! Prompt caching: cache points written then read, and the cache token counts of InvokeModel.

use super::*;

#[tokio::test]
async fn converse_cache_points_write_then_read() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let system = long_text(1_100);
    let ask = |question: &'static str| {
        client
            .converse()
            .model_id(SONNET37)
            .system(SystemContentBlock::Text(system.clone()))
            .system(SystemContentBlock::CachePoint(cache_point()))
            .messages(user(question))
    };
    let first = ask("What does it say?").send().await.unwrap();
    let u = first.usage().unwrap();
    assert_eq!(u.cache_write_input_tokens(), Some(1_100));
    assert_eq!(u.cache_read_input_tokens(), Some(0));
    assert_eq!(u.input_tokens(), 5);
    assert_eq!(
        u.total_tokens(),
        u.input_tokens() + u.output_tokens() + 1_100
    );
    let second = ask("Summarize it").send().await.unwrap();
    let u = second.usage().unwrap();
    assert_eq!(u.cache_read_input_tokens(), Some(1_100));
    assert_eq!(u.cache_write_input_tokens(), Some(0));
    assert_eq!(u.input_tokens(), 2);
    // The wire: the cachePoint block as the SDK sent it.
    let body: Value = serde_json::from_slice(&server.last_request().unwrap().body).unwrap();
    assert_eq!(
        body["system"][1],
        json!({"cachePoint": {"type": "default"}})
    );

    // The stream reports the same figures in its metadata event.
    let mut out = client
        .converse_stream()
        .model_id(SONNET37)
        .system(SystemContentBlock::Text(system.clone()))
        .system(SystemContentBlock::CachePoint(cache_point()))
        .messages(user("Once more"))
        .send()
        .await
        .unwrap();
    let mut usage = None;
    while let Some(event) = out.stream.recv().await.unwrap() {
        if let ConverseStreamOutput::Metadata(m) = event {
            usage = m.usage().cloned();
        }
    }
    assert_eq!(usage.unwrap().cache_read_input_tokens(), Some(1_100));

    // Clearing the cache writes again.
    server.prompt_cache().clear();
    let again = ask("What does it say?").send().await.unwrap();
    assert_eq!(
        again.usage().unwrap().cache_write_input_tokens(),
        Some(1_100)
    );

    // Message checkpoints.
    let out = client
        .converse()
        .model_id(SONNET37)
        .messages(user_blocks(vec![
            ContentBlock::Text(long_text(1_500)),
            ContentBlock::CachePoint(cache_point()),
            ContentBlock::Text("And?".into()),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(out.usage().unwrap().cache_write_input_tokens(), Some(1_500));

    // A model without prompt caching.
    let err = client
        .converse()
        .model_id(HAIKU3)
        .system(SystemContentBlock::Text("s".into()))
        .system(SystemContentBlock::CachePoint(cache_point()))
        .messages(user("hi"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_access_denied_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("You invoked an unsupported model or your request did not allow prompt caching.")
    );
}

/// Sends a bearer-authenticated request over raw HTTP and returns status, headers and body.
async fn raw_post(
    addr: std::net::SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nAuthorization: Bearer {TEST_BEARER_TOKEN}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(&bytes).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let head_end = text.find("\r\n\r\n").unwrap();
    let mut lines = text[..head_end].split("\r\n");
    let status = lines
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
            (n.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    (status, headers, buf[head_end + 4..].to_vec())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn invoke_model_cache_control_reports_cache_tokens_in_body_and_headers() {
    let server = bedrock_fm_local::start();
    let body = json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 100,
        "system": [{"type": "text", "text": long_text(1_300), "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": "Question one"}]
    });
    let bytes = serde_json::to_vec(&body).unwrap();
    let path = "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/invoke";
    let (status, headers, resp) = raw_post(server.addr(), path, &[], &bytes).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&resp));
    let v: Value = serde_json::from_slice(&resp).unwrap();
    assert_eq!(v["usage"]["cache_creation_input_tokens"], 1_300);
    assert_eq!(v["usage"]["input_tokens"], 2);
    assert_eq!(
        header(&headers, "x-amzn-bedrock-cache-write-input-token-count"),
        Some("1300")
    );
    assert_eq!(
        header(&headers, "x-amzn-bedrock-cache-read-input-token-count"),
        Some("0")
    );
    assert_eq!(
        header(&headers, "x-amzn-bedrock-input-token-count"),
        Some("2")
    );
    // Through the SDK, the second call reads.
    let out = server
        .client()
        .invoke_model()
        .model_id(SONNET37)
        .body(Blob::new(bytes))
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
    assert_eq!(v["usage"]["cache_read_input_tokens"], 1_300);
    assert_eq!(v["usage"]["cache_creation_input_tokens"], 0);
}
