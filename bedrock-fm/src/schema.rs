//! Runtime description of each family's native JSON, generated from `models.toml`.
//!
//! The generated bodies carry a [`StructSpec`] per JSON object. The same tables drive the
//! typed builders' checks, the rejection of `extra_args` keys that name a typed parameter,
//! and the local server's validation of InvokeModel bodies, so one declaration in
//! `models.toml` governs all three.

use serde_json::Value;
use std::fmt;

/// The JSON shape of one request, response or stream-chunk object.
#[derive(Debug)]
#[non_exhaustive]
pub struct StructSpec {
    /// Rust name of the generated struct.
    pub name: &'static str,
    /// One line about the object.
    pub doc: &'static str,
    /// The fields, in wire order.
    pub fields: &'static [FieldSpec],
}

/// One field of a [`StructSpec`].
#[derive(Debug)]
#[non_exhaustive]
pub struct FieldSpec {
    /// Rust name of the field, and of its builder setter.
    pub rust_name: &'static str,
    /// JSON key on the wire.
    pub wire: &'static str,
    /// The value's type.
    pub ty: TypeSpec,
    /// Whether the service rejects an object without it.
    pub required: bool,
    /// Inclusive minimum of a number.
    pub min: Option<f64>,
    /// Inclusive maximum of a number.
    pub max: Option<f64>,
    /// The only string values the service accepts (empty: any).
    pub values: &'static [&'static str],
    /// Minimum length of a string, in characters.
    pub min_length: Option<u64>,
    /// Maximum length of a string, in characters.
    pub max_length: Option<u64>,
    /// Minimum number of items of an array.
    pub min_items: Option<u64>,
    /// Maximum number of items of an array.
    pub max_items: Option<u64>,
    /// The server-side default, as JSON text (documented, never sent).
    pub default: Option<&'static str>,
    /// The AWS page of this field's limits, when it is not the family's page.
    pub source: Option<&'static str>,
    /// The family's encoder writes it from the conversation (the prompt or the messages, the
    /// system prompt, images, the API version), so `extra_args` may not set it.
    pub conversation: bool,
    /// One line about the field.
    pub doc: &'static str,
}

/// The type of a field's value.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum TypeSpec {
    /// A JSON string.
    String,
    /// A JSON boolean.
    Bool,
    /// A non-negative integer below 2^32.
    U32,
    /// A signed 32-bit integer.
    I32,
    /// A non-negative 64-bit integer.
    U64,
    /// A signed 64-bit integer.
    I64,
    /// A number.
    F64,
    /// Any JSON value (untagged unions, free-form objects).
    Json,
    /// An array of one item type.
    Array(&'static TypeSpec),
    /// An object with string keys and one value type.
    Map(&'static TypeSpec),
    /// A nested object.
    Struct(&'static StructSpec),
    /// A string from a set of values.
    Enum(&'static EnumSpec),
    /// An object tagged by one key.
    Union(&'static UnionSpec),
}

/// A string enum.
#[derive(Debug)]
#[non_exhaustive]
pub struct EnumSpec {
    /// Rust name of the enum.
    pub name: &'static str,
    /// The documented wire values.
    pub values: &'static [&'static str],
}

/// An object whose shape depends on the value of one key.
#[derive(Debug)]
#[non_exhaustive]
pub struct UnionSpec {
    /// Rust name of the union.
    pub name: &'static str,
    /// The key that selects the variant.
    pub tag: &'static str,
    /// `(tag value, shape)` of each variant.
    pub variants: &'static [(&'static str, &'static StructSpec)],
}

/// Why a typed builder refused to build.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BuildError {
    /// The Rust type being built.
    pub type_name: &'static str,
    /// The Rust field (and setter) at fault.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with a field; see [`BuildError`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// A required field was not set.
    Missing,
    /// A number outside its inclusive range.
    OutOfRange {
        /// The value given.
        value: f64,
        /// The inclusive minimum, if any.
        min: Option<f64>,
        /// The inclusive maximum, if any.
        max: Option<f64>,
    },
    /// A string that is not one of the accepted values.
    NotAllowed {
        /// The value given.
        value: String,
        /// The accepted values.
        allowed: &'static [&'static str],
    },
    /// A NaN or an infinity, which no range admits and JSON cannot carry.
    NotFinite {
        /// The value given.
        value: f64,
    },
    /// A string or array whose length is outside its bounds.
    BadLength {
        /// The length given (characters or items).
        len: u64,
        /// The inclusive minimum, if any.
        min: Option<u64>,
        /// The inclusive maximum, if any.
        max: Option<u64>,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}: ", self.type_name, self.field)?;
        match &self.problem {
            Problem::Missing => write!(f, "is required; set it with `{}(...)`", self.field),
            Problem::OutOfRange { value, min, max } => {
                write!(f, "{value} is out of range {}", range_text(min, max))
            }
            Problem::NotFinite { value } => {
                f.write_str(&not_finite(*value).unwrap_or_else(|| value.to_string()))
            }
            Problem::NotAllowed { value, allowed } => {
                write!(f, "{value:?} is not one of {}", allowed.join(", "))
            }
            Problem::BadLength { len, min, max } => {
                write!(f, "length {len} is out of range {}", range_text(min, max))
            }
        }
    }
}

impl std::error::Error for BuildError {}

fn range_text<T: fmt::Display>(min: &Option<T>, max: &Option<T>) -> String {
    let end = |v: &Option<T>| v.as_ref().map(ToString::to_string).unwrap_or_default();
    format!("[{}, {}]", end(min), end(max))
}

/// What is wrong with a number that is not finite (`NaN is not a number`, `inf is not a
/// finite number`), for every range check of the SDK; `None` for a finite number.
pub(crate) fn not_finite(value: f64) -> Option<String> {
    if value.is_nan() {
        Some("NaN is not a number".to_owned())
    } else if value.is_infinite() {
        Some(format!("{value} is not a finite number"))
    } else {
        None
    }
}

/// Checks a number against an inclusive range; used by the generated builders. A NaN or an
/// infinity is refused whatever the range.
pub fn check_number(
    type_name: &'static str,
    field: &'static str,
    value: f64,
    min: Option<f64>,
    max: Option<f64>,
) -> Result<(), BuildError> {
    if !value.is_finite() {
        return Err(BuildError {
            type_name,
            field,
            problem: Problem::NotFinite { value },
        });
    }
    let below = min.is_some_and(|m| value < m);
    let above = max.is_some_and(|m| value > m);
    if below || above {
        return Err(BuildError {
            type_name,
            field,
            problem: Problem::OutOfRange { value, min, max },
        });
    }
    Ok(())
}

/// Checks a string's value and length; used by the generated builders.
pub fn check_string(
    type_name: &'static str,
    field: &'static str,
    value: &str,
    allowed: &'static [&'static str],
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), BuildError> {
    if !allowed.is_empty() && !allowed.contains(&value) {
        return Err(BuildError {
            type_name,
            field,
            problem: Problem::NotAllowed {
                value: value.to_owned(),
                allowed,
            },
        });
    }
    check_len(type_name, field, value.chars().count(), min, max)
}

/// Checks a length (characters or items) against inclusive bounds.
pub fn check_len(
    type_name: &'static str,
    field: &'static str,
    len: usize,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), BuildError> {
    let len = len as u64;
    if min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m) {
        return Err(BuildError {
            type_name,
            field,
            problem: Problem::BadLength { len, min, max },
        });
    }
    Ok(())
}

/// Returns a required builder field or the error that names it.
pub fn required<T>(
    type_name: &'static str,
    field: &'static str,
    value: Option<T>,
) -> Result<T, BuildError> {
    value.ok_or(BuildError {
        type_name,
        field,
        problem: Problem::Missing,
    })
}

/// A place in a JSON document where it breaks its [`StructSpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// JSON pointer of the offending value (`#/textGenerationConfig/temperature`).
    pub pointer: String,
    /// What is wrong, in the words Bedrock's validator uses.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

impl StructSpec {
    /// The field with this wire name.
    pub fn field_by_wire(&self, wire: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.wire == wire)
    }

    /// The field at a wire path through nested structs (`["textGenerationConfig", "topP"]`).
    pub fn field_at(&self, path: &[&str]) -> Option<&'static FieldSpec> {
        let (last, parents) = path.split_last()?;
        let mut current: &StructSpec = self;
        for segment in parents {
            match current.field_by_wire(segment)?.ty {
                TypeSpec::Struct(next) => current = next,
                _ => return None,
            }
        }
        current.field_by_wire(last)
    }

    /// Validates a JSON document strictly, the way Bedrock validates InvokeModel bodies:
    /// required keys, no extraneous keys, types, ranges, values and lengths. Returns every
    /// violation, in document order.
    pub fn validate(&self, value: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        validate_struct(self, value, "#", &mut out);
        out
    }
}

impl FieldSpec {
    /// Validates one value of this field (type, range, values, lengths, nested shapes).
    pub fn validate_value(&self, value: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        validate_field(self, &self.ty, value, &format!("#/{}", self.wire), &mut out);
        out
    }
}

fn violation(out: &mut Vec<Violation>, pointer: &str, message: String) {
    out.push(Violation {
        pointer: pointer.to_owned(),
        message,
    });
}

/// Type names as Bedrock's JSON-schema validator writes them (`expected type: String, found:
/// Integer`, seen in recorded Bedrock errors, e.g. langgenius/dify#3326).
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_f64() => "BigDecimal",
        Value::Number(_) => "Integer",
        Value::String(_) => "String",
        Value::Array(_) => "JSONArray",
        Value::Object(_) => "JSONObject",
    }
}

fn validate_struct(spec: &StructSpec, value: &Value, ptr: &str, out: &mut Vec<Violation>) {
    let Some(map) = value.as_object() else {
        let msg = format!("expected type: JSONObject, found: {}", type_name(value));
        return violation(out, ptr, msg);
    };
    let missing: Vec<&str> = spec
        .fields
        .iter()
        .filter(|f| f.required && !map.contains_key(f.wire))
        .map(|f| f.wire)
        .collect();
    if !missing.is_empty() {
        let msg = format!("required key [{}] not found", missing.join(", "));
        violation(out, ptr, msg);
    }
    for (key, item) in map {
        let child = format!("{ptr}/{key}");
        match spec.field_by_wire(key) {
            None => violation(out, ptr, format!("extraneous key [{key}] is not permitted")),
            Some(_) if item.is_null() => {}
            Some(field) => validate_field(field, &field.ty, item, &child, out),
        }
    }
}

fn validate_field(f: &FieldSpec, ty: &TypeSpec, v: &Value, ptr: &str, out: &mut Vec<Violation>) {
    let expected = match ty {
        TypeSpec::String | TypeSpec::Enum(_) => v.is_string().then_some(()).ok_or("String"),
        TypeSpec::Bool => v.is_boolean().then_some(()).ok_or("Boolean"),
        TypeSpec::U32 | TypeSpec::U64 => v.is_u64().then_some(()).ok_or("Integer"),
        TypeSpec::I32 | TypeSpec::I64 => (v.is_i64() || v.is_u64()).then_some(()).ok_or("Integer"),
        TypeSpec::F64 => v.is_number().then_some(()).ok_or("Number"),
        TypeSpec::Array(_) => v.is_array().then_some(()).ok_or("JSONArray"),
        TypeSpec::Map(_) | TypeSpec::Struct(_) | TypeSpec::Union(_) => {
            v.is_object().then_some(()).ok_or("JSONObject")
        }
        TypeSpec::Json => Ok(()),
    };
    if let Err(expected) = expected {
        let found = type_name(v);
        return violation(
            out,
            ptr,
            format!("expected type: {expected}, found: {found}"),
        );
    }
    match ty {
        TypeSpec::String | TypeSpec::Enum(_) => {
            let s = v.as_str().unwrap_or_default();
            let allowed: &[&str] = match ty {
                TypeSpec::Enum(e) => e.values,
                _ => f.values,
            };
            if !allowed.is_empty() && !allowed.contains(&s) {
                violation(out, ptr, format!("{s} is not a valid enum value"));
            }
            let len = s.chars().count() as u64;
            if let Some(min) = f.min_length.filter(|m| len < *m) {
                violation(
                    out,
                    ptr,
                    format!("expected minLength: {min}, actual: {len}"),
                );
            }
            if let Some(max) = f.max_length.filter(|m| len > *m) {
                violation(
                    out,
                    ptr,
                    format!("expected maxLength: {max}, actual: {len}"),
                );
            }
        }
        TypeSpec::U32 | TypeSpec::I32 | TypeSpec::U64 | TypeSpec::I64 | TypeSpec::F64 => {
            let n = v.as_f64().unwrap_or_default();
            if let Some(min) = f.min.filter(|m| n < *m) {
                violation(out, ptr, format!("{v} is not greater or equal to {min}"));
            }
            if let Some(max) = f.max.filter(|m| n > *m) {
                violation(out, ptr, format!("{v} is not less or equal to {max}"));
            }
            let int_max = match ty {
                TypeSpec::U32 => Some(u32::MAX as f64),
                TypeSpec::I32 => Some(i32::MAX as f64),
                _ => None,
            };
            if int_max.is_some_and(|m| n > m) {
                violation(out, ptr, format!("{v} is out of range"));
            }
        }
        TypeSpec::Array(item) => {
            let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
            let len = items.len() as u64;
            if let Some(min) = f.min_items.filter(|m| len < *m) {
                violation(
                    out,
                    ptr,
                    format!("expected minimum item count: {min}, found: {len}"),
                );
            }
            if let Some(max) = f.max_items.filter(|m| len > *m) {
                violation(
                    out,
                    ptr,
                    format!("expected maximum item count: {max}, found: {len}"),
                );
            }
            for (i, x) in items.iter().enumerate() {
                validate_item(item, x, &format!("{ptr}/{i}"), out);
            }
        }
        TypeSpec::Map(item) => {
            for (k, x) in v.as_object().into_iter().flatten() {
                validate_item(item, x, &format!("{ptr}/{k}"), out);
            }
        }
        TypeSpec::Struct(s) => validate_struct(s, v, ptr, out),
        TypeSpec::Union(u) => validate_union(u, v, ptr, out),
        TypeSpec::Bool | TypeSpec::Json => {}
    }
}

/// Array items and map values carry no constraints of their own beyond their type.
fn validate_item(ty: &TypeSpec, v: &Value, ptr: &str, out: &mut Vec<Violation>) {
    validate_field(&UNCONSTRAINED, ty, v, ptr, out);
}

const UNCONSTRAINED: FieldSpec = FieldSpec {
    rust_name: "",
    wire: "",
    ty: TypeSpec::Json,
    required: false,
    min: None,
    max: None,
    values: &[],
    min_length: None,
    max_length: None,
    min_items: None,
    max_items: None,
    default: None,
    source: None,
    conversation: false,
    doc: "",
};

fn validate_union(u: &UnionSpec, v: &Value, ptr: &str, out: &mut Vec<Violation>) {
    let tag = v.get(u.tag).and_then(Value::as_str);
    let Some(tag) = tag else {
        return violation(out, ptr, format!("required key [{}] not found", u.tag));
    };
    let Some((_, spec)) = u.variants.iter().find(|(wire, _)| *wire == tag) else {
        let ptr = format!("{ptr}/{}", u.tag);
        return violation(out, &ptr, format!("{tag} is not a valid enum value"));
    };
    let mut rest = v.clone();
    if let Some(map) = rest.as_object_mut() {
        map.remove(u.tag);
    }
    validate_struct(spec, &rest, ptr, out);
}

/// Serializes a union variant with its tag key first; used by the generated unions.
pub fn serialize_tagged<S, T>(
    serializer: S,
    tag: &str,
    wire: &str,
    value: &T,
) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    T: serde::Serialize,
{
    use serde::ser::Error;
    let body = serde_json::to_value(value).map_err(S::Error::custom)?;
    let mut map = serde_json::Map::new();
    map.insert(tag.to_owned(), Value::String(wire.to_owned()));
    if let Value::Object(fields) = body {
        map.extend(fields);
    }
    serde::Serialize::serialize(&map, serializer)
}

/// Splits a tagged object into its tag and the rest; used by the generated unions.
pub fn split_tag(mut value: Value, tag: &str) -> (Option<String>, Value) {
    let found = value
        .as_object_mut()
        .and_then(|m| m.get(tag).and_then(Value::as_str).map(str::to_owned));
    if found.is_some()
        && let Some(m) = value.as_object_mut()
    {
        m.remove(tag);
    }
    (found, value)
}

#[cfg(test)]
mod tests;
