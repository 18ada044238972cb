//! Mistral AI chat completion (Mistral Large 2407, Pixtral Large): OpenAI-style `messages`
//! (`system`, `user`, `assistant` with `tool_calls`, `tool` results), `tools`, `tool_choice`,
//! `max_tokens`.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html>
//!
//! - Response: `{"choices": [{"index": 0, "message": {"role": "assistant", "content": string,
//!   "tool_calls": [{"id", "function": {"name", "arguments"}}]}, "stop_reason": string}]}`,
//!   `stop_reason` `stop`, `length` or `tool_calls`.
//! - Stream chunks: the same `choices` shape, one message fragment per chunk, the stop reason on
//!   the last one.
//! - `max_tokens` defaults to 8,192. The last message must be the user's or a tool result
//!   (Mistral's message: `Expected last role User or Tool (or Assistant with prefix True) for
//!   serving but got assistant`).

use bedrock_fm::catalog::Family;
use serde_json::{Value, json};

use super::codec_support::{self, Chat, Reply};
use crate::engine::{StopReason, ToolChoice};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput};

/// The documented default of `max_tokens`.
const DEFAULT_MAX_TOKENS: u32 = 8192;

/// The Mistral AI chat completion codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct MistralChat;

fn stop_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::MaxTokens => "length",
        StopReason::ToolUse => "tool_calls",
        _ => "stop",
    }
}

fn reply(call: &InvokeCall<'_>) -> Result<Reply, ServiceError> {
    let body = codec_support::request(call, Family::MistralChat)?;
    let max = codec_support::u32_at(&body, "/max_tokens");
    codec_support::check_model_limit(call.model, "#/max_tokens", max)?;
    let messages = body["messages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if let Some(last) = messages.last().and_then(|m| m["role"].as_str())
        && !matches!(last, "user" | "tool")
    {
        return Err(ServiceError::validation(format!(
            "Expected last role User or Tool (or Assistant with prefix True) for serving but got {last}"
        )));
    }
    let (system, turns) = codec_support::openai_turns(messages);
    let chat = Chat {
        system,
        turns,
        tools: codec_support::openai_tools(&body["tools"]),
        tool_choice: match codec_support::str_at(&body, "/tool_choice") {
            Some("any") => ToolChoice::Any,
            Some("none") => ToolChoice::None,
            _ => ToolChoice::Auto,
        },
        max_tokens: Some(max.unwrap_or(DEFAULT_MAX_TOKENS)),
        tool_id: ("", 9),
        ..Chat::default()
    };
    Ok(chat.reply(call.engine))
}

fn tool_calls(reply: &Reply) -> Option<Value> {
    let calls: Vec<Value> = reply
        .tool_calls()
        .into_iter()
        .map(|(id, name, input)| {
            json!({"id": id, "function": {"name": name, "arguments": input.to_string()}})
        })
        .collect();
    (!calls.is_empty()).then_some(Value::Array(calls))
}

fn choice(content: &str, calls: Option<Value>, stop: Option<&str>) -> Value {
    let mut message = json!({"role": "assistant", "content": content});
    if let Some(calls) = calls {
        message["tool_calls"] = calls;
    }
    json!({"choices": [{"index": 0, "message": message, "stop_reason": stop}]})
}

impl FamilyCodec for MistralChat {
    fn family_id(&self) -> &'static str {
        Family::MistralChat.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let reply = reply(call)?;
        let response = choice(
            &reply.text(),
            tool_calls(&reply),
            Some(stop_reason(reply.stop_reason)),
        );
        Ok(InvokeOutput::json(&response, Some(reply.usage)))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let reply = reply(call)?;
        let stop = stop_reason(reply.stop_reason);
        let mut chunks: Vec<Value> = match tool_calls(&reply) {
            Some(calls) => vec![choice("", Some(calls), None)],
            None => codec_support::stream_pieces(&reply.text_pieces())
                .iter()
                .map(|p| choice(p, None, None))
                .collect(),
        };
        if let Some(last) = chunks.last_mut() {
            last["choices"][0]["stop_reason"] = json!(stop);
        }
        Ok(codec_support::stream(chunks, reply.usage))
    }
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;

    const MODEL: &str = "mistral.mistral-large-2407-v1:0";

    // The documented request shape, model-parameters-mistral-chat-completion.html.
    fn documented() -> Value {
        json!({
            "messages": [
                {"role": "system", "content": "You are a radio DJ."},
                {"role": "user", "content": "What is the most popular song on WZPZ?"}
            ],
            "tools": [{
                "type": "function",
                "function": {
                    "name": "top_song",
                    "description": "Get the most popular song played on a radio station.",
                    "parameters": {
                        "type": "object",
                        "properties": {"sign": {"type": "string", "description": "The call sign, e.g. WZPZ"}},
                        "required": ["sign"]
                    }
                }
            }],
            "tool_choice": "none",
            "max_tokens": 100,
            "top_p": 0.9,
            "temperature": 0.5
        })
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&MistralChat, MODEL, &documented()).unwrap();
        assert_valid(Family::MistralChat.response_spec(), &v);
        let choice = &v["choices"][0];
        assert_eq!(choice["message"]["role"], "assistant");
        let text = choice["message"]["content"].as_str().unwrap();
        assert!(
            text.starts_with("What is the most popular song on WZPZ?"),
            "{text}"
        );
        assert_eq!(choice["stop_reason"], "stop");
        assert!(usage.unwrap().input_tokens > 0);
    }

    #[test]
    fn tool_calls_and_tool_results() {
        let mut body = documented();
        body["tool_choice"] = json!("any");
        let (v, _) = invoke(&MistralChat, MODEL, &body).unwrap();
        assert_valid(Family::MistralChat.response_spec(), &v);
        let choice = &v["choices"][0];
        assert_eq!(choice["stop_reason"], "tool_calls");
        assert_eq!(choice["message"]["content"], "");
        let call = &choice["message"]["tool_calls"][0];
        assert_eq!(call["function"]["name"], "top_song");
        let args: Value =
            serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
        assert_eq!(args["sign"], "WZPZ");
        assert_eq!(call["id"].as_str().unwrap().len(), 9);
        let messages = body["messages"].as_array_mut().unwrap();
        messages.push(json!({"role": "assistant", "content": "", "tool_calls": [call]}));
        messages.push(
            json!({"role": "tool", "tool_call_id": call["id"], "content": "Elemental Hotel"}),
        );
        body["tool_choice"] = json!("auto");
        let (v, _) = invoke(&MistralChat, MODEL, &body).unwrap();
        assert_eq!(v["choices"][0]["stop_reason"], "stop");
        assert!(v["choices"][0]["message"]["tool_calls"].is_null());
    }

    #[test]
    fn extraneous_keys_out_of_range_values_and_a_last_assistant_turn_are_rejected() {
        let mut body = documented();
        body["stop"] = json!(["x"]);
        let msg = validation_message(invoke(&MistralChat, MODEL, &body));
        assert_eq!(
            msg,
            "Malformed input request: #: extraneous key [stop] is not permitted, please reformat your input and try again."
        );
        let mut body = documented();
        body["max_tokens"] = json!(10000);
        let msg = validation_message(invoke(&MistralChat, MODEL, &body));
        assert!(
            msg.contains("#/max_tokens: 10000 is not less or equal to 8192"),
            "{msg}"
        );
        let mut body = documented();
        body["tool_choice"] = json!("required");
        let msg = validation_message(invoke(&MistralChat, MODEL, &body));
        assert!(
            msg.contains("#/tool_choice: required is not a valid enum value"),
            "{msg}"
        );
        let mut body = documented();
        body["messages"]
            .as_array_mut()
            .unwrap()
            .push(json!({"role": "assistant", "content": "Sure"}));
        let msg = validation_message(invoke(&MistralChat, MODEL, &body));
        assert!(msg.starts_with("Expected last role User or Tool"), "{msg}");
    }

    #[test]
    fn max_tokens_cuts_the_reply_with_length() {
        let mut body = documented();
        body["max_tokens"] = json!(4);
        let (v, usage) = invoke(&MistralChat, MODEL, &body).unwrap();
        assert_eq!(v["choices"][0]["message"]["content"], "What is the most");
        assert_eq!(v["choices"][0]["stop_reason"], "length");
        assert_eq!(usage.unwrap().output_tokens, 4);
    }

    #[test]
    fn the_stream_carries_the_same_text_and_the_reason_on_the_last_chunk() {
        let (v, usage) = invoke(&MistralChat, MODEL, &documented()).unwrap();
        let chunks = stream(&MistralChat, MODEL, &documented()).unwrap();
        let spec = Family::MistralChat.stream_chunk_spec().unwrap();
        assert_stream(spec, &chunks, usage.unwrap());
        let text: String = chunks
            .iter()
            .map(|c| c["choices"][0]["message"]["content"].as_str().unwrap())
            .collect();
        assert_eq!(
            text,
            v["choices"][0]["message"]["content"].as_str().unwrap()
        );
        assert!(chunks[0]["choices"][0]["stop_reason"].is_null());
        assert_eq!(chunks.last().unwrap()["choices"][0]["stop_reason"], "stop");
        // A tool call streams as one chunk.
        let mut body = documented();
        body["tool_choice"] = json!("any");
        let (_, usage) = invoke(&MistralChat, MODEL, &body).unwrap();
        let chunks = stream(&MistralChat, MODEL, &body).unwrap();
        assert_stream(spec, &chunks, usage.unwrap());
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0]["choices"][0]["stop_reason"], "tool_calls");
    }
}
