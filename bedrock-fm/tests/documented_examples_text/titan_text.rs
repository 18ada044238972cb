//! Amazon Titan Text.

use crate::documented::{check_request, parse, with_unknown_field};
use crate::invocation_metrics;
use bedrock_fm::bodies::titan_text::*;
use serde_json::json;

/// The `prompt` variable of the Titan Text Premier code example, character for character
/// (a Python triple-quoted string: its line breaks and indentation are part of the value).
const TITAN_PROMPT: &str = concat!(
    "Meeting transcript: Miguel: Hi Brant, I want to discuss the workstream  \n",
    "            for our new product launch Brant: Sure Miguel, is there anything in particular you want\n",
    "            to discuss? Miguel: Yes, I want to talk about how users enter into the product.\n",
    "            Brant: Ok, in that case let me add in Namita. Namita: Hey everyone \n",
    "            Brant: Hi Namita, Miguel wants to discuss how users enter into the product.\n",
    "            Miguel: its too complicated and we should remove friction.  \n",
    "            for example, why do I need to fill out additional forms?  \n",
    "            I also find it difficult to find where to access the product\n",
    "            when I first land on the landing page. Brant: I would also add that\n",
    "            I think there are too many steps. Namita: Ok, I can work on the\n",
    "            landing page to make the product more discoverable but brant\n",
    "            can you work on the additonal forms? Brant: Yes but I would need \n",
    "            to work with James from another team as he needs to unblock the sign up workflow.\n",
    "            Miguel can you document any other concerns so that I can discuss with James only once?\n",
    "            Miguel: Sure.\n",
    "            From the meeting transcript above, Create a list of action items for each person. ",
);

#[test]
fn titan_text() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
    // ("Code examples", Titan Text Premier: the `json.dumps` body, `inputText` = the `prompt`
    // variable above).
    let documented = json!({
        "inputText": TITAN_PROMPT,
        "textGenerationConfig": {
            "maxTokenCount": 3072,
            "stopSequences": [],
            "temperature": 0.7,
            "topP": 0.9
        }
    });
    let built = TitanTextRequest::builder()
        .input_text(TITAN_PROMPT)
        .text_generation_config(
            TitanTextGenerationConfig::builder()
                .max_token_count(3072)
                .stop_sequences(Vec::<String>::new())
                .temperature(0.7)
                .top_p(0.9)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, TitanTextRequest::spec(), documented);

    // Source: same page, Titan Text G1 - Express code example (integer `temperature` and
    // `topP`, which the spec accepts as numbers).
    let documented = json!({
        "inputText": TITAN_PROMPT,
        "textGenerationConfig": {
            "maxTokenCount": 4096,
            "stopSequences": [],
            "temperature": 0,
            "topP": 1
        }
    });
    let built = TitanTextRequest::builder()
        .input_text(TITAN_PROMPT)
        .text_generation_config(
            TitanTextGenerationConfig::builder()
                .max_token_count(4096)
                .stop_sequences(Vec::<String>::new())
                .temperature(0.0)
                .top_p(1.0)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, TitanTextRequest::spec(), documented);
}

#[test]
fn titan_text_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
    // ("InvokeModel Response"). The page gives a template (`"tokenCount": int`); its
    // placeholders are filled here, `outputText` keeps the page's "\n<response>\n" shape and
    // `completionReason` is the documented FINISHED.
    let documented = json!({
        "inputTextTokenCount": 240,
        "results": [{
            "tokenCount": 118,
            "outputText": "\nMiguel: document other concerns.\n",
            "completionReason": "FINISHED"
        }]
    });
    let response: TitanTextResponse = parse(&documented);
    assert_eq!(response.input_text_token_count, 240);
    assert_eq!(response.results[0].token_count, 118);
    assert_eq!(
        response.results[0].output_text,
        "\nMiguel: document other concerns.\n"
    );
    assert_eq!(
        response.results[0].completion_reason,
        Some(TitanTextCompletionReason::Finished)
    );
    assert!(response.extra.is_empty());
    let response: TitanTextResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // The service answers FINISH where the page says FINISHED (DESIGN.md, "Wire facts"); both
    // decode to their own variant, and a value nobody documented is kept.
    let mut finish = documented.clone();
    finish["results"][0]["completionReason"] = json!("FINISH");
    let response: TitanTextResponse = parse(&finish);
    assert_eq!(
        response.results[0].completion_reason,
        Some(TitanTextCompletionReason::Finish)
    );
    finish["results"][0]["completionReason"] = json!("SOMETHING_NEW");
    let response: TitanTextResponse = parse(&finish);
    assert_eq!(
        response.results[0].completion_reason,
        Some(TitanTextCompletionReason::Unknown("SOMETHING_NEW".into()))
    );

    // Source: same page ("InvokeModelWithResponseStream Response"): each chunk's decoded
    // `bytes` is `{"index", "inputTextTokenCount", "totalOutputTextTokenCount", "outputText",
    // "completionReason"}` (template; placeholders filled), the last one also carries the
    // invocation metrics.
    let chunk = json!({
        "index": 0,
        "inputTextTokenCount": 240,
        "totalOutputTextTokenCount": 118,
        "outputText": "\nMiguel: document other concerns.\n",
        "completionReason": "FINISHED",
        "amazon-bedrock-invocationMetrics": invocation_metrics()
    });
    let chunk: TitanTextStreamChunk = parse(&chunk);
    assert_eq!(chunk.index, Some(0));
    assert_eq!(chunk.input_text_token_count, Some(240));
    assert_eq!(chunk.total_output_text_token_count, Some(118));
    assert_eq!(chunk.output_text, "\nMiguel: document other concerns.\n");
    assert_eq!(
        chunk.completion_reason,
        Some(TitanTextCompletionReason::Finished)
    );
    assert_eq!(chunk.invocation_metrics, Some(invocation_metrics()));
    assert!(chunk.extra.is_empty());
}
