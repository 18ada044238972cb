//! Tool use: tools declared from Rust types (`serde::Deserialize` + `schemars::JsonSchema`,
//! whose doc comments become the schema's descriptions), and the tool loop: the model asks
//! for tools, async handlers run them, their results go back, until the model answers. Each
//! call is printed as it runs, and the whole exchange at the end.
//!
//! ```sh
//! cargo run -p bedrock-fm-examples --example tool_use            # local server, no AWS account
//! BEDROCK_FM_USE_AWS=1 cargo run -p bedrock-fm-examples --example tool_use   # your AWS account
//! cargo run -p bedrock-fm-examples --example tool_use -- --aws  # the same
//! ```
//!
//! `BEDROCK_FM_MODEL` picks another Claude 3+ model or inference profile on AWS. The local
//! server calls the first offered tool that the last user message names, with an input
//! generated from the tool's schema, and answers in text once it has the tool's results.

use bedrock_fm::catalog::Model;
use bedrock_fm::{ChatOptions, Claude3, Content, Conversation, Tool, ToolChoice, ToolHandlers};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The input of `get_weather`.
#[derive(Debug, Deserialize, JsonSchema)]
struct WeatherQuery {
    /// The city, e.g. "Lisbon".
    city: String,
    /// The temperature unit (default celsius).
    #[serde(default)]
    unit: Unit,
}

#[derive(Debug, Default, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Unit {
    #[default]
    Celsius,
    Fahrenheit,
}

/// The input of `local_time` (only its schema is used: that tool's handler reads the JSON).
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct TimeQuery {
    /// The IANA time zone, e.g. "Europe/Lisbon".
    timezone: String,
}

/// A pretend weather service: async, like a real HTTP call would be.
async fn weather(q: WeatherQuery) -> Result<Value, String> {
    println!("  -> get_weather({q:?})");
    tokio::time::sleep(Duration::from_millis(20)).await;
    if q.city.trim().is_empty() {
        // An error goes back to the model as an error result, so that it can recover.
        return Err("a city name is required".to_owned());
    }
    let celsius = 12 + (q.city.len() as i64 * 7) % 15;
    let temperature = match q.unit {
        Unit::Celsius => json!({"value": celsius, "unit": "celsius"}),
        Unit::Fahrenheit => json!({"value": celsius * 9 / 5 + 32, "unit": "fahrenheit"}),
    };
    let result = json!({"city": q.city, "sky": "partly cloudy", "temperature": temperature});
    println!("     {result}");
    Ok(result)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let backend = bedrock_fm_examples::connect().await?;
    let model_id = std::env::var("BEDROCK_FM_MODEL")
        .unwrap_or_else(|_| Model::AnthropicClaude3Haiku20240307V1_0.id().to_owned());
    // Claude 3 over InvokeModel (tools in the native Messages body); `.api(Api::Converse)`
    // runs the same loop over Converse, for every tool-capable model.
    let claude = Claude3::builder(&backend.client, model_id.as_str())
        .temperature(0.0)
        .max_tokens(400)
        .build()?;
    println!("Model: {}\n", claude.model_id());

    // Two tools. `typed` declares a tool from a Rust type (its JSON schema from schemars) and
    // decodes each call's input into that type before the handler runs; an input that does
    // not decode goes back to the model as an error result. `Tool::of` + `on` does the same
    // in two steps, with the input as JSON.
    let schema = Tool::of::<WeatherQuery>("get_weather", "The current weather of a city");
    println!(
        "get_weather's input schema:\n{}\n",
        serde_json::to_string_pretty(&schema.input_schema)?
    );
    let handlers = ToolHandlers::new()
        .typed("get_weather", "The current weather of a city", weather)
        .tool(
            Tool::of::<TimeQuery>("local_time", "The local time in a time zone"),
            |input: Value| async move {
                println!("  -> local_time({input})");
                let zone = input["timezone"].as_str().unwrap_or_default().to_owned();
                Ok(json!({"timezone": zone, "time": "14:05"}))
            },
        );

    // The loop: at most 5 requests. Each reply's tool calls run concurrently.
    let conversation = Conversation::new()
        .system("You are a helpful travel assistant. Use the tools when they help.")
        .human("Use get_weather: what is the weather like in Lisbon today?");
    println!("user: {}", conversation.turns()[1].text());
    let run = claude
        .run_tools(&conversation, &ChatOptions::new(), &handlers, 5)
        .await?;
    println!("assistant: {}\n", run.reply.text().trim());
    println!(
        "requests: {}, tool calls: {}, tokens: {:?} input / {:?} output in all\n",
        run.iterations, run.tool_calls, run.usage.input_tokens, run.usage.output_tokens
    );

    // The whole exchange, as it is kept in the returned conversation (ready to continue).
    println!("== the conversation");
    for turn in run.conversation.turns() {
        for block in &turn.content {
            match block {
                Content::Text(t) => println!("{:?}: {}", turn.role, t.trim()),
                Content::ToolUse(call) => {
                    println!(
                        "{:?}: calls {}({}) [{}]",
                        turn.role, call.name, call.input, call.id
                    )
                }
                Content::ToolResult(result) => println!(
                    "{:?}: result for [{}]{}",
                    turn.role,
                    result.tool_use_id,
                    if result.is_error { " (error)" } else { "" }
                ),
                other => println!("{:?}: a {} block", turn.role, other.kind()),
            }
        }
    }

    // A forced choice: the model must call `local_time` (first request only, so that the
    // loop can end).
    println!("\n== forced tool choice");
    let options = ChatOptions::new().tool_choice(ToolChoice::Tool("local_time".into()));
    let run = claude
        .run_tools(
            &Conversation::new().human("What time is it in Lisbon?"),
            &options,
            &handlers,
            3,
        )
        .await?;
    println!(
        "assistant: {} (tool calls: {})",
        run.reply.text().trim(),
        run.tool_calls
    );
    Ok(())
}
