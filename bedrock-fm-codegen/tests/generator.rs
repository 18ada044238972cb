//! Snapshot tests of the generator on a small fixture catalog, and the freshness check of
//! the real generated tree. Set `UPDATE_SNAPSHOTS=1` to rewrite the snapshots after an
//! intended change, then review their diff.

use bedrock_fm_codegen::{generate_from_str, stale_files, workspace_root, write_files};
use std::path::Path;

const FIXTURE: &str = include_str!("fixtures/small.toml");

#[test]
fn small_catalog_matches_its_snapshots() {
    let files = generate_from_str(FIXTURE).expect("fixture is valid");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/small");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        write_files(&files, &dir).unwrap();
    }
    let stale = stale_files(&files, &dir);
    assert!(
        stale.is_empty(),
        "snapshots differ (UPDATE_SNAPSHOTS=1 to accept): {stale:?}"
    );
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(
        generate_from_str(FIXTURE).unwrap(),
        generate_from_str(FIXTURE).unwrap()
    );
}

#[test]
fn generated_files_start_with_the_generated_header() {
    for f in generate_from_str(FIXTURE).unwrap() {
        assert!(
            f.text.starts_with("// @generated"),
            "{} lacks the header",
            f.path
        );
    }
}

/// `cargo test` fails like `cargo codegen -- --check` when bedrock-fm/src/generated drifts
/// from models.toml.
#[test]
fn checked_in_generated_code_is_fresh() {
    let root = workspace_root();
    let text = std::fs::read_to_string(root.join("models.toml")).unwrap();
    let files = generate_from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let stale = stale_files(&files, &root.join("bedrock-fm/src/generated"));
    assert!(
        stale.is_empty(),
        "stale generated files, run `cargo codegen`: {stale:?}"
    );
}

#[test]
fn a_new_model_entry_makes_the_tree_stale_and_regeneration_adds_it() {
    let dir = std::env::temp_dir().join(format!("bedrock-fm-codegen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let before = generate_from_str(FIXTURE).unwrap();
    write_files(&before, &dir).unwrap();
    assert!(stale_files(&before, &dir).is_empty());

    let added = FIXTURE.to_owned()
        + r#"
[[model]]
id = "example.demo-max-v2:0"
family = "demo"
provider = "Example"
name = "Demo Max"
input = ["text"]
output = ["text"]
streaming = true
converse = true
tool_use = true
vision = false
context_window = 32000
max_output_tokens = 8000
lifecycle = "active"
profiles = ["global"]
inference_types = ["INFERENCE_PROFILE"]
source = "https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html"
"#;
    let after = generate_from_str(&added).unwrap();
    assert_eq!(stale_files(&after, &dir), vec![dir.join("catalog.rs")]);
    write_files(&after, &dir).unwrap();
    let catalog = std::fs::read_to_string(dir.join("catalog.rs")).unwrap();
    assert!(catalog.contains("ExampleDemoMaxV2_0"));
    assert!(catalog.contains("\"example.demo-max-v2:0\""));
    assert!(stale_files(&after, &dir).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_check_command_names_each_stale_file_and_fails() {
    let dir = std::env::temp_dir().join(format!("bedrock-fm-codegen-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let catalog = dir.join("models.toml");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&catalog, FIXTURE).unwrap();
    let run = |check: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_bedrock-fm-codegen"));
        cmd.arg("--catalog")
            .arg(&catalog)
            .arg("--out")
            .arg(dir.join("out"));
        if check {
            cmd.args(["--", "--check"]);
        }
        cmd.output().unwrap()
    };
    let out = run(true);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("stale: ") && stderr.contains("catalog.rs"),
        "{stderr}"
    );
    assert!(run(false).status.success());
    assert!(run(true).status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}
