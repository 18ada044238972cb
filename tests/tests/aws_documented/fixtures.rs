//! The fixture files (`tests/fixtures/aws/*.json`) and their examples.

use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub(crate) family: String,
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) model_id: Option<String>,
    pub(crate) kind: String,
    pub(crate) stream: bool,
    pub(crate) body: Value,
    pub(crate) error: Option<String>,
    pub(crate) omitted_by_page: Vec<String>,
}

impl Example {
    pub(crate) fn key(&self) -> String {
        format!("{}/{}", self.family, self.name)
    }
}

pub(crate) const KINDS: &[&str] = &["request", "response", "stream_chunk", "invalid_request"];

/// Fixture files that are not an InvokeModel family of the SDK.
pub(crate) const NON_FAMILY_FILES: &[&str] = &["converse", "control_plane", "openai"];

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/aws")
}

/// Every fixture file, as (file stem, parsed JSON), sorted by name.
pub(crate) fn fixture_files() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("tests/fixtures/aws")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            let json: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (stem, json)
        })
        .collect()
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Every example of every fixture file.
pub(crate) fn examples() -> Vec<Example> {
    let mut out = Vec::new();
    for (stem, file) in fixture_files() {
        let family = str_field(&file, "family").unwrap_or_else(|| panic!("{stem}: no family"));
        let default_model = str_field(&file, "model_id");
        for e in file["examples"].as_array().unwrap_or(&Vec::new()) {
            out.push(Example {
                family: family.clone(),
                name: str_field(e, "name").unwrap_or_default(),
                url: str_field(e, "url").unwrap_or_default(),
                model_id: str_field(e, "model_id").or_else(|| default_model.clone()),
                kind: str_field(e, "kind").unwrap_or_default(),
                stream: e.get("stream").and_then(Value::as_bool).unwrap_or(false),
                body: e.get("body").cloned().unwrap_or(Value::Null),
                error: str_field(e, "error"),
                omitted_by_page: e
                    .get("omitted_by_page")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    out
}

pub(crate) fn examples_of(kinds: &[&str]) -> Vec<Example> {
    examples()
        .into_iter()
        .filter(|e| kinds.contains(&e.kind.as_str()))
        .collect()
}

/// One example of a family, by name (for the builder tests).
pub(crate) fn fixture(family: &str, name: &str) -> Example {
    examples()
        .into_iter()
        .find(|e| e.family == family && e.name == name)
        .unwrap_or_else(|| panic!("no fixture {family}/{name}"))
}
