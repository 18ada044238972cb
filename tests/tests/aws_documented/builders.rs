//! Reproducible with the SDK's builders: one literal documented request per family.

use crate::fixtures::fixture;
use crate::json_diff::json_diff;
use crate::known_divergences::KNOWN_DIVERGENCES;
use serde::Serialize;
use serde_json::Value;

/// Asserts that `built` serializes to the fixture's documented body (or, for a known
/// `builder` divergence, that it still differs).
fn assert_builds(family: &str, name: &str, built: impl Serialize) {
    let ex = fixture(family, name);
    assert_eq!(ex.kind, "request", "{family}/{name}");
    let built = serde_json::to_value(built).unwrap();
    let key = ex.key();
    let known = KNOWN_DIVERGENCES
        .iter()
        .any(|(k, check, _)| *k == key && *check == "builder");
    match json_diff(&ex.body, &built, "") {
        None => assert!(
            !known,
            "{key} [builder] now passes: remove it from KNOWN_DIVERGENCES"
        ),
        Some(d) if known => eprintln!("known divergence {key} [builder]: {d}"),
        Some(d) => panic!(
            "{key} ({}): {d}\ndocumented: {}\nbuilt:      {built}",
            ex.url, ex.body
        ),
    }
}

/// The fixture's string at a JSON pointer (long prompts are not copied twice).
fn text_at(family: &str, name: &str, pointer: &str) -> String {
    fixture(family, name)
        .body
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{family}/{name}{pointer}"))
        .to_owned()
}

#[test]
fn titan_text_five_first_names_from_cdk_aws_stepfunctions_tasks_bedrock_invoke_model() {
    use bedrock_fm::bodies::titan_text::*;
    let built = TitanTextRequest::builder()
        .input_text("Generate a list of five first names.")
        .text_generation_config(
            TitanTextGenerationConfig::builder()
                .max_token_count(100)
                .temperature(1.0)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_builds("titan_text", "cdk_step_functions_invoke_model", built);
}

#[test]
fn claude_text_explain_black_holes_from_model_parameters_anthropic_claude_text_completion() {
    use bedrock_fm::bodies::claude_text::*;
    let built = ClaudeTextRequest::builder()
        .prompt("\n\nHuman: explain black holes to 8th graders\n\nAssistant:")
        .max_tokens_to_sample(300)
        .temperature(0.1)
        .top_p(0.9)
        .build()
        .unwrap();
    assert_builds("claude_text", "explain_black_holes", built);
}

#[test]
fn claude_messages_effort_parameter_from_model_parameters_anthropic_claude_messages_request_response()
 {
    use bedrock_fm::bodies::claude_messages::*;
    let built = ClaudeMessagesRequest::builder()
        .anthropic_version(ClaudeMessagesRequestAnthropicVersion::Bedrock20230531)
        .anthropic_beta(["effort-2025-11-24"])
        .max_tokens(4096)
        .output_config(
            ClaudeMessagesOutputConfig::builder()
                .effort(ClaudeMessagesOutputConfigEffort::Medium)
                .build()
                .unwrap(),
        )
        .messages([ClaudeMessagesMessage::builder()
            .role(ClaudeMessagesMessageRole::User)
            .content("Analyze this complex dataset and provide insights")
            .build()
            .unwrap()])
        .build()
        .unwrap();
    assert_builds("claude_messages", "effort_parameter_beta", built);
}

#[test]
fn llama2_chat_hello_world_from_aws_doc_sdk_examples_llama2_invoke_model() {
    use bedrock_fm::bodies::llama2_chat::*;
    let built = Llama2ChatRequest::builder()
        .prompt("<s>[INST] Describe the purpose of a 'hello world' program in one line. [/INST]")
        .max_gen_len(512)
        .temperature(0.5)
        .build()
        .unwrap();
    assert_builds("llama2_chat", "hello_world_native_request", built);
}

#[test]
fn llama3_hello_world_from_model_parameters_meta() {
    use bedrock_fm::bodies::llama3::*;
    let built = Llama3Request::builder()
        .prompt(
            "\n<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\
             Describe the purpose of a 'hello world' program in one line.\n\
             <|eot_id|>\n<|start_header_id|>assistant<|end_header_id|>\n",
        )
        .max_gen_len(512)
        .temperature(0.5)
        .build()
        .unwrap();
    assert_builds("llama3", "hello_world_native_request", built);
}

#[test]
fn mistral_hello_world_from_bedrock_runtime_example_invoke_model_mistral_ai() {
    use bedrock_fm::bodies::mistral::*;
    let built = MistralRequest::builder()
        .prompt("<s>[INST] Describe the purpose of a 'hello world' program in one line. [/INST]")
        .max_tokens(512)
        .temperature(0.5)
        .build()
        .unwrap();
    assert_builds("mistral", "hello_world_native_request", built);
}

#[test]
fn mistral_chat_french_meal_json_output_from_model_parameters_mistral_large_2407() {
    use bedrock_fm::bodies::mistral_chat::*;
    let built = MistralChatRequest::builder()
        .messages([MistralChatMessage::builder()
            .role(MistralChatMessageRole::User)
            .content(
                "What is the best French meal? Return the name and the ingredients in short \
                 JSON object.",
            )
            .build()
            .unwrap()])
        .build()
        .unwrap();
    assert_builds("mistral_chat", "json_output_french_meal", built);
}

#[test]
fn command_summarize_dialogue_from_model_parameters_cohere_command() {
    use bedrock_fm::bodies::command::*;
    let built = CommandRequest::builder()
        .prompt(text_at("command", "summarize_dialogue", "/prompt"))
        .max_tokens(200)
        .temperature(0.6)
        .p(1.0)
        .k(0)
        .num_generations(2)
        .return_likelihoods(CommandReturnLikelihoods::Generation)
        .build()
        .unwrap();
    assert_builds("command", "summarize_dialogue", built);
}

#[test]
fn command_r_skills_with_chat_history_from_model_parameters_cohere_command_r_plus() {
    use bedrock_fm::bodies::command_r::*;
    let turn = |role: CommandRChatMessageRole, message: &str| {
        CommandRChatMessage::builder()
            .role(role)
            .message(message)
            .build()
            .unwrap()
    };
    let built = CommandRRequest::builder()
        .message("What are some skills I should have?")
        .chat_history([
            turn(
                CommandRChatMessageRole::User,
                "What is an interesting new role in AI if I don't have an ML background?",
            ),
            turn(
                CommandRChatMessageRole::Chatbot,
                "You could explore being a prompt engineer!",
            ),
        ])
        .max_tokens(2000)
        .temperature(0.6)
        .p(0.5)
        .k(250)
        .build()
        .unwrap();
    assert_builds("command_r", "skills_chat_history", built);
}

#[test]
fn jurassic_translate_to_spanish_from_model_parameters_jurassic2() {
    use bedrock_fm::bodies::jurassic::*;
    let built = JurassicRequest::builder()
        .prompt(
            "Translate to spanish: 'Amazon Bedrock is the easiest way to build and scale \
             generative AI applications with base models (FMs)'.",
        )
        .max_tokens(200)
        .temperature(0.5)
        .top_p(0.5)
        .build()
        .unwrap();
    assert_builds("jurassic", "translate_to_spanish", built);
}

#[test]
fn nova_what_is_machine_learning_from_nova2_userguide_using_invoke_api() {
    use bedrock_fm::bodies::nova::*;
    let built = NovaRequest::builder()
        .messages([NovaMessage::builder()
            .role(NovaMessageRole::User)
            .content([NovaContentBlock::builder()
                .text("What is machine learning?")
                .build()
                .unwrap()])
            .build()
            .unwrap()])
        .inference_config(
            NovaInferenceConfig::builder()
                .max_tokens(512)
                .temperature(0.7)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_builds("nova", "nova2_what_is_machine_learning", built);
}

#[test]
fn titan_embed_text_v2_binary_embedding_from_model_parameters_titan_embed_text() {
    use bedrock_fm::bodies::titan_embed_text::*;
    let built = TitanEmbedRequest::builder()
        .input_text("What are the different services that you offer?")
        .embedding_types([TitanEmbedType::Binary])
        .build()
        .unwrap();
    assert_builds("titan_embed_text", "v2_binary_embedding", built);
}

#[test]
fn titan_embed_image_text_embeddings_256_from_model_parameters_titan_embed_mm() {
    use bedrock_fm::bodies::titan_embed_image::*;
    let built = TitanMultimodalEmbedRequest::builder()
        .input_text("What are the different services that you offer?")
        .embedding_config(
            TitanMultimodalEmbedConfig::builder()
                .output_embedding_length(256)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_builds("titan_embed_image", "text_embeddings_256", built);
}

#[test]
fn cohere_embed_v3_int8_and_float_from_model_parameters_embed_v3() {
    use bedrock_fm::bodies::cohere_embed::*;
    let built = CohereEmbedRequest::builder()
        .texts(["hello world", "this is a test"])
        .input_type(CohereEmbedInputType::SearchDocument)
        .embedding_types([CohereEmbedType::Int8, CohereEmbedType::Float])
        .build()
        .unwrap();
    assert_builds("cohere_embed", "v3_texts_int8_float", built);
}

#[test]
fn titan_image_cup_of_coffee_from_model_parameters_titan_image() {
    use bedrock_fm::bodies::titan_image::*;
    let built = TitanImageRequest::builder()
        .task_type(TitanImageTaskType::TextImage)
        .text_to_image_params(
            TitanImageTextToImageParams::builder()
                .text("A photograph of a cup of coffee from the side.")
                .build()
                .unwrap(),
        )
        .image_generation_config(
            TitanImageGenerationConfig::builder()
                .number_of_images(1)
                .height(1024)
                .width(1024)
                .cfg_scale(8.0)
                .seed(0)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_builds("titan_image", "text_to_image_coffee", built);
}

#[test]
fn stable_image_car_of_vegetables_from_model_parameters_diffusion_3_5_large() {
    use bedrock_fm::bodies::stable_image::*;
    let built = StableImageRequest::builder()
        .prompt("A car made out of vegetables.")
        .build()
        .unwrap();
    assert_builds("stable_image", "sd35_large_text_to_image_car", built);
}

/// Converse: the documented request is what bedrock-fm's chat API sends for the same
/// conversation and inference parameters (the body as it reached the local server).
#[tokio::test]
async fn converse_nova_hello_world_from_bedrock_runtime_example_converse_amazon_nova_text() {
    use bedrock_fm::chat::ChatOptions;
    use bedrock_fm::{Api, CallOptions, Client, Conversation, Nova};
    let ex = fixture("converse", "nova_text_hello_world_request");
    let server = bedrock_fm_local::start();
    let client = Client::from_sdk_config(&server.sdk_config());
    let model = Nova::builder(&client, ex.model_id.as_deref().unwrap())
        .api(Api::Converse)
        .build()
        .unwrap();
    let conversation =
        Conversation::new().human("Describe the purpose of a 'hello world' program in one line.");
    let options = ChatOptions::new().params(
        CallOptions::new()
            .max_tokens(512)
            .temperature(0.5)
            .top_p(0.9),
    );
    let reply = model.chat_with(&conversation, &options).await.unwrap();
    assert!(!reply.text().is_empty());
    let record = server.last_request().expect("a request reached the server");
    assert!(record.path.ends_with("/converse"), "{}", record.path);
    let sent: Value = serde_json::from_slice(&record.body).unwrap();
    assert_builds("converse", "nova_text_hello_world_request", sent);
}
