//! Converse only: some accounts may call Bedrock only through the Converse API. Every
//! chat-capable family works over `Api::Converse` with the same result types; here one
//! wrapper per family, chosen from the model ID at run time (`AnyTextModel`), answers the
//! same prompt with the same options.
//!
//! ```sh
//! cargo run -p bedrock-fm-examples --example converse_only          # local server
//! cargo run -p bedrock-fm-examples --example converse_only -- --aws # AWS
//! ```

use bedrock_fm::catalog::Model;
use bedrock_fm::{AnyTextModel, Api};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let backend = bedrock_fm_examples::connect().await?;
    let models = [
        Model::AnthropicClaude3Haiku20240307V1_0,
        Model::AmazonNovaMicroV1_0,
        Model::MetaLlama3_8bInstructV1_0,
        Model::MistralMistral7bInstructV0_2,
        Model::AmazonTitanTextPremierV1_0,
    ];
    for model in models {
        // The catalog says which models support Converse; the builder checks it too.
        if !model.info().converse {
            println!("{model}: no Converse support, skipped");
            continue;
        }
        let wrapper = AnyTextModel::builder(&backend.client, model)
            .api(Api::Converse)
            .temperature(0.2)
            .max_tokens(120)
            .stop_words(["\n\n\n"])
            .build()?;
        match wrapper
            .generate_details("Give one tip for writing clear code.")
            .await
        {
            Ok(d) => {
                println!(
                    "== {} ({})",
                    model,
                    wrapper.family().map_or("Converse", |f| f.name())
                );
                println!("{}", d.output.trim());
                println!(
                    "[{:?} in / {:?} out tokens, stop: {:?}, {:?}]\n",
                    d.usage.input_tokens, d.usage.output_tokens, d.stop_reason, d.latency
                );
            }
            // On AWS, a model may not be enabled in the account or offered in the region.
            Err(e) if !backend.is_local() => println!("== {model}: {e}\n"),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
