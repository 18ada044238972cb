//! Amazon Nova understanding models (Micro, Lite, Pro, Premier, Nova 2): `schemaVersion`,
//! `system`, `messages`, `inferenceConfig`, `toolConfig`.
//!
//! Source: <https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html>
//!
//! Nova's native body is the Converse shape under the same names (content blocks `text`,
//! `image`, `video`, `toolUse`, `toolResult`; `inferenceConfig.maxTokens` and
//! `stopSequences`; `toolConfig.tools[].toolSpec`), so after its schema check the body is
//! answered by the Converse engine ([`crate::converse::generate`], with Converse's
//! conversation rules and wording); `inferenceConfig.reasoningConfig` turns reasoning on.
//!
//! - Response: `{"output": {"message": {"role": "assistant", "content": [blocks]}},
//!   "stopReason": string, "usage": {"inputTokens", "outputTokens", "totalTokens",
//!   "cacheReadInputTokenCount", "cacheWriteInputTokenCount"}}`, `stopReason` `end_turn`,
//!   `max_tokens`, `stop_sequence` or `tool_use`. Reasoning content is returned redacted
//!   (`[REDACTED]`), as the page says.
//! - Stream chunks, one event each: `messageStart`, `contentBlockStart` (tool use),
//!   `contentBlockDelta` (`text`, `toolUse.input`, `reasoningContent`), `contentBlockStop`,
//!   `messageStop` (`stopReason`) and `metadata` (`usage`), which carries the invocation
//!   metrics.
//! - Prompt caching: `{"cachePoint": {"type": "default"}}` blocks in `system` and in message
//!   `content`, as in Converse (the Nova 2 guide's "Using the Invoke API": "The Invoke API
//!   supports the same features as the Converse API except for document input"); `usage`
//!   reports `cacheReadInputTokenCount` and `cacheWriteInputTokenCount`. The catalog's native
//!   schema has no `cachePoint` member, so the blocks are taken out before the schema check and
//!   checked here (`type` must be `default`, `ttl` `5m` or `1h`).

use bedrock_fm::catalog::Family;
use serde_json::{Map, Value, json};

use super::codec_support;
use crate::converse;
use crate::errors::ServiceError;
use crate::models::{
    ChunkStream, ConverseCall, ConverseEvent, ConverseOutput, FamilyCodec, InvokeCall,
    InvokeOutput, OutputBlock, Usage,
};
use crate::prompt_cache::CacheTtl;

/// What Nova returns for reasoning text in InvokeModel responses.
const REDACTED: &str = "[REDACTED]";

/// The Amazon Nova codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nova;

/// The Converse request equivalent to a Nova body.
fn converse_request(body: &Value) -> Value {
    let mut req = Map::new();
    for key in ["messages", "system", "toolConfig"] {
        if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
            req.insert(key.into(), v.clone());
        }
    }
    if let Some(config) = body.get("inferenceConfig").and_then(Value::as_object) {
        let mut inference = config.clone();
        if let Some(reasoning) = inference.remove("reasoningConfig") {
            req.insert(
                "additionalModelRequestFields".into(),
                json!({"reasoningConfig": reasoning}),
            );
        }
        req.insert("inferenceConfig".into(), Value::Object(inference));
    }
    Value::Object(req)
}

/// Checks and removes the `cachePoint` blocks of one block list.
fn strip_cache_points(pointer: &str, list: &mut Vec<Value>) -> Result<(), ServiceError> {
    for (j, block) in list.iter().enumerate() {
        let Some(cp) = block.get("cachePoint") else {
            continue;
        };
        let ok = cp["type"] == "default"
            && cp
                .as_object()
                .is_some_and(|o| o.keys().all(|k| k == "type" || k == "ttl"))
            && cp
                .get("ttl")
                .is_none_or(|t| t.is_string() && CacheTtl::parse(t.as_str()).is_some());
        if !ok || block.as_object().is_some_and(|o| o.len() != 1) {
            return Err(ServiceError::malformed_input(&format!(
                "{pointer}/{j}/cachePoint: expected {{\"type\": \"default\"}} with an optional ttl of 5m or 1h"
            )));
        }
    }
    list.retain(|b| b.get("cachePoint").is_none());
    Ok(())
}

/// Takes the `cachePoint` blocks out of `system` and the message contents (checking them),
/// for the schema check.
fn without_cache_points(body: &Value) -> Result<Value, ServiceError> {
    let mut stripped = body.clone();
    if let Some(system) = stripped.get_mut("system").and_then(Value::as_array_mut) {
        strip_cache_points("#/system", system)?;
    }
    if let Some(messages) = stripped.get_mut("messages").and_then(Value::as_array_mut) {
        for (i, m) in messages.iter_mut().enumerate() {
            if let Some(content) = m.get_mut("content").and_then(Value::as_array_mut) {
                strip_cache_points(&format!("#/messages/{i}/content"), content)?;
            }
        }
    }
    Ok(stripped)
}

fn generate(call: &InvokeCall<'_>) -> Result<ConverseOutput, ServiceError> {
    let body = codec_support::parse_body(call.body)?;
    codec_support::validate(Family::Nova, &without_cache_points(&body)?)?;
    codec_support::check_model_limit(
        call.model,
        "#/inferenceConfig/maxTokens",
        codec_support::u32_at(&body, "/inferenceConfig/maxTokens"),
    )?;
    let request = converse_request(&body);
    converse::generate(&ConverseCall {
        model: call.model,
        model_id: call.model_id,
        request: &request,
        engine: call.engine,
        streaming: false,
        prompt_cache: call.prompt_cache,
    })
}

fn block_json(block: &OutputBlock) -> Value {
    match block {
        OutputBlock::Reasoning { .. } => {
            json!({"reasoningContent": {"reasoningText": {"text": REDACTED}}})
        }
        other => other.to_json(),
    }
}

fn usage_json(usage: Usage) -> Value {
    json!({
        "inputTokens": usage.input_tokens,
        "outputTokens": usage.output_tokens,
        "totalTokens": usage.total(),
        "cacheReadInputTokenCount": usage.cache_read_input_tokens.unwrap_or(0),
        "cacheWriteInputTokenCount": usage.cache_write_input_tokens.unwrap_or(0),
    })
}

/// The Nova chunk of a Converse stream event (`None` for the reasoning deltas that redaction
/// folds into one).
fn chunk(event: &ConverseEvent, reasoning_sent: &mut bool) -> Option<Value> {
    Some(match event {
        ConverseEvent::MessageStart => json!({"messageStart": {"role": "assistant"}}),
        ConverseEvent::ContentBlockStart { index, start } => {
            json!({"contentBlockStart": {"contentBlockIndex": index, "start": start}})
        }
        ConverseEvent::ContentBlockDelta { index, delta } => {
            let delta = if delta.get("reasoningContent").is_some() {
                if std::mem::replace(reasoning_sent, true) {
                    return None;
                }
                json!({"reasoningContent": {"text": REDACTED}})
            } else {
                delta.clone()
            };
            json!({"contentBlockDelta": {"contentBlockIndex": index, "delta": delta}})
        }
        ConverseEvent::ContentBlockStop { index } => {
            json!({"contentBlockStop": {"contentBlockIndex": index}})
        }
        ConverseEvent::MessageStop { stop_reason, .. } => {
            json!({"messageStop": {"stopReason": stop_reason.as_converse()}})
        }
        ConverseEvent::Metadata { usage } => json!({"metadata": {"usage": usage_json(*usage)}}),
    })
}

impl FamilyCodec for Nova {
    fn family_id(&self) -> &'static str {
        Family::Nova.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let out = generate(call)?;
        let content: Vec<Value> = out.blocks.iter().map(block_json).collect();
        let response = json!({
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": out.stop_reason.as_converse(),
            "usage": usage_json(out.usage),
        });
        Ok(InvokeOutput::json(&response, Some(out.usage)))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let out = generate(call)?;
        let mut reasoning_sent = false;
        let chunks: Vec<Value> = converse::events(&out)
            .iter()
            .filter_map(|e| chunk(e, &mut reasoning_sent))
            .collect();
        Ok(codec_support::stream(chunks, out.usage))
    }
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;

    const MODEL: &str = "amazon.nova-lite-v1:0";

    // The documented request example, complete-request-schema.html.
    fn documented() -> Value {
        json!({
            "schemaVersion": "messages-v1",
            "system": [{"text": "You are a travel guide."}],
            "messages": [
                {"role": "user", "content": [{"text": "Describe the rivers of Europe"}]}
            ],
            "inferenceConfig": {
                "maxTokens": 500,
                "temperature": 0.7,
                "topP": 0.9,
                "topK": 20,
                "stopSequences": ["END"]
            }
        })
    }

    fn text_of(v: &Value) -> String {
        v["output"]["message"]["content"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["text"].as_str())
            .collect()
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&Nova, MODEL, &documented()).unwrap();
        assert_valid(Family::Nova.response_spec(), &v);
        assert_eq!(v["output"]["message"]["role"], "assistant");
        assert!(
            text_of(&v).starts_with("Describe the rivers of Europe"),
            "{v}"
        );
        assert_eq!(v["stopReason"], "end_turn");
        let usage = usage.unwrap();
        assert_eq!(v["usage"]["inputTokens"], usage.input_tokens);
        assert_eq!(v["usage"]["outputTokens"], usage.output_tokens);
        assert_eq!(
            v["usage"]["totalTokens"],
            usage.input_tokens + usage.output_tokens
        );
    }

    #[test]
    fn extraneous_keys_out_of_range_values_and_conversation_rules() {
        let mut body = documented();
        // (`max_new_tokens` is an accepted alias of `maxTokens` since the catalog records it.)
        body["inferenceConfig"]["max_output_tokens"] = json!(10);
        let msg = validation_message(invoke(&Nova, MODEL, &body));
        assert_eq!(
            msg,
            "Malformed input request: #/inferenceConfig: extraneous key [max_output_tokens] is not permitted, please reformat your input and try again."
        );
        let mut body = documented();
        body["inferenceConfig"]["maxTokens"] = json!(6000);
        let msg = validation_message(invoke(&Nova, MODEL, &body));
        assert!(
            msg.contains("#/inferenceConfig/maxTokens: 6000 is not less or equal to 5000"),
            "{msg}"
        );
        let mut body = documented();
        body["messages"][0]["role"] = json!("assistant");
        let msg = validation_message(invoke(&Nova, MODEL, &body));
        assert!(
            msg.starts_with("A conversation must start with a user message"),
            "{msg}"
        );
    }

    #[test]
    fn max_tokens_and_stop_sequences_set_the_stop_reason() {
        let mut body = documented();
        body["messages"][0]["content"][0]["text"] = json!("one two three four");
        body["inferenceConfig"]["maxTokens"] = json!(2);
        let (v, _) = invoke(&Nova, MODEL, &body).unwrap();
        assert_eq!(text_of(&v), "one two");
        assert_eq!(v["stopReason"], "max_tokens");
        body["inferenceConfig"]["maxTokens"] = json!(100);
        body["inferenceConfig"]["stopSequences"] = json!(["three"]);
        let (v, _) = invoke(&Nova, MODEL, &body).unwrap();
        assert_eq!(text_of(&v), "one two ");
        assert_eq!(v["stopReason"], "stop_sequence");
    }

    #[test]
    fn tools_and_redacted_reasoning() {
        let mut body = documented();
        body["messages"][0]["content"][0]["text"] = json!("What is the weather in Paris?");
        body["toolConfig"] = json!({
            "tools": [{"toolSpec": {
                "name": "weather",
                "description": "Weather by city",
                "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
            }}],
            "toolChoice": {"any": {}}
        });
        let (v, usage) = invoke(&Nova, MODEL, &body).unwrap();
        assert_valid(Family::Nova.response_spec(), &v);
        assert_eq!(v["stopReason"], "tool_use");
        let content = v["output"]["message"]["content"].as_array().unwrap();
        let tool_use = &content.last().unwrap()["toolUse"];
        assert_eq!(tool_use["name"], "weather");
        assert_eq!(tool_use["input"]["city"], "Paris");
        let chunks = stream(&Nova, MODEL, &body).unwrap();
        assert_stream(
            Family::Nova.stream_chunk_spec().unwrap(),
            &chunks,
            usage.unwrap(),
        );
        assert!(
            chunks
                .iter()
                .any(|c| c["contentBlockStart"]["start"]["toolUse"]["name"] == "weather")
        );

        let mut body = documented();
        body["inferenceConfig"]["reasoningConfig"] =
            json!({"type": "enabled", "maxReasoningEffort": "low"});
        let (v, usage) = invoke(&Nova, MODEL, &body).unwrap();
        assert_valid(Family::Nova.response_spec(), &v);
        assert_eq!(
            v["output"]["message"]["content"][0]["reasoningContent"]["reasoningText"]["text"],
            REDACTED
        );
        let chunks = stream(&Nova, MODEL, &body).unwrap();
        assert_stream(
            Family::Nova.stream_chunk_spec().unwrap(),
            &chunks,
            usage.unwrap(),
        );
        let reasoning = chunks
            .iter()
            .filter(|c| c["contentBlockDelta"]["delta"]["reasoningContent"].is_object())
            .count();
        assert_eq!(reasoning, 1);
    }

    #[test]
    fn the_stream_carries_the_same_text_and_the_documented_events() {
        let (v, usage) = invoke(&Nova, MODEL, &documented()).unwrap();
        let chunks = stream(&Nova, MODEL, &documented()).unwrap();
        let usage = usage.unwrap();
        assert_stream(Family::Nova.stream_chunk_spec().unwrap(), &chunks, usage);
        let text: String = chunks
            .iter()
            .filter_map(|c| c["contentBlockDelta"]["delta"]["text"].as_str())
            .collect();
        assert_eq!(text, text_of(&v));
        assert_eq!(chunks[0], json!({"messageStart": {"role": "assistant"}}));
        let n = chunks.len();
        assert!(chunks[n - 3]["contentBlockStop"].is_object());
        assert_eq!(chunks[n - 2]["messageStop"]["stopReason"], "end_turn");
        assert_eq!(
            chunks[n - 1]["metadata"]["usage"]["outputTokens"],
            usage.output_tokens
        );
    }

    #[test]
    fn cache_points_are_accepted_and_reported() {
        let caps = caps(MODEL);
        let cache = crate::prompt_cache::PromptCache::new();
        let long: String = (0..1_200).map(|i| format!("w{i} ")).collect();
        let mut body = documented();
        body["system"] = json!([{"text": long}, {"cachePoint": {"type": "default"}}]);
        let call = |body: &Value| {
            let bytes = serde_json::to_vec(body).unwrap();
            Nova.invoke(&InvokeCall {
                model: &caps,
                model_id: MODEL,
                body: &bytes,
                content_type: None,
                accept: None,
                engine: crate::engine::Engine::new(SEED),
                prompt_cache: Some(&cache),
            })
        };
        let out = call(&body).unwrap();
        let v: Value = serde_json::from_slice(&out.body).unwrap();
        assert_valid(Family::Nova.response_spec(), &v);
        assert_eq!(v["usage"]["cacheWriteInputTokenCount"], 1_200);
        let v: Value = serde_json::from_slice(&call(&body).unwrap().body).unwrap();
        assert_eq!(v["usage"]["cacheReadInputTokenCount"], 1_200);
        let u = &v["usage"];
        assert_eq!(
            u["totalTokens"].as_u64().unwrap(),
            u["inputTokens"].as_u64().unwrap() + u["outputTokens"].as_u64().unwrap() + 1_200
        );
        body["system"][1] = json!({"cachePoint": {"type": "other"}});
        let msg = validation_message(call(&body));
        assert!(msg.contains("#/system/1/cachePoint"), "{msg}");
    }
}
