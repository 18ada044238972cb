//! `cargo codegen -- --import`: a saved ListFoundationModels response (and a saved
//! ListInferenceProfiles response) compared with the catalog, on fixtures in the documented
//! shapes (tests/fixtures/list-foundation-models.json, list-inference-profiles.json).

use bedrock_fm_codegen::import::parse_json;
use bedrock_fm_codegen::{catalog, generate_from_str, workspace_root};
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bedrock-fm-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of models.toml the test may write to.
fn catalog_copy(dir: &Path) -> PathBuf {
    let path = dir.join("models.toml");
    std::fs::copy(workspace_root().join("models.toml"), &path).unwrap();
    path
}

fn codegen(args: &[&Path]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bedrock-fm-codegen"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "exit {:?}: {stderr}\n{text}",
        out.status
    );
    text
}

fn failure(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr
}

/// The report section starting with `heading` (up to the next blank line).
fn section<'a>(report: &'a str, heading: &str) -> &'a str {
    let start = report
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading}: {report}"));
    let rest = &report[start..];
    &rest[..rest.find("\n\n").unwrap_or(rest.len())]
}

fn import(catalog: &Path, profiles: bool, write: bool) -> Output {
    let listing = fixture("list-foundation-models.json");
    let profile_file = fixture("list-inference-profiles.json");
    let mut args: Vec<&Path> = vec!["--catalog".as_ref(), catalog, "--import".as_ref(), &listing];
    if profiles {
        args.extend(["--profiles".as_ref(), profile_file.as_path()]);
    }
    if write {
        args.push("--write".as_ref());
    }
    codegen(&args)
}

#[test]
fn report_lists_new_changed_and_retired_models() {
    let dir = temp_dir("report");
    let catalog = catalog_copy(&dir);
    let before = std::fs::read_to_string(&catalog).unwrap();
    let report = stdout(&import(&catalog, true, false));

    let new = section(&report, "NEW (2)");
    assert!(
        new.contains(
            "  anthropic.claude-opus-4-7-v1:0  family claude_messages (by ID prefix)  \"Claude Opus 4.7\"  [INFERENCE_PROFILE]"
        ),
        "{new}"
    );
    assert!(
        new.contains("  writer.palmyra-x5-v1:0  no family: Converse only / needs a family"),
        "{new}"
    );

    let changed = section(&report, "CHANGED (2)");
    assert!(
        changed.contains(
            "  amazon.nova-pro-v1:0\n    inference_types: catalog [ON_DEMAND], listing [INFERENCE_PROFILE, ON_DEMAND]\n"
        ),
        "{changed}"
    );
    // The listing shows us. and global. profiles: Nova Pro gains global.; its eu. and apac.
    // profiles are not this region's to show.
    assert!(
        changed.contains("    profiles: catalog [apac, eu, us], listing [global, us]"),
        "{changed}"
    );
    assert!(
        changed.contains(
            "  meta.llama3-8b-instruct-v1:0\n    streaming: catalog true, listing false\n    lifecycle: catalog active, listing legacy"
        ),
        "{changed}"
    );
    // Same values (modalities the listing cannot express, like "document", are not compared;
    // profiles of prefixes the listing does not show are not missing).
    for same in [
        "amazon.titan-embed-text-v2:0",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "anthropic.claude-opus-4-6-v1",
    ] {
        assert!(
            !changed.contains(&format!("  {same}\n")),
            "{same}: {changed}"
        );
        assert!(
            !report.contains(&format!("  {same}  absent")),
            "{same}: {report}"
        );
    }

    let retired = section(&report, "RETIRED (");
    assert!(
        retired.contains("  meta.llama2-13b-chat-v1  absent from this region's listing"),
        "{retired}"
    );
    assert!(!retired.contains("amazon.nova-pro-v1:0 "), "{retired}");
    assert!(report.contains("SYSTEM_DEFINED prefixes in the listing: [global, us]"));
    assert_eq!(std::fs::read_to_string(&catalog).unwrap(), before);
}

#[test]
fn without_profiles_the_profiles_are_not_compared() {
    let report = stdout(&import(&workspace_root().join("models.toml"), false, false));
    assert!(!report.contains("profiles:"), "{report}");
    assert!(report.contains("CHANGED (2)"), "{report}");
}

#[test]
fn write_appends_entries_that_parse() {
    let dir = temp_dir("write");
    let catalog = catalog_copy(&dir);
    let before = std::fs::read_to_string(&catalog).unwrap();
    let report = stdout(&import(&catalog, true, true));
    assert!(report.contains("WROTE 1 entry to "), "{report}");
    assert!(
        report.contains("  added anthropic.claude-opus-4-7-v1:0: verify converse"),
        "{report}"
    );
    assert!(
        report.contains(
            "  skipped writer.palmyra-x5-v1:0: no family: Converse only / needs a family"
        ),
        "{report}"
    );

    let after = std::fs::read_to_string(&catalog).unwrap();
    assert!(after.starts_with(before.trim_end()));
    let added = &after[before.trim_end().len()..];
    assert!(
        added.starts_with(
            "\n\n# Imported from ListFoundationModels; converse/tool_use/limits unverified: check the model card.\n# Placeholders to verify (limits: the family's smallest): context_window = "
        ),
        "{added}"
    );
    assert!(!added.contains("writer"), "{added}");
    let parsed = catalog::parse(&after).unwrap_or_else(|e| panic!("{e}\n{added}"));
    let m = parsed
        .models
        .iter()
        .find(|m| m.id == "anthropic.claude-opus-4-7-v1:0")
        .unwrap();
    assert_eq!(m.family, "claude_messages");
    assert_eq!(
        (m.provider.as_str(), m.name.as_str()),
        ("Anthropic", "Claude Opus 4.7")
    );
    assert_eq!(
        (m.input.clone(), m.output.clone()),
        (vec!["text".into(), "image".into()], vec!["text".into()])
    );
    assert!(m.streaming && m.vision && !m.converse && !m.tool_use);
    assert_eq!(m.inference_types, ["INFERENCE_PROFILE"]);
    assert_eq!(m.profiles, ["global", "us"]);
    assert_eq!(m.lifecycle, "active");
    assert!(m.context_window.is_some() && m.max_output_tokens.is_some());
    assert_eq!(
        m.source,
        "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListFoundationModels.html"
    );
    generate_from_str(&after).unwrap_or_else(|e| panic!("{e}"));

    // Once written, the model is no longer new.
    let again = stdout(&import(&catalog, true, true));
    assert!(
        section(&again, "NEW (1)").contains("writer.palmyra-x5-v1:0"),
        "{again}"
    );
    assert!(again.contains("WROTE 0 entries"), "{again}");
    assert_eq!(std::fs::read_to_string(&catalog).unwrap(), after);
}

#[test]
fn write_skips_a_profile_only_model_without_its_profiles() {
    let dir = temp_dir("no-profiles");
    let catalog = catalog_copy(&dir);
    let before = std::fs::read_to_string(&catalog).unwrap();
    let report = stdout(&import(&catalog, false, true));
    assert!(
        report.contains(
            "  skipped anthropic.claude-opus-4-7-v1:0: INFERENCE_PROFILE, and no profile of it in --profiles"
        ),
        "{report}"
    );
    assert!(report.contains("WROTE 0 entries"), "{report}");
    assert_eq!(std::fs::read_to_string(&catalog).unwrap(), before);
}

#[test]
fn write_on_the_small_fixture_adds_nothing_without_prefixes() {
    let dir = temp_dir("small");
    let catalog = dir.join("small.toml");
    std::fs::copy(fixture("small.toml"), &catalog).unwrap();
    let report = stdout(&import(&catalog, true, true));
    // small.toml declares no id_prefixes: every listed model is new and has no family, and
    // both of its models are absent from the listing.
    assert!(
        report.contains("NEW (7)") && report.contains("RETIRED (2)"),
        "{report}"
    );
    assert!(report.contains("WROTE 0 entries"), "{report}");
    let text = std::fs::read_to_string(&catalog).unwrap();
    assert_eq!(
        text,
        std::fs::read_to_string(fixture("small.toml")).unwrap()
    );
}

fn import_file(dir: &Path, name: &str, json: &str, flag: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, json).unwrap();
    let catalog = workspace_root().join("models.toml");
    let listing = fixture("list-foundation-models.json");
    let args: Vec<&Path> = match flag {
        "--import" => vec!["--catalog".as_ref(), &catalog, "--import".as_ref(), &path],
        _ => vec![
            "--catalog".as_ref(),
            &catalog,
            "--import".as_ref(),
            &listing,
            "--profiles".as_ref(),
            &path,
        ],
    };
    failure(&codegen(&args))
}

#[test]
fn bad_input_fails_with_the_file_and_the_json_path() {
    let dir = temp_dir("bad");
    let err = import_file(
        &dir,
        "invalid.json",
        "{\"modelSummaries\": [{\"modelId\": \"a.b\"},\n {\"modelId\": \"c.d\",}]}",
        "--import",
    );
    // A syntax error is placed by line and column; shape errors below name the JSON path.
    assert!(
        err.contains("invalid.json: $: invalid JSON at line 2, column 20: trailing comma"),
        "{err}"
    );

    let err = import_file(
        &dir,
        "wrong-type.json",
        r#"{"modelSummaries": [{"modelId": "a.b"}, {"modelId": 5}]}"#,
        "--import",
    );
    assert!(
        err.contains("wrong-type.json: $.modelSummaries[1].modelId: expected a string"),
        "{err}"
    );

    let err = import_file(
        &dir,
        "modalities.json",
        r#"{"modelSummaries": [{"modelId": "a.b", "inputModalities": ["TEXT", 1]}]}"#,
        "--import",
    );
    assert!(
        err.contains("$.modelSummaries[0].inputModalities[1]: expected a string"),
        "{err}"
    );

    let err = import_file(
        &dir,
        "lifecycle.json",
        r#"{"modelSummaries": [{"modelId": "a.b", "modelLifecycle": {}}]}"#,
        "--import",
    );
    assert!(
        err.contains("$.modelSummaries[0].modelLifecycle.status: missing (required)"),
        "{err}"
    );

    // A ListInferenceProfiles response is not a ListFoundationModels response.
    let profiles = std::fs::read_to_string(fixture("list-inference-profiles.json")).unwrap();
    let err = import_file(&dir, "swapped.json", &profiles, "--import");
    assert!(
        err.contains("swapped.json: $.modelSummaries: missing"),
        "{err}"
    );

    let err = import_file(
        &dir,
        "profiles.json",
        r#"{"inferenceProfileSummaries": [{"inferenceProfileId": "us.a.b"}]}"#,
        "--profiles",
    );
    assert!(
        err.contains("profiles.json: $.inferenceProfileSummaries[0].type: missing (required)"),
        "{err}"
    );

    let missing = dir.join("absent.json");
    let catalog = workspace_root().join("models.toml");
    let err = failure(&codegen(&[
        "--catalog".as_ref(),
        &catalog,
        "--import".as_ref(),
        &missing,
    ]));
    assert!(
        err.starts_with("cannot read ") && err.contains("absent.json"),
        "{err}"
    );
}

#[test]
fn profiles_and_write_need_import() {
    let out = codegen(&["--write".as_ref()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("go with --import"));
}

#[test]
fn invalid_json_names_the_line_and_the_column() {
    let e = parse_json("{\n  \"modelSummaries\": [1,]\n}").unwrap_err();
    assert!(e.starts_with("$: invalid JSON at line 2, column"), "{e}");
}

#[test]
fn write_fills_text_embedding_and_image_models_that_validate() {
    let dir = temp_dir("kinds");
    let catalog = catalog_copy(&dir);
    let listing = dir.join("listing.json");
    let summary = |id: &str, input: &str, output: &str, streaming: bool| {
        format!(
            r#"{{"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/{id}", "modelId": "{id}",
            "modelName": "{id}", "providerName": "Test", "inputModalities": [{input}],
            "outputModalities": [{output}], "responseStreamingSupported": {streaming},
            "customizationsSupported": [], "inferenceTypesSupported": ["ON_DEMAND"],
            "modelLifecycle": {{"status": "LEGACY"}}}}"#
        )
    };
    let models = [
        summary(
            "cohere.embed-v9:0",
            r#""TEXT", "IMAGE""#,
            r#""EMBEDDING""#,
            false,
        ),
        summary(
            "stability.stable-image-ultra-v9:0",
            r#""TEXT""#,
            r#""IMAGE""#,
            false,
        ),
        summary("meta.llama4-giant-v1:0", r#""TEXT""#, r#""TEXT""#, true),
    ];
    let json = format!("{{\"modelSummaries\": [{}]}}", models.join(",\n"));
    std::fs::write(&listing, json).unwrap();
    let args: [&Path; 5] = [
        "--catalog".as_ref(),
        &catalog,
        "--import".as_ref(),
        &listing,
        "--write".as_ref(),
    ];
    let report = stdout(&codegen(&args));
    assert!(report.contains("WROTE 3 entries"), "{report}");
    let after = std::fs::read_to_string(&catalog).unwrap();
    let parsed = catalog::parse(&after).unwrap_or_else(|e| panic!("{e}"));
    let get = |id: &str| parsed.models.iter().find(|m| m.id == id).unwrap();
    let embed = get("cohere.embed-v9:0");
    assert_eq!(embed.family, "cohere_embed");
    assert!(embed.context_window.is_some() && !embed.embedding_dimensions.is_empty());
    assert!(!embed.vision && embed.lifecycle == "legacy");
    let image = get("stability.stable-image-ultra-v9:0");
    assert_eq!(image.family, "stable_image");
    assert!(!image.image_sizes.is_empty());
    let text = get("meta.llama4-giant-v1:0");
    assert_eq!(text.family, "llama3");
    assert!(text.streaming && !text.vision && text.profiles.is_empty());
    generate_from_str(&after).unwrap_or_else(|e| panic!("{e}"));
}
