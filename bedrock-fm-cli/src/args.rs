//! Command-line parsing, with `clap` (derive):
//!
//! ```text
//! bedrock-fm models [--json] [--live [--region R] [--local]]
//! bedrock-fm generate --model <ID> [--family NAME] [--api invoke|converse] [--stream] [--details]
//!     [--temperature F] [--top-p F] [--max-tokens N] [--stop TEXT]... [--param KEY=VALUE]...
//!     [--extra-args JSON] [--region R] [--local] <PROMPT>
//! bedrock-fm completions <bash|zsh|fish|powershell|elvish>
//! ```
//!
//! Flags may come before or after the prompt, as `--flag value` or `--flag=value`; `--` ends
//! the flags (for a prompt that starts with `-`). Every value is checked here, by a value
//! parser or after parsing, so that a bad number, unparsable JSON or an empty prompt fails
//! before any client is built. Every error of clap's becomes one [`ArgError`]: a value parser's
//! own [`ArgError`] as it is, anything else a [`ArgErrorKind::Usage`] error on one line.

use crate::commands::chat::ChatArgs;
use crate::commands::embed::{EmbedArgs, Input};
use crate::commands::image::ImageArgs;
use bedrock_fm::Api;
use bedrock_fm::catalog::{Family, FamilyKind};
use bedrock_fm::embeddings::InputType;
use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use clap_complete::Shell;
use serde_json::Value;
use std::fmt;
use std::path::PathBuf;

/// The usage lines of the program as a whole (`bedrock-fm --help`).
const USAGE: &str = "\
bedrock-fm models [--json] [--live [--region R] [--local]]
       bedrock-fm generate --model <ID> [--family NAME] [--api invoke|converse] [--stream] [--details]
           [--temperature F] [--top-p F] [--max-tokens N] [--stop TEXT]... [--param KEY=VALUE]...
           [--extra-args JSON] [--region R] [--local] <PROMPT>
       bedrock-fm embed --model <ID> [--input-type document|query] [--dimensions N]
           [--image PATH]... [--region R] [--local] <TEXT>...
       bedrock-fm image --model <ID> [--negative TEXT] [--width W --height H] [--seed S]
           [--count N] --out <DIR> [--region R] [--local] <PROMPT>
       bedrock-fm chat --model <ID> [--family NAME] [--system TEXT] [--image PATH]... [--stream]
           [--api invoke|converse] [--param KEY=VALUE]... [--details] [--local] [MESSAGE]
       bedrock-fm completions <bash|zsh|fish|powershell|elvish>";

/// What `bedrock-fm --help` says after the commands.
const AFTER_HELP: &str = "\
AWS credentials, region and endpoint come from the AWS configuration chain (AWS_PROFILE,
AWS_REGION, AWS_ACCESS_KEY_ID, AWS_BEARER_TOKEN_BEDROCK, AWS_ENDPOINT_URL_BEDROCK_RUNTIME, ...).
`--local` runs against an in-process bedrock-fm-local server instead: no AWS account
needed.

Exit status: 0 on success, 1 when the call fails, 2 on a usage or input error; errors are one
line on stderr: `error: <Kind>: <message>`.";

/// What `generate --help` and `chat --help` say after the options.
const AWS_HELP: &str = "\
AWS credentials, region and endpoint come from the AWS configuration chain (AWS_PROFILE,
AWS_REGION, AWS_ACCESS_KEY_ID, AWS_BEARER_TOKEN_BEDROCK, AWS_ENDPOINT_URL_BEDROCK_RUNTIME, ...).";

/// The command names, as the errors list them.
const COMMANDS: [&str; 6] = [
    "models",
    "generate",
    "embed",
    "image",
    "chat",
    "completions",
];
const EXPECTED: &str = "expected `models`, `generate`, `embed`, `image`, `chat` or `completions`";

#[derive(Debug, Parser)]
#[command(
    name = "bedrock-fm",
    version,
    about = "bedrock-fm: call Amazon Bedrock models from the command line.",
    override_usage = USAGE,
    after_help = AFTER_HELP,
    subcommand_required = true,
    arg_required_else_help = false,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// List the model catalog, one model per line (or a JSON array with --json); with --live,
    /// what the account offers and what the catalog knows of each.
    ///
    /// Lists every model of the bedrock-fm catalog, one per line: ID, family, provider, name,
    /// modalities (input->output), streaming, Converse support, lifecycle and how AWS offers
    /// it (on-demand, profile-only: call it through one of its inference profiles, or
    /// provisioned).
    #[command(override_usage = "bedrock-fm models [--json] [--live [--region R] [--local]]")]
    Models(ModelsCli),
    /// Generate text with a text model.
    ///
    /// Generates text for PROMPT with a text model of the catalog (a canonical model ID or an
    /// inference-profile ID such as us.anthropic.claude-3-5-haiku-20241022-v1:0) and prints it.
    #[command(after_help = AWS_HELP)]
    Generate(GenerateCli),
    /// Print embedding vectors as a JSON array.
    ///
    /// Embeds each TEXT (and each --image, for models that take images) with an embedding
    /// model of the catalog and prints a JSON array with one vector per input, in the order
    /// given.
    Embed(EmbedCli),
    /// Generate images into PNG files.
    ///
    /// Generates images for PROMPT with an image model of the catalog (Titan Image Generator,
    /// Nova Canvas, Stable Diffusion XL, SD3 / SD3.5 Large, Stable Image Ultra and Core),
    /// writes each as a PNG file into DIR (created if missing; files are named image-N.png,
    /// never overwriting) and prints their paths, one per line.
    Image(ImageCli),
    /// Chat with a text model: one message (with images), or an interactive conversation on
    /// stdin.
    ///
    /// With MESSAGE, sends it (with the --image files attached, in order, before its text) and
    /// prints the reply. Without MESSAGE, runs an interactive conversation: each line read
    /// from stdin is a human turn, the reply is printed, and the conversation keeps its
    /// history; an empty line or the end of input ends it (the --image files go with the
    /// first line).
    #[command(after_help = AWS_HELP)]
    Chat(ChatCli),
    /// Print a shell completion script for bedrock-fm.
    ///
    /// Prints the completion script for SHELL on stdout, e.g.
    /// `bedrock-fm completions bash > ~/.local/share/bash-completion/completions/bedrock-fm`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Debug, Args)]
struct ModelsCli {
    /// Print a JSON array of objects with every capability of each model instead.
    #[arg(long)]
    json: bool,
    /// List what the account offers in the region instead (the Bedrock control plane's
    /// ListFoundationModels and ListInferenceProfiles), each model with what the catalog knows
    /// of it: `catalog` (every fact known), `prefix:FAMILY` (not in the catalog; InvokeModel
    /// family from its ID prefix) or `converse-only` (not in the catalog; call it over `--api
    /// converse`, or name its family with `--family`).
    #[arg(long)]
    live: bool,
    /// With --live: the AWS region (default: from the AWS configuration chain).
    #[arg(long, value_name = "R", allow_hyphen_values = true, value_parser = non_empty("--region"))]
    region: Option<String>,
    /// With --live: ask an in-process bedrock-fm-local server instead of AWS.
    #[arg(long)]
    local: bool,
}

#[derive(Debug, Args)]
struct GenerateCli {
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

#[derive(Debug, Args)]
struct EmbedCli {
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

#[derive(Debug, Args)]
struct ImageCli {
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

#[derive(Debug, Args)]
struct ChatCli {
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

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Print this text (a help text or the version) and exit successfully.
    Print(String),
    /// `bedrock-fm completions SHELL`: print the completion script.
    Completions(Shell),
    /// `bedrock-fm models`.
    Models(ModelsArgs),
    /// `bedrock-fm generate`.
    Generate(GenerateArgs),
    /// `bedrock-fm embed`.
    Embed(EmbedArgs),
    /// `bedrock-fm image`.
    Image(ImageArgs),
    /// `bedrock-fm chat`.
    Chat(ChatArgs),
}

/// The options of `bedrock-fm models`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelsArgs {
    /// `--json`: a JSON array instead of one line per model.
    pub json: bool,
    /// `--live`: what the account offers, not the catalog.
    pub live: bool,
    /// `--region` (with `--live`).
    pub region: Option<String>,
    /// `--local` (with `--live`).
    pub local: bool,
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

/// The class of a command-line error, printed as the error kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgErrorKind {
    /// The command line is malformed: unknown command or flag, missing value or argument.
    Usage,
    /// A value is unusable: a bad number, unparsable JSON, an empty prompt.
    InvalidInput,
}

/// A command-line error; `Display` gives `<Kind>: <message>` on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    /// Its class.
    pub kind: ArgErrorKind,
    /// What is wrong, naming the flag.
    pub message: String,
}

impl ArgError {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            kind: ArgErrorKind::Usage,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(flag: &str, message: impl fmt::Display) -> Self {
        Self {
            kind: ArgErrorKind::InvalidInput,
            message: format!("{flag}: {message}"),
        }
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ArgErrorKind::Usage => "Usage",
            ArgErrorKind::InvalidInput => "InvalidInput",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

impl std::error::Error for ArgError {}

/// The clap command of the program (for `completions`).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, ArgError> {
    let argv = std::iter::once("bedrock-fm".to_owned()).chain(args.iter().cloned());
    let matches = match Cli::command().try_get_matches_from(argv) {
        Ok(matches) => matches,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            return Ok(Command::Print(e.render().to_string()));
        }
        // `--help` anywhere before `--` wins over what else is wrong.
        Err(e) => return help_of(args).ok_or_else(|| from_clap(&e, args)),
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| from_clap(&e, args))?;
    let sub = |name: &str| {
        matches
            .subcommand_matches(name)
            .expect("clap parsed this subcommand")
    };
    match cli.command {
        Sub::Models(m) => models(m),
        Sub::Generate(g) => generate(g),
        Sub::Embed(e) => embed(e, sub("embed")),
        Sub::Image(i) => image(i),
        Sub::Chat(c) => chat(c),
        Sub::Completions { shell } => Ok(Command::Completions(shell)),
    }
}

/// The help of the command `args` names, when `--help` or `-h` stands before any `--`.
fn help_of(args: &[String]) -> Option<Command> {
    let flag = args
        .iter()
        .take_while(|a| *a != "--")
        .find(|a| *a == "--help" || *a == "-h")?;
    let mut argv = vec!["bedrock-fm"];
    argv.extend(command_named(args));
    argv.push(flag);
    match Cli::command().try_get_matches_from(argv) {
        Err(e) if e.kind() == ErrorKind::DisplayHelp => {
            Some(Command::Print(e.render().to_string()))
        }
        _ => None,
    }
}

/// The command the first argument names, if it names one.
fn command_named(args: &[String]) -> Option<&'static str> {
    let first = args.first()?;
    COMMANDS.iter().copied().find(|c| c == first)
}

/// One clap error as one [`ArgError`]: a value parser's own error as it is, anything else a
/// usage error on one line that names what is wrong (from clap's rendered message) and where
/// the help is.
fn from_clap(err: &clap::Error, args: &[String]) -> ArgError {
    if let Some(own) = std::error::Error::source(err).and_then(|s| s.downcast_ref::<ArgError>()) {
        return own.clone();
    }
    match (err.kind(), err.get(ContextKind::InvalidSubcommand)) {
        (ErrorKind::MissingSubcommand, _) => {
            return ArgError::usage(format!(
                "missing command: {EXPECTED} (see `bedrock-fm --help`)"
            ));
        }
        (ErrorKind::MissingRequiredArgument, _) => {
            if let Some(ContextValue::Strings(missing)) = err.get(ContextKind::InvalidArg) {
                let names: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
                let command = command_named(args).unwrap_or("bedrock-fm");
                let mut message = format!("`{command}` needs {}", names.join(" and "));
                if missing.iter().any(|m| m.starts_with("--model")) {
                    message.push_str(" (`bedrock-fm models` lists them)");
                }
                return ArgError::usage(message);
            }
        }
        (ErrorKind::InvalidSubcommand, Some(ContextValue::String(name))) => {
            return ArgError::usage(format!(
                "unknown command `{name}`: {EXPECTED} (see `bedrock-fm --help`)"
            ));
        }
        _ => {}
    }
    let rendered = err.render().to_string();
    let what: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Usage:"))
        .filter(|line| !line.is_empty() && !line.starts_with("For more information"))
        .map(|line| line.strip_prefix("error: ").unwrap_or(line))
        .collect();
    let help = match command_named(args) {
        Some(name) => format!("bedrock-fm {name} --help"),
        None => "bedrock-fm --help".to_owned(),
    };
    ArgError::usage(format!("{} (see `{help}`)", what.join("; ")))
}

fn models(m: ModelsCli) -> Result<Command, ArgError> {
    if !m.live && (m.local || m.region.is_some()) {
        return Err(ArgError::usage(
            "`--region` and `--local` go with `models --live`",
        ));
    }
    Ok(Command::Models(ModelsArgs {
        json: m.json,
        live: m.live,
        region: m.region,
        local: m.local,
    }))
}

/// The prompt of `generate` and `image`, never blank.
fn non_blank_prompt(prompt: String) -> Result<String, ArgError> {
    if prompt.trim().is_empty() {
        return Err(ArgError::invalid("prompt", "the prompt is empty"));
    }
    Ok(prompt)
}

fn generate(g: GenerateCli) -> Result<Command, ArgError> {
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

/// `embed`: the texts and `--image` files keep their command-line order.
fn embed(e: EmbedCli, matches: &ArgMatches) -> Result<Command, ArgError> {
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

fn image(i: ImageCli) -> Result<Command, ArgError> {
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

fn chat(c: ChatCli) -> Result<Command, ArgError> {
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

/// A value parser that also offers `values` to the help and the shell completions; the
/// parsing (and its error) stays `inner`'s.
#[derive(Clone)]
struct Offering<P> {
    inner: P,
    values: Vec<&'static str>,
}

impl<P: TypedValueParser> TypedValueParser for Offering<P> {
    type Value = P::Value;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        self.inner.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.values.iter().map(|v| PossibleValue::new(*v))))
    }
}

fn text_families() -> impl Iterator<Item = Family> {
    Family::ALL
        .iter()
        .copied()
        .filter(|f| f.kind() == FamilyKind::Text)
}

/// A text family by its `models.toml` key (`claude_messages`).
pub(crate) fn parse_family(text: &str) -> Result<Family, ArgError> {
    text_families().find(|f| f.id() == text).ok_or_else(|| {
        let names: Vec<&str> = text_families().map(|f| f.id()).collect();
        ArgError::invalid(
            "--family",
            format!("{text:?} is not a text family; one of {}", names.join(", ")),
        )
    })
}

fn family_parser() -> impl TypedValueParser<Value = Family> {
    Offering {
        inner: parse_family,
        values: text_families().map(|f| f.id()).collect(),
    }
}

fn parse_api(text: &str) -> Result<Api, ArgError> {
    match text {
        "invoke" => Ok(Api::InvokeModel),
        "converse" => Ok(Api::Converse),
        other => Err(ArgError::invalid(
            "--api",
            format!("{other:?} is not `invoke` or `converse`"),
        )),
    }
}

fn api_parser() -> impl TypedValueParser<Value = Api> {
    Offering {
        inner: parse_api,
        values: vec!["invoke", "converse"],
    }
}

fn parse_input_type(text: &str) -> Result<InputType, ArgError> {
    match text {
        "document" => Ok(InputType::Document),
        "query" => Ok(InputType::Query),
        other => Err(ArgError::invalid(
            "--input-type",
            format!("{other:?} is not `document` or `query`"),
        )),
    }
}

fn input_type_parser() -> impl TypedValueParser<Value = InputType> {
    Offering {
        inner: parse_input_type,
        values: vec!["document", "query"],
    }
}

/// A finite number for `flag`.
fn finite(flag: &'static str) -> impl Fn(&str) -> Result<f64, ArgError> + Clone + Send + Sync {
    move |text| match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(ArgError::invalid(flag, format!("{text:?} is not a number"))),
    }
}

/// A whole number from 0 to `u32::MAX` for `flag`.
fn count(flag: &'static str) -> impl Fn(&str) -> Result<u32, ArgError> + Clone + Send + Sync {
    move |text| {
        text.trim().parse::<u32>().map_err(|_| {
            ArgError::invalid(
                flag,
                format!("{text:?} is not a whole number from 0 to {}", u32::MAX),
            )
        })
    }
}

fn seed(text: &str) -> Result<u64, ArgError> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| ArgError::invalid("--seed", format!("{text:?} is not a whole number from 0")))
}

/// A value of `flag` that is not blank.
fn non_empty(
    flag: &'static str,
) -> impl Fn(&str) -> Result<String, ArgError> + Clone + Send + Sync {
    move |text| {
        if text.trim().is_empty() {
            return Err(ArgError::invalid(flag, "is empty"));
        }
        Ok(text.to_owned())
    }
}

fn stop_sequence(text: &str) -> Result<String, ArgError> {
    if text.is_empty() {
        return Err(ArgError::invalid(
            "--stop",
            "a stop sequence cannot be empty",
        ));
    }
    Ok(text.to_owned())
}

/// `KEY=VALUE`: VALUE as JSON when it parses as JSON (`40`, `true`, `["a","b"]`), else as the
/// string it is. A KEY the family does not have is the library's error, at build time.
fn param(text: &str) -> Result<(String, Value), ArgError> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(ArgError::usage(format!(
            "`--param` takes KEY=VALUE (e.g. `--param top_k=40`), not {text:?}"
        )));
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(ArgError::usage(format!(
            "`--param` needs a parameter name before `=`, not {text:?}"
        )));
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok((key.to_owned(), value))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn extra_args(text: &str) -> Result<Value, ArgError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ArgError::invalid("--extra-args", format!("not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ArgError::invalid(
            "--extra-args",
            format!(
                "must be a JSON object such as '{{\"key\": 1}}', not {}",
                json_type(&value)
            ),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_str(args: &[&str]) -> Result<Command, ArgError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse(&args)
    }

    fn generate(args: &[&str]) -> GenerateArgs {
        match parse_str(args) {
            Ok(Command::Generate(g)) => g,
            other => panic!("expected generate, got {other:?}"),
        }
    }

    fn error(args: &[&str]) -> ArgError {
        match parse_str(args) {
            Err(e) => e,
            Ok(other) => panic!("expected an error, got {other:?}"),
        }
    }

    fn help(args: &[&str]) -> String {
        match parse_str(args) {
            Ok(Command::Print(text)) => text,
            other => panic!("expected a help text, got {other:?}"),
        }
    }

    #[test]
    fn the_clap_command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn models_with_and_without_json() {
        assert_eq!(
            parse_str(&["models"]),
            Ok(Command::Models(ModelsArgs::default()))
        );
        assert_eq!(
            parse_str(&["models", "--json"]),
            Ok(Command::Models(ModelsArgs {
                json: true,
                ..ModelsArgs::default()
            }))
        );
        assert_eq!(error(&["models", "--jsn"]).kind, ArgErrorKind::Usage);
        assert_eq!(error(&["models", "extra"]).kind, ArgErrorKind::Usage);
        assert_eq!(error(&["models", "--json=yes"]).kind, ArgErrorKind::Usage);
        let e = error(&["models", "--local"]);
        assert_eq!(
            e.to_string(),
            "Usage: `--region` and `--local` go with `models --live`"
        );
    }

    #[test]
    fn generate_with_every_option() {
        let g = generate(&[
            "generate",
            "--model",
            "amazon.nova-lite-v1:0",
            "--api",
            "converse",
            "--stream",
            "--details",
            "--temperature",
            "0",
            "--top-p=0.9",
            "--max-tokens",
            "128",
            "--stop",
            "END",
            "--stop",
            "\n\nHuman:",
            "--param",
            "top_k=40",
            "--param=stop_words=[\"a\",\"b\"]",
            "--param",
            "preamble=Be brief.",
            "--extra-args",
            r#"{"inferenceConfig": {"topK": 20}}"#,
            "--region",
            "eu-west-1",
            "--local",
            "Name three rivers.",
        ]);
        assert_eq!(g.model, "amazon.nova-lite-v1:0");
        assert_eq!(g.api, Some(Api::Converse));
        assert!(g.stream && g.details && g.local);
        assert_eq!(g.temperature, Some(0.0));
        assert_eq!(g.top_p, Some(0.9));
        assert_eq!(g.max_tokens, Some(128));
        assert_eq!(g.stop, vec!["END".to_owned(), "\n\nHuman:".to_owned()]);
        assert_eq!(
            g.params,
            vec![
                ("top_k".to_owned(), json!(40)),
                ("stop_words".to_owned(), json!(["a", "b"])),
                ("preamble".to_owned(), json!("Be brief.")),
            ]
        );
        assert_eq!(g.extra_args, Some(json!({"inferenceConfig": {"topK": 20}})));
        assert_eq!(g.region.as_deref(), Some("eu-west-1"));
        assert_eq!(g.prompt, "Name three rivers.");
    }

    #[test]
    fn param_values_are_json_when_they_parse_else_strings() {
        assert_eq!(param("k=40"), Ok(("k".to_owned(), json!(40))));
        assert_eq!(param("b=true"), Ok(("b".to_owned(), json!(true))));
        assert_eq!(param("s=\"40\""), Ok(("s".to_owned(), json!("40"))));
        assert_eq!(param("s=hello"), Ok(("s".to_owned(), json!("hello"))));
        assert_eq!(param("s="), Ok(("s".to_owned(), json!(""))));
        assert_eq!(param("e=a=b"), Ok(("e".to_owned(), json!("a=b"))));
        for bad in [
            &["generate", "--model", "m", "--param", "top_k", "hi"][..],
            &["generate", "--model", "m", "--param", "=40", "hi"][..],
            &["chat", "--model", "m", "--param", " =1", "hi"][..],
            &["generate", "--model", "m", "hi", "--param"][..],
        ] {
            let e = error(bad);
            assert_eq!(e.kind, ArgErrorKind::Usage, "{bad:?}: {e}");
            assert!(e.message.contains("--param"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn generate_defaults_and_flags_after_the_prompt() {
        let g = generate(&["generate", "Hello", "--model", "m", "--api=invoke"]);
        assert_eq!(g.prompt, "Hello");
        assert_eq!(g.api, Some(Api::InvokeModel));
        assert!(!g.stream && !g.details && !g.local);
        assert_eq!(g.temperature, None);
        assert!(g.stop.is_empty() && g.params.is_empty());
        let g = generate(&["generate", "--model", "m", "Hi"]);
        assert_eq!(g.api, None);
    }

    #[test]
    fn double_dash_ends_the_flags() {
        let g = generate(&["generate", "--model", "m", "--", "--not-a-flag"]);
        assert_eq!(g.prompt, "--not-a-flag");
        let g = generate(&["generate", "--model", "m", "--temperature", "-0.5", "x"]);
        assert_eq!(g.temperature, Some(-0.5));
    }

    #[test]
    fn bad_numbers_are_invalid_input_naming_the_flag() {
        let e = error(&["generate", "--model", "m", "--temperature", "abc", "hi"]);
        assert_eq!(e.kind, ArgErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            r#"InvalidInput: --temperature: "abc" is not a number"#
        );
        let e = error(&["generate", "--model", "m", "--top-p", "NaN", "hi"]);
        assert!(e.to_string().starts_with("InvalidInput: --top-p:"), "{e}");
        let e = error(&["generate", "--model", "m", "--max-tokens", "-3", "hi"]);
        assert!(
            e.to_string().starts_with("InvalidInput: --max-tokens:"),
            "{e}"
        );
        let e = error(&["generate", "--model", "m", "--max-tokens", "1.5", "hi"]);
        assert_eq!(e.kind, ArgErrorKind::InvalidInput);
    }

    #[test]
    fn extra_args_must_be_a_json_object() {
        let e = error(&["generate", "--model", "m", "--extra-args", "{oops", "hi"]);
        assert_eq!(e.kind, ArgErrorKind::InvalidInput);
        assert!(e.message.starts_with("--extra-args: not valid JSON"), "{e}");
        let e = error(&["generate", "--model", "m", "--extra-args", "[1]", "hi"]);
        assert!(e.message.contains("must be a JSON object"), "{e}");
        assert!(e.message.contains("an array"), "{e}");
    }

    #[test]
    fn empty_or_missing_prompt() {
        let e = error(&["generate", "--model", "m", "   "]);
        assert_eq!(e.to_string(), "InvalidInput: prompt: the prompt is empty");
        let e = error(&["generate", "--model", "m"]);
        assert_eq!(e.to_string(), "Usage: `generate` needs `<PROMPT>`");
        let e = error(&["generate"]);
        assert_eq!(
            e.to_string(),
            "Usage: `generate` needs `--model <ID>` and `<PROMPT>` (`bedrock-fm models` lists \
             them)"
        );
        let e = error(&["generate", "--model", "m", "one", "two"]);
        assert_eq!(e.kind, ArgErrorKind::Usage);
        assert!(e.message.contains("'two'"), "{e}");
    }

    #[test]
    fn malformed_command_lines_are_usage_errors() {
        for args in [
            &[][..],
            &["frobnicate"][..],
            &["--json"][..],
            &["generate", "--model", "m", "--temprature", "1", "hi"][..],
            &["generate", "--model", "m", "-t", "1", "hi"][..],
            &["generate", "hi"][..],
            &["generate", "--model"][..],
            &["generate", "--model", "m", "--stream=yes", "hi"][..],
            &["generate", "--model", "m", "--model", "n", "hi"][..],
            &[
                "generate",
                "--model",
                "m",
                "--temperature",
                "1",
                "--temperature",
                "2",
                "hi",
            ][..],
            &["completions"][..],
            &["completions", "tcsh"][..],
        ] {
            let e = error(args);
            assert_eq!(e.kind, ArgErrorKind::Usage, "{args:?}: {e}");
            assert!(!e.to_string().contains('\n'), "{args:?}: {e}");
        }
        assert_eq!(
            error(&[]).to_string(),
            "Usage: missing command: expected `models`, `generate`, `embed`, `image`, `chat` or \
             `completions` (see `bedrock-fm --help`)"
        );
        assert!(
            error(&["frobnicate"])
                .message
                .starts_with("unknown command `frobnicate`"),
        );
        let e = error(&["generate", "--model", "m", "--model", "n", "hi"]);
        assert!(e.message.contains("--model"), "{e}");
        let e = error(&["generate", "--model", "m", "--stream=yes", "hi"]);
        assert!(e.message.contains("--stream"), "{e}");
        let e = error(&["generate", "--model"]);
        assert!(e.message.contains("--model"), "{e}");
        let e = error(&["generate", "hi"]);
        assert_eq!(
            e.to_string(),
            "Usage: `generate` needs `--model <ID>` (`bedrock-fm models` lists them)"
        );
    }

    #[test]
    fn unknown_flag_is_named() {
        let e = error(&["generate", "--model", "m", "--bogus", "hi"]);
        assert_eq!(e.kind, ArgErrorKind::Usage);
        assert!(e.message.contains("'--bogus'"), "{e}");
        assert!(
            e.message.ends_with("(see `bedrock-fm generate --help`)"),
            "{e}"
        );
        let e = error(&["generate", "--model", "m", "--temprature", "1", "hi"]);
        assert!(e.message.contains("--temperature"), "a suggestion: {e}");
    }

    #[test]
    fn bad_api_and_empty_values() {
        let e = error(&["generate", "--model", "m", "--api", "grpc", "hi"]);
        assert_eq!(e.kind, ArgErrorKind::InvalidInput);
        assert!(e.message.starts_with("--api:"), "{e}");
        let e = error(&["generate", "--model", "", "hi"]);
        assert_eq!(e.to_string(), "InvalidInput: --model: is empty");
        let e = error(&["generate", "--model", "m", "--stop", "", "hi"]);
        assert!(e.message.starts_with("--stop:"), "{e}");
        let e = error(&["generate", "--model", "m", "--family", "llama", "hi"]);
        assert!(e.message.contains("is not a text family"), "{e}");
        let g = generate(&["generate", "--model", "m", "--family=claude_messages", "hi"]);
        assert_eq!(g.family, Some(Family::ClaudeMessages));
    }

    #[test]
    fn help_and_version() {
        let top = help(&["--help"]);
        assert!(top.contains("bedrock-fm generate --model <ID>"), "{top}");
        assert!(top.contains("completions"), "{top}");
        assert!(top.contains("Exit status"), "{top}");
        assert_eq!(help(&["-h"]), help(&["help"]));
        let generate = help(&["help", "generate"]);
        assert!(generate.contains("--param <KEY=VALUE>"), "{generate}");
        assert!(generate.contains("--temperature <F>"), "{generate}");
        assert_eq!(
            help(&["generate", "--bogus", "-h"]),
            help(&["generate", "-h"])
        );
        assert!(help(&["models", "--help"]).contains("--live"));
        assert_eq!(
            help(&["--version"]),
            format!("bedrock-fm {}\n", env!("CARGO_PKG_VERSION"))
        );
        // After `--`, `--help` is the prompt.
        assert_eq!(
            generate_prompt(&["generate", "--model", "m", "--", "--help"]),
            "--help"
        );
    }

    fn generate_prompt(args: &[&str]) -> String {
        generate(args).prompt
    }

    #[test]
    fn completions_name_the_shell() {
        assert_eq!(
            parse_str(&["completions", "bash"]),
            Ok(Command::Completions(Shell::Bash))
        );
        assert_eq!(
            parse_str(&["completions", "powershell"]),
            Ok(Command::Completions(Shell::PowerShell))
        );
    }
}
