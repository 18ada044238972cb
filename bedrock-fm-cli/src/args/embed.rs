//! `bedrock-fm embed`: its flags and their checks.

use super::value_parsers::{count, input_type_parser, non_empty};
use super::{ArgError, Command};
use crate::commands::embed::{EmbedArgs, Input};
use bedrock_fm::embeddings::InputType;
use clap::{ArgMatches, Args};

#[derive(Debug, Args)]
pub(super) struct EmbedCli {
    /// The model ID (required), e.g. amazon.titan-embed-text-v2:0, cohere.embed-english-v3.
    /// `bedrock-fm models` lists them.
    #[arg(long, value_name = "ID", allow_hyphen_values = true, value_parser = non_empty("--model"))]
    model: String,
    /// What the inputs are for (default document); Cohere marks queries and documents
    /// differently, Titan ignores it.
    #[arg(long, value_name = "TYPE", allow_hyphen_values = true, value_parser = input_type_parser())]
    input_type: Option<InputType>,
    /// The vector length, one the model offers (e.g. 256, 512, 1024).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = count("--dimensions"))]
    dimensions: Option<u32>,
    /// An image to embed (Titan Multimodal, Cohere); repeatable.
    #[arg(long, value_name = "PATH", allow_hyphen_values = true, value_parser = non_empty("--image"))]
    image: Vec<String>,
    /// The AWS region (default: from the AWS configuration chain).
    #[arg(long, value_name = "R", allow_hyphen_values = true, value_parser = non_empty("--region"))]
    region: Option<String>,
    /// Call an in-process bedrock-fm-local server instead of AWS.
    #[arg(long)]
    local: bool,
    /// The texts to embed (put `--` before texts that start with `-`).
    #[arg(value_name = "TEXT")]
    text: Vec<String>,
}

/// `embed`: the texts and `--image` files keep their command-line order.
pub(super) fn into_command(e: EmbedCli, matches: &ArgMatches) -> Result<Command, ArgError> {
    let at = |id: &str| -> Vec<usize> {
        matches
            .indices_of(id)
            .map(|i| i.collect())
            .unwrap_or_default()
    };
    let mut inputs: Vec<(usize, Input)> = at("text")
        .into_iter()
        .zip(e.text)
        .map(|(i, text)| (i, Input::Text(text)))
        .chain(
            at("image")
                .into_iter()
                .zip(e.image)
                .map(|(i, path)| (i, Input::Image(path.into()))),
        )
        .collect();
    inputs.sort_by_key(|(i, _)| *i);
    if inputs.is_empty() {
        return Err(ArgError::usage(
            "`embed` needs at least one <TEXT> argument or `--image PATH`",
        ));
    }
    Ok(Command::Embed(EmbedArgs {
        model: e.model,
        input_type: e.input_type,
        dimensions: e.dimensions,
        inputs: inputs.into_iter().map(|(_, input)| input).collect(),
        region: e.region,
        local: e.local,
    }))
}
