//! `cargo codegen [-- --check] [--catalog PATH] [--out DIR]`
//! `cargo codegen -- --import LIST.json [--profiles PROFILES.json] [--write] [--catalog PATH]`

use clap::Parser;
use clap::error::ErrorKind;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "cargo codegen [-- --check] [--catalog models.toml] [--out bedrock-fm/src/generated]
       cargo codegen -- --import list-foundation-models.json [--profiles list-inference-profiles.json] [--write] [--catalog models.toml]";

/// The command line of the generator.
#[derive(Debug, Parser)]
#[command(
    name = "bedrock-fm-codegen",
    bin_name = "cargo codegen",
    about = "Generates bedrock-fm/src/generated from models.toml, checks that it is up to date, \
             or merges a ListFoundationModels listing into models.toml.",
    override_usage = USAGE,
    max_term_width = 100
)]
struct Cli {
    /// Write nothing: fail, naming each generated file that is out of date with the catalog.
    #[arg(long)]
    check: bool,
    /// The catalog to read (default: models.toml at the workspace root).
    #[arg(long, value_name = "PATH", allow_hyphen_values = true)]
    catalog: Option<PathBuf>,
    /// The directory of the generated code (default: bedrock-fm/src/generated).
    #[arg(long, value_name = "DIR", allow_hyphen_values = true)]
    out: Option<PathBuf>,
    /// Compare a saved `aws bedrock list-foundation-models` JSON answer with the catalog:
    /// report NEW, CHANGED and RETIRED models.
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    import: Option<PathBuf>,
    /// With --import: a saved `aws bedrock list-inference-profiles` JSON answer, for the
    /// models' inference profiles.
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    profiles: Option<PathBuf>,
    /// With --import: append to the catalog an entry for each new model whose family an ID
    /// prefix names.
    #[arg(long)]
    write: bool,
}

/// A usage error: the message and the usage lines on stderr, exit status 2.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("{message}\nusage: {USAGE}");
    ExitCode::from(2)
}

/// Parses the command line (program name first). `cargo codegen -- --check` passes a literal
/// `--` (anywhere): it ends nothing here, since no argument is positional.
fn parse<I: IntoIterator<Item = std::ffi::OsString>>(args: I) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(args.into_iter().filter(|a| a != "--"))
}

fn main() -> ExitCode {
    let cli = match parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            print!("{}", e.render());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let rendered = e.render().to_string();
            let message = rendered
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ");
            return usage_error(message);
        }
    };
    let root = bedrock_fm_codegen::workspace_root();
    let catalog = cli.catalog.unwrap_or_else(|| root.join("models.toml"));
    let out = cli
        .out
        .unwrap_or_else(|| root.join("bedrock-fm/src/generated"));
    let (check, import, profiles, write) = (cli.check, cli.import, cli.profiles, cli.write);
    if let Some(listing) = import {
        if check {
            return usage_error("--import does not take --check");
        }
        return match bedrock_fm_codegen::import::run(&catalog, &listing, profiles.as_deref(), write)
        {
            Ok(report) => {
                print!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    if write || profiles.is_some() {
        return usage_error("--write and --profiles go with --import");
    }
    let text = match std::fs::read_to_string(&catalog) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {}: {e}", catalog.display());
            return ExitCode::FAILURE;
        }
    };
    let files = match bedrock_fm_codegen::generate_from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if check {
        let stale = bedrock_fm_codegen::stale_files(&files, &out);
        if stale.is_empty() {
            return ExitCode::SUCCESS;
        }
        for path in stale {
            eprintln!("stale: {}", path.display());
        }
        eprintln!("generated code is out of date with models.toml: run `cargo codegen`");
        return ExitCode::FAILURE;
    }
    match bedrock_fm_codegen::write_files(&files, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse_str(args: &[&str]) -> Result<Cli, clap::Error> {
        parse(
            std::iter::once("bedrock-fm-codegen")
                .chain(args.iter().copied())
                .map(Into::into),
        )
    }

    #[test]
    fn the_clap_command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_literal_double_dash_is_ignored_wherever_it_stands() {
        let cli = parse_str(&["--", "--check"]).unwrap();
        assert!(cli.check && cli.catalog.is_none());
        let cli = parse_str(&["--catalog", "m.toml", "--out=o", "--", "--check"]).unwrap();
        assert!(cli.check);
        assert_eq!(cli.catalog, Some(PathBuf::from("m.toml")));
        assert_eq!(cli.out, Some(PathBuf::from("o")));
        let cli = parse_str(&["--import", "l.json", "--profiles", "p.json", "--write"]).unwrap();
        assert_eq!(cli.import, Some(PathBuf::from("l.json")));
        assert_eq!(cli.profiles, Some(PathBuf::from("p.json")));
        assert!(cli.write && !cli.check);
    }

    #[test]
    fn bad_command_lines_are_errors() {
        for bad in [
            &["--bogus"][..],
            &["--catalog"][..],
            &["--check=yes"][..],
            &["x"][..],
        ] {
            assert!(parse_str(bad).is_err(), "{bad:?}");
        }
        let help = parse_str(&["--help"]).unwrap_err();
        assert_eq!(help.kind(), ErrorKind::DisplayHelp);
        assert!(help.render().to_string().contains("--import <FILE>"));
    }
}
