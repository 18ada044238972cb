//! Image generation: text to image (the same seed twice gives the same pixels), then the
//! editing tasks the model has (inpainting, background removal, or image to image), written
//! as PNG files.
//!
//! ```sh
//! cargo run -p bedrock-fm-examples --example images                        # local server
//! cargo run -p bedrock-fm-examples --example images -- --out /tmp/pictures
//! BEDROCK_FM_USE_AWS=1 cargo run -p bedrock-fm-examples --example images   # your AWS account
//! ```
//!
//! Files go to `--out DIR` (default `target/example-images`). `BEDROCK_FM_IMAGE_MODEL` picks
//! the model (default Nova Canvas; e.g. `amazon.titan-image-generator-v2:0`,
//! `stability.sd3-5-large-v1:0`, `stability.stable-image-core-v1:1`); on AWS it must be
//! enabled in the account and region.

use bedrock_fm::catalog::{Family, Model};
use bedrock_fm::images::{AnyImageModel, ImageDetails, ImageRequest};
use std::path::{Path, PathBuf};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// `--out DIR`, or `target/example-images` in the workspace.
fn out_dir() -> PathBuf {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--out") {
        Some(i) if i + 1 < args.len() => PathBuf::from(&args[i + 1]),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the examples crate is in the workspace")
            .join("target/example-images"),
    }
}

fn report(step: &str, details: &ImageDetails, paths: &[PathBuf]) {
    println!(
        "== {step} ({:?}, request {:?})",
        details.latency, details.request_id
    );
    for ((path, img), seed) in paths.iter().zip(&details.images).zip(&details.seeds) {
        println!(
            "   {} ({}x{}, seed {seed:?})",
            path.display(),
            img.width(),
            img.height()
        );
    }
    if let Some(message) = &details.message {
        println!("   model says: {message}");
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let backend = bedrock_fm_examples::connect().await?;
    let model_id = std::env::var("BEDROCK_FM_IMAGE_MODEL")
        .unwrap_or_else(|_| Model::AmazonNovaCanvasV1_0.id().to_owned());
    let out = out_dir();

    // The builder's settings are the defaults of every call, checked against the model
    // (sizes, counts, ranges) before anything is sent.
    let model = AnyImageModel::builder(&backend.client, model_id.as_str())
        .negative_prompt("text, watermark")
        .build()?;
    println!("Model: {} ({})\n", model.model_id(), model.family().name());

    // 1. Text to image, twice with the same seed: the same pixels.
    let fox = ImageRequest::text_to_image("a red fox in fresh snow, morning light").seed(42);
    let first = model.run(&fox).await?;
    let paths = first.save_png(&out, "fox")?;
    report("text to image", &first, &paths);
    let again = model.run(&fox).await?;
    println!(
        "   same seed again: {}\n",
        if again.images == first.images {
            "identical pixels"
        } else {
            "different pixels"
        }
    );

    // 2. An edit of the first image, with the task the family has.
    let fox_image = first.images[0].clone();
    let (step, edit) = match model.family() {
        Family::TitanImage | Family::NovaCanvas => (
            "inpainting",
            ImageRequest::inpainting(fox_image.clone())
                .mask_prompt("the snow")
                .prompt("a meadow of wild flowers"),
        ),
        Family::StableDiffusion => (
            "image to image",
            ImageRequest::image_to_image("the same fox at night", fox_image.clone()).strength(0.4),
        ),
        _ => (
            "text to image, 16:9",
            ImageRequest::text_to_image("a red fox in fresh snow, wide shot").size(1344, 768),
        ),
    };
    let edited = model.run(&edit).await?;
    let paths = edited.save_png(&out, "fox-edit")?;
    report(step, &edited, &paths);

    // 3. Background removal, where the model has it.
    if matches!(model.family(), Family::TitanImage | Family::NovaCanvas) {
        match model
            .run(&ImageRequest::background_removal(fox_image))
            .await
        {
            Ok(cutout) => {
                let paths = cutout.save_png(&out, "fox-cutout")?;
                report("background removal", &cutout, &paths);
            }
            // Titan Image Generator v1 has no background removal: refused before any request.
            Err(e) => println!("== background removal: {e}"),
        }
    }

    if let Some(server) = &backend.server {
        println!(
            "\n(the local server received {} requests)",
            server.request_count()
        );
    }
    Ok(())
}
