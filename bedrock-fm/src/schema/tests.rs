//! Tests of `schema`.

use super::*;
use serde_json::json;

static INNER: StructSpec = StructSpec {
    name: "Inner",
    doc: "",
    fields: &[FieldSpec {
        rust_name: "temperature",
        wire: "temperature",
        ty: TypeSpec::F64,
        min: Some(0.0),
        max: Some(1.0),
        ..UNCONSTRAINED
    }],
};
static OUTER: StructSpec = StructSpec {
    name: "Outer",
    doc: "",
    fields: &[
        FieldSpec {
            rust_name: "input_text",
            wire: "inputText",
            ty: TypeSpec::String,
            required: true,
            min_length: Some(1),
            ..UNCONSTRAINED
        },
        FieldSpec {
            rust_name: "config",
            wire: "config",
            ty: TypeSpec::Struct(&INNER),
            ..UNCONSTRAINED
        },
        FieldSpec {
            rust_name: "stop",
            wire: "stop",
            ty: TypeSpec::Array(&TypeSpec::String),
            max_items: Some(2),
            ..UNCONSTRAINED
        },
    ],
};

fn messages(v: Value) -> Vec<String> {
    OUTER.validate(&v).iter().map(ToString::to_string).collect()
}

#[test]
fn a_valid_document_has_no_violations() {
    let v = json!({"inputText": "hi", "config": {"temperature": 0.0}, "stop": ["a"]});
    assert_eq!(messages(v), Vec::<String>::new());
}

#[test]
fn missing_extraneous_range_type_and_count_are_reported_with_pointers() {
    let v = json!({"config": {"temperature": 1.5, "x": 1}, "stop": ["a", 1, "c"]});
    assert_eq!(
        messages(v),
        [
            "#: required key [inputText] not found",
            "#/config/temperature: 1.5 is not less or equal to 1",
            "#/config: extraneous key [x] is not permitted",
            "#/stop: expected maximum item count: 2, found: 3",
            "#/stop/1: expected type: String, found: Integer",
        ]
    );
}

#[test]
fn builder_checks_name_the_field_and_the_bound() {
    let e = check_number("Cfg", "temperature", 1.5, Some(0.0), Some(1.0)).unwrap_err();
    assert_eq!(e.to_string(), "Cfg.temperature: 1.5 is out of range [0, 1]");
    let e = check_string("Req", "mode", "x", &["a", "b"], None, None).unwrap_err();
    assert_eq!(e.to_string(), "Req.mode: \"x\" is not one of a, b");
    let e = required::<u32>("Req", "prompt", None).unwrap_err();
    assert_eq!(e.problem, Problem::Missing);
    assert!(check_number("C", "t", 0.0, Some(0.0), Some(1.0)).is_ok());
    assert!(check_number("C", "t", f64::NAN, None, None).is_err());
}

#[test]
fn a_nan_is_named_as_nan_and_an_infinity_is_refused_without_a_bound() {
    let e = check_number("Cfg", "temperature", f64::NAN, Some(0.0), Some(1.0)).unwrap_err();
    assert_eq!(e.to_string(), "Cfg.temperature: NaN is not a number");
    assert!(matches!(e.problem, Problem::NotFinite { value } if value.is_nan()));
    let e = check_number("Cfg", "penalty", f64::INFINITY, Some(0.0), None).unwrap_err();
    assert_eq!(e.to_string(), "Cfg.penalty: inf is not a finite number");
    assert_eq!(not_finite(0.5), None);
}

#[test]
fn tagged_values_split_and_serialize_with_the_tag_first() {
    let (tag, rest) = split_tag(json!({"type": "text", "text": "hi"}), "type");
    assert_eq!(tag.as_deref(), Some("text"));
    assert_eq!(rest, json!({"text": "hi"}));
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::new(&mut out);
    serialize_tagged(&mut ser, "type", "text", &json!({"text": "hi"})).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#"{"type":"text","text":"hi"}"#
    );
}
