//! Checks of single values while parsing: Rust names, closed value sets, source URLs.

use crate::reader::{CatalogError, Entry};

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "unsafe", "use", "where", "while", "yield", "box", "abstract", "become", "do", "final",
    "macro", "override", "priv", "typeof", "unsized", "virtual",
];

pub(super) fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

pub(super) fn is_field_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RUST_KEYWORDS.contains(&s)
}

pub(super) fn is_family_id(s: &str) -> bool {
    is_field_name(s)
}

pub(super) fn one_of(
    entry: &Entry,
    field: &str,
    value: &str,
    allowed: &[&str],
) -> Result<(), CatalogError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(entry.err(
            field,
            format!(
                "unknown value {value:?}; expected one of {}",
                allowed.join(", ")
            ),
        ))
    }
}

pub(super) fn source(entry: &mut Entry) -> Result<String, CatalogError> {
    let url = entry.str("source")?;
    if !url.starts_with("https://") {
        return Err(entry.err("source", format!("{url:?} is not an https URL")));
    }
    Ok(url)
}
