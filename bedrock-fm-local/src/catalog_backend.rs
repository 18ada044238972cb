//! The default model backend: every model of the bedrock-fm catalog (`bedrock_fm::catalog`,
//! generated from `models.toml`), with its capabilities, and the family codecs of
//! `crate::families` for InvokeModel.
//!
//! Model IDs resolve as Bedrock resolves them: canonical IDs, cross-region inference-profile
//! IDs (`us.`, `eu.`, `apac.`, `global.`, ...; only the profiles the catalog lists for the
//! model), and `foundation-model/` or `inference-profile/` ARNs. Anything else is "The provided
//! model identifier is invalid."
//!
//! A model that AWS does not offer on demand (its catalog `inference_types` lacks
//! `OnDemand`), called by its bare ID or its `foundation-model/` ARN, is refused as Bedrock
//! refuses it ([`ModelBackend::resolve`]): a profile-only model with
//! `profile_only_message`, a provisioned-only model with `PROVISIONED_ONLY`.

use std::collections::HashMap;
use std::sync::Arc;

use bedrock_fm::catalog::{InferenceType, Modality, Model, ReasoningStyle};

use crate::errors::ServiceError;
use crate::models::{
    ChunkStream, ConverseCall, ConverseOutput, FamilyCodec, InvokeCall, InvokeOutput, ModelBackend,
    ModelCaps,
};

/// The message of the `ValidationException` Bedrock answers when a model offered only through
/// inference profiles is called by its bare ID (`model_id` as the request sent it), with its
/// typographic apostrophe, as recorded in anthropic-sdk-python issue #894 (InvokeModel),
/// terricain/aioboto3 issue #352 (InvokeModelWithResponseStream), aws-samples
/// bedrock-multi-agents-collaboration-workshop issue #21 (Converse) and
/// aws-samples/sample-getting-started-with-strands-agents-course issue #1 (ConverseStream).
pub(crate) fn profile_only_message(model_id: &str) -> String {
    format!(
        "Invocation of model ID {model_id} with on-demand throughput isn\u{2019}t supported. \
         Retry your request with the ID or ARN of an inference profile that contains this model."
    )
}

/// The message of the `ValidationException` Bedrock answers when a model offered only with
/// Provisioned Throughput is called by its bare ID, as recorded in mlcommons/modelbench issue
/// #1654 (Converse on `amazon.nova-2-lite-v1:0:256k`) and konveyor/kai issue #411
/// (InvokeModel).
pub(crate) const PROVISIONED_ONLY: &str =
    "The provided model doesn't support on-demand throughput.";

/// The catalog-driven backend.
#[derive(Clone)]
pub struct CatalogBackend {
    families: HashMap<&'static str, Arc<dyn FamilyCodec>>,
}

impl std::fmt::Debug for CatalogBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut families: Vec<&&str> = self.families.keys().collect();
        families.sort();
        f.debug_struct("CatalogBackend")
            .field("families", &families)
            .finish()
    }
}

impl Default for CatalogBackend {
    fn default() -> Self {
        Self::new()
    }
}

fn modality_name(m: Modality) -> &'static str {
    match m {
        Modality::Text => "text",
        Modality::Image => "image",
        Modality::Document => "document",
        Modality::Video => "video",
        Modality::Audio => "audio",
        Modality::Speech => "speech",
        Modality::Embedding => "embedding",
        _ => "other",
    }
}

/// The capabilities of a catalog model.
pub(crate) fn caps_of(model: Model) -> ModelCaps {
    let info = model.info();
    ModelCaps {
        model_id: info.id.to_owned(),
        family: info.family.id().to_owned(),
        streaming: info.streaming,
        converse: info.converse,
        tool_use: info.tool_use,
        vision: info.vision,
        context_window: info.context_window,
        max_output_tokens: info.max_output_tokens,
        default_max_tokens: info.default_max_tokens,
        embedding_dimensions: info.embedding_dimensions.to_vec(),
        input_modalities: info
            .input_modalities
            .iter()
            .map(|m| modality_name(*m).to_owned())
            .collect(),
        output_modalities: info
            .output_modalities
            .iter()
            .map(|m| modality_name(*m).to_owned())
            .collect(),
        reasoning: info.reasoning.map(|r| {
            match r {
                ReasoningStyle::Budget => "budget",
                ReasoningStyle::Effort => "effort",
                _ => "other",
            }
            .to_owned()
        }),
    }
}

impl CatalogBackend {
    /// The catalog with every family codec of `crate::families::all`.
    pub fn new() -> Self {
        let mut b = Self {
            families: HashMap::new(),
        };
        for codec in crate::families::all() {
            b.families.insert(codec.family_id(), codec);
        }
        b
    }

    /// Adds (or replaces) the codec of one family.
    pub fn with_family(mut self, codec: impl FamilyCodec) -> Self {
        self.families.insert(codec.family_id(), Arc::new(codec));
        self
    }

    fn codec(&self, family: &str) -> Result<&Arc<dyn FamilyCodec>, ServiceError> {
        self.families.get(family).ok_or_else(|| {
            ServiceError::validation(format!(
                "bedrock-fm-local does not implement InvokeModel for the {family} family yet; \
                 use Converse for this model."
            ))
        })
    }
}

impl ModelBackend for CatalogBackend {
    fn lookup(&self, model_id: &str) -> Option<ModelCaps> {
        let resolved = Model::resolve(model_id).ok()?;
        let info = resolved.model.info();
        if let Some(profile) = resolved.profile
            && !info.profiles.contains(&profile)
        {
            return None;
        }
        Some(caps_of(resolved.model))
    }

    fn resolve(&self, model_id: &str) -> Result<ModelCaps, ServiceError> {
        let caps = self
            .lookup(model_id)
            .ok_or_else(ServiceError::invalid_model_identifier)?;
        let resolved =
            Model::resolve(model_id).map_err(|_| ServiceError::invalid_model_identifier())?;
        let via_profile_arn = matches!(
            crate::registry::arn_resource(model_id),
            Some(("inference-profile", _))
        );
        if resolved.profile.is_some() {
            return Ok(caps);
        }
        if via_profile_arn {
            // `inference-profile/` followed by a bare model ID names no profile.
            return Err(ServiceError::invalid_model_identifier());
        }
        let types = resolved.model.info().inference_types;
        if types.contains(&InferenceType::OnDemand) {
            Ok(caps)
        } else if types.contains(&InferenceType::InferenceProfile) {
            Err(ServiceError::validation(profile_only_message(model_id)))
        } else {
            Err(ServiceError::validation(PROVISIONED_ONLY))
        }
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        self.codec(&call.model.family)?.invoke(call)
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        self.codec(&call.model.family)?.invoke_stream(call)
    }

    fn converse(&self, call: &ConverseCall<'_>) -> Result<ConverseOutput, ServiceError> {
        if let Some(codec) = self.families.get(call.model.family.as_str())
            && let Some(result) = codec.converse(call)
        {
            return result;
        }
        crate::converse::generate(call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bedrock_fm::catalog::ALL_MODELS;

    #[test]
    fn every_catalog_model_resolves_with_its_capabilities() {
        let b = CatalogBackend::new();
        for info in ALL_MODELS.iter() {
            let caps = b
                .lookup(info.id)
                .unwrap_or_else(|| panic!("{} does not resolve", info.id));
            assert_eq!(caps.model_id, info.id);
            assert_eq!(caps.family, info.family.id());
            assert_eq!(caps.converse, info.converse);
            for prefix in info.profiles {
                let profile_id = info.profile_id(*prefix);
                assert_eq!(
                    b.lookup(&profile_id).map(|c| c.model_id),
                    Some(info.id.to_owned())
                );
                let arn = format!(
                    "arn:aws:bedrock:us-east-1:123456789012:inference-profile/{profile_id}"
                );
                assert!(b.lookup(&arn).is_some(), "{arn}");
            }
            let arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{}", info.id);
            assert!(b.lookup(&arn).is_some(), "{arn}");
        }
    }

    #[test]
    fn bare_ids_resolve_only_for_on_demand_models() {
        let b = CatalogBackend::new();
        for info in ALL_MODELS.iter() {
            let on_demand = info.inference_types.contains(&InferenceType::OnDemand);
            let arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{}", info.id);
            for id in [info.id, arn.as_str()] {
                match b.resolve(id) {
                    Ok(caps) => assert!(on_demand, "{id}: {caps:?}"),
                    Err(e) => {
                        assert!(!on_demand, "{id}: {e:?}");
                        assert_eq!(e.error_type, "ValidationException");
                        let expected = if info
                            .inference_types
                            .contains(&InferenceType::InferenceProfile)
                        {
                            profile_only_message(id)
                        } else {
                            PROVISIONED_ONLY.to_owned()
                        };
                        assert_eq!(e.message.as_deref(), Some(expected.as_str()));
                    }
                }
            }
            for prefix in info.profiles {
                assert!(b.resolve(&info.profile_id(*prefix)).is_ok());
            }
        }
        let e = b
            .resolve(
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/amazon.nova-pro-v1:0",
            )
            .unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some(crate::errors::INVALID_MODEL_IDENTIFIER)
        );
        assert_eq!(
            profile_only_message("x"),
            "Invocation of model ID x with on-demand throughput isn’t supported. Retry your \
             request with the ID or ARN of an inference profile that contains this model."
        );
    }

    #[test]
    fn unknown_ids_do_not_resolve() {
        let b = CatalogBackend::new();
        assert!(b.lookup("not.a-model-v1:0").is_none());
        assert!(b.lookup("").is_none());
        assert!(
            b.lookup("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc")
                .is_none()
        );
    }
}
