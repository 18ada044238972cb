//! Streaming with details: print the text as it arrives, then the time to first token, the
//! time to last token, usage and stop reason of the stream. Against the local server, it then
//! injects an error in the middle of a stream to show that the error is typed and keeps the
//! text received before it.
//!
//! ```sh
//! cargo run -p bedrock-fm-examples --example stream_details          # local server
//! cargo run -p bedrock-fm-examples --example stream_details -- --aws # AWS
//! ```

use bedrock_fm::catalog::Model;
use bedrock_fm::{Api, Nova};
use bedrock_fm_local::Fault;
use std::io::Write;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let backend = bedrock_fm_examples::connect().await?;
    let nova = Nova::builder(&backend.client, Model::AmazonNovaLiteV1_0)
        .api(Api::Converse)
        .max_tokens(300)
        .build()?;

    let mut stream = nova
        .generate_stream("Tell a short story about a lighthouse keeper.")
        .await?;
    println!("request id: {:?}\n", stream.request_id());
    while let Some(delta) = stream.next().await {
        print!("{}", delta?);
        std::io::stdout().flush()?;
    }
    // `details()` reads whatever is left of the stream, then reports on all of it.
    let details = stream.details().await?;
    println!("\n");
    println!("time to first token: {:?}", details.time_to_first_token);
    println!("time to last token:  {:?}", details.time_to_last_token);
    println!("total latency:       {:?}", details.latency);
    println!(
        "usage:               {:?} in, {:?} out",
        details.usage.input_tokens, details.usage.output_tokens
    );
    println!("stop reason:         {:?}", details.stop_reason);

    // A stream that fails in the middle (only the local server can be asked to do that).
    if let Some(server) = &backend.server {
        server.faults().push(Fault::StreamErrorAfter(3));
        let mut stream = nova.generate_stream("Describe a storm at sea.").await?;
        loop {
            match stream.next().await {
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    println!("\nthe stream failed as injected: {e}");
                    println!("kind: {:?}, retryable: {}", e.kind(), e.is_retryable());
                    println!("text kept: {:?}", e.partial_output().unwrap_or_default());
                    break;
                }
                None => {
                    println!("\nthe stream ended without the injected error");
                    break;
                }
            }
        }
    }
    Ok(())
}
