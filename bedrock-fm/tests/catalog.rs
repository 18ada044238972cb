//! The generated catalog: every model round-trips through `FromStr`/`Display`, profile IDs
//! and ARNs resolve to their base model, and every family is populated.

use bedrock_fm::catalog::{ALL_MODELS, Family, FamilyKind, Model, ProfilePrefix};

#[test]
fn the_catalog_has_every_family_and_at_least_100_models() {
    assert!(ALL_MODELS.len() >= 100, "only {} models", ALL_MODELS.len());
    for family in Family::ALL {
        let count = ALL_MODELS.iter().filter(|m| m.family == *family).count();
        assert!(count > 0, "family {} has no model", family.id());
    }
}

#[test]
fn every_model_round_trips_through_from_str_and_display() {
    for (i, info) in ALL_MODELS.iter().enumerate() {
        assert_eq!(info.model as usize, i, "ALL_MODELS is indexed by Model");
        assert_eq!(info.model.info().id, info.id);
        let parsed: Model = info.id.parse().unwrap();
        assert_eq!(parsed, info.model);
        assert_eq!(parsed.to_string(), info.id);
    }
    assert_eq!(Model::ALL.len(), ALL_MODELS.len());
}

#[test]
fn every_profile_prefixed_id_resolves_to_its_base_model() {
    let mut checked = 0;
    for info in &ALL_MODELS {
        for prefix in info.profiles {
            let resolved = Model::resolve(&info.profile_id(*prefix)).unwrap();
            assert_eq!(resolved.model, info.model);
            assert_eq!(resolved.profile, Some(*prefix));
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} profile IDs in the catalog");
}

#[test]
fn us_gov_is_not_mistaken_for_us() {
    let info = ALL_MODELS.iter().find(|m| !m.profiles.is_empty()).unwrap();
    let id = format!("us-gov.{}", info.id);
    assert_eq!(
        Model::resolve(&id).unwrap().profile,
        Some(ProfilePrefix::UsGov)
    );
}

#[test]
fn foundation_model_and_inference_profile_arns_resolve() {
    let info = &ALL_MODELS[0];
    let arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{}", info.id);
    assert_eq!(Model::resolve(&arn).unwrap().model, info.model);
    let profiled = ALL_MODELS
        .iter()
        .find(|m| m.profiles.contains(&ProfilePrefix::Us));
    let profiled = profiled.expect("some model has a us. profile");
    let arn = format!(
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.{}",
        profiled.id
    );
    let resolved = Model::resolve(&arn).unwrap();
    assert_eq!(
        (resolved.model, resolved.profile),
        (profiled.model, Some(ProfilePrefix::Us))
    );
}

#[test]
fn unknown_ids_and_other_arns_are_errors_that_quote_the_id() {
    for id in [
        "amazon.titan-text-express-v9",
        "xx.amazon.titan-text-express-v1",
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc",
        "",
    ] {
        let err = Model::resolve(id).unwrap_err();
        assert_eq!(err.id(), id);
        assert!(err.to_string().contains(&format!("{id:?}")));
    }
    assert!(
        "us.amazon.titan-text-express-v1".parse::<Model>().is_err(),
        "FromStr is exact"
    );
}

#[test]
fn kind_specific_capabilities_are_present() {
    for info in &ALL_MODELS {
        match info.family.kind() {
            FamilyKind::Text => {
                assert!(info.max_output_tokens.is_some() && info.context_window.is_some())
            }
            FamilyKind::Embedding => assert!(!info.embedding_dimensions.is_empty()),
            FamilyKind::Image => assert!(!info.image_sizes.is_empty()),
            _ => unreachable!("no other kind in the catalog"),
        }
        assert!(
            info.source.starts_with("https://"),
            "{} has no source",
            info.id
        );
    }
}

#[test]
fn family_specs_describe_their_roots() {
    for family in Family::ALL {
        assert!(!family.request_spec().fields.is_empty(), "{}", family.id());
        assert!(family.source().starts_with("https://docs.aws.amazon.com/"));
        if let Some(chunk) = family.stream_chunk_spec() {
            assert!(!chunk.fields.is_empty());
        }
    }
    assert_eq!(Family::TitanText.wrapper(), "Titan");
    assert_eq!(Family::ClaudeMessages.wrapper(), "Claude3");
    assert_eq!(Family::Llama2Chat.wrapper(), "Llama2Chat");
}
