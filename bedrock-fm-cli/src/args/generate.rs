//! `bedrock-fm generate`: its flags and their checks.

use super::value_parsers::{
    api_parser, count, extra_args, family_parser, finite, non_empty, param, stop_sequence,
};
use super::{ArgError, Command, non_blank_prompt};
use bedrock_fm::Api;
use bedrock_fm::catalog::Family;
use clap::Args;
use serde_json::Value;

#[derive(Debug, Args)]
pub(super) struct GenerateCli {
    /// The model ID (required). `bedrock-fm models` lists the catalog; any other Bedrock model
    /// ID works too.
    #[arg(long, value_name = "ID", allow_hyphen_values = true, value_parser = non_empty("--model"))]
    model: String,
    /// The family of a model the catalog does not know, for InvokeModel (default: the family
    /// its ID prefix names), e.g. claude_messages.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true, hide_possible_values = true, value_parser = family_parser())]
    family: Option<Family>,
    /// The API: InvokeModel with the family's native JSON (default), or Converse.
    #[arg(long, value_name = "API", allow_hyphen_values = true, value_parser = api_parser())]
    api: Option<Api>,
    /// Print the text as it is generated.
    #[arg(long)]
    stream: bool,
    /// Print one JSON object instead of the text: output, prompt, body, latency_ms, usage
    /// {input_tokens, output_tokens}, stop_reason, request_id, and with --stream
    /// time_to_first_token_ms.
    #[arg(long)]
    details: bool,
    /// Sampling temperature (0 is sent as 0).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = finite("--temperature"))]
    temperature: Option<f64>,
    /// Nucleus sampling probability.
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = finite("--top-p"))]
    top_p: Option<f64>,
    /// Maximum number of tokens to generate.
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = count("--max-tokens"))]
    max_tokens: Option<u32>,
    /// A stop sequence; repeat for several.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true, value_parser = stop_sequence)]
    stop: Vec<String>,
    /// A typed parameter of the model's family by its setter name (top_k, return_likelihoods,
    /// temperature, ...), VALUE as JSON (40, true, ["a","b"]) or else as a string; repeatable.
    /// An unknown KEY fails before any request, listing the family's parameters.
    #[arg(long, value_name = "KEY=VALUE", allow_hyphen_values = true, value_parser = param)]
    param: Vec<(String, Value)>,
    /// Model-specific parameters, a JSON object merged into the native body (InvokeModel) or
    /// into additionalModelRequestFields (Converse).
    #[arg(long, value_name = "JSON", allow_hyphen_values = true, value_parser = extra_args)]
    extra_args: Option<Value>,
    /// The AWS region (default: from the AWS configuration chain).
    #[arg(long, value_name = "R", allow_hyphen_values = true, value_parser = non_empty("--region"))]
    region: Option<String>,
    /// Start a local Bedrock Runtime server (bedrock-fm-local) in-process and call it instead
    /// of AWS.
    #[arg(long)]
    local: bool,
    /// The prompt (one argument: quote it; put `--` before a prompt that starts with `-`).
    #[arg(value_name = "PROMPT")]
    prompt: String,
}

/// The options of `bedrock-fm generate`, each checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GenerateArgs {
    /// `--model`: the model ID as given.
    pub model: String,
    /// `--family`: the family of a model the catalog does not know.
    pub family: Option<Family>,
    /// `--api`; `None` leaves the library's default (InvokeModel).
    pub api: Option<Api>,
    /// `--stream`.
    pub stream: bool,
    /// `--details`.
    pub details: bool,
    /// `--temperature`, a finite number.
    pub temperature: Option<f64>,
    /// `--top-p`, a finite number.
    pub top_p: Option<f64>,
    /// `--max-tokens`.
    pub max_tokens: Option<u32>,
    /// `--stop`, in order (empty: none sent).
    pub stop: Vec<String>,
    /// `--param KEY=VALUE`, in order: setter names (checked by the library) and values.
    pub params: Vec<(String, Value)>,
    /// `--extra-args`, always a JSON object.
    pub extra_args: Option<Value>,
    /// `--region`.
    pub region: Option<String>,
    /// `--local`.
    pub local: bool,
    /// The prompt, never blank.
    pub prompt: String,
}

pub(super) fn into_command(g: GenerateCli) -> Result<Command, ArgError> {
    let prompt = non_blank_prompt(g.prompt)?;
    Ok(Command::Generate(GenerateArgs {
        model: g.model,
        family: g.family,
        api: g.api,
        stream: g.stream,
        details: g.details,
        temperature: g.temperature,
        top_p: g.top_p,
        max_tokens: g.max_tokens,
        stop: g.stop,
        params: g.param,
        extra_args: g.extra_args,
        region: g.region,
        local: g.local,
        prompt,
    }))
}
