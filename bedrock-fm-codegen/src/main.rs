//! `cargo codegen [-- --check] [--catalog PATH] [--out DIR]`
//! `cargo codegen -- --import LIST.json [--profiles PROFILES.json] [--write] [--catalog PATH]`

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo codegen [-- --check] [--catalog models.toml] [--out bedrock-fm/src/generated]
       cargo codegen -- --import list-foundation-models.json [--profiles list-inference-profiles.json] [--write] [--catalog models.toml]";

fn main() -> ExitCode {
    let root = bedrock_fm_codegen::workspace_root();
    let mut check = false;
    let mut catalog = root.join("models.toml");
    let mut out = root.join("bedrock-fm/src/generated");
    let mut import: Option<PathBuf> = None;
    let mut profiles: Option<PathBuf> = None;
    let mut write = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--" => {}
            "--check" => check = true,
            "--write" => write = true,
            "--catalog" | "--out" | "--import" | "--profiles" => {
                let Some(value) = args.next() else {
                    eprintln!("{arg} needs a value\n{USAGE}");
                    return ExitCode::from(2);
                };
                let value = PathBuf::from(value);
                match arg.as_str() {
                    "--catalog" => catalog = value,
                    "--out" => out = value,
                    "--import" => import = Some(value),
                    _ => profiles = Some(value),
                }
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(listing) = import {
        if check {
            eprintln!("--import does not take --check\n{USAGE}");
            return ExitCode::from(2);
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
        eprintln!("--write and --profiles go with --import\n{USAGE}");
        return ExitCode::from(2);
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
