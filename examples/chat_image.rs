//! Multimodal chat: a picture drawn here with the `image` crate goes into a conversation
//! with a question about it; the reply is appended to the conversation, which then goes on
//! with a follow-up question. The same conversation runs on Claude 3 over InvokeModel (the
//! native Messages body) and on Amazon Nova over Converse, with the same result types.
//!
//! ```sh
//! cargo run -p bedrock-fm-examples --example chat_image            # local server, no AWS account
//! BEDROCK_FM_USE_AWS=1 cargo run -p bedrock-fm-examples --example chat_image   # your AWS account
//! cargo run -p bedrock-fm-examples --example chat_image -- --aws  # the same
//! ```
//!
//! On AWS, the models must be enabled in the account and region; `BEDROCK_FM_CLAUDE_MODEL`
//! and `BEDROCK_FM_NOVA_MODEL` pick other vision models or inference profiles (e.g.
//! `us.anthropic.claude-3-5-sonnet-20241022-v2:0`, `us.amazon.nova-lite-v1:0`). The local
//! server does not look at the pixels: its answers are deterministic text built from the
//! prompt, but the request it receives is the one Bedrock would.

use bedrock_fm::catalog::Model;
use bedrock_fm::text_families::TextFamily;
use bedrock_fm::{Api, ChatOptions, Claude3, Content, Conversation, Nova, TextModel};
use image::{DynamicImage, Rgb, RgbImage};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// A 320x200 landscape: blue sky, green hills, a yellow sun at the top right.
fn landscape() -> DynamicImage {
    let (w, h) = (320u32, 200u32);
    let picture = RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - 250.0, y as f32 - 50.0);
        let hill = 130.0 + 20.0 * (x as f32 / 40.0).sin();
        if dx * dx + dy * dy < 28.0 * 28.0 {
            Rgb([250, 215, 40]) // the sun
        } else if (y as f32) > hill {
            Rgb([40, 150, 60]) // the hills
        } else {
            Rgb([110, 170, 235]) // the sky
        }
    });
    DynamicImage::ImageRgb8(picture)
}

/// Describes the image blocks of a body as sent (Claude's Messages or Converse's shape),
/// without their Base64 payload.
fn sent_images(body: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    for (turn, message) in messages.iter().enumerate() {
        for block in message["content"].as_array().into_iter().flatten() {
            if block["type"] == "image" {
                let data = block["source"]["data"].as_str().unwrap_or_default();
                let media = block["source"]["media_type"].as_str().unwrap_or("?");
                out.push(format!(
                    "turn {}: {media}, {} Base64 characters",
                    turn + 1,
                    data.len()
                ));
            } else if let Some(image) = block.get("image") {
                let data = image["source"]["bytes"].as_str().unwrap_or_default();
                let format = image["format"].as_str().unwrap_or("?");
                out.push(format!(
                    "turn {}: {format}, {} Base64 characters",
                    turn + 1,
                    data.len()
                ));
            }
        }
    }
    out
}

/// Asks about the picture, appends the reply, and asks a follow-up question.
async fn two_turns<F: TextFamily>(
    model: &TextModel<F>,
    picture: &DynamicImage,
) -> bedrock_fm::Result<()> {
    println!(
        "== {} over {:?} (family {})",
        model.model_id(),
        model.api(),
        model.family().map_or("Converse", |f| f.name())
    );
    // A human turn holds text and images in the order given (here the image first, as
    // Anthropic recommends). The image is sent as it is when the model accepts it, and
    // resized or re-encoded to the catalog's limits for the model otherwise.
    let conversation = Conversation::new()
        .system("You describe pictures briefly and precisely.")
        .human_with([
            Content::image(picture.clone()),
            Content::text("What is in this picture? Answer in two sentences."),
        ]);
    let details = model
        .chat_details(&conversation, &ChatOptions::new())
        .await?;
    println!("user:      [image] What is in this picture?");
    println!("assistant: {}", details.output.trim());
    for image in sent_images(&details.body) {
        println!("           (sent an image, {image})");
    }

    // Continue the conversation: the reply's content goes back as the assistant's turn.
    let reply = details.reply();
    let conversation = conversation
        .assistant_with(reply.content)
        .human("Which colour is the round shape in the sky? One word.");
    let follow_up = model.chat(&conversation).await?;
    println!("user:      Which colour is the round shape in the sky?");
    println!("assistant: {}", follow_up.text().trim());
    println!(
        "           [stop: {:?}, {:?} input / {:?} output tokens]\n",
        follow_up.stop_reason, follow_up.usage.input_tokens, follow_up.usage.output_tokens
    );
    Ok(())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let backend = bedrock_fm_examples::connect().await?;
    let claude_id = std::env::var("BEDROCK_FM_CLAUDE_MODEL")
        .unwrap_or_else(|_| Model::AnthropicClaude3Haiku20240307V1_0.id().to_owned());
    let nova_id = std::env::var("BEDROCK_FM_NOVA_MODEL")
        .unwrap_or_else(|_| Model::AmazonNovaLiteV1_0.id().to_owned());
    let picture = landscape();
    println!(
        "A {}x{} picture drawn with the image crate.\n",
        picture.width(),
        picture.height()
    );

    // Claude 3 over InvokeModel (the default API): the image goes into the native Messages
    // body as a Base64 `image` block.
    let claude = Claude3::builder(&backend.client, claude_id.as_str())
        .temperature(0.0)
        .max_tokens(300)
        .build()?;
    two_turns(&claude, &picture).await?;

    // Nova over Converse: the same conversation, the image as a Converse `image` block.
    // (Nova's temperature range starts above 0, which `build()` checks.)
    let nova = Nova::builder(&backend.client, nova_id.as_str())
        .api(Api::Converse)
        .temperature(0.1)
        .max_tokens(300)
        .build()?;
    two_turns(&nova, &picture).await?;

    // Images are checked before anything is sent: a text-only model refuses them.
    let text_only = bedrock_fm::Titan::builder(&backend.client, Model::AmazonTitanTextPremierV1_0)
        .api(Api::Converse)
        .build()?;
    let with_image = Conversation::new().human_with([
        Content::image(picture),
        Content::text("What is in this picture?"),
    ]);
    match text_only.chat(&with_image).await {
        Err(e) => println!("== a text-only model refuses the image, before any request:\n{e}"),
        Ok(reply) => println!("unexpected answer: {}", reply.text()),
    }
    Ok(())
}
