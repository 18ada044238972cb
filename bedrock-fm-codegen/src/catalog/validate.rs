//! Checks of the catalog whole: type names and references across families, ID prefixes,
//! and each model against its family.

use super::{Catalog, family_by_prefix};
use crate::reader::{CatalogError, error};
use std::collections::{BTreeMap, BTreeSet};

/// Type names are unique across families, and every named type exists.
pub(super) fn validate_types(catalog: &Catalog) -> Result<(), CatalogError> {
    let mut defined: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    let reserved = ["Model", "Family", "ModelInfo"];
    for f in &catalog.families {
        let names = f
            .structs
            .iter()
            .map(|s| (s.name.as_str(), "struct"))
            .chain(f.enums.iter().map(|x| (x.name.as_str(), "enum")))
            .chain(f.unions.iter().map(|x| (x.name.as_str(), "union")));
        for (name, what) in names {
            let here = format!("family {:?}, {what} {name}", f.id);
            if reserved.contains(&name) || name.ends_with("Builder") {
                return Err(error(
                    &here,
                    "",
                    "this name is reserved for generated items",
                ));
            }
            if let Some((other, _)) = defined.insert(name, (&f.id, what)) {
                return Err(error(
                    &here,
                    "",
                    format!("type name already defined in family {other:?}"),
                ));
            }
        }
    }
    let wrappers: BTreeSet<&str> = catalog
        .families
        .iter()
        .map(|f| f.wrapper.as_str())
        .collect();
    if wrappers.len() != catalog.families.len() {
        return Err(error(
            "the file",
            "wrapper",
            "two families share a wrapper name",
        ));
    }
    for f in &catalog.families {
        for s in &f.structs {
            for field in &s.fields {
                if let Some(n) = field.ty.named()
                    && !defined.contains_key(n)
                {
                    let here =
                        format!("family {:?}, struct {}, field {}", f.id, s.name, field.name);
                    return Err(error(&here, "type", format!("unknown type {n:?}")));
                }
            }
        }
        for u in &f.unions {
            for v in &u.variants {
                if defined.get(v.ty.as_str()).map(|d| d.1) != Some("struct") {
                    let here = format!("family {:?}, union {}, variant {}", f.id, u.name, v.name);
                    return Err(error(&here, "type", format!("{:?} is not a struct", v.ty)));
                }
            }
        }
    }
    Ok(())
}

/// No prefix is declared twice, and every catalog model whose ID a prefix covers belongs to
/// that prefix's family (so the rules are checked against every known ID).
fn validate_prefixes(catalog: &Catalog) -> Result<(), CatalogError> {
    let mut seen = BTreeMap::new();
    for f in &catalog.families {
        for p in &f.id_prefixes {
            let here = format!("family {:?}", f.id);
            if !p.contains('.') {
                let msg = format!("{p:?} must include the provider and its dot");
                return Err(error(&here, "id_prefixes", msg));
            }
            if let Some(other) = seen.insert(p.as_str(), f.id.as_str()) {
                let msg = format!("{p:?} is already declared by family {other:?}");
                return Err(error(&here, "id_prefixes", msg));
            }
        }
    }
    for m in &catalog.models {
        if let Some((f, p)) = family_by_prefix(catalog, &m.id)
            && f.id != m.family
        {
            let msg = format!(
                "the ID prefix {p:?} names family {:?}, but the model is in {:?}",
                f.id, m.family
            );
            return Err(error(&format!("model {:?}", m.id), "family", msg));
        }
    }
    Ok(())
}

/// IDs are unique, families exist, and each kind has the fields it needs.
pub(super) fn validate_models(catalog: &Catalog) -> Result<(), CatalogError> {
    validate_prefixes(catalog)?;
    let mut seen = BTreeSet::new();
    for m in &catalog.models {
        let here = format!("model {:?}", m.id);
        if !seen.insert(m.id.as_str()) {
            return Err(error(&here, "id", "duplicate model ID"));
        }
        let Some(family) = catalog.families.iter().find(|f| f.id == m.family) else {
            return Err(error(
                &here,
                "family",
                format!("unknown family {:?}", m.family),
            ));
        };
        let needs: &[(&str, bool)] = match family.kind.as_str() {
            "text" => &[
                ("context_window", m.context_window.is_some()),
                ("max_output_tokens", m.max_output_tokens.is_some()),
            ],
            "embedding" => &[
                ("context_window", m.context_window.is_some()),
                ("embedding_dimensions", !m.embedding_dimensions.is_empty()),
            ],
            _ => &[("image_sizes", !m.image_sizes.is_empty())],
        };
        if let Some((field, _)) = needs.iter().find(|(_, ok)| !ok) {
            let kind = &family.kind;
            return Err(error(
                &here,
                field,
                format!("is required for a {kind} model"),
            ));
        }
        let takes_images = m.input.iter().any(|x| x == "image");
        if family.kind == "text" && m.vision != takes_images {
            let msg = "must be true exactly when `input` includes \"image\" (text models)";
            return Err(error(&here, "vision", msg));
        }
        if family.kind != "text" && m.vision {
            return Err(error(&here, "vision", "applies to text models only"));
        }
        if m.streaming && family.stream_chunk.is_none() && !m.converse {
            let msg = format!("family {:?} declares no stream_chunk", family.id);
            return Err(error(&here, "streaming", msg));
        }
    }
    Ok(())
}
