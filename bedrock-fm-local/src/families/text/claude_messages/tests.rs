//! Tests of `claude_messages`.

use base64::Engine as _;

use super::codec_support::testing::*;
use super::*;

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

// The documented request example, model-parameters-anthropic-claude-messages-request-response.html.
fn documented() -> Value {
    json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 1024,
        "system": "You are a geographer.",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Describe the rivers of Europe"}]}
        ],
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 250,
        "stop_sequences": ["\n\nHuman:"]
    })
}

fn weather_tools() -> Value {
    json!([{
        "name": "get_weather",
        "description": "The weather of a city",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["C", "F"]}},
            "required": ["city"]
        }
    }])
}

fn text_of(v: &Value) -> String {
    v["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "text")
        .map(|b| b["text"].as_str().unwrap())
        .collect()
}

#[test]
fn model_names_drop_the_prefix_and_version() {
    assert_eq!(model_name(MODEL), "claude-3-haiku-20240307");
    assert_eq!(
        model_name("anthropic.claude-3-haiku-20240307-v1:0:48k"),
        "claude-3-haiku-20240307"
    );
    assert_eq!(
        model_name("anthropic.claude-opus-4-6-v1"),
        "claude-opus-4-6"
    );
    assert_eq!(
        model_name("anthropic.claude-sonnet-4-6"),
        "claude-sonnet-4-6"
    );
}

#[test]
fn a_documented_request_is_answered_with_a_valid_response() {
    let (v, usage) = invoke(&ClaudeMessages, MODEL, &documented()).unwrap();
    assert_valid(Family::ClaudeMessages.response_spec(), &v);
    assert_eq!(v["type"], "message");
    assert_eq!(v["role"], "assistant");
    assert_eq!(v["model"], "claude-3-haiku-20240307");
    assert!(v["id"].as_str().unwrap().starts_with("msg_bdrk_01"));
    assert!(
        text_of(&v).starts_with("Describe the rivers of Europe"),
        "{v}"
    );
    assert_eq!(v["stop_reason"], "end_turn");
    assert!(v["stop_sequence"].is_null());
    let usage = usage.unwrap();
    assert_eq!(v["usage"]["input_tokens"], usage.input_tokens);
    assert_eq!(v["usage"]["output_tokens"], usage.output_tokens);
    // A plain string content is accepted too.
    let mut body = documented();
    body["messages"] = json!([{"role": "user", "content": "Hello"}]);
    let (v, _) = invoke(&ClaudeMessages, MODEL, &body).unwrap();
    assert_valid(Family::ClaudeMessages.response_spec(), &v);
}

#[test]
fn extraneous_keys_and_out_of_range_values_are_rejected() {
    let mut body = documented();
    body["bogus"] = json!(true);
    let msg = validation_message(invoke(&ClaudeMessages, MODEL, &body));
    assert_eq!(
        msg,
        "Malformed input request: #: extraneous key [bogus] is not permitted, please reformat your input and try again."
    );
    let mut body = documented();
    body["temperature"] = json!(2);
    let msg = validation_message(invoke(&ClaudeMessages, MODEL, &body));
    assert!(
        msg.contains("#/temperature: 2 is not less or equal to 1"),
        "{msg}"
    );
    let mut body = documented();
    body["messages"][0]["content"][0]["bogus"] = json!(1);
    let msg = validation_message(invoke(&ClaudeMessages, MODEL, &body));
    assert!(
        msg.contains("#/messages/0/content/0: extraneous key [bogus] is not permitted"),
        "{msg}"
    );
    let mut body = documented();
    body["messages"][0]["content"] = json!(42);
    let msg = validation_message(invoke(&ClaudeMessages, MODEL, &body));
    assert!(
        msg.contains("#/messages/0/content: expected type: String or JSONArray, found: Integer"),
        "{msg}"
    );
    let mut body = documented();
    body["anthropic_version"] = json!("2023-06-01");
    let msg = validation_message(invoke(&ClaudeMessages, MODEL, &body));
    assert!(
        msg.contains("#/anthropic_version: 2023-06-01 is not a valid enum value"),
        "{msg}"
    );
    let mut body = documented();
    body["max_tokens"] = json!(8000);
    let msg = validation_message(invoke(&ClaudeMessages, MODEL, &body));
    assert_eq!(
        msg,
        "max_tokens: 8000 > 4096, which is the maximum allowed number of output tokens for claude-3-haiku-20240307"
    );
}

#[test]
fn conversation_rules_are_anthropics() {
    let mut body = documented();
    body["messages"] = json!([
        {"role": "user", "content": "a"},
        {"role": "user", "content": "b"}
    ]);
    let msg = validation_message(invoke(&ClaudeMessages, MODEL, &body));
    assert_eq!(
        msg,
        "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"user\" roles in a row"
    );
    body["messages"] = json!([{"role": "assistant", "content": "a"}]);
    let msg = validation_message(invoke(&ClaudeMessages, MODEL, &body));
    assert!(
        msg.contains("first message must use the \"user\" role"),
        "{msg}"
    );
    body["messages"] = json!([{"role": "user", "content": []}]);
    let msg = validation_message(invoke(&ClaudeMessages, MODEL, &body));
    assert!(
        msg.starts_with("messages.0: all messages must have non-empty content"),
        "{msg}"
    );
    body["messages"] = json!([
        {"role": "user", "content": "Call it"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "42"}]}
    ]);
    let msg = validation_message(invoke(&ClaudeMessages, MODEL, &body));
    assert!(msg.contains("must define tools"), "{msg}");
    // An assistant prefill last is allowed.
    body["messages"] = json!([
        {"role": "user", "content": "Count to three"},
        {"role": "assistant", "content": "1,"}
    ]);
    assert!(invoke(&ClaudeMessages, MODEL, &body).is_ok());
}

#[test]
fn max_tokens_and_stop_sequences_set_the_stop_reason() {
    let mut body = documented();
    body["messages"] = json!([{"role": "user", "content": "one two three four five"}]);
    body["max_tokens"] = json!(3);
    let (v, usage) = invoke(&ClaudeMessages, MODEL, &body).unwrap();
    assert_eq!(text_of(&v), "one two three");
    assert_eq!(v["stop_reason"], "max_tokens");
    assert_eq!(usage.unwrap().output_tokens, 3);
    body["max_tokens"] = json!(100);
    body["stop_sequences"] = json!(["four"]);
    let (v, _) = invoke(&ClaudeMessages, MODEL, &body).unwrap();
    assert_eq!(text_of(&v), "one two three ");
    assert_eq!(v["stop_reason"], "stop_sequence");
    assert_eq!(v["stop_sequence"], "four");
    assert_valid(Family::ClaudeMessages.response_spec(), &v);
}

#[test]
fn tools_are_called_with_schema_valid_input() {
    let mut body = documented();
    body["messages"] =
        json!([{"role": "user", "content": "What is the weather in Paris? Use get_weather."}]);
    body["tools"] = weather_tools();
    let (v, _) = invoke(&ClaudeMessages, MODEL, &body).unwrap();
    assert_valid(Family::ClaudeMessages.response_spec(), &v);
    assert_eq!(v["stop_reason"], "tool_use");
    let call = v["content"].as_array().unwrap().last().unwrap();
    assert_eq!(call["type"], "tool_use");
    assert_eq!(call["name"], "get_weather");
    assert_eq!(call["input"]["city"], "Paris");
    assert!(call["id"].as_str().unwrap().starts_with("toolu_bdrk_01"));
    // After the tool result, the model answers in text.
    body["messages"] = json!([
        {"role": "user", "content": "What is the weather in Paris? Use get_weather."},
        {"role": "assistant", "content": [call]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call["id"], "content": "Sunny, 21 C"}]}
    ]);
    let (v, _) = invoke(&ClaudeMessages, MODEL, &body).unwrap();
    assert_eq!(v["stop_reason"], "end_turn");
    // tool_choice forces a tool.
    body["messages"] = json!([{"role": "user", "content": "Hello"}]);
    body["tool_choice"] = json!({"type": "tool", "name": "get_weather"});
    let (v, _) = invoke(&ClaudeMessages, MODEL, &body).unwrap();
    assert_eq!(v["stop_reason"], "tool_use");
    assert_eq!(v["content"].as_array().unwrap().len(), 1);
}

#[test]
fn thinking_comes_first_and_is_bounded_by_max_tokens() {
    let mut body = documented();
    body["max_tokens"] = json!(2048);
    body["thinking"] = json!({"type": "enabled", "budget_tokens": 1024});
    let (v, _) = invoke(
        &ClaudeMessages,
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
        &body,
    )
    .unwrap();
    assert_valid(Family::ClaudeMessages.response_spec(), &v);
    assert_eq!(v["content"][0]["type"], "thinking");
    assert!(v["content"][0]["signature"].is_string());
    assert_eq!(v["content"][1]["type"], "text");
    body["max_tokens"] = json!(1024);
    let msg = validation_message(invoke(
        &ClaudeMessages,
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
        &body,
    ));
    assert!(
        msg.contains("`max_tokens` must be greater than `thinking.budget_tokens`"),
        "{msg}"
    );
}

#[test]
fn the_stream_carries_the_same_text_and_the_documented_events() {
    let (v, usage) = invoke(&ClaudeMessages, MODEL, &documented()).unwrap();
    let chunks = stream(&ClaudeMessages, MODEL, &documented()).unwrap();
    let usage = usage.unwrap();
    assert_stream(
        Family::ClaudeMessages.stream_chunk_spec().unwrap(),
        &chunks,
        usage,
    );
    let kinds: Vec<&str> = chunks.iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(kinds[..2], ["message_start", "content_block_start"]);
    assert_eq!(
        kinds[kinds.len() - 3..],
        ["content_block_stop", "message_delta", "message_stop"]
    );
    let text: String = chunks
        .iter()
        .filter(|c| c["type"] == "content_block_delta")
        .map(|c| {
            assert_eq!(c["delta"]["type"], "text_delta");
            c["delta"]["text"].as_str().unwrap()
        })
        .collect();
    assert_eq!(text, text_of(&v));
    assert_eq!(
        chunks[0]["message"]["usage"]["input_tokens"],
        usage.input_tokens
    );
    assert_eq!(chunks[0]["message"]["content"], json!([]));
    assert!(chunks[0]["message"]["stop_reason"].is_null());
    let delta = &chunks[chunks.len() - 2];
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert_eq!(delta["usage"]["output_tokens"], usage.output_tokens);
}

#[test]
fn a_streamed_tool_call_carries_its_input_as_json_deltas() {
    let mut body = documented();
    body["messages"] = json!([{"role": "user", "content": "Weather in Paris via get_weather"}]);
    body["tools"] = weather_tools();
    let (v, usage) = invoke(&ClaudeMessages, MODEL, &body).unwrap();
    let chunks = stream(&ClaudeMessages, MODEL, &body).unwrap();
    assert_stream(
        Family::ClaudeMessages.stream_chunk_spec().unwrap(),
        &chunks,
        usage.unwrap(),
    );
    let index = v["content"].as_array().unwrap().len() - 1;
    let json: String = chunks
        .iter()
        .filter(|c| c["type"] == "content_block_delta" && c["index"] == index)
        .map(|c| c["delta"]["partial_json"].as_str().unwrap())
        .collect();
    let input: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(input, v["content"][index]["input"]);
    let start = chunks
        .iter()
        .find(|c| c["type"] == "content_block_start" && c["index"] == index)
        .unwrap();
    assert_eq!(start["content_block"]["name"], "get_weather");
    assert_eq!(chunks[chunks.len() - 2]["delta"]["stop_reason"], "tool_use");
}

fn long_text(words: usize) -> String {
    (0..words)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn call_with_cache(
    model: &str,
    body: &Value,
    cache: &crate::prompt_cache::PromptCache,
) -> Result<(Value, Usage), ServiceError> {
    let caps = caps(model);
    let bytes = serde_json::to_vec(body).unwrap();
    let out = ClaudeMessages.invoke(&InvokeCall {
        model: &caps,
        model_id: model,
        body: &bytes,
        content_type: Some("application/json"),
        accept: Some("application/json"),
        engine: crate::engine::Engine::new(SEED),
        prompt_cache: Some(cache),
    })?;
    Ok((
        serde_json::from_slice(&out.body).unwrap(),
        out.usage.unwrap(),
    ))
}

#[test]
fn cache_control_writes_then_reads_the_prefix() {
    let model = "anthropic.claude-3-7-sonnet-20250219-v1:0";
    let cache = crate::prompt_cache::PromptCache::new();
    let mut body = documented();
    body["system"] =
        json!([{"type": "text", "text": long_text(1_200), "cache_control": {"type": "ephemeral"}}]);
    let (v, usage) = call_with_cache(model, &body, &cache).unwrap();
    assert_valid(Family::ClaudeMessages.response_spec(), &v);
    assert_eq!(v["usage"]["cache_creation_input_tokens"], 1_200);
    assert_eq!(v["usage"]["cache_read_input_tokens"], 0);
    assert_eq!(v["usage"]["input_tokens"], 5, "{v}");
    assert_eq!(usage.cache_write_input_tokens, Some(1_200));
    let (v, usage) = call_with_cache(model, &body, &cache).unwrap();
    assert_eq!(v["usage"]["cache_read_input_tokens"], 1_200);
    assert_eq!(v["usage"]["cache_creation_input_tokens"], 0);
    assert_eq!(usage.cache_read_input_tokens, Some(1_200));
    // The stream reports the same in message_start.
    let caps = caps(model);
    let bytes = serde_json::to_vec(&body).unwrap();
    let chunks: Vec<Value> = ClaudeMessages
        .invoke_stream(&InvokeCall {
            model: &caps,
            model_id: model,
            body: &bytes,
            content_type: None,
            accept: None,
            engine: crate::engine::Engine::new(SEED),
            prompt_cache: Some(&cache),
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        chunks[0]["message"]["usage"]["cache_read_input_tokens"],
        1_200
    );
    let metrics = &chunks.last().unwrap()["amazon-bedrock-invocationMetrics"];
    assert_eq!(metrics["cacheReadInputTokenCount"], 1_200);
    // A tool and a message block take checkpoints too; five is one too many.
    let mut body = documented();
    body["tools"] = weather_tools();
    body["tools"][0]["cache_control"] = json!({"type": "ephemeral"});
    let cc = json!({"type": "ephemeral"});
    body["messages"] = json!([{"role": "user", "content": [
        {"type": "text", "text": "a", "cache_control": cc},
        {"type": "text", "text": "b", "cache_control": cc},
        {"type": "text", "text": "c", "cache_control": cc},
        {"type": "text", "text": "d", "cache_control": cc}
    ]}]);
    let msg = validation_message(call_with_cache(model, &body, &cache));
    assert_eq!(
        msg,
        "A maximum of 4 blocks with cache_control may be provided. Found 5."
    );
    // A model without prompt caching.
    let mut body = documented();
    body["system"] = json!([{"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}]);
    let e = call_with_cache(MODEL, &body, &cache).unwrap_err();
    assert_eq!(e.error_type, "AccessDeniedException");
}

#[test]
fn adaptive_thinking_answers_a_signed_thinking_block() {
    let model = "anthropic.claude-opus-4-6-v1";
    let mut body = documented();
    body["max_tokens"] = json!(2048);
    body["thinking"] = json!({"type": "adaptive"});
    body["output_config"] = json!({"effort": "medium"});
    let (v, _) = invoke(&ClaudeMessages, model, &body).unwrap();
    assert_valid(Family::ClaudeMessages.response_spec(), &v);
    assert_eq!(v["content"][0]["type"], "thinking");
    assert!(
        v["content"][0]["thinking"]
            .as_str()
            .unwrap()
            .starts_with("Let me think")
    );
    assert!(!v["content"][0]["signature"].as_str().unwrap().is_empty());
    assert_eq!(v["content"][1]["type"], "text");
    let chunks = stream(&ClaudeMessages, model, &body).unwrap();
    assert!(
        chunks
            .iter()
            .any(|c| c["delta"]["type"] == "signature_delta")
    );
    assert!(
        chunks
            .iter()
            .any(|c| c["delta"]["type"] == "thinking_delta")
    );
    // Without an effort: high.
    body.as_object_mut().unwrap().remove("output_config");
    assert!(invoke(&ClaudeMessages, model, &body).is_ok());
    // Not on a budget model.
    let msg = validation_message(invoke(
        &ClaudeMessages,
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        &body,
    ));
    assert_eq!(
        msg,
        "thinking: Input tag 'adaptive' found using 'type' does not match any of the expected tags: 'disabled', 'enabled'"
    );
}

#[test]
fn images_are_checked_like_bedrock_does() {
    use crate::media_check::testing::encoded;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let image = |media: &str, data: String| json!({"type": "image", "source": {"type": "base64", "media_type": media, "data": data}});
    let png = encoded("png", 5, 5);
    let mut body = documented();
    body["messages"] = json!([{"role": "user", "content": [image("image/png", b64(&png)), {"type": "text", "text": "What is this?"}]}]);
    let (v, usage) = invoke(&ClaudeMessages, MODEL, &body).unwrap();
    assert_valid(Family::ClaudeMessages.response_spec(), &v);
    assert!(usage.unwrap().input_tokens > 100);
    body["messages"][0]["content"][0] = image("image/jpeg", b64(&png));
    assert_eq!(
        validation_message(invoke(&ClaudeMessages, MODEL, &body)),
        "messages.0.content.0.image.source.base64: The image was specified using the image/jpeg media type, but the image appears to be a image/png image"
    );
    body["messages"][0]["content"][0] = image("image/png", "@@not base64@@".into());
    assert!(validation_message(invoke(&ClaudeMessages, MODEL, &body)).contains("not valid base64"));
    body["messages"][0]["content"][0] = image("image/png", b64(b"GIF? no"));
    assert_eq!(
        validation_message(invoke(&ClaudeMessages, MODEL, &body)),
        "Could not process image"
    );
    let mut content: Vec<Value> = (0..21).map(|_| image("image/png", b64(&png))).collect();
    content.push(json!({"type": "text", "text": "many"}));
    body["messages"] = json!([{"role": "user", "content": content}]);
    assert_eq!(
        validation_message(invoke(&ClaudeMessages, MODEL, &body)),
        "You can't include more than 20 images in a request."
    );
    body["messages"] = json!([
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [image("image/png", b64(&png))]}
    ]);
    assert!(
        validation_message(invoke(&ClaudeMessages, MODEL, &body))
            .contains("only be included in user messages")
    );
}
