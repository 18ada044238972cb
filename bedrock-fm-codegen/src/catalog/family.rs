//! A `[family.*]` table: its header fields, its typed wrapper params (checked against the
//! request struct) and its structs, enums and unions.

use super::body_types::{parse_enum, parse_struct, parse_union};
use super::checks::{is_family_id, is_field_name, is_type_name, one_of, source};
use super::{Family, FieldDef, KINDS, TypeExpr};
use crate::reader::{CatalogError, Entry, error};
use toml::Value;

pub(super) fn parse_family(id: &str, value: &Value) -> Result<Family, CatalogError> {
    let mut e = Entry::from_value(format!("family {id:?}"), value)?;
    if !is_family_id(id) {
        return Err(e.err("", "family ids are snake_case"));
    }
    let kind = e.str("kind")?;
    one_of(&e, "kind", &kind, KINDS)?;
    let mut family = Family {
        id: id.to_owned(),
        wrapper: e.str("wrapper")?,
        name: e.str("name")?,
        provider: e.str("provider")?,
        kind,
        source: source(&mut e)?,
        request: e.str("request")?,
        response: e.str("response")?,
        stream_chunk: e.opt_str("stream_chunk")?,
        id_prefixes: e.opt_str_list("id_prefixes")?.unwrap_or_default(),
        params: Vec::new(),
        structs: Vec::new(),
        enums: Vec::new(),
        unions: Vec::new(),
    };
    if !is_type_name(&family.wrapper) {
        return Err(e.err("wrapper", "must be a Rust type name"));
    }
    for (setter, v) in e.table_map("params")? {
        let path = v
            .as_str()
            .ok_or_else(|| e.err("params", format!("{setter}: expected a wire path string")))?;
        if !is_field_name(setter) {
            return Err(e.err(
                "params",
                format!("{setter:?} is not a snake_case setter name"),
            ));
        }
        family.params.push((
            setter.to_owned(),
            path.split('.').map(str::to_owned).collect(),
        ));
    }
    for (name, v) in e.table_map("structs")? {
        family.structs.push(parse_struct(id, name, v)?);
    }
    for (name, v) in e.table_map("enums")? {
        family.enums.push(parse_enum(id, name, v)?);
    }
    for (name, v) in e.table_map("unions")? {
        family.unions.push(parse_union(id, name, v)?);
    }
    let roots = [
        ("request", Some(&family.request)),
        ("response", Some(&family.response)),
        ("stream_chunk", family.stream_chunk.as_ref()),
    ];
    for (field, root) in roots {
        if let Some(root) = root
            && !family.structs.iter().any(|s| &s.name == root)
        {
            return Err(e.err(
                field,
                format!("no struct {root:?} in this family's structs"),
            ));
        }
    }
    check_conversation_fields(&family)?;
    for (setter, path) in &family.params {
        let leaf = param_field(&family, path).map(|f| &f.ty).ok_or_else(|| {
            e.err(
                "params",
                format!("{setter}: no field at path {:?}", path.join(".")),
            )
        })?;
        let expected = match setter.as_str() {
            "temperature" | "top_p" => Some(TypeExpr::F64),
            "max_tokens" => Some(TypeExpr::U32),
            "stop_words" => Some(TypeExpr::Array(Box::new(TypeExpr::String))),
            _ => None,
        };
        if expected.is_some_and(|t| t != *leaf) {
            return Err(e.err(
                "params",
                format!(
                    "{setter}: the field at {:?} has the wrong type for this common setter",
                    path.join(".")
                ),
            ));
        }
        let enum_leaf =
            matches!(leaf, TypeExpr::Named(n) if family.enums.iter().any(|x| &x.name == n));
        if matches!(leaf, TypeExpr::Named(_)) && !enum_leaf {
            return Err(e.err(
                "params",
                format!("{setter}: setters take scalar, array or enum fields only"),
            ));
        }
        // A parameter is written into its parent structs, created empty when absent.
        if let Some(parent) = param_parent_with_required(&family, path) {
            return Err(e.err(
                "params",
                format!(
                    "{setter}: the struct {parent} on its path has required fields, so it \
                     cannot be created empty"
                ),
            ));
        }
    }
    if !family.params.is_empty() && family.kind != "text" {
        return Err(e.err("params", "only text families have wrapper params"));
    }
    e.finish()?;
    Ok(family)
}

/// `conversation = true` marks fields of a text family's request struct, and no typed
/// parameter is one: the encoder owns them.
fn check_conversation_fields(family: &Family) -> Result<(), CatalogError> {
    for s in &family.structs {
        for f in s.fields.iter().filter(|f| f.conversation) {
            let here = format!(
                "family {:?}, struct {}, field {}",
                family.id, s.name, f.name
            );
            if s.name != family.request || family.kind != "text" {
                let msg = "applies to fields of a text family's request struct only";
                return Err(error(&here, "conversation", msg));
            }
            if let Some((setter, _)) = family.params.iter().find(|(_, p)| p[0] == f.wire) {
                let msg = format!("the typed parameter {setter:?} writes this field");
                return Err(error(&here, "conversation", msg));
            }
        }
    }
    Ok(())
}

/// The first struct on a parameter's path (below the request) that has required fields.
fn param_parent_with_required(family: &Family, path: &[String]) -> Option<String> {
    let mut current = family.structs.iter().find(|s| s.name == family.request)?;
    for segment in &path[..path.len().saturating_sub(1)] {
        let field = current.fields.iter().find(|f| &f.wire == segment)?;
        let TypeExpr::Named(name) = &field.ty else {
            return None;
        };
        current = family.structs.iter().find(|s| &s.name == name)?;
        if current.fields.iter().any(|f| f.required) {
            return Some(current.name.clone());
        }
    }
    None
}

/// The field at `path` in the family's request, walking nested structs.
pub fn param_field<'a>(family: &'a Family, path: &[String]) -> Option<&'a FieldDef> {
    let mut current = family.structs.iter().find(|s| s.name == family.request)?;
    let (last, parents) = path.split_last()?;
    for segment in parents {
        let field = current.fields.iter().find(|f| &f.wire == segment)?;
        let TypeExpr::Named(name) = &field.ty else {
            return None;
        };
        current = family.structs.iter().find(|s| &s.name == name)?;
    }
    current.fields.iter().find(|f| &f.wire == last)
}
