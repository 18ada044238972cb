//! `bedrock-fm image`: its flags and their checks.

use super::value_parsers::{count, non_empty, seed};
use super::{ArgError, Command, non_blank_prompt};
use crate::commands::image::ImageArgs;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(super) struct ImageCli {
    /// The model ID (required). `bedrock-fm models` lists them.
    #[arg(long, value_name = "ID", allow_hyphen_values = true, value_parser = non_empty("--model"))]
    model: String,
    /// The directory to write the PNG files into (required).
    #[arg(long, value_name = "DIR", allow_hyphen_values = true, value_parser = non_empty("--out"))]
    out: String,
    /// What the images should not show.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true, value_parser = non_empty("--negative"))]
    negative: Option<String>,
    /// Width in pixels, with --height: a size the model generates (Stable Image models take
    /// the aspect ratio of W x H, e.g. 1344x768 for 16:9).
    #[arg(long, value_name = "W", allow_hyphen_values = true, value_parser = count("--width"))]
    width: Option<u32>,
    /// Height in pixels, with --width.
    #[arg(long, value_name = "H", allow_hyphen_values = true, value_parser = count("--height"))]
    height: Option<u32>,
    /// Seed of the initial noise: the same seed gives the same image.
    #[arg(long, value_name = "S", allow_hyphen_values = true, value_parser = seed)]
    seed: Option<u64>,
    /// Number of images (Titan and Nova: 1 to 5; Stability models: 1).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = count("--count"))]
    count: Option<u32>,
    /// The AWS region (default: from the AWS configuration chain).
    #[arg(long, value_name = "R", allow_hyphen_values = true, value_parser = non_empty("--region"))]
    region: Option<String>,
    /// Call an in-process bedrock-fm-local server instead of AWS.
    #[arg(long)]
    local: bool,
    /// The prompt (one argument: quote it; put `--` before a prompt that starts with `-`).
    #[arg(value_name = "PROMPT")]
    prompt: String,
}

pub(super) fn into_command(i: ImageCli) -> Result<Command, ArgError> {
    let size = match (i.width, i.height) {
        (Some(w), Some(h)) => Some((w, h)),
        (None, None) => None,
        (Some(_), None) => return Err(ArgError::usage("`--width` needs `--height`")),
        (None, Some(_)) => return Err(ArgError::usage("`--height` needs `--width`")),
    };
    let prompt = non_blank_prompt(i.prompt)?;
    Ok(Command::Image(ImageArgs {
        model: i.model,
        out: PathBuf::from(i.out),
        negative: i.negative,
        size,
        seed: i.seed,
        count: i.count,
        region: i.region,
        local: i.local,
        prompt,
    }))
}
