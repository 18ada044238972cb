//! clap's errors and help requests, as the program reports them: one [`ArgError`] per error.

use super::{ArgError, Cli, Command};
use clap::CommandFactory;
use clap::error::{ContextKind, ContextValue, ErrorKind};

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

/// The help of the command `args` names, when `--help` or `-h` stands before any `--`.
pub(super) fn help_of(args: &[String]) -> Option<Command> {
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
pub(super) fn from_clap(err: &clap::Error, args: &[String]) -> ArgError {
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
