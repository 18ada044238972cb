//! The body types of a family: structs and their fields (with the fields' constraints),
//! enums and unions.

use super::checks::{is_field_name, is_type_name};
use super::{EnumDef, EnumValue, FieldDef, StructDef, TypeExpr, UnionDef, UnionVariant};
use crate::reader::{CatalogError, Entry, error};
use toml::Value;

pub(super) fn parse_struct(
    family: &str,
    name: &str,
    value: &Value,
) -> Result<StructDef, CatalogError> {
    let mut e = Entry::from_value(format!("family {family:?}, struct {name}"), value)?;
    if !is_type_name(name) {
        return Err(e.err("", "struct names are CamelCase"));
    }
    let doc = e.str("doc")?;
    let mut fields = Vec::new();
    for (i, v) in e.tables("fields")?.iter().enumerate() {
        let label = v
            .get("name")
            .and_then(Value::as_str)
            .map(|n| format!("{}, field {n}", e.name()))
            .unwrap_or_else(|| format!("{}, field #{}", e.name(), i + 1));
        let field = parse_field(&label, v)?;
        if fields
            .iter()
            .any(|f: &FieldDef| f.name == field.name || f.wire == field.wire)
        {
            return Err(error(&label, "name", "duplicate field name or wire key"));
        }
        fields.push(field);
    }
    e.finish()?;
    Ok(StructDef {
        name: name.to_owned(),
        doc,
        fields,
    })
}

fn parse_field(label: &str, value: &Value) -> Result<FieldDef, CatalogError> {
    let mut e = Entry::from_value(label, value)?;
    let name = e.str("name")?;
    if !is_field_name(&name) {
        return Err(e.err(
            "name",
            format!("{name:?} is not a snake_case Rust name (or is a keyword)"),
        ));
    }
    let ty_text = e.str("type")?;
    let ty = TypeExpr::parse(&ty_text)
        .ok_or_else(|| e.err("type", format!("unknown type {ty_text:?}")))?;
    let default = e.opt_value("default").map(toml_to_json);
    let field = FieldDef {
        name,
        wire: e.str("wire")?,
        required: e.opt_bool("required")?.unwrap_or(false),
        conversation: e.opt_bool("conversation")?.unwrap_or(false),
        min: e.opt_f64("min")?,
        max: e.opt_f64("max")?,
        values: e.opt_str_list("values")?.unwrap_or_default(),
        min_length: e.opt_u64("min_length")?,
        max_length: e.opt_u64("max_length")?,
        min_items: e.opt_u64("min_items")?,
        max_items: e.opt_u64("max_items")?,
        default,
        source: match e.opt_str("source")? {
            Some(url) if !url.starts_with("https://") => {
                return Err(e.err("source", format!("{url:?} is not an https URL")));
            }
            other => other,
        },
        doc: e.str("doc")?,
        ty,
    };
    check_constraints(&e, &field)?;
    e.finish()?;
    Ok(field)
}

fn check_constraints(e: &Entry, f: &FieldDef) -> Result<(), CatalogError> {
    let numeric = f.ty.is_number();
    let string = f.ty == TypeExpr::String;
    let array = matches!(f.ty, TypeExpr::Array(_));
    let misplaced = [
        ("min", f.min.is_some() && !numeric),
        ("max", f.max.is_some() && !numeric),
        ("values", !f.values.is_empty() && !string),
        ("min_length", f.min_length.is_some() && !string),
        ("max_length", f.max_length.is_some() && !string),
        ("min_items", f.min_items.is_some() && !array),
        ("max_items", f.max_items.is_some() && !array),
    ];
    if let Some((key, _)) = misplaced.iter().find(|(_, bad)| *bad) {
        return Err(e.err(key, "does not apply to a field of this type"));
    }
    if let (Some(min), Some(max)) = (f.min, f.max)
        && min > max
    {
        return Err(e.err("min", format!("min {min} is above max {max}")));
    }
    let Some(default) = &f.default else {
        return Ok(());
    };
    if numeric {
        let v: f64 = default
            .parse()
            .map_err(|_| e.err("default", format!("{default} is not a number")))?;
        if f.min.is_some_and(|m| v < m) || f.max.is_some_and(|m| v > m) {
            let range = format!("[{}, {}]", opt(f.min), opt(f.max));
            return Err(e.err(
                "default",
                format!("default {default} is outside the range {range}"),
            ));
        }
    }
    if string && !f.values.is_empty() {
        let text = default.trim_matches('"');
        if !f.values.iter().any(|v| v == text) {
            return Err(e.err(
                "default",
                format!("default {default} is not one of the values"),
            ));
        }
    }
    Ok(())
}

fn opt(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn toml_to_json(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Boolean(b) => b.to_string(),
        Value::Array(items) => {
            let inner: Vec<_> = items.iter().map(toml_to_json).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

pub(super) fn parse_enum(family: &str, name: &str, value: &Value) -> Result<EnumDef, CatalogError> {
    let mut e = Entry::from_value(format!("family {family:?}, enum {name}"), value)?;
    if !is_type_name(name) {
        return Err(e.err("", "enum names are CamelCase"));
    }
    let doc = e.str("doc")?;
    let mut values = Vec::new();
    for (i, v) in e.tables("values")?.iter().enumerate() {
        let mut ve = Entry::from_value(format!("{}, value #{}", e.name(), i + 1), v)?;
        let value = EnumValue {
            name: ve.str("name")?,
            wire: ve.str("wire")?,
            doc: ve.str("doc")?,
        };
        if !is_type_name(&value.name) || value.name == "Unknown" {
            return Err(ve.err(
                "name",
                "must be a CamelCase variant name other than Unknown",
            ));
        }
        if values
            .iter()
            .any(|x: &EnumValue| x.name == value.name || x.wire == value.wire)
        {
            return Err(ve.err("wire", "duplicate enum value"));
        }
        ve.finish()?;
        values.push(value);
    }
    e.finish()?;
    Ok(EnumDef {
        name: name.to_owned(),
        doc,
        values,
    })
}

pub(super) fn parse_union(
    family: &str,
    name: &str,
    value: &Value,
) -> Result<UnionDef, CatalogError> {
    let mut e = Entry::from_value(format!("family {family:?}, union {name}"), value)?;
    if !is_type_name(name) {
        return Err(e.err("", "union names are CamelCase"));
    }
    let doc = e.str("doc")?;
    let tag = e.str("tag")?;
    let mut variants = Vec::new();
    for (i, v) in e.tables("variants")?.iter().enumerate() {
        let mut ve = Entry::from_value(format!("{}, variant #{}", e.name(), i + 1), v)?;
        let variant = UnionVariant {
            name: ve.str("name")?,
            wire: ve.str("wire")?,
            ty: ve.str("type")?,
            doc: ve.str("doc")?,
        };
        if !is_type_name(&variant.name) || variant.name == "Unknown" {
            return Err(ve.err(
                "name",
                "must be a CamelCase variant name other than Unknown",
            ));
        }
        ve.finish()?;
        variants.push(variant);
    }
    e.finish()?;
    Ok(UnionDef {
        name: name.to_owned(),
        doc,
        tag,
        variants,
    })
}
