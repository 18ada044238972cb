//! Tests of `model_id`.

use super::*;

fn form(id: &str) -> IdForm {
    parse_model_id(id).unwrap().form
}

fn refused(id: &str) -> String {
    parse_model_id(id).unwrap_err().to_string()
}

#[test]
fn well_formed_ids_and_arns_of_every_resource_type_parse() {
    assert_eq!(form("deepseek.r1-v1:0"), IdForm::Bare);
    assert_eq!(
        form("us.deepseek.r1-v1:0"),
        IdForm::Profile(ProfilePrefix::Us)
    );
    assert_eq!(
        form("us-gov.anthropic.claude-3-haiku-20240307-v1:0"),
        IdForm::Profile(ProfilePrefix::UsGov)
    );
    let arns = [
        (
            "arn:aws:bedrock:us-east-1::foundation-model/openai.gpt-oss-120b-1:0",
            ArnResource::FoundationModel,
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.writer.palmyra-x5-v1:0",
            ArnResource::InferenceProfile,
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
            ArnResource::ApplicationInferenceProfile,
        ),
        (
            "arn:aws:bedrock:us-west-2:123456789012:provisioned-model/abcdef123456",
            ArnResource::ProvisionedModel,
        ),
        (
            "arn:aws:bedrock:us-west-2:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abcdef123456",
            ArnResource::CustomModel,
        ),
        (
            "arn:aws:bedrock:us-west-2:123456789012:imported-model/abcdef123456",
            ArnResource::ImportedModel,
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:prompt/PROMPT12345:1",
            ArnResource::Prompt,
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1",
            ArnResource::PromptRouter,
        ),
        (
            "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:provisioned-model/abcdef123456",
            ArnResource::ProvisionedModel,
        ),
        (
            "arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-endpoint",
            ArnResource::SagemakerEndpoint,
        ),
    ];
    for (arn, resource) in arns {
        assert_eq!(form(arn), IdForm::Arn(resource), "{arn}");
    }
}

#[test]
fn malformed_ids_say_what_is_wrong() {
    assert_eq!(refused(""), "InvalidInput: model: the model ID is empty");
    assert!(refused("anthropic.claude v2").contains("whitespace"));
    assert!(refused("models/anthropic.claude-v2").contains("'/' belongs only in an ARN"));
    assert!(refused(&"a".repeat(2000)).contains("2000 characters"));
    assert!(refused(&"a".repeat(2049)).contains("above the service's 2048"));
    assert!(refused("arn:azure:bedrock:us-east-1::foundation-model/x.y").contains("partition"));
    assert!(refused("arn:aws:s3:us-east-1::foundation-model/x.y").contains("bedrock service"));
    assert!(
        refused("arn:aws:bedrock:us-east-1:123456789012:guardrail/abc").contains("resource type")
    );
    assert!(
        refused("arn:aws:bedrock:us-east-1:123:provisioned-model/abc").contains("12-digit account")
    );
    assert!(
        refused("arn:aws:bedrock:us-east-1:123456789012:foundation-model/x.y")
            .contains("no account")
    );
    assert!(refused("arn:aws:bedrock:us-east-1::foundation-model").contains("TYPE/ID"));
    // The article follows the resource type: "an inference-profile ID", "a custom-model ID".
    let profile = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.bad!id";
    assert!(
        refused(profile).ends_with("\"us.bad!id\" is not an inference-profile ID"),
        "{}",
        refused(profile)
    );
    let custom = "arn:aws:bedrock:us-east-1:123456789012:custom-model/bad!id";
    assert!(
        refused(custom).ends_with("is not a custom-model ID"),
        "{}",
        refused(custom)
    );
}

#[test]
fn an_unknown_id_takes_its_family_from_the_wrapper_the_user_or_the_prefix() {
    let r = |id, expected, explicit| resolve(id, expected, explicit, Routing::default()).unwrap();
    let t = r("anthropic.claude-opus-4-7-v1:0", None, None);
    assert_eq!((t.model, t.family), (None, Some(Family::ClaudeMessages)));
    assert_eq!(t.send, "anthropic.claude-opus-4-7-v1:0");
    assert_eq!(
        r("us.meta.llama4-behemoth-17b-instruct-v1:0", None, None).family,
        Some(Family::Llama3)
    );
    assert_eq!(r("openai.gpt-oss-120b-1:0", None, None).family, None);
    assert_eq!(
        r("openai.gpt-oss-120b-1:0", None, Some(Family::Llama3)).family,
        Some(Family::Llama3)
    );
    assert_eq!(
        r("qwen.qwen3-32b-v1:0", Some(Family::Nova), None).family,
        Some(Family::Nova)
    );
}

#[test]
fn a_profile_only_model_by_its_bare_id_names_the_profiles_of_the_region() {
    let id = Model::AnthropicClaude3_7Sonnet20250219V1_0.id();
    let routing = Routing {
        region: Some("eu-west-1"),
        cross_region: CrossRegion::Off,
    };
    let e = resolve(id, None, None, routing).unwrap_err().to_string();
    assert!(e.contains("offered only through inference profiles"), "{e}");
    assert!(e.contains(&format!("from eu-west-1 use eu.{id}")), "{e}");
    let geo = Routing {
        region: Some("eu-west-1"),
        cross_region: CrossRegion::Geography,
    };
    assert_eq!(
        resolve(id, None, None, geo).unwrap().send,
        format!("eu.{id}")
    );
    // A profile ID is sent as given.
    let profile = format!("us.{id}");
    assert_eq!(
        resolve(&profile, None, None, routing).unwrap().send,
        profile
    );
}

#[test]
fn global_is_chosen_only_when_asked_and_offered() {
    let id = Model::AnthropicClaudeSonnet4_5_20250929V1_0.id();
    let global = Routing {
        region: Some("us-west-2"),
        cross_region: CrossRegion::Global,
    };
    assert_eq!(
        resolve(id, None, None, global).unwrap().send,
        format!("global.{id}")
    );
    let geo = Routing {
        region: Some("us-west-2"),
        cross_region: CrossRegion::Geography,
    };
    assert_eq!(
        resolve(id, None, None, geo).unwrap().send,
        format!("us.{id}")
    );
}

#[test]
fn a_provisioned_only_model_points_to_its_provisioned_arn() {
    let e = resolve(
        "amazon.titan-text-express-v1:0:8k",
        None,
        None,
        Routing::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("Provisioned Throughput"), "{e}");
}
