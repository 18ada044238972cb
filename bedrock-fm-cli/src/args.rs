//! Command-line parsing, by hand (no argument-parsing crate):
//!
//! ```text
//! bedrock-fm models [--json] [--live [--region R] [--local]]
//! bedrock-fm generate --model <ID> [--family NAME] [--api invoke|converse] [--stream] [--details]
//!     [--temperature F] [--top-p F] [--max-tokens N] [--stop TEXT]... [--extra-args JSON]
//!     [--region R] [--local] <PROMPT>
//! ```
//!
//! Flags may come before or after the prompt, as `--flag value` or `--flag=value`; `--` ends
//! the flags (for a prompt that starts with `-`). Every value is checked here, so that a bad
//! number, unparsable JSON or an empty prompt fails before any client is built.

use bedrock_fm::Api;
use bedrock_fm::catalog::{Family, FamilyKind};
use serde_json::Value;
use std::fmt;

/// The help of the program as a whole (`bedrock-fm --help`).
pub const HELP: &str = "\
bedrock-fm: call Amazon Bedrock models from the command line.

Usage:
  bedrock-fm models [--json] [--live [--region R] [--local]]
  bedrock-fm generate --model <ID> [--family NAME] [--api invoke|converse] [--stream] [--details]
      [--temperature F] [--top-p F] [--max-tokens N] [--stop TEXT]... [--extra-args JSON]
      [--region R] [--local] <PROMPT>
  bedrock-fm embed --model <ID> [--input-type document|query] [--dimensions N]
      [--image PATH]... [--region R] [--local] <TEXT>...
  bedrock-fm image --model <ID> [--negative TEXT] [--width W --height H] [--seed S]
      [--count N] --out <DIR> [--region R] [--local] <PROMPT>
  bedrock-fm chat --model <ID> [--family NAME] [--system TEXT] [--image PATH]... [--stream]
      [--api invoke|converse] [--details] [--local] [MESSAGE]

Commands:
  models      List the model catalog, one model per line (or a JSON array with --json);
              with --live, what the account offers and what the catalog knows of each.
  generate    Generate text with a text model; see `bedrock-fm generate --help`.
  embed       Print embedding vectors as a JSON array; see `bedrock-fm embed --help`.
  image       Generate images into PNG files; see `bedrock-fm image --help`.
  chat        Chat with a text model: one message (with images), or an interactive
              conversation on stdin; see `bedrock-fm chat --help`.

AWS credentials, region and endpoint come from the AWS configuration chain (AWS_PROFILE,
AWS_REGION, AWS_ACCESS_KEY_ID, AWS_BEARER_TOKEN_BEDROCK, AWS_ENDPOINT_URL_BEDROCK_RUNTIME, ...).
`--local` runs against an in-process bedrock-fm-local server instead: no AWS account
needed.

Exit status: 0 on success, 1 when the call fails, 2 on a usage or input error; errors are one
line on stderr: `error: <Kind>: <message>`.
";

/// The help of `bedrock-fm models`.
pub const MODELS_HELP: &str = "\
Usage: bedrock-fm models [--json] [--live [--region R] [--local]]

Lists every model of the bedrock-fm catalog, one per line: ID, family, provider, name,
modalities (input->output), streaming, Converse support, lifecycle and how AWS offers it
(on-demand, profile-only: call it through one of its inference profiles, or provisioned).

Options:
  --json      Print a JSON array of objects with every capability of each model instead.
  --live      List what the account offers in the region instead (the Bedrock control plane's
              ListFoundationModels and ListInferenceProfiles), each model with what the catalog
              knows of it: `catalog` (every fact known), `prefix:FAMILY` (not in the catalog;
              InvokeModel family from its ID prefix) or `converse-only` (not in the catalog; call
              it over `--api converse`, or name its family with `--family`).
  --region R  With --live: the AWS region (default: from the AWS configuration chain).
  --local     With --live: ask an in-process bedrock-fm-local server instead of AWS.
";

/// The help of `bedrock-fm generate`.
pub const GENERATE_HELP: &str = "\
Usage: bedrock-fm generate --model <ID> [options] <PROMPT>

Generates text for PROMPT with a text model of the catalog (a canonical model ID or an
inference-profile ID such as us.anthropic.claude-3-5-haiku-20241022-v1:0) and prints it.

Options:
  --model <ID>          The model ID (required). `bedrock-fm models` lists the catalog; any
                        other Bedrock model ID works too.
  --family NAME         The family of a model the catalog does not know, for InvokeModel
                        (default: the family its ID prefix names), e.g. claude_messages.
  --api invoke|converse The API: InvokeModel with the family's native JSON (default), or Converse.
  --stream              Print the text as it is generated.
  --details             Print one JSON object instead of the text: output, prompt, body,
                        latency_ms, usage {input_tokens, output_tokens}, stop_reason,
                        request_id, and with --stream time_to_first_token_ms.
  --temperature F       Sampling temperature (0 is sent as 0).
  --top-p F             Nucleus sampling probability.
  --max-tokens N        Maximum number of tokens to generate.
  --stop TEXT           A stop sequence; repeat for several.
  --extra-args JSON     Model-specific parameters, a JSON object merged into the native body
                        (InvokeModel) or into additionalModelRequestFields (Converse).
  --region R            The AWS region (default: from the AWS configuration chain).
  --local               Start a local Bedrock Runtime server (bedrock-fm-local) in-process and
                        call it instead of AWS.
  --                    Ends the options: the next argument is the prompt, even if it starts
                        with `-`.
";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Print this help text and exit successfully.
    Help(&'static str),
    /// Print the version and exit successfully.
    Version,
    /// `bedrock-fm models`.
    Models(ModelsArgs),
    /// `bedrock-fm generate`.
    Generate(GenerateArgs),
    /// `bedrock-fm embed`.
    Embed(crate::commands::embed::EmbedArgs),
    /// `bedrock-fm image`.
    Image(crate::commands::image::ImageArgs),
    /// `bedrock-fm chat`.
    Chat(crate::commands::chat::ChatArgs),
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

/// One command-line token, classified.
pub(crate) enum Token {
    /// `--name` or `--name=value` (`-h` is `--help`, `-V` is `--version`).
    Flag { name: String, value: Option<String> },
    /// Anything else (also every argument after `--`).
    Positional(String),
}

/// Reads the arguments one at a time: a token where a flag may stand, or the raw next
/// argument as the value of the flag just read (so `--temperature -0.5` works).
pub(crate) struct Tokens<'a> {
    args: &'a [String],
    pos: usize,
    positional_only: bool,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(args: &'a [String]) -> Self {
        Self {
            args,
            pos: 0,
            positional_only: false,
        }
    }

    /// Whether `--help` or `-h` appears where a flag may stand (before `--`).
    pub(crate) fn asks_for_help(&self) -> bool {
        self.args
            .iter()
            .take_while(|a| *a != "--")
            .any(|a| a == "--help" || a == "-h")
    }

    pub(crate) fn next_token(&mut self) -> Result<Option<Token>, ArgError> {
        let Some(arg) = self.args.get(self.pos) else {
            return Ok(None);
        };
        self.pos += 1;
        if self.positional_only {
            return Ok(Some(Token::Positional(arg.clone())));
        }
        if arg == "--" {
            self.positional_only = true;
            return self.next_token();
        }
        let flag = |name: &str, value: Option<&str>| {
            Ok(Some(Token::Flag {
                name: name.to_owned(),
                value: value.map(str::to_owned),
            }))
        };
        if let Some(rest) = arg.strip_prefix("--") {
            return match rest.split_once('=') {
                Some((name, value)) => flag(name, Some(value)),
                None => flag(rest, None),
            };
        }
        match arg.as_str() {
            "-h" => flag("help", None),
            "-V" => flag("version", None),
            a if a.len() > 1 && a.starts_with('-') => Err(ArgError::usage(format!(
                "unknown flag `{a}` (flags are spelled `--name`; put `--` before a prompt that \
                 starts with `-`)"
            ))),
            _ => Ok(Some(Token::Positional(arg.clone()))),
        }
    }

    /// The value of `--flag`: `inline` (from `--flag=value`) or the next argument verbatim.
    pub(crate) fn value(&mut self, flag: &str, inline: Option<String>) -> Result<String, ArgError> {
        if let Some(v) = inline {
            return Ok(v);
        }
        let Some(arg) = self.args.get(self.pos) else {
            return Err(ArgError::usage(format!("`--{flag}` needs a value")));
        };
        self.pos += 1;
        Ok(arg.clone())
    }
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, ArgError> {
    let Some((command, rest)) = args.split_first() else {
        return Err(ArgError::usage(
            "missing command: expected `models`, `generate`, `embed`, `image` or `chat` (see `bedrock-fm --help`)",
        ));
    };
    match command.as_str() {
        "models" => parse_models(rest),
        "generate" => parse_generate(rest),
        "embed" => crate::commands::embed::parse(rest),
        "image" => crate::commands::image::parse(rest),
        "chat" => crate::commands::chat::parse(rest),
        "help" => Ok(Command::Help(match rest.first().map(String::as_str) {
            Some("models") => MODELS_HELP,
            Some("generate") => GENERATE_HELP,
            Some("embed") => crate::commands::embed::HELP,
            Some("image") => crate::commands::image::HELP,
            Some("chat") => crate::commands::chat::HELP,
            _ => HELP,
        })),
        "--help" | "-h" => Ok(Command::Help(HELP)),
        "--version" | "-V" => Ok(Command::Version),
        other if other.starts_with('-') => Err(ArgError::usage(format!(
            "unknown flag `{other}` before the command: expected `models`, `generate`, `embed`, `image` or `chat` \
             (see `bedrock-fm --help`)"
        ))),
        other => Err(ArgError::usage(format!(
            "unknown command `{other}`: expected `models`, `generate`, `embed`, `image` or `chat` (see `bedrock-fm --help`)"
        ))),
    }
}

fn no_value(name: &str, value: &Option<String>) -> Result<(), ArgError> {
    match value {
        Some(_) => Err(ArgError::usage(format!("`--{name}` takes no value"))),
        None => Ok(()),
    }
}

fn parse_models(args: &[String]) -> Result<Command, ArgError> {
    let mut tokens = Tokens::new(args);
    if tokens.asks_for_help() {
        return Ok(Command::Help(MODELS_HELP));
    }
    let mut out = ModelsArgs::default();
    while let Some(token) = tokens.next_token()? {
        match token {
            Token::Flag { name, value } if matches!(name.as_str(), "json" | "live" | "local") => {
                no_value(&name, &value)?;
                match name.as_str() {
                    "json" => out.json = true,
                    "live" => out.live = true,
                    _ => out.local = true,
                }
            }
            Token::Flag { name, value } if name == "region" => {
                let value = tokens.value("region", value)?;
                set_once(&mut out.region, "region", non_empty("region", value)?)?;
            }
            Token::Flag { name, .. } => {
                return Err(ArgError::usage(format!(
                    "unknown flag `--{name}` for `models` (see `bedrock-fm models --help`)"
                )));
            }
            Token::Positional(arg) => {
                return Err(ArgError::usage(format!(
                    "unexpected argument `{arg}`: `models` takes only flags"
                )));
            }
        }
    }
    if !out.live && (out.local || out.region.is_some()) {
        return Err(ArgError::usage(
            "`--region` and `--local` go with `models --live`",
        ));
    }
    Ok(Command::Models(out))
}

/// A text family by its `models.toml` key (`claude_messages`).
pub(crate) fn parse_family(text: &str) -> Result<Family, ArgError> {
    let text_families = || Family::ALL.iter().filter(|f| f.kind() == FamilyKind::Text);
    text_families()
        .find(|f| f.id() == text)
        .copied()
        .ok_or_else(|| {
            let names: Vec<&str> = text_families().map(|f| f.id()).collect();
            ArgError::invalid(
                "--family",
                format!("{text:?} is not a text family; one of {}", names.join(", ")),
            )
        })
}

/// Sets a once-only option, refusing a second occurrence.
pub(crate) fn set_once<T>(slot: &mut Option<T>, flag: &str, value: T) -> Result<(), ArgError> {
    if slot.is_some() {
        return Err(ArgError::usage(format!(
            "`--{flag}` given twice (it takes one value)"
        )));
    }
    *slot = Some(value);
    Ok(())
}

pub(crate) fn parse_float(flag: &str, text: &str) -> Result<f64, ArgError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(ArgError::invalid(
            &format!("--{flag}"),
            format!("{text:?} is not a number"),
        )),
    }
}

pub(crate) fn parse_count(flag: &str, text: &str) -> Result<u32, ArgError> {
    text.trim().parse::<u32>().map_err(|_| {
        ArgError::invalid(
            &format!("--{flag}"),
            format!("{text:?} is not a whole number from 0 to {}", u32::MAX),
        )
    })
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

fn parse_extra_args(text: &str) -> Result<Value, ArgError> {
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

pub(crate) fn non_empty(flag: &str, text: String) -> Result<String, ArgError> {
    if text.trim().is_empty() {
        return Err(ArgError::invalid(&format!("--{flag}"), "is empty"));
    }
    Ok(text)
}

fn parse_generate(args: &[String]) -> Result<Command, ArgError> {
    let mut tokens = Tokens::new(args);
    if tokens.asks_for_help() {
        return Ok(Command::Help(GENERATE_HELP));
    }
    let mut out = GenerateArgs::default();
    let mut model = None;
    let mut api = None;
    let mut prompt: Option<String> = None;
    while let Some(token) = tokens.next_token()? {
        let (name, inline) = match token {
            Token::Positional(arg) => {
                if prompt.is_some() {
                    return Err(ArgError::usage(format!(
                        "unexpected argument `{arg}`: the prompt is one argument (quote it)"
                    )));
                }
                prompt = Some(arg);
                continue;
            }
            Token::Flag { name, value } => (name, value),
        };
        let flag = name.as_str();
        match flag {
            "stream" | "details" | "local" => {
                no_value(flag, &inline)?;
                match flag {
                    "stream" => out.stream = true,
                    "details" => out.details = true,
                    _ => out.local = true,
                }
                continue;
            }
            "model" | "family" | "api" | "temperature" | "top-p" | "max-tokens" | "stop"
            | "extra-args" | "region" => {}
            _ => {
                return Err(ArgError::usage(format!(
                    "unknown flag `--{flag}` for `generate` (see `bedrock-fm generate --help`)"
                )));
            }
        }
        let value = tokens.value(flag, inline)?;
        match flag {
            "model" => set_once(&mut model, flag, non_empty(flag, value)?)?,
            "family" => set_once(&mut out.family, flag, parse_family(&value)?)?,
            "api" => set_once(&mut api, flag, parse_api(&value)?)?,
            "temperature" => set_once(&mut out.temperature, flag, parse_float(flag, &value)?)?,
            "top-p" => set_once(&mut out.top_p, flag, parse_float(flag, &value)?)?,
            "max-tokens" => set_once(&mut out.max_tokens, flag, parse_count(flag, &value)?)?,
            "stop" => {
                if value.is_empty() {
                    return Err(ArgError::invalid(
                        "--stop",
                        "a stop sequence cannot be empty",
                    ));
                }
                out.stop.push(value);
            }
            "extra-args" => set_once(&mut out.extra_args, flag, parse_extra_args(&value)?)?,
            "region" => set_once(&mut out.region, flag, non_empty(flag, value)?)?,
            _ => unreachable!("flags were matched above"),
        }
    }
    out.model = model.ok_or_else(|| {
        ArgError::usage("`generate` needs `--model <ID>` (`bedrock-fm models` lists them)")
    })?;
    out.api = api;
    let prompt = prompt.ok_or_else(|| ArgError::usage("`generate` needs a <PROMPT> argument"))?;
    if prompt.trim().is_empty() {
        return Err(ArgError::invalid("prompt", "the prompt is empty"));
    }
    out.prompt = prompt;
    Ok(Command::Generate(out))
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
        assert_eq!(g.extra_args, Some(json!({"inferenceConfig": {"topK": 20}})));
        assert_eq!(g.region.as_deref(), Some("eu-west-1"));
        assert_eq!(g.prompt, "Name three rivers.");
    }

    #[test]
    fn generate_defaults_and_flags_after_the_prompt() {
        let g = generate(&["generate", "Hello", "--model", "m", "--api=invoke"]);
        assert_eq!(g.prompt, "Hello");
        assert_eq!(g.api, Some(Api::InvokeModel));
        assert!(!g.stream && !g.details && !g.local);
        assert_eq!(g.temperature, None);
        assert!(g.stop.is_empty());
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
        assert_eq!(e.kind, ArgErrorKind::Usage);
        let e = error(&["generate", "--model", "m", "one", "two"]);
        assert!(e.message.contains("one argument"), "{e}");
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
        ] {
            let e = error(args);
            assert_eq!(e.kind, ArgErrorKind::Usage, "{args:?}: {e}");
            assert!(!e.to_string().contains('\n'), "{args:?}: {e}");
        }
    }

    #[test]
    fn unknown_flag_is_named() {
        let e = error(&["generate", "--model", "m", "--bogus", "hi"]);
        assert_eq!(
            e.to_string(),
            "Usage: unknown flag `--bogus` for `generate` (see `bedrock-fm generate --help`)"
        );
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
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse_str(&["--help"]), Ok(Command::Help(HELP)));
        assert_eq!(parse_str(&["-h"]), Ok(Command::Help(HELP)));
        assert_eq!(
            parse_str(&["help", "generate"]),
            Ok(Command::Help(GENERATE_HELP))
        );
        assert_eq!(
            parse_str(&["generate", "--bogus", "-h"]),
            Ok(Command::Help(GENERATE_HELP))
        );
        assert_eq!(
            parse_str(&["models", "--help"]),
            Ok(Command::Help(MODELS_HELP))
        );
        assert_eq!(parse_str(&["--version"]), Ok(Command::Version));
    }
}
