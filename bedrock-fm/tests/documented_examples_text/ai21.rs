//! AI21 Labs Jurassic-2 and Jamba.

use crate::documented::{check_request, parse, with_unknown_field};
use bedrock_fm::bodies::jamba::*;
use bedrock_fm::bodies::jurassic::*;
use serde_json::json;

#[test]
fn jurassic() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jurassic2.html
    // ("Code example": the `json.dumps` body, verbatim).
    let documented = json!({
        "prompt": "Translate to spanish: 'Amazon Bedrock is the easiest way to build and scale generative AI applications with base models (FMs)'.",
        "maxTokens": 200,
        "temperature": 0.5,
        "topP": 0.5
    });
    let built = JurassicRequest::builder()
        .prompt("Translate to spanish: 'Amazon Bedrock is the easiest way to build and scale generative AI applications with base models (FMs)'.")
        .max_tokens(200)
        .temperature(0.5)
        .top_p(0.5)
        .build()
        .unwrap();
    check_request(&built, JurassicRequest::spec(), documented);

    // Source: same page: the penalty objects of the request template, with the special-token
    // fields the page adds to `countPenalty` (values filled).
    let documented = json!({
        "prompt": "Hello",
        "countPenalty": {
            "scale": 0.5,
            "applyToWhitespaces": true,
            "applyToPunctuations": true,
            "applyToNumbers": false,
            "applyToStopwords": true,
            "applyToEmojis": true
        },
        "presencePenalty": {"scale": 1.0},
        "frequencyPenalty": {"scale": 100.0}
    });
    let built = JurassicRequest::builder()
        .prompt("Hello")
        .count_penalty(
            JurassicCountPenalty::builder()
                .scale(0.5)
                .apply_to_whitespaces(true)
                .apply_to_punctuations(true)
                .apply_to_numbers(false)
                .apply_to_stopwords(true)
                .apply_to_emojis(true)
                .build()
                .unwrap(),
        )
        .presence_penalty(
            JurassicPresencePenalty::builder()
                .scale(1.0)
                .build()
                .unwrap(),
        )
        .frequency_penalty(
            JurassicFrequencyPenalty::builder()
                .scale(100.0)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, JurassicRequest::spec(), documented);
}

#[test]
fn jurassic_response() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jurassic2.html
    // The page defers to the AI21 API reference for the response and notes that Bedrock
    // returns `id` as an integer; its code example reads `completions[0].data.text`. Built
    // from that (J2 complete) format; values filled.
    let documented = json!({
        "id": 1234,
        "prompt": {"text": "Translate to spanish: ...", "tokens": []},
        "completions": [{
            "data": {
                "text": "\nAmazon Bedrock es la forma más fácil de crear y escalar aplicaciones de IA generativa.",
                "tokens": []
            },
            "finishReason": {"reason": "endoftext"}
        }]
    });
    let response: JurassicResponse = parse(&documented);
    assert_eq!(response.id, 1234);
    assert!(
        response.completions[0]
            .data
            .text
            .contains("Amazon Bedrock es")
    );
    assert_eq!(
        response.completions[0]
            .finish_reason
            .as_ref()
            .unwrap()
            .reason
            .as_deref(),
        Some("endoftext")
    );
    let response: JurassicResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));
}

// ------------------------------------------------------------------------------------------
// AI21 Labs Jamba
// ------------------------------------------------------------------------------------------

#[test]
fn jamba() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jamba.html
    // Assembled from the page's schema: the system message is its example system prompt
    // ("Required fields"), `n` and `max_tokens` are at their documented defaults. The page's
    // code example sends one user turn; its text could not be re-checked against a stored
    // copy of the page, so the user turn here is illustrative.
    let documented = json!({
        "messages": [
            {"role": "system", "content": "You are a helpful chatbot with a background in earth sciences and a charming French accent."},
            {"role": "user", "content": "which llm are you?"}
        ],
        "n": 1,
        "max_tokens": 4096
    });
    let built = JambaRequest::builder()
        .messages([
            JambaMessage::builder()
                .role(JambaMessageRole::System)
                .content("You are a helpful chatbot with a background in earth sciences and a charming French accent.")
                .build()
                .unwrap(),
            JambaMessage::builder()
                .role(JambaMessageRole::User)
                .content("which llm are you?")
                .build()
                .unwrap(),
        ])
        .n(1)
        .max_tokens(4096)
        .build()
        .unwrap();
    check_request(&built, JambaRequest::spec(), documented);
}

#[test]
fn jamba_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jamba.html
    // Built from the response fields the page describes (`id`, `choices` with `index`,
    // `message` and `finish_reason`, `usage`); its own example could not be re-checked
    // against a stored copy, so the values are illustrative.
    let documented = json!({
        "id": "chatcmpl-1",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "Bonjour! I am Jamba, from AI21 Labs."},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 38, "completion_tokens": 12, "total_tokens": 50}
    });
    let response: JambaResponse = parse(&documented);
    assert_eq!(response.id.as_deref(), Some("chatcmpl-1"));
    let choice = &response.choices[0];
    assert_eq!(
        choice.message.content.as_deref(),
        Some("Bonjour! I am Jamba, from AI21 Labs.")
    );
    assert_eq!(choice.finish_reason, Some(JambaFinishReason::Stop));
    let usage = response.usage.as_ref().unwrap();
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.total_tokens
        ),
        (Some(38), Some(12), Some(50))
    );
    let response: JambaResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk: `choices[].delta` carries the new text, the last chunk the usage.
    let chunk: JambaStreamChunk = parse(&json!({
        "id": "chatcmpl-1",
        "choices": [{"index": 0, "delta": {"content": "Bonjour"}, "finish_reason": null}]
    }));
    let choices = chunk.choices.unwrap();
    assert_eq!(
        choices[0].delta.as_ref().unwrap().content.as_deref(),
        Some("Bonjour")
    );
    assert_eq!(choices[0].finish_reason, None);
}
