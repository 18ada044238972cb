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
//!
//! Each subcommand has its own file (its clap flags, its checked options, the checks after
//! parsing); the flags' value parsers and the translation of clap's errors have theirs.

mod chat;
mod clap_errors;
mod embed;
mod generate;
mod image;
mod models;
#[cfg(test)]
mod tests;
mod value_parsers;

pub use generate::GenerateArgs;
pub use models::ModelsArgs;

use crate::commands::chat::ChatArgs;
use crate::commands::embed::EmbedArgs;
use crate::commands::image::ImageArgs;
use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use clap_complete::Shell;
use std::fmt;

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
    Models(models::ModelsCli),
    /// Generate text with a text model.
    ///
    /// Generates text for PROMPT with a text model of the catalog (a canonical model ID or an
    /// inference-profile ID such as us.anthropic.claude-3-5-haiku-20241022-v1:0) and prints it.
    #[command(after_help = AWS_HELP)]
    Generate(generate::GenerateCli),
    /// Print embedding vectors as a JSON array.
    ///
    /// Embeds each TEXT (and each --image, for models that take images) with an embedding
    /// model of the catalog and prints a JSON array with one vector per input, in the order
    /// given.
    Embed(embed::EmbedCli),
    /// Generate images into PNG files.
    ///
    /// Generates images for PROMPT with an image model of the catalog (Titan Image Generator,
    /// Nova Canvas, Stable Diffusion XL, SD3 / SD3.5 Large, Stable Image Ultra and Core),
    /// writes each as a PNG file into DIR (created if missing; files are named image-N.png,
    /// never overwriting) and prints their paths, one per line.
    Image(image::ImageCli),
    /// Chat with a text model: one message (with images), or an interactive conversation on
    /// stdin.
    ///
    /// With MESSAGE, sends it (with the --image files attached, in order, before its text) and
    /// prints the reply. Without MESSAGE, runs an interactive conversation: each line read
    /// from stdin is a human turn, the reply is printed, and the conversation keeps its
    /// history; an empty line or the end of input ends it (the --image files go with the
    /// first line).
    #[command(after_help = AWS_HELP)]
    Chat(chat::ChatCli),
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
        Err(e) => {
            return clap_errors::help_of(args).ok_or_else(|| clap_errors::from_clap(&e, args));
        }
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| clap_errors::from_clap(&e, args))?;
    let sub = |name: &str| {
        matches
            .subcommand_matches(name)
            .expect("clap parsed this subcommand")
    };
    match cli.command {
        Sub::Models(m) => models::into_command(m),
        Sub::Generate(g) => generate::into_command(g),
        Sub::Embed(e) => embed::into_command(e, sub("embed")),
        Sub::Image(i) => image::into_command(i),
        Sub::Chat(c) => chat::into_command(c),
        Sub::Completions { shell } => Ok(Command::Completions(shell)),
    }
}

/// The prompt of `generate` and `image`, never blank.
fn non_blank_prompt(prompt: String) -> Result<String, ArgError> {
    if prompt.trim().is_empty() {
        return Err(ArgError::invalid("prompt", "the prompt is empty"));
    }
    Ok(prompt)
}
