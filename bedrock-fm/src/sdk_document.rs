//! The one converter between `serde_json::Value` and the SDK's `aws_smithy_types::Document`
//! (the SDK has no serde). Used for Converse's `additionalModelRequestFields`, tool schemas and
//! tool inputs.

use aws_smithy_types::{Document, Number};
use serde_json::Value;

/// Converts JSON to a Smithy document. Integers keep their sign (`NegInt` for negatives,
/// `PosInt` otherwise); other numbers become `Float`.
pub fn to_document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(f64::NAN))
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(items.iter().map(to_document).collect()),
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), to_document(v)))
                .collect(),
        ),
    }
}

/// Converts a Smithy document to JSON. A non-finite float (which JSON cannot carry) becomes
/// `null`, as `serde_json` does.
pub fn to_json(document: &Document) -> Value {
    match document {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => Value::from(*u),
        Document::Number(Number::NegInt(i)) => Value::from(*i),
        Document::Number(Number::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        Document::String(s) => Value::String(s.clone()),
        Document::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Document::Object(map) => {
            // Smithy documents are HashMaps: sort keys so the JSON is deterministic.
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), to_json(v)))
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_nesting_negatives_floats_and_null() {
        let value = json!({
            "a": [1, -2, 3.5, null, true, "s"],
            "b": {"c": {"d": -9007199254740993i64, "e": 18446744073709551615u64}},
            "f": 0.0,
            "g": []
        });
        assert_eq!(to_json(&to_document(&value)), value);
    }

    #[test]
    fn numbers_map_to_the_smithy_variants() {
        assert_eq!(
            to_document(&json!(-1)),
            Document::Number(Number::NegInt(-1))
        );
        assert_eq!(to_document(&json!(7)), Document::Number(Number::PosInt(7)));
        assert_eq!(
            to_document(&json!(0.25)),
            Document::Number(Number::Float(0.25))
        );
        assert_eq!(
            to_json(&Document::Number(Number::Float(f64::NAN))),
            Value::Null
        );
        // A NegInt holding a non-negative value (the SDK does not forbid it) stays numeric.
        assert_eq!(to_json(&Document::Number(Number::NegInt(5))), json!(5));
    }
}
