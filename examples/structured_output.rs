//! Structured output: the reply as a value of your own Rust type. `chat_structured::<T>`
//! offers the model one tool whose input schema is `T`'s (`schemars::JsonSchema`), asks it to
//! call that tool, and decodes the call's input with serde. When the output does not fit
//! `T`, the error says why and keeps the model's raw JSON.
//!
//! ```sh
//! cargo run -p bedrock-fm-examples --example structured_output            # local server
//! BEDROCK_FM_USE_AWS=1 cargo run -p bedrock-fm-examples --example structured_output   # AWS
//! cargo run -p bedrock-fm-examples --example structured_output -- --aws  # the same
//! ```
//!
//! `BEDROCK_FM_MODEL` picks another Claude 3+ model or inference profile on AWS (any
//! tool-capable wrapper, `Nova` for one, has the same `chat_structured`). The local server
//! fills the schema with values taken from the prompt.

use bedrock_fm::catalog::Model;
use bedrock_fm::{Api, ChatError, ChatOptions, Claude3, Conversation, ErrorKind};
use schemars::JsonSchema;
use serde::Deserialize;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// Facts about a city. The doc comments become the schema's descriptions, which the model
/// reads.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)] // the fields are read through Debug
struct CityFacts {
    /// The city's name.
    name: String,
    /// The country it is in.
    country: String,
    /// Its population, roughly.
    population: u64,
    /// The rivers that flow through it.
    rivers: Vec<String>,
    /// Whether it is its country's capital.
    capital: bool,
}

/// A type whose schema does not match what serde decodes: the schema the model sees says
/// `founded` is a string (for instance "1147"), while the Rust field is a number. Such a
/// mismatch (here on purpose) is a common mistake with `#[schemars(with = ...)]` or a
/// hand-written `JsonSchema`; the model's schema-valid output then does not fit the type.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Founding {
    /// The city.
    city: String,
    /// The year the city was founded.
    #[schemars(with = "String")]
    founded: i32,
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let backend = bedrock_fm_examples::connect().await?;
    let model_id = std::env::var("BEDROCK_FM_MODEL")
        .unwrap_or_else(|_| Model::AnthropicClaude3Haiku20240307V1_0.id().to_owned());
    // Over Converse here; over InvokeModel, the Claude Messages family takes tools too.
    let claude = Claude3::builder(&backend.client, model_id.as_str())
        .api(Api::Converse)
        .temperature(0.0)
        .max_tokens(500)
        .build()?;
    println!("Model: {} over {:?}\n", claude.model_id(), claude.api());
    let options = ChatOptions::new();

    // 1. An object type: the tool's input is the value.
    let conversation =
        Conversation::new().human("Tell me about Lisbon, the capital of Portugal, on the Tagus.");
    let facts: CityFacts = claude.chat_structured(&conversation, &options).await?;
    println!("== CityFacts\n{facts:#?}\n");

    // 2. Any other type is wrapped as {"value": ...} on the wire and unwrapped here.
    let rivers: Vec<String> = claude
        .chat_structured(
            &Conversation::new().human("List three rivers of Europe: Danube, Rhine, Loire."),
            &options,
        )
        .await?;
    println!("== Vec<String>\n{rivers:?}\n");

    // 3. Output that does not fit the type: a typed error with the raw JSON, not a panic
    //    and not a half-filled value.
    println!("== Founding (its schema and its Deserialize disagree)");
    let conversation = Conversation::new().human("When was Lisbon founded?");
    match claude
        .chat_structured::<Founding>(&conversation, &options)
        .await
    {
        Ok(founding) => println!("it fitted this time: {founding:?}"),
        Err(e) if e.kind() == ErrorKind::OutputMismatch => {
            println!("error kind: {:?}", e.kind());
            println!("message:    {e}");
            if let Some(ChatError::OutputMismatch { type_name, raw, .. }) = e.chat_error() {
                println!("type asked: {type_name}");
                println!("raw output: {raw}");
            }
            println!("(fix the type's schema, or decode the raw JSON yourself)");
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
