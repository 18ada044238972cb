//! `bedrock-fm chat`: its flags and their checks.

use super::value_parsers::{api_parser, family_parser, non_empty, param};
use super::{ArgError, Command};
use crate::commands::chat::ChatArgs;
use bedrock_fm::Api;
use bedrock_fm::catalog::Family;
use clap::Args;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(super) struct ChatCli {
    /// A text model of the catalog (required), e.g. anthropic.claude-3-haiku-20240307-v1:0,
    /// amazon.nova-lite-v1:0, or an inference-profile ID. `bedrock-fm models` lists them.
    #[arg(long, value_name = "ID", allow_hyphen_values = true, value_parser = non_empty("--model"))]
    model: String,
    /// The family of a model the catalog does not know, for InvokeModel (default: the family
    /// its ID prefix names), e.g. claude_messages.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true, hide_possible_values = true, value_parser = family_parser())]
    family: Option<Family>,
    /// A system prompt.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true, value_parser = non_empty("--system"))]
    system: Option<String>,
    /// An image (PNG, JPEG, GIF or WebP) to attach; repeatable. Only for models that take
    /// images; resized to the model's limits if needed.
    #[arg(long, value_name = "PATH", allow_hyphen_values = true, value_parser = non_empty("--image"))]
    image: Vec<String>,
    /// Print the reply as it is generated.
    #[arg(long)]
    stream: bool,
    /// The API: InvokeModel with the family's native JSON (default), or Converse.
    #[arg(long, value_name = "API", allow_hyphen_values = true, value_parser = api_parser())]
    api: Option<Api>,
    /// A typed parameter of the model's family by its setter name (top_k, temperature,
    /// max_tokens, ...), VALUE as JSON (40, true, ["a","b"]) or else as a string; repeatable.
    /// An unknown KEY fails before any request, listing the family's parameters.
    #[arg(long, value_name = "KEY=VALUE", allow_hyphen_values = true, value_parser = param)]
    param: Vec<(String, Value)>,
    /// Print one JSON object per reply instead of the text, with the keys of `generate
    /// --details` and, when the model called tools, `tool_calls` ([{id, name, input}]).
    #[arg(long)]
    details: bool,
    /// Start a local Bedrock Runtime server (bedrock-fm-local) in-process and call it instead
    /// of AWS.
    #[arg(long)]
    local: bool,
    /// The message; without it, an interactive conversation on stdin (put `--` before a
    /// message that starts with `-`).
    #[arg(value_name = "MESSAGE")]
    message: Option<String>,
}

pub(super) fn into_command(c: ChatCli) -> Result<Command, ArgError> {
    if c.message.as_deref().is_some_and(|m| m.trim().is_empty()) {
        return Err(ArgError::invalid("message", "the message is empty"));
    }
    Ok(Command::Chat(ChatArgs {
        model: c.model,
        family: c.family,
        system: c.system,
        images: c.image.into_iter().map(PathBuf::from).collect(),
        stream: c.stream,
        api: c.api,
        params: c.param,
        details: c.details,
        local: c.local,
        message: c.message,
    }))
}
