//! The command-line parsing, end to end: what each command line gives.

use super::value_parsers::param;
use super::*;
use bedrock_fm::Api;
use bedrock_fm::catalog::Family;
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
