//! Bad input of issue 11, refused with a typed `InvalidInput` error before any request over
//! InvokeModel and Converse, against bedrock-fm-local: empty stop words, more stop words than
//! the service model or the family takes, `extra_args` that would overwrite what the SDK
//! builds from the conversation or the chat options, NaN named as NaN, and messages that
//! say "an image block" and "an assistant turn". Each test ends by checking that nothing
//! reached the server.

use bedrock_fm::chat::content::Content;
use bedrock_fm::chat::tools::Tool;
use bedrock_fm::chat::{ChatOptions, ReasoningConfig};
use bedrock_fm::{
    Api, CallOptions, Claude3, Client, CommandR, Conversation, ConverseModel, ErrorKind, Limits,
    Llama3, Mistral, Nova, RetryPolicy, Titan,
};
use bedrock_fm_local::LocalServer;
use serde_json::{Value, json};
use std::time::Duration;

const TITAN: &str = "amazon.titan-text-premier-v1:0";
const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
/// Reasoning with a token budget; offered only through inference profiles.
const SONNET_3_7: &str = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
/// No native stop parameter (models.toml `[family.llama3.params]`).
const LLAMA3: &str = "meta.llama3-8b-instruct-v1:0";
/// `stop`: at most 10 items (models.toml, model-parameters-mistral-text-completion.html).
const MISTRAL_7B: &str = "mistral.mistral-7b-instruct-v0:2";
const NOVA_LITE: &str = "amazon.nova-lite-v1:0";
const COMMAND_R: &str = "cohere.command-r-v1:0";
/// An ID the catalog does not know, for `ConverseModel`.
const UNKNOWN: &str = "mistral.mistral-large-3-v1:0";

const BOTH: [Api; 2] = [Api::InvokeModel, Api::Converse];

fn setup() -> (LocalServer, Client) {
    let server = bedrock_fm_local::start();
    let retry = RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5));
    let client = Client::from_sdk_config(&server.sdk_config()).with_retry_policy(retry);
    (server, client)
}

/// The error's text, after checking that it is an `InvalidInput`.
fn refused<T>(result: bedrock_fm::Result<T>) -> String {
    let Err(e) = result else {
        panic!("accepted");
    };
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    e.to_string()
}

fn assert_starts(text: &str, start: &str) {
    assert!(
        text.starts_with(start),
        "{text:?} does not start with {start:?}"
    );
}

// Source: `InferenceConfigurationStopSequencesList` members are `NonEmptyString` (min length 1),
// bedrock-runtime service model, and API_runtime_InferenceConfiguration.html ("Length
// Constraints: Minimum length of 1").
#[tokio::test]
async fn an_empty_stop_word_is_refused_on_both_apis() {
    let (server, client) = setup();
    for api in BOTH {
        let built = Titan::builder(&client, TITAN)
            .api(api)
            .stop_words(["END", ""])
            .build();
        assert_starts(
            &refused(built),
            "InvalidInput: stop_words[1]: an empty stop word",
        );
        let claude = Claude3::builder(&client, HAIKU).api(api).build().unwrap();
        let call = CallOptions::new().stop_words([""]);
        assert_starts(
            &refused(claude.generate_with("Hi", &call).await),
            "InvalidInput: stop_words[0]: an empty stop word",
        );
    }
    // Llama has no native stop parameter: its stop words go only to Converse.
    let llama = Llama3::builder(&client, LLAMA3)
        .api(Api::Converse)
        .build()
        .unwrap();
    let call = CallOptions::new().stop_words(["x", ""]);
    assert_starts(
        &refused(llama.generate_with("Hi", &call).await),
        "InvalidInput: stop_words[1]: an empty stop word",
    );
    let neutral = ConverseModel::builder(&client, UNKNOWN)
        .api(Api::Converse)
        .build()
        .unwrap();
    assert_starts(
        &refused(
            neutral
                .generate_with("Hi", &CallOptions::new().stop_words(["x", ""]))
                .await,
        ),
        "InvalidInput: stop_words[1]: an empty stop word",
    );
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

// Source: `InferenceConfigurationStopSequencesList` has "max": 2500 (bedrock-runtime service
// model; API_runtime_InferenceConfiguration.html: "Maximum number of 2500 items"), and
// Mistral's `stop` at most 10 (models.toml `max_items`, model-parameters-mistral-text-completion.html).
#[tokio::test]
async fn more_stop_words_than_converse_or_the_family_takes_are_refused() {
    let (server, client) = setup();
    let many: Vec<String> = (0..2501).map(|i| format!("stop{i}")).collect();
    let too_many = CallOptions::new().stop_words(many.clone());
    let llama = Llama3::builder(&client, LLAMA3)
        .api(Api::Converse)
        .build()
        .unwrap();
    let expected = "InvalidInput: stop_words: 2501 stop words; Converse takes at most 2500";
    assert_starts(
        &refused(llama.generate_with("Hi", &too_many).await),
        expected,
    );
    // Claude's own limit (8,191) is above Converse's: Converse's applies there.
    let claude = Claude3::builder(&client, HAIKU)
        .api(Api::Converse)
        .build()
        .unwrap();
    assert_starts(
        &refused(
            claude
                .generate_with("Hi", &CallOptions::new().stop_words(many.clone()))
                .await,
        ),
        expected,
    );
    // A service-model limit holds when the catalog's limits are switched off.
    let service_only = client.clone().with_limits(Limits::ServiceModelOnly);
    let claude = Claude3::builder(&service_only, HAIKU)
        .api(Api::Converse)
        .build()
        .unwrap();
    assert_starts(
        &refused(
            claude
                .generate_with("Hi", &CallOptions::new().stop_words(many))
                .await,
        ),
        expected,
    );
    // Over InvokeModel the family's documented limit applies.
    let eleven: Vec<String> = (0..11).map(|i| format!("s{i}")).collect();
    let mistral = Mistral::builder(&client, MISTRAL_7B).build().unwrap();
    let text = refused(
        mistral
            .generate_with("Hi", &CallOptions::new().stop_words(eleven))
            .await,
    );
    assert_starts(
        &text,
        "InvalidInput: stop_words: expected maximum item count: 10, found: 11",
    );
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

// Source: the request fields the families' pages document as the conversation (`messages`,
// `system` and `anthropic_version` of model-parameters-anthropic-claude-messages-request-response.html,
// `inputText` of model-parameters-titan-text.html, `prompt` of model-parameters-meta.html,
// `chat_history` of model-parameters-cohere-command-r-plus.html, `schemaVersion` of Nova's
// complete-request-schema.html), marked `conversation = true` in models.toml.
#[tokio::test]
async fn extra_args_naming_a_conversation_field_are_refused_on_both_apis() {
    let (server, client) = setup();
    for api in BOTH {
        let claude = Claude3::builder(&client, HAIKU).api(api).build().unwrap();
        for extra in [
            json!({"messages": [{"role": "user", "content": "other"}]}),
            json!({"anthropic_version": "bedrock-2023-05-31"}),
            json!({"system": "Be someone else."}),
        ] {
            let key = extra.as_object().unwrap().keys().next().unwrap().clone();
            let call = CallOptions::new().extra_args(extra);
            let text = refused(claude.generate_with("Hi", &call).await);
            let expected = format!(
                "InvalidInput: extra_args.{key}: the Anthropic Claude (Messages API) body's \
                 `{key}` is written from the conversation"
            );
            assert_starts(&text, &expected);
        }
        let titan = Titan::builder(&client, TITAN)
            .api(api)
            .extra_args(json!({"inputText": "other"}))
            .build();
        assert_starts(&refused(titan), "InvalidInput: extra_args.inputText: ");
        let llama = Llama3::builder(&client, LLAMA3).api(api).build().unwrap();
        let call = CallOptions::new().extra_args(json!({"prompt": "other"}));
        assert_starts(
            &refused(llama.generate_with("Hi", &call).await),
            "InvalidInput: extra_args.prompt: ",
        );
        let command = CommandR::builder(&client, COMMAND_R)
            .api(api)
            .build()
            .unwrap();
        let call = CallOptions::new().extra_args(json!({"chat_history": []}));
        assert_starts(
            &refused(command.generate_with("Hi", &call).await),
            "InvalidInput: extra_args.chat_history: ",
        );
        let nova = Nova::builder(&client, NOVA_LITE).api(api).build().unwrap();
        let call = CallOptions::new().extra_args(json!({"schemaVersion": "messages-v1"}));
        assert_starts(
            &refused(nova.generate_with("Hi", &call).await),
            "InvalidInput: extra_args.schemaVersion: ",
        );
    }
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

// Source: `search_queries_only`, a request field of model-parameters-cohere-command-r-plus.html
// the encoder does not write.
#[tokio::test]
async fn other_declared_extra_args_keys_still_reach_the_body() {
    let (server, client) = setup();
    let command = CommandR::builder(&client, COMMAND_R).build().unwrap();
    let call = CallOptions::new().extra_args(json!({"search_queries_only": false}));
    command
        .generate_with("Where is Lyon?", &call)
        .await
        .unwrap();
    let record = server.last_request().expect("a request reached the server");
    let body: Value = serde_json::from_slice(&record.body).unwrap();
    assert_eq!(body["search_queries_only"], json!(false));
    assert_eq!(body["message"], json!("Where is Lyon?"));
}

fn weather_tool() -> Tool {
    Tool::new(
        "get_weather",
        "The weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}}),
    )
}

// Source: `thinking.budget_tokens` (claude-messages-extended-thinking.html) and `tools`
// (model-parameters-anthropic-claude-messages-request-response.html), which the SDK writes
// from ChatOptions::reasoning and ChatOptions::tool.
#[tokio::test]
async fn extra_args_may_not_replace_what_the_chat_options_wrote() {
    let (server, client) = setup();
    let conversation = Conversation::new().human("Think about it");
    for api in BOTH {
        let sonnet = Claude3::builder(&client, SONNET_3_7)
            .api(api)
            .max_tokens(4096)
            .build()
            .unwrap();
        let options = ChatOptions::new()
            .reasoning(ReasoningConfig::Budget(2048))
            .params(CallOptions::new().extra_args(json!({"thinking": {"budget_tokens": 9000}})));
        let text = refused(sonnet.chat_with(&conversation, &options).await);
        assert_starts(
            &text,
            "InvalidInput: extra_args.thinking.budget_tokens: would replace the \
             `thinking.budget_tokens` the SDK writes from ",
        );
    }
    let haiku = Claude3::builder(&client, HAIKU).build().unwrap();
    let options = ChatOptions::new()
        .tool(weather_tool())
        .params(CallOptions::new().extra_args(json!({"tools": []})));
    let text = refused(haiku.chat_with(&conversation, &options).await);
    assert_starts(
        &text,
        "InvalidInput: extra_args.tools: would replace the `tools`",
    );
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

#[tokio::test]
async fn a_nan_parameter_is_named_as_nan_on_both_apis() {
    let (server, client) = setup();
    for api in BOTH {
        let built = Titan::builder(&client, TITAN)
            .api(api)
            .temperature(f64::NAN)
            .build();
        assert_eq!(
            refused(built),
            "InvalidInput: temperature: NaN is not a number"
        );
        let claude = Claude3::builder(&client, HAIKU).api(api).build().unwrap();
        let call = CallOptions::new().top_p(f64::NAN);
        assert_eq!(
            refused(claude.generate_with("Hi", &call).await),
            "InvalidInput: top_p: NaN is not a number"
        );
        // A family's own number: serde_json would write it as null.
        let built = CommandR::builder(&client, COMMAND_R)
            .api(api)
            .frequency_penalty(f64::NAN)
            .build();
        assert_starts(
            &refused(built),
            "InvalidInput: frequency_penalty: is NaN or infinite",
        );
    }
    // No family checks ConverseModel's ranges, and NaN is still no number.
    let neutral = ConverseModel::builder(&client, UNKNOWN)
        .api(Api::Converse)
        .temperature(f64::NAN)
        .build();
    assert_eq!(
        refused(neutral),
        "InvalidInput: temperature: NaN is not a number"
    );
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

#[tokio::test]
async fn a_block_in_the_wrong_turn_is_named_with_its_article_on_both_apis() {
    let (server, client) = setup();
    let conversation = Conversation::new()
        .human("Draw a cat")
        .assistant_with([Content::image_bytes(vec![1, 2, 3])])
        .human("Thanks");
    for api in BOTH {
        let claude = Claude3::builder(&client, HAIKU).api(api).build().unwrap();
        assert_eq!(
            refused(claude.chat_with(&conversation, &ChatOptions::new()).await),
            "InvalidInput: conversation turn 2: an image block is not allowed in an assistant turn"
        );
    }
    assert_eq!(server.request_count(), 0, "nothing was sent");
}
