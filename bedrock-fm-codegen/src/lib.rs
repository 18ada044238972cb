//! bedrock-fm's code generator: reads `models.toml`, validates it whole, and writes the
//! typed catalog and bodies into `bedrock-fm/src/generated/` with quote, syn and prettyplease.

pub mod catalog;
pub mod emit;
pub mod import;
pub mod naming;
pub mod reader;
pub mod value_enums;

pub use emit::GeneratedFile;
pub use reader::CatalogError;

use std::path::{Path, PathBuf};

/// Parses, validates and generates in one step.
pub fn generate_from_str(text: &str) -> Result<Vec<GeneratedFile>, CatalogError> {
    let catalog = catalog::parse(text)?;
    Ok(emit::generate(&catalog))
}

/// The generated files that differ from what is on disk under `out_dir`, plus files on disk
/// that the catalog no longer produces. Empty when the tree is fresh.
pub fn stale_files(files: &[GeneratedFile], out_dir: &Path) -> Vec<PathBuf> {
    let mut stale: Vec<PathBuf> = files
        .iter()
        .filter(|f| {
            std::fs::read_to_string(out_dir.join(&f.path))
                .ok()
                .as_deref()
                != Some(&f.text)
        })
        .map(|f| out_dir.join(&f.path))
        .collect();
    let expected: Vec<PathBuf> = files.iter().map(|f| out_dir.join(&f.path)).collect();
    stale.extend(
        existing_rs_files(out_dir)
            .into_iter()
            .filter(|p| !expected.contains(p)),
    );
    stale.sort();
    stale
}

fn existing_rs_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(existing_rs_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Writes the files under `out_dir`, removing generated files the catalog no longer produces.
pub fn write_files(files: &[GeneratedFile], out_dir: &Path) -> std::io::Result<()> {
    for stale in stale_files(files, out_dir) {
        if !files.iter().any(|f| out_dir.join(&f.path) == stale) {
            std::fs::remove_file(&stale)?;
        }
    }
    for f in files {
        let path = out_dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(&f.text) {
            std::fs::write(&path, &f.text)?;
        }
    }
    Ok(())
}

/// The workspace root (the parent of this crate's folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate has a parent")
        .to_path_buf()
}
