//! Meta Llama 2 Chat, and Llama 3 and later.

use crate::documented::{check_request, parse, with_unknown_field};
use crate::invocation_metrics;
use bedrock_fm::bodies::llama2_chat::*;
use bedrock_fm::bodies::llama3::*;
use serde_json::json;

/// The Llama 2 Chat prompt the page gives as its example (system prompt included), as its
/// extracted text shows it (line breaks collapsed to spaces).
const LLAMA2_PROMPT: &str = "<s>[INST] <<SYS>> You are a helpful, respectful and honest assistant. Always answer as helpfully as possible, while being safe. Your answers should not include any harmful, unethical, racist, sexist, toxic, dangerous, or illegal content. Please ensure that your responses are socially unbiased and positive in nature. If a question does not make any sense, or is not factually coherent, explain why instead of answering something not correct. If you don't know the answer to a question, please don't share false information. <</SYS>> There's a llama in my garden What should I do? [/INST]";

#[test]
fn llama2_chat() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
    // (the Llama 2 section, since removed from the page). Built from the request template
    // `{"prompt": string, "temperature": float, "top_p": float, "max_gen_len": int}` with the
    // page's example Llama 2 Chat prompt and the documented defaults (0.5, 0.9, 512).
    let documented = json!({
        "prompt": LLAMA2_PROMPT,
        "temperature": 0.5,
        "top_p": 0.9,
        "max_gen_len": 512
    });
    let built = Llama2ChatRequest::builder()
        .prompt(LLAMA2_PROMPT)
        .temperature(0.5)
        .top_p(0.9)
        .max_gen_len(512)
        .build()
        .unwrap();
    check_request(&built, Llama2ChatRequest::spec(), documented);
}

#[test]
fn llama2_chat_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
    // (response template `{"generation": "\n\n<response>", "prompt_token_count": int,
    // "generation_token_count": int, "stop_reason": string}`, placeholders filled).
    let documented = json!({
        "generation": "\n\nKeep calm and call a local animal control service.",
        "prompt_token_count": 116,
        "generation_token_count": 12,
        "stop_reason": "stop"
    });
    let response: Llama2ChatResponse = parse(&documented);
    assert_eq!(
        response.generation,
        "\n\nKeep calm and call a local animal control service."
    );
    assert_eq!(response.prompt_token_count, Some(116));
    assert_eq!(response.generation_token_count, Some(12));
    assert_eq!(response.stop_reason, Some(Llama2ChatStopReason::Stop));
    assert!(response.extra.is_empty());
    let response: Llama2ChatResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk: a stream's chunks carry the same fields; the last one has the
    // stop reason and the invocation metrics.
    let chunk: Llama2ChatStreamChunk = parse(&json!({
        "generation": " service.",
        "prompt_token_count": null,
        "generation_token_count": 12,
        "stop_reason": "length",
        "amazon-bedrock-invocationMetrics": invocation_metrics()
    }));
    assert_eq!(chunk.generation.as_deref(), Some(" service."));
    assert_eq!(chunk.prompt_token_count, None);
    assert_eq!(chunk.generation_token_count, Some(12));
    assert_eq!(chunk.stop_reason, Some(Llama2ChatStopReason::Length));
    assert_eq!(chunk.invocation_metrics, Some(invocation_metrics()));
}

// ------------------------------------------------------------------------------------------
// Meta Llama 3 and later
// ------------------------------------------------------------------------------------------

/// The code example's `formatted_prompt` template (an f-string starting with a line break)
/// with the `prompt` of the AWS SDK Llama 3 example substituted.
const LLAMA3_PROMPT: &str = "\n<|begin_of_text|><|start_header_id|>user<|end_header_id|>\nDescribe the purpose of a 'hello world' program in one line.\n<|eot_id|>\n<|start_header_id|>assistant<|end_header_id|>\n";

#[test]
fn llama3() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
    // ("Example code": `native_request = {"prompt": formatted_prompt, "max_gen_len": 512,
    // "temperature": 0.5}`; no literal JSON on the page).
    let documented = json!({
        "prompt": LLAMA3_PROMPT,
        "max_gen_len": 512,
        "temperature": 0.5
    });
    let built = Llama3Request::builder()
        .prompt(LLAMA3_PROMPT)
        .max_gen_len(512)
        .temperature(0.5)
        .build()
        .unwrap();
    check_request(&built, Llama3Request::spec(), documented);
}

#[test]
fn llama3_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
    // (response skeleton `{"generation": "\n\n<response>", "prompt_token_count": int,
    // "generation_token_count": int, "stop_reason": string}`, placeholders filled).
    let documented = json!({
        "generation": "\n\nA 'hello world' program shows the basic syntax of a language.",
        "prompt_token_count": 26,
        "generation_token_count": 15,
        "stop_reason": "stop"
    });
    let response: Llama3Response = parse(&documented);
    assert_eq!(
        response.generation,
        "\n\nA 'hello world' program shows the basic syntax of a language."
    );
    assert_eq!(response.prompt_token_count, Some(26));
    assert_eq!(response.generation_token_count, Some(15));
    assert_eq!(response.stop_reason, Some(Llama3StopReason::Stop));
    let response: Llama3Response = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk: the streaming code example prints `chunk["generation"]`.
    let chunk: Llama3StreamChunk = parse(&json!({
        "generation": " program",
        "prompt_token_count": null,
        "generation_token_count": 4,
        "stop_reason": null
    }));
    assert_eq!(chunk.generation.as_deref(), Some(" program"));
    assert_eq!(chunk.generation_token_count, Some(4));
    assert_eq!(chunk.stop_reason, None);
    assert!(chunk.extra.is_empty());
}
