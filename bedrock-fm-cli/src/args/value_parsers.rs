//! The value parsers of the flags: each checks its value and fails with an [`ArgError`]
//! that names the flag.

use super::ArgError;
use bedrock_fm::Api;
use bedrock_fm::catalog::{Family, FamilyKind};
use bedrock_fm::embeddings::InputType;
use clap::builder::{PossibleValue, TypedValueParser};
use serde_json::Value;

/// A value parser that also offers `values` to the help and the shell completions; the
/// parsing (and its error) stays `inner`'s.
#[derive(Clone)]
struct Offering<P> {
    inner: P,
    values: Vec<&'static str>,
}

impl<P: TypedValueParser> TypedValueParser for Offering<P> {
    type Value = P::Value;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        self.inner.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.values.iter().map(|v| PossibleValue::new(*v))))
    }
}

fn text_families() -> impl Iterator<Item = Family> {
    Family::ALL
        .iter()
        .copied()
        .filter(|f| f.kind() == FamilyKind::Text)
}

/// A text family by its `models.toml` key (`claude_messages`).
pub(crate) fn parse_family(text: &str) -> Result<Family, ArgError> {
    text_families().find(|f| f.id() == text).ok_or_else(|| {
        let names: Vec<&str> = text_families().map(|f| f.id()).collect();
        ArgError::invalid(
            "--family",
            format!("{text:?} is not a text family; one of {}", names.join(", ")),
        )
    })
}

pub(super) fn family_parser() -> impl TypedValueParser<Value = Family> {
    Offering {
        inner: parse_family,
        values: text_families().map(|f| f.id()).collect(),
    }
}

fn parse_api(text: &str) -> Result<Api, ArgError> {
    match text {
        "invoke" => Ok(Api::InvokeModel),
        "converse" => Ok(Api::Converse),
        other => Err(ArgError::invalid(
            "--api",
            format!("{other:?} is not `invoke` or `converse`"),
        )),
    }
}

pub(super) fn api_parser() -> impl TypedValueParser<Value = Api> {
    Offering {
        inner: parse_api,
        values: vec!["invoke", "converse"],
    }
}

fn parse_input_type(text: &str) -> Result<InputType, ArgError> {
    match text {
        "document" => Ok(InputType::Document),
        "query" => Ok(InputType::Query),
        other => Err(ArgError::invalid(
            "--input-type",
            format!("{other:?} is not `document` or `query`"),
        )),
    }
}

pub(super) fn input_type_parser() -> impl TypedValueParser<Value = InputType> {
    Offering {
        inner: parse_input_type,
        values: vec!["document", "query"],
    }
}

/// A finite number for `flag`.
pub(super) fn finite(
    flag: &'static str,
) -> impl Fn(&str) -> Result<f64, ArgError> + Clone + Send + Sync {
    move |text| match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(ArgError::invalid(flag, format!("{text:?} is not a number"))),
    }
}

/// A whole number from 0 to `u32::MAX` for `flag`.
pub(super) fn count(
    flag: &'static str,
) -> impl Fn(&str) -> Result<u32, ArgError> + Clone + Send + Sync {
    move |text| {
        text.trim().parse::<u32>().map_err(|_| {
            ArgError::invalid(
                flag,
                format!("{text:?} is not a whole number from 0 to {}", u32::MAX),
            )
        })
    }
}

pub(super) fn seed(text: &str) -> Result<u64, ArgError> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| ArgError::invalid("--seed", format!("{text:?} is not a whole number from 0")))
}

/// A value of `flag` that is not blank.
pub(super) fn non_empty(
    flag: &'static str,
) -> impl Fn(&str) -> Result<String, ArgError> + Clone + Send + Sync {
    move |text| {
        if text.trim().is_empty() {
            return Err(ArgError::invalid(flag, "is empty"));
        }
        Ok(text.to_owned())
    }
}

pub(super) fn stop_sequence(text: &str) -> Result<String, ArgError> {
    if text.is_empty() {
        return Err(ArgError::invalid(
            "--stop",
            "a stop sequence cannot be empty",
        ));
    }
    Ok(text.to_owned())
}

/// `KEY=VALUE`: VALUE as JSON when it parses as JSON (`40`, `true`, `["a","b"]`), else as the
/// string it is. A KEY the family does not have is the library's error, at build time.
pub(super) fn param(text: &str) -> Result<(String, Value), ArgError> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(ArgError::usage(format!(
            "`--param` takes KEY=VALUE (e.g. `--param top_k=40`), not {text:?}"
        )));
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(ArgError::usage(format!(
            "`--param` needs a parameter name before `=`, not {text:?}"
        )));
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok((key.to_owned(), value))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(super) fn extra_args(text: &str) -> Result<Value, ArgError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ArgError::invalid("--extra-args", format!("not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ArgError::invalid(
            "--extra-args",
            format!(
                "must be a JSON object such as '{{\"key\": 1}}', not {}",
                json_type(&value)
            ),
        ));
    }
    Ok(value)
}
