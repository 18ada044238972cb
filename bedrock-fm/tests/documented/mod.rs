//! Helpers shared by the documented-example tests of the text and media families.

use bedrock_fm::schema::StructSpec;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::fmt::Debug;

/// JSON equality where numbers compare by value (`1` equals `1.0`).
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// The built request serializes to the documented JSON, the spec accepts the documented JSON,
/// and the documented JSON deserializes back to the built request.
#[track_caller]
pub fn check_request<T>(built: &T, spec: &StructSpec, documented: Value)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let wire = serde_json::to_value(built).expect("the built request serializes");
    assert!(
        same_json(&wire, &documented),
        "built request differs from the documented example\n built: {wire:#}\n documented: {documented:#}"
    );
    let violations = spec.validate(&documented);
    assert!(
        violations.is_empty(),
        "spec rejects the documented example: {violations:?}"
    );
    let parsed: T = serde_json::from_value(documented).expect("the documented example parses");
    assert_eq!(&parsed, built);
}

/// Parses a documented response (or chunk) into its typed form.
#[track_caller]
pub fn parse<T: DeserializeOwned>(documented: &Value) -> T {
    match serde_json::from_value(documented.clone()) {
        Ok(v) => v,
        Err(e) => panic!("the documented example does not parse: {e}\n{documented:#}"),
    }
}

/// The documented example with one key the catalog does not describe, to show that unknown
/// fields are kept in `extra` instead of failing the decoding.
pub fn with_unknown_field(documented: &Value) -> Value {
    let mut v = documented.clone();
    v.as_object_mut()
        .expect("an object")
        .insert("someFutureField".into(), json!({"added": "later"}));
    v
}
