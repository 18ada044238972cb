//! `bedrock-fm`: list the bedrock-fm model catalog, generate text and chat (with images) with
//! any Bedrock text model, embed texts and images, and generate images, against AWS (through
//! the AWS configuration chain) or an in-process local server (`--local`).
//!
//! Exit status: 0 on success, 1 when a call fails, 2 on a usage or input error. Every failure
//! is one line on stderr, `error: <Kind>: <message>`.

mod args;
mod commands;
mod output;

use args::{ArgError, Command};
use std::fmt;
use std::io::Write;
use std::process::ExitCode;

/// Why the program failed: what is printed on stderr and the exit status.
#[derive(Debug)]
pub enum Failure {
    /// The command line or a value in it is wrong (exit 2).
    Args(ArgError),
    /// The library refused or the call failed (exit 2 for invalid input, 1 otherwise).
    Call(bedrock_fm::Error),
    /// Writing the output (or setting up the async runtime) failed (exit 1).
    Io(std::io::Error),
    /// `--local`: the local server could not start (exit 1).
    LocalServer(std::io::Error),
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Args(_) => 2,
            Self::Call(e) if e.kind() == bedrock_fm::ErrorKind::InvalidInput => 2,
            Self::Call(_) | Self::Io(_) | Self::LocalServer(_) => 1,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Args(e) => e.fmt(f),
            Self::Call(e) => f.write_str(&describe(e)),
            Self::Io(e) => write!(f, "Io: {e}"),
            Self::LocalServer(e) => write!(f, "LocalServer: cannot start bedrock-fm-local: {e}"),
        }
    }
}

impl From<ArgError> for Failure {
    fn from(e: ArgError) -> Self {
        Self::Args(e)
    }
}

impl From<bedrock_fm::Error> for Failure {
    fn from(e: bedrock_fm::Error) -> Self {
        Self::Call(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

/// `<Kind>: <message>` of a library error. The kind is never blank: an error code the
/// library could not read shows as `Unknown`.
fn describe(e: &bedrock_fm::Error) -> String {
    use bedrock_fm::ErrorKind;
    let kind = match e.kind() {
        ErrorKind::InvalidInput => return e.to_string(),
        ErrorKind::Unknown(code) if code.trim().is_empty() => "Unknown".to_owned(),
        kind => kind.to_string(),
    };
    let mut text = format!("{kind}: {}", e.message());
    if let Some(partial) = e.partial_output() {
        let n = partial.chars().count();
        text.push_str(&format!(
            " (the stream failed after {n} characters of output)"
        ));
    }
    text
}

/// Collapses any run of whitespace (newlines included) into one space: errors are one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

fn run(argv: &[String]) -> Result<(), Failure> {
    match args::parse(argv)? {
        Command::Print(text) => Ok(std::io::stdout().write_all(text.as_bytes())?),
        Command::Completions(shell) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut args::command(), "bedrock-fm", &mut script);
            Ok(std::io::stdout().write_all(&script)?)
        }
        Command::Models(args) => runtime()?.block_on(commands::models::run(args)),
        Command::Generate(generate) => runtime()?.block_on(commands::generate::run(generate)),
        Command::Embed(embed) => runtime()?.block_on(commands::embed::run(embed)),
        Command::Image(image) => runtime()?.block_on(commands::image::run(image)),
        Command::Chat(chat) => runtime()?.block_on(commands::chat::run(chat)),
    }
}

fn main() -> ExitCode {
    // A panic is a failure like any other: one line on stderr.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: Panic: {}", one_line(&info.to_string()));
    }));
    let mut argv = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(arg) => argv.push(arg),
            Err(raw) => {
                eprintln!("error: InvalidInput: argument {raw:?} is not valid UTF-8");
                return ExitCode::from(2);
            }
        }
    }
    match run(&argv) {
        Ok(()) => ExitCode::SUCCESS,
        // `bedrock-fm models | head`: the reader left, nothing to report.
        Err(Failure::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", one_line(&failure.to_string()));
            ExitCode::from(failure.exit_code())
        }
    }
}
