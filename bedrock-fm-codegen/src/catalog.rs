//! The catalog as the codegen sees it: parsed from `models.toml` and validated whole before
//! anything is emitted.

use crate::reader::{CatalogError, Entry, error};
use std::collections::{BTreeMap, BTreeSet};
use toml::Value;

/// A validated catalog.
#[derive(Debug)]
pub struct Catalog {
    /// Families, in `models.toml` key order.
    pub families: Vec<Family>,
    /// Models, in file order.
    pub models: Vec<ModelEntry>,
}

#[derive(Debug)]
pub struct Family {
    pub id: String,
    pub wrapper: String,
    pub name: String,
    pub provider: String,
    pub kind: String,
    pub source: String,
    pub request: String,
    pub response: String,
    pub stream_chunk: Option<String>,
    /// Model-ID prefixes that name this family for IDs the catalog does not know
    /// (`anthropic.claude-` for the Messages API); the longest declared prefix wins.
    pub id_prefixes: Vec<String>,
    /// Typed wrapper setters: `(setter, wire path)`, in key order.
    pub params: Vec<(String, Vec<String>)>,
    pub structs: Vec<StructDef>,
    pub enums: Vec<EnumDef>,
    pub unions: Vec<UnionDef>,
}

#[derive(Debug)]
pub struct StructDef {
    pub name: String,
    pub doc: String,
    pub fields: Vec<FieldDef>,
}

#[derive(Debug)]
pub struct FieldDef {
    pub name: String,
    pub wire: String,
    pub ty: TypeExpr,
    pub required: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub values: Vec<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// The server default rendered as JSON text.
    pub default: Option<String>,
    /// The AWS page of this field's limits, when it is not the family's page.
    pub source: Option<String>,
    pub doc: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    String,
    Bool,
    U32,
    I32,
    U64,
    I64,
    F64,
    Json,
    Array(Box<TypeExpr>),
    Map(Box<TypeExpr>),
    Named(String),
}

impl TypeExpr {
    pub fn parse(text: &str) -> Option<TypeExpr> {
        let t = text.trim();
        if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            return Some(TypeExpr::Array(Box::new(Self::parse(inner)?)));
        }
        if let Some(inner) = t.strip_prefix("map<").and_then(|r| r.strip_suffix('>')) {
            return Some(TypeExpr::Map(Box::new(Self::parse(inner)?)));
        }
        Some(match t {
            "string" => TypeExpr::String,
            "bool" => TypeExpr::Bool,
            "u32" => TypeExpr::U32,
            "i32" => TypeExpr::I32,
            "u64" => TypeExpr::U64,
            "i64" => TypeExpr::I64,
            "f64" => TypeExpr::F64,
            "json" => TypeExpr::Json,
            _ if is_type_name(t) => TypeExpr::Named(t.to_owned()),
            _ => return None,
        })
    }

    pub fn is_number(&self) -> bool {
        matches!(
            self,
            TypeExpr::U32 | TypeExpr::I32 | TypeExpr::U64 | TypeExpr::I64 | TypeExpr::F64
        )
    }

    /// The named types this expression mentions.
    pub fn named(&self) -> Option<&str> {
        match self {
            TypeExpr::Array(t) | TypeExpr::Map(t) => t.named(),
            TypeExpr::Named(n) => Some(n),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct EnumDef {
    pub name: String,
    pub doc: String,
    pub values: Vec<EnumValue>,
}

#[derive(Debug)]
pub struct EnumValue {
    pub name: String,
    pub wire: String,
    pub doc: String,
}

#[derive(Debug)]
pub struct UnionDef {
    pub name: String,
    pub doc: String,
    pub tag: String,
    pub variants: Vec<UnionVariant>,
}

#[derive(Debug)]
pub struct UnionVariant {
    pub name: String,
    pub wire: String,
    pub ty: String,
    pub doc: String,
}

#[derive(Debug)]
pub struct ModelEntry {
    pub id: String,
    pub family: String,
    pub provider: String,
    pub name: String,
    pub input: Vec<String>,
    pub output: Vec<String>,
    pub streaming: bool,
    pub converse: bool,
    pub tool_use: bool,
    pub vision: bool,
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u64>,
    /// The `max_tokens` the service uses when a request sends none, where the family's
    /// page gives one per model (Mistral: 512 for 7B and Mixtral, 8,192 for Small and Large).
    pub default_max_tokens: Option<u64>,
    pub embedding_dimensions: Vec<u64>,
    pub image_sizes: Vec<ImageSize>,
    pub reasoning: Option<String>,
    pub image_input: Option<ImageInputLimits>,
    pub lifecycle: String,
    pub profiles: Vec<String>,
    /// How AWS offers the model: ListFoundationModels' `inferenceTypesSupported`.
    pub inference_types: Vec<String>,
    /// A prompt format other than the family's default (Llama 4 in the Llama family).
    pub prompt_format: Option<String>,
    /// A latency-optimized version exists (`performanceConfig.latency = optimized`).
    pub latency_optimized: bool,
    /// Prompt caching, when the model supports it.
    pub prompt_cache: Option<PromptCache>,
    /// Image models: the task types offered (`TEXT_IMAGE`, `INPAINTING`, ...; empty: the
    /// family's), whether text-to-image takes a conditioning image, the output formats.
    pub image_tasks: Vec<String>,
    pub image_conditioning: bool,
    pub image_output_formats: Vec<String>,
    pub source: String,
}

/// Prompt-caching rules of a model (prompt-caching.html, supported-models table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptCache {
    pub min_tokens: u64,
    pub max_checkpoints: u64,
    /// Checkpoints are accepted in tool definitions.
    pub tools: bool,
    /// The `1h` TTL is accepted.
    pub one_hour_ttl: bool,
}

/// Limits on images in a conversation. Defaults, for a vision model that states none, are
/// Converse's `Message` limits: "up to 20 images. Each image's size, height, and width must be
/// no more than 3.75 MB, 8000 px, and 8000 px" and `ImageFormat` png | jpeg | gif | webp
/// (<https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html>).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInputLimits {
    pub formats: Vec<String>,
    pub max_count: u64,
    pub max_bytes: u64,
    pub max_dimension: u64,
}

impl Default for ImageInputLimits {
    fn default() -> Self {
        Self {
            formats: ["png", "jpeg", "gif", "webp"].map(String::from).to_vec(),
            max_count: 20,
            max_bytes: 3_932_160,
            max_dimension: 8000,
        }
    }
}

pub const IMAGE_FORMATS: &[&str] = &["png", "jpeg", "gif", "webp"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSize {
    Pixels(u32, u32),
    Ratio(u32, u32),
}

pub const KINDS: &[&str] = &["text", "embedding", "image"];
pub const MODALITIES: &[&str] = &[
    "text",
    "image",
    "document",
    "video",
    "audio",
    "speech",
    "embedding",
];
pub const LIFECYCLES: &[&str] = &["active", "legacy"];
pub const PROFILES: &[&str] = &["us", "eu", "apac", "global", "jp", "au", "us-gov", "ca"];
pub const REASONING: &[&str] = &["budget", "effort"];
/// ListFoundationModels' `inferenceTypesSupported` values, as the service returns them.
pub const INFERENCE_TYPES: &[&str] = &["ON_DEMAND", "INFERENCE_PROFILE", "PROVISIONED"];
/// Prompt formats a model may use instead of its family's default.
pub const PROMPT_FORMATS: &[&str] = &["llama4"];

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "unsafe", "use", "where", "while", "yield", "box", "abstract", "become", "do", "final",
    "macro", "override", "priv", "typeof", "unsized", "virtual",
];

fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_field_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RUST_KEYWORDS.contains(&s)
}

fn is_family_id(s: &str) -> bool {
    is_field_name(s)
}

fn one_of(entry: &Entry, field: &str, value: &str, allowed: &[&str]) -> Result<(), CatalogError> {
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

fn source(entry: &mut Entry) -> Result<String, CatalogError> {
    let url = entry.str("source")?;
    if !url.starts_with("https://") {
        return Err(entry.err("source", format!("{url:?} is not an https URL")));
    }
    Ok(url)
}

/// Parses and validates `models.toml`.
pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
    let root: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| error("the file", "", e.to_string().trim().to_owned()))?;
    let mut top = Entry::new("the file", &root);
    let mut families = top
        .table_map("family")?
        .into_iter()
        .map(|(id, v)| parse_family(id, v))
        .collect::<Result<Vec<_>, _>>()?;
    for family in &mut families {
        crate::value_enums::synthesize(family)?;
    }
    let models = match top.opt_value("model") {
        None => Vec::new(),
        Some(v) => v
            .as_array()
            .ok_or_else(|| error("the file", "model", "expected an array of [[model]] tables"))?
            .iter()
            .enumerate()
            .map(|(i, v)| parse_model(i, v))
            .collect::<Result<Vec<_>, _>>()?,
    };
    top.finish()?;
    let catalog = Catalog { families, models };
    validate_types(&catalog)?;
    validate_models(&catalog)?;
    Ok(catalog)
}

fn parse_family(id: &str, value: &Value) -> Result<Family, CatalogError> {
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

fn parse_struct(family: &str, name: &str, value: &Value) -> Result<StructDef, CatalogError> {
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

fn parse_enum(family: &str, name: &str, value: &Value) -> Result<EnumDef, CatalogError> {
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

fn parse_union(family: &str, name: &str, value: &Value) -> Result<UnionDef, CatalogError> {
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

/// Type names are unique across families, and every named type exists.
fn validate_types(catalog: &Catalog) -> Result<(), CatalogError> {
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

fn parse_model(index: usize, value: &Value) -> Result<ModelEntry, CatalogError> {
    let label = match value.get("id").and_then(Value::as_str) {
        Some(id) => format!("model {id:?}"),
        None => format!("model #{}", index + 1),
    };
    let mut e = Entry::from_value(label, value)?;
    let model = ModelEntry {
        id: e.str("id")?,
        family: e.str("family")?,
        provider: e.str("provider")?,
        name: e.str("name")?,
        input: e.str_list("input")?,
        output: e.str_list("output")?,
        streaming: e.bool("streaming")?,
        converse: e.bool("converse")?,
        tool_use: e.bool("tool_use")?,
        vision: e.bool("vision")?,
        context_window: e.opt_u64("context_window")?,
        max_output_tokens: e.opt_u64("max_output_tokens")?,
        default_max_tokens: e.opt_u64("default_max_tokens")?,
        embedding_dimensions: e.opt_u64_list("embedding_dimensions")?.unwrap_or_default(),
        image_sizes: parse_sizes(&mut e)?,
        reasoning: e.opt_str("reasoning")?,
        image_input: parse_image_limits(&mut e)?,
        lifecycle: e.str("lifecycle")?,
        profiles: e.str_list("profiles")?,
        inference_types: e.str_list("inference_types")?,
        prompt_format: e.opt_str("prompt_format")?,
        latency_optimized: e.opt_bool("latency_optimized")?.unwrap_or(false),
        prompt_cache: parse_prompt_cache(&mut e)?,
        image_tasks: e.opt_str_list("image_tasks")?.unwrap_or_default(),
        image_conditioning: e.opt_bool("image_conditioning")?.unwrap_or(false),
        image_output_formats: e.opt_str_list("image_output_formats")?.unwrap_or_default(),
        source: source(&mut e)?,
    };
    for m in model.input.iter().chain(&model.output) {
        one_of(&e, "input", m, MODALITIES)?;
    }
    one_of(&e, "lifecycle", &model.lifecycle, LIFECYCLES)?;
    for p in &model.profiles {
        one_of(&e, "profiles", p, PROFILES)?;
    }
    if let Some(r) = &model.reasoning {
        one_of(&e, "reasoning", r, REASONING)?;
    }
    if let Some(p) = &model.prompt_format {
        one_of(&e, "prompt_format", p, PROMPT_FORMATS)?;
    }
    if model.inference_types.is_empty() {
        return Err(e.err("inference_types", "lists no inference type"));
    }
    for t in &model.inference_types {
        one_of(&e, "inference_types", t, INFERENCE_TYPES)?;
    }
    let profile_only = model
        .inference_types
        .iter()
        .any(|t| t == "INFERENCE_PROFILE");
    if profile_only && model.profiles.is_empty() {
        return Err(e.err(
            "inference_types",
            "INFERENCE_PROFILE needs the model's profiles in `profiles`",
        ));
    }
    e.finish()?;
    Ok(model)
}

/// `image_formats`, `max_images`, `max_image_bytes`, `max_image_dimension`: each optional,
/// defaulting to Converse's limits; present only for vision models.
/// `cache_min_tokens`, `cache_max_checkpoints`, `cache_tools`, `cache_ttl_1h`: all or none.
fn parse_prompt_cache(e: &mut Entry) -> Result<Option<PromptCache>, CatalogError> {
    let min_tokens = e.opt_u64("cache_min_tokens")?;
    let max_checkpoints = e.opt_u64("cache_max_checkpoints")?;
    let tools = e.opt_bool("cache_tools")?;
    let one_hour_ttl = e.opt_bool("cache_ttl_1h")?;
    match (min_tokens, max_checkpoints, tools, one_hour_ttl) {
        (Some(min_tokens), Some(max_checkpoints), Some(tools), Some(one_hour_ttl)) => {
            Ok(Some(PromptCache {
                min_tokens,
                max_checkpoints,
                tools,
                one_hour_ttl,
            }))
        }
        (None, None, None, None) => Ok(None),
        _ => Err(e.err(
            "cache_min_tokens",
            "prompt caching needs cache_min_tokens, cache_max_checkpoints, cache_tools and cache_ttl_1h",
        )),
    }
}

fn parse_image_limits(e: &mut Entry) -> Result<Option<ImageInputLimits>, CatalogError> {
    let formats = e.opt_str_list("image_formats")?;
    let count = e.opt_u64("max_images")?;
    let bytes = e.opt_u64("max_image_bytes")?;
    let dimension = e.opt_u64("max_image_dimension")?;
    let vision = e.peek_bool("vision");
    if !vision {
        let given = formats.is_some() || count.is_some() || bytes.is_some() || dimension.is_some();
        return match given {
            true => Err(e.err("max_images", "image limits apply to vision models only")),
            false => Ok(None),
        };
    }
    let defaults = ImageInputLimits::default();
    let limits = ImageInputLimits {
        formats: formats.unwrap_or(defaults.formats),
        max_count: count.unwrap_or(defaults.max_count),
        max_bytes: bytes.unwrap_or(defaults.max_bytes),
        max_dimension: dimension.unwrap_or(defaults.max_dimension),
    };
    for f in &limits.formats {
        one_of(e, "image_formats", f, IMAGE_FORMATS)?;
    }
    Ok(Some(limits))
}

fn parse_sizes(e: &mut Entry) -> Result<Vec<ImageSize>, CatalogError> {
    let sizes = e.opt_str_list("image_sizes")?.unwrap_or_default();
    sizes
        .iter()
        .map(|s| {
            let pair = |sep| {
                let (w, h) = s.split_once(sep)?;
                Some((w.parse().ok()?, h.parse().ok()?))
            };
            pair('x')
                .map(|(w, h)| ImageSize::Pixels(w, h))
                .or_else(|| pair(':').map(|(w, h)| ImageSize::Ratio(w, h)))
                .ok_or_else(|| {
                    e.err(
                        "image_sizes",
                        format!("{s:?} is neither WIDTHxHEIGHT nor W:H"),
                    )
                })
        })
        .collect()
}

/// The family whose longest declared ID prefix starts `id`.
pub fn family_by_prefix<'a>(catalog: &'a Catalog, id: &str) -> Option<(&'a Family, &'a str)> {
    catalog
        .families
        .iter()
        .flat_map(|f| f.id_prefixes.iter().map(move |p| (f, p.as_str())))
        .filter(|(_, p)| id.starts_with(p))
        .max_by_key(|(_, p)| p.len())
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
fn validate_models(catalog: &Catalog) -> Result<(), CatalogError> {
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
