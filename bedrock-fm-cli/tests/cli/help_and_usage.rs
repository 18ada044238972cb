//! Help, version, completions and usage errors, and `--local` with a region.

use crate::{CLAUDE3, NOVA, PROMPT, input_error, run, success};

#[test]
fn local_accepts_a_region() {
    let args = [
        "generate",
        "--local",
        "--region",
        "eu-west-3",
        "--api",
        "converse",
        "--model",
        NOVA,
        PROMPT,
    ];
    assert!(!success(&run(&args)).trim().is_empty());
}

#[test]
fn help_and_version_succeed() {
    for args in [
        &["--help"][..],
        &["generate", "--help"][..],
        &["models", "-h"][..],
        &["--version"][..],
    ] {
        let text = success(&run(args));
        assert!(text.contains("bedrock-fm"), "{args:?}: {text}");
    }
}

#[test]
fn completions_print_a_script_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = success(&run(&["completions", shell]));
        assert!(script.contains("bedrock-fm"), "{shell}: {script}");
        assert!(script.contains("generate"), "{shell}");
    }
    let bash = success(&run(&["completions", "bash"]));
    assert!(bash.contains("--param"), "{bash}");
    let line = input_error(&run(&["completions", "tcsh"]));
    assert!(
        line.starts_with("error: Usage: ") && line.contains("tcsh"),
        "{line}"
    );
}

#[test]
fn clap_errors_are_one_usage_line_naming_the_flag() {
    for (args, needle) in [
        (
            &["generate", "--model", CLAUDE3, "--temprature", "1", PROMPT][..],
            "--temperature",
        ),
        (
            &["generate", "--model", CLAUDE3, "--model", NOVA, PROMPT][..],
            "--model",
        ),
        (
            &["generate", "--model", CLAUDE3, "--stream=yes", PROMPT][..],
            "--stream",
        ),
        (
            &["generate", "--model", CLAUDE3, PROMPT, "--max-tokens"][..],
            "--max-tokens",
        ),
        (&["generate", "--model", CLAUDE3, "-t", PROMPT][..], "-t"),
        (
            &["generate", "--model", CLAUDE3, PROMPT, "again"][..],
            "again",
        ),
    ] {
        let line = input_error(&run(args));
        assert!(line.starts_with("error: Usage: "), "{args:?}: {line}");
        assert!(line.contains(needle), "{args:?}: {line}");
    }
}
