//! Quick start: build a typed Claude 3 wrapper, generate an answer, stream one, and look at
//! the details of a call (usage, stop reason, latency, what was sent).
//!
//! ```sh
//! cargo run -p bedrock-fm-examples --example quickstart            # local server, no AWS account
//! BEDROCK_FM_USE_AWS=1 cargo run -p bedrock-fm-examples --example quickstart   # your AWS account
//! cargo run -p bedrock-fm-examples --example quickstart -- --aws  # the same
//! ```
//!
//! On AWS, the model must be enabled in the account and region; `BEDROCK_FM_MODEL` picks
//! another Claude 3+ model or inference profile (e.g. `us.anthropic.claude-3-5-haiku-20241022-v1:0`).

use bedrock_fm::Claude3;
use bedrock_fm::catalog::Model;
use std::io::Write;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // The local server by default, AWS when asked: the example prints which.
    let backend = bedrock_fm_examples::connect().await?;
    let model_id = std::env::var("BEDROCK_FM_MODEL")
        .unwrap_or_else(|_| Model::AnthropicClaude3Haiku20240307V1_0.id().to_owned());

    // A typed wrapper: its builder's settings are the defaults of every call, checked by
    // `build()` against the family's documented ranges before anything is sent. Calls go
    // through InvokeModel with the native Messages body; `.api(Api::Converse)` switches to
    // the Converse API (see the `converse_only` example).
    let claude = Claude3::builder(&backend.client, model_id.as_str())
        .system("You are a concise geography assistant.")
        .temperature(0.0) // an explicit 0.0 is sent as 0.0
        .max_tokens(200)
        .build()?;
    println!(
        "Model: {} (family {})\n",
        claude.model_id(),
        claude.family().map_or("Converse", |f| f.name())
    );

    // 1. Generate: the completions of one prompt.
    let answers = claude.generate("Name three rivers of Europe.").await?;
    println!("== generate\n{}\n", answers[0]);

    // 2. Stream: text deltas as the model produces them (never empty strings).
    println!("== generate_stream");
    let mut stream = claude
        .generate_stream("Describe the Danube in two sentences.")
        .await?;
    while let Some(delta) = stream.next().await {
        print!("{}", delta?);
        std::io::stdout().flush()?;
    }
    println!("\n");

    // 3. Details: the output with usage, stop reason, timings and the request as sent.
    let details = claude
        .generate_details("Which river flows through Vienna?")
        .await?;
    println!("== generate_details");
    println!("output:      {}", details.output);
    println!("api:         {:?}", details.api);
    println!("latency:     {:?}", details.latency);
    println!(
        "usage:       {:?} input tokens, {:?} output tokens",
        details.usage.input_tokens, details.usage.output_tokens
    );
    println!("stop reason: {:?}", details.stop_reason);
    println!("request id:  {:?}", details.request_id);
    println!("body sent:   {}", details.body);
    // The family's typed response (InvokeModel, not streamed).
    if let Some(response) = &details.response {
        println!(
            "response:    id {}, model {}",
            response.id.as_deref().unwrap_or("-"),
            response.model.as_deref().unwrap_or("-")
        );
    }

    if let Some(server) = &backend.server {
        println!(
            "\n(the local server received {} requests)",
            server.request_count()
        );
    }
    Ok(())
}
