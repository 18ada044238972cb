//! A broken catalog stops the codegen with a message naming the entry and the field.

use bedrock_fm_codegen::generate_from_str;

const FIXTURE: &str = include_str!("fixtures/small.toml");

fn error_for(catalog: &str) -> String {
    match generate_from_str(catalog) {
        Ok(_) => panic!("catalog was accepted"),
        Err(e) => e.to_string(),
    }
}

fn replaced(from: &str, to: &str) -> String {
    assert!(FIXTURE.contains(from), "fixture lacks {from:?}");
    FIXTURE.replacen(from, to, 1)
}

#[test]
fn duplicate_model_id() {
    let text = replaced(
        "id = \"example.demo-lite-v1\"",
        "id = \"example.demo-v1:0\"",
    );
    assert_eq!(
        error_for(&text),
        "models.toml: model \"example.demo-v1:0\", field `id`: duplicate model ID"
    );
}

#[test]
fn unknown_family() {
    let text = replaced(
        "family = \"demo\"\nprovider = \"Example\"\nname = \"Demo Lite\"",
        "family = \"dmeo\"\nprovider = \"Example\"\nname = \"Demo Lite\"",
    );
    assert_eq!(
        error_for(&text),
        "models.toml: model \"example.demo-lite-v1\", field `family`: unknown family \"dmeo\""
    );
}

#[test]
fn unknown_type() {
    let text = replaced("type = \"u32\", min = 1", "type = \"uint\", min = 1");
    assert_eq!(
        error_for(&text),
        "models.toml: family \"demo\", struct DemoRequest, field max_tokens, field `type`: unknown type \"uint\""
    );
}

#[test]
fn unknown_named_type() {
    let text = replaced(
        "type = \"[DemoBlock]\", doc = \"Content blocks.\" },\n  { name = \"labels\"",
        "type = \"[DemoBlok]\", doc = \"Content blocks.\" },\n  { name = \"labels\"",
    );
    assert_eq!(
        error_for(&text),
        "models.toml: family \"demo\", struct DemoRequest, field blocks, field `type`: unknown type \"DemoBlok\""
    );
}

#[test]
fn default_outside_its_range() {
    let text = replaced("max = 1.0, default = 0.5", "max = 1.0, default = 1.5");
    assert_eq!(
        error_for(&text),
        "models.toml: family \"demo\", struct DemoRequest, field temperature, field `default`: default 1.5 is outside the range [0, 1]"
    );
}

#[test]
fn default_not_among_the_values() {
    let text = replaced("default = \"fast\"", "default = \"medium\"");
    assert!(
        error_for(&text)
            .contains("field mode, field `default`: default \"medium\" is not one of the values")
    );
}

#[test]
fn missing_source() {
    let text = replaced(
        "inference_types = [\"ON_DEMAND\"]\nsource = \"https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html\"",
        "inference_types = [\"ON_DEMAND\"]",
    );
    assert_eq!(
        error_for(&text),
        "models.toml: model \"example.demo-lite-v1\", field `source`: is missing"
    );
}

#[test]
fn a_source_that_is_not_a_url() {
    let text = replaced(
        "source = \"https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html\"",
        "source = \"the docs\"",
    );
    assert!(error_for(&text).ends_with("field `source`: \"the docs\" is not an https URL"));
}

#[test]
fn unknown_key_in_a_model() {
    let text = replaced(
        "lifecycle = \"legacy\"",
        "lifecycle = \"legacy\"\ncontext_windw = 3",
    );
    assert_eq!(
        error_for(&text),
        "models.toml: model \"example.demo-lite-v1\", field `context_windw`: unknown key"
    );
}

#[test]
fn unknown_key_in_a_field() {
    let text = replaced("max_items = 4,", "max_itmes = 4,");
    assert_eq!(
        error_for(&text),
        "models.toml: family \"demo\", struct DemoRequest, field stop, field `max_itmes`: unknown key"
    );
}

#[test]
fn unknown_key_in_a_family() {
    let text = replaced("kind = \"text\"", "kind = \"text\"\nwraper = \"X\"");
    assert_eq!(
        error_for(&text),
        "models.toml: family \"demo\", field `wraper`: unknown key"
    );
}

#[test]
fn unknown_modality_lifecycle_and_profile() {
    let modality = replaced(
        "input = [\"text\", \"image\"]",
        "input = [\"text\", \"smell\"]",
    );
    assert!(
        error_for(&modality)
            .contains("model \"example.demo-v1:0\", field `input`: unknown value \"smell\"")
    );
    let lifecycle = replaced("lifecycle = \"legacy\"", "lifecycle = \"retired\"");
    assert!(error_for(&lifecycle).contains("field `lifecycle`: unknown value \"retired\""));
    let profile = replaced("profiles = [\"us\", \"us-gov\"]", "profiles = [\"mars\"]");
    assert!(error_for(&profile).contains("field `profiles`: unknown value \"mars\""));
}

#[test]
fn kind_specific_fields_are_required() {
    let text = replaced(
        "context_window = 4000\nmax_output_tokens = 1000\n",
        "context_window = 4000\n",
    );
    assert_eq!(
        error_for(&text),
        "models.toml: model \"example.demo-lite-v1\", field `max_output_tokens`: is required for a text model"
    );
}

#[test]
fn vision_must_agree_with_image_input() {
    let text = replaced("vision = true", "vision = false");
    assert!(error_for(&text).contains("field `vision`: must be true exactly when"));
}

#[test]
fn a_constraint_on_the_wrong_type() {
    let text = replaced(
        "type = \"[string]\", max_items = 4",
        "type = \"string\", max_items = 4",
    );
    assert!(
        error_for(&text)
            .ends_with("field stop, field `max_items`: does not apply to a field of this type")
    );
}

#[test]
fn a_conversation_field_outside_the_request_struct() {
    let text = replaced(
        "{ name = \"output\", wire = \"output\", type = \"string\", required = true,",
        "{ name = \"output\", wire = \"output\", type = \"string\", required = true, conversation = true,",
    );
    assert!(error_for(&text).ends_with(
        "struct DemoResponse, field output, field `conversation`: applies to fields of a text \
         family's request struct only"
    ));
}

#[test]
fn a_conversation_field_that_a_typed_parameter_writes() {
    let text = replaced(
        "[family.demo.structs.DemoRequest]",
        "[family.demo.params]\ntemperature = \"temperature\"\n\n[family.demo.structs.DemoRequest]",
    )
    .replacen(
        "type = \"f64\", min = 0.0, max = 1.0, default = 0.5,",
        "type = \"f64\", min = 0.0, max = 1.0, default = 0.5, conversation = true,",
        1,
    );
    assert!(
        error_for(&text).ends_with(
            "field temperature, field `conversation`: the typed parameter \"temperature\" writes this field"
        ),
        "{}",
        error_for(&text)
    );
}

#[test]
fn a_root_struct_that_does_not_exist() {
    let text = replaced("response = \"DemoResponse\"", "response = \"DemoAnswer\"");
    assert_eq!(
        error_for(&text),
        "models.toml: family \"demo\", field `response`: no struct \"DemoAnswer\" in this family's structs"
    );
}

#[test]
fn a_wrongly_typed_value() {
    let text = replaced("streaming = false", "streaming = \"no\"");
    assert!(
        error_for(&text)
            .contains("model \"example.demo-lite-v1\", field `streaming`: expected a boolean")
    );
}

#[test]
fn invalid_toml_is_reported_with_its_position() {
    let e = error_for("[family.demo\n");
    assert!(
        e.starts_with("models.toml: the file: TOML parse error at line 1"),
        "{e}"
    );
}

#[test]
fn image_limits_on_a_model_without_vision() {
    let text = replaced(
        "lifecycle = \"legacy\"",
        "lifecycle = \"legacy\"\nmax_images = 3",
    );
    assert_eq!(
        error_for(&text),
        "models.toml: model \"example.demo-lite-v1\", field `max_images`: image limits apply to vision models only"
    );
    let format = replaced("vision = true", "vision = true\nimage_formats = [\"bmp\"]");
    assert!(error_for(&format).contains("field `image_formats`: unknown value \"bmp\""));
}

#[test]
fn unknown_inference_type() {
    let text = replaced(
        "inference_types = [\"ON_DEMAND\"]",
        "inference_types = [\"ONDEMAND\"]",
    );
    assert_eq!(
        error_for(&text),
        "models.toml: model \"example.demo-v1:0\", field `inference_types`: unknown value \"ONDEMAND\"; expected one of ON_DEMAND, INFERENCE_PROFILE, PROVISIONED"
    );
}

#[test]
fn profile_only_model_without_profiles() {
    let text = FIXTURE.replacen(
        "profiles = []\ninference_types = [\"ON_DEMAND\"]",
        "profiles = []\ninference_types = [\"INFERENCE_PROFILE\"]",
        1,
    );
    assert_ne!(text, FIXTURE, "fixture lacks a model without profiles");
    assert_eq!(
        error_for(&text),
        "models.toml: model \"example.demo-lite-v1\", field `inference_types`: INFERENCE_PROFILE needs the model's profiles in `profiles`"
    );
}

#[test]
fn an_id_prefix_without_its_provider_dot() {
    let text = replaced(
        "kind = \"text\"",
        "kind = \"text\"\nid_prefixes = [\"example.demo-lite\"]",
    );
    // The prefix names `demo`, the family of both models: accepted.
    assert!(generate_from_str(&text).is_ok());
    let other = text.replacen(
        "id_prefixes = [\"example.demo-lite\"]",
        "id_prefixes = [\"exampledemo\"]",
        1,
    );
    assert_eq!(
        error_for(&other),
        "models.toml: family \"demo\", field `id_prefixes`: \"exampledemo\" must include the provider and its dot"
    );
}
