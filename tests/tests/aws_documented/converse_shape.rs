//! Converse: documented responses against the service model's shapes, and through
//! bedrock-fm's chat API.

use crate::fixtures::examples_of;
use crate::known_divergences::Outcomes;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};

/// `ConverseResponse` members and required members, `StopReason` and `ConversationRole`
/// values and `ContentBlock` members, from the bedrock-runtime service model
/// (`bedrock-runtime-2023-09-30.service-2.json`, shapes of the same names).
const CONVERSE_RESPONSE_MEMBERS: &[&str] = &[
    "output",
    "stopReason",
    "usage",
    "metrics",
    "additionalModelResponseFields",
    "trace",
    "performanceConfig",
    "serviceTier",
];
const CONVERSE_RESPONSE_REQUIRED: &[&str] = &["output", "stopReason", "usage", "metrics"];
const STOP_REASONS: &[&str] = &[
    "end_turn",
    "tool_use",
    "max_tokens",
    "stop_sequence",
    "guardrail_intervened",
    "content_filtered",
    "malformed_model_output",
    "malformed_tool_use",
    "model_context_window_exceeded",
];
const CONVERSATION_ROLES: &[&str] = &["user", "assistant", "system"];
const CONTENT_BLOCK_MEMBERS: &[&str] = &[
    "text",
    "image",
    "document",
    "video",
    "audio",
    "toolUse",
    "toolResult",
    "guardContent",
    "cachePoint",
    "reasoningContent",
    "citationsContent",
    "searchResult",
    "toolAddition",
    "toolRemoval",
];

/// Checks a Converse response body against the service model's shapes; `omitted` names
/// required members the AWS page leaves out of its example.
pub(crate) fn converse_response_shape(body: &Value, omitted: &[String]) -> Result<(), String> {
    let obj = body.as_object().ok_or("not an object")?;
    for k in obj.keys() {
        if !CONVERSE_RESPONSE_MEMBERS.contains(&k.as_str()) {
            return Err(format!("{k} is not a ConverseResponse member"));
        }
    }
    for k in CONVERSE_RESPONSE_REQUIRED {
        if !obj.contains_key(*k) && !omitted.iter().any(|o| o == k) {
            return Err(format!("required {k} missing"));
        }
    }
    let stop = body["stopReason"].as_str().ok_or("stopReason")?;
    if !STOP_REASONS.contains(&stop) {
        return Err(format!("stopReason {stop:?} is not a StopReason value"));
    }
    // ConverseOutput is a union: exactly `message`.
    let output = body["output"].as_object().ok_or("output")?;
    if output.len() != 1 || !output.contains_key("message") {
        return Err(format!("output {:?}", output.keys().collect::<Vec<_>>()));
    }
    let message = &body["output"]["message"];
    let role = message["role"].as_str().ok_or("message.role")?;
    if !CONVERSATION_ROLES.contains(&role) {
        return Err(format!("role {role:?}"));
    }
    for block in message["content"].as_array().ok_or("message.content")? {
        let b = block.as_object().ok_or("a content block")?;
        // ContentBlock is a union: one member set.
        if b.len() != 1 || !CONTENT_BLOCK_MEMBERS.contains(&b.keys().next().unwrap().as_str()) {
            return Err(format!("content block {block}"));
        }
        if let Some(t) = b.get("text") {
            t.as_str().ok_or("text is not a string")?;
        }
        if let Some(u) = b.get("toolUse") {
            // ToolUseBlock: toolUseId, name and input are required.
            for k in ["toolUseId", "name", "input"] {
                u.get(k).ok_or(format!("toolUse.{k} missing"))?;
            }
        }
    }
    if let Some(usage) = body.get("usage") {
        for k in ["inputTokens", "outputTokens", "totalTokens"] {
            usage[k].as_u64().ok_or(format!("usage.{k}"))?;
        }
    }
    if let Some(metrics) = body.get("metrics") {
        metrics["latencyMs"].as_u64().ok_or("metrics.latencyMs")?;
    }
    Ok(())
}

#[test]
fn every_documented_converse_response_has_the_service_models_shape() {
    let mut outcomes = Outcomes::default();
    for ex in examples_of(&["response"]) {
        if ex.family != "converse" {
            continue;
        }
        outcomes.count("converse response");
        if let Err(e) = converse_response_shape(&ex.body, &ex.omitted_by_page) {
            outcomes.fail(&ex, "shape", e);
        }
    }
    outcomes.assert_only_known(&["shape"]);
}

/// Serves `body` as the answer to every request on a loopback port (a stand-in endpoint
/// for one documented response).
fn answer_with(body: Value) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let payload = serde_json::to_vec(&body).unwrap();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut raw = Vec::new();
            let mut buf = [0u8; 8192];
            // Read the head, then the declared body.
            loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
                if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if raw.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                 x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                payload.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&payload);
        }
    });
    addr
}

#[tokio::test]
async fn every_documented_converse_response_decodes_through_bedrock_fm_chat() {
    use bedrock_fm::chat::ChatOptions;
    use bedrock_fm::chat::content::Content;
    use bedrock_fm::{Api, Claude3, Client, Conversation, StopReason};

    let server = bedrock_fm_local::start();
    let mut outcomes = Outcomes::default();
    for ex in examples_of(&["response"]) {
        if ex.family != "converse" {
            continue;
        }
        outcomes.count("converse response");
        let addr = answer_with(ex.body.clone());
        let config = server
            .sdk_config()
            .to_builder()
            .endpoint_url(format!("http://{addr}"))
            .build();
        let client = Client::from_sdk_config(&config);
        let model = Claude3::builder(&client, "anthropic.claude-3-haiku-20240307-v1:0")
            .api(Api::Converse)
            .build()
            .unwrap();
        let conversation = Conversation::new().human("What is the most popular song on WZPZ?");
        let reply = match model.chat_with(&conversation, &ChatOptions::new()).await {
            Ok(reply) => reply,
            Err(e) => {
                outcomes.fail(&ex, "chat", e.to_string());
                continue;
            }
        };
        // The reply holds the documented content, block for block.
        let blocks = ex.body["output"]["message"]["content"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut problems = Vec::new();
        if blocks.len() != reply.content.len() {
            problems.push(format!(
                "{} blocks, documented {}",
                reply.content.len(),
                blocks.len()
            ));
        }
        for (block, content) in blocks.iter().zip(&reply.content) {
            match content {
                Content::Text(t) if block["text"] == *t.as_str() => {}
                Content::ToolUse(u)
                    if block["toolUse"]["toolUseId"] == *u.id.as_str()
                        && block["toolUse"]["name"] == *u.name.as_str()
                        && block["toolUse"]["input"] == u.input => {}
                other => problems.push(format!("{other:?} for documented {block}")),
            }
        }
        let stop = ex.body["stopReason"].as_str().unwrap_or_default();
        if reply.stop_reason != Some(StopReason::from_wire(stop))
            || matches!(reply.stop_reason, Some(StopReason::Unknown(_)) | None)
        {
            problems.push(format!(
                "stop reason {:?}, documented {stop}",
                reply.stop_reason
            ));
        }
        if !problems.is_empty() {
            outcomes.fail(&ex, "chat", problems.join("; "));
        }
    }
    outcomes.assert_only_known(&["chat"]);
}
