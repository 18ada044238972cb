//! Models and application inference profiles a user registers on the server, and how the
//! server resolves the model ID of a runtime request.
//!
//! A *registered model* ([`crate::Config::register_model`], `--model ID=FAMILY`) is an ID the
//! catalog does not know, served with a family's InvokeModel codec and over Converse. A text
//! family's registered model is a text chat model with tool use and streaming that takes text
//! only (`caps_for_family`); [`crate::Config::register_model_caps`] registers any
//! [`ModelCaps`]. An embedding or image family's registered model takes the capabilities of the
//! family's `representative` catalog model, with its own ID.
//!
//! An *application inference profile* ([`crate::Config::application_profile`],
//! `--application-profile ID=MODEL_ID`) is invokable by its ARN,
//! `arn:aws:bedrock:{region}:{account}:application-inference-profile/{ID}` (any region and
//! account), and resolves to `MODEL_ID`: a catalog model ID, a system-defined profile ID or a
//! registered model.
//!
//! Resolution order: application-profile ARN, registered model (its ID or its
//! `foundation-model/` ARN), then the backend ([`crate::ModelBackend::resolve`]).

use bedrock_fm::catalog::{ALL_MODELS, Family, FamilyKind, InferenceType, Lifecycle, ModelInfo};

use crate::catalog_backend::caps_of;
use crate::errors::ServiceError;
use crate::models::{ModelBackend, ModelCaps};

/// An application inference profile: its ID (the last part of its ARN) and the model it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplicationProfile {
    /// The profile ID (`[a-zA-Z0-9-:.]+`, the service model's `InferenceProfileId`).
    pub id: String,
    /// The model ID the profile resolves to.
    pub model_id: String,
}

impl ApplicationProfile {
    /// A profile `id` running `model_id`.
    pub fn new(id: impl Into<String>, model_id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            model_id: model_id.into(),
        }
    }

    /// The profile's ARN in `region` and `account`.
    pub fn arn(&self, region: &str, account: &str) -> String {
        format!(
            "arn:aws:bedrock:{region}:{account}:application-inference-profile/{}",
            self.id
        )
    }
}

/// The family whose `id()` is `id` (`"claude_messages"`).
pub fn family_by_id(id: &str) -> Option<Family> {
    Family::ALL.iter().copied().find(|f| f.id() == id)
}

/// The catalog model whose capabilities a registered model of `family` borrows: the family's
/// last listed (newest) active on-demand model, else its last on-demand model, else its last.
pub(crate) fn representative(family: Family) -> Option<&'static ModelInfo> {
    let of_family = || ALL_MODELS.iter().filter(move |m| m.family == family);
    let on_demand = |m: &&ModelInfo| m.inference_types.contains(&InferenceType::OnDemand);
    of_family()
        .rfind(|m| on_demand(m) && m.lifecycle == Lifecycle::Active)
        .or_else(|| of_family().rfind(on_demand))
        .or_else(|| of_family().next_back())
}

/// The capabilities of a model registered as `model_id` of `family`: for a text family, a text
/// chat model with streaming, Converse and tool use, text-only input, no reasoning, 200k
/// context and 4096 output tokens; for an embedding or image family, the family's
/// `representative` with this ID.
pub(crate) fn caps_for_family(model_id: &str, family: Family) -> ModelCaps {
    match (family.kind(), representative(family)) {
        (FamilyKind::Text, _) | (_, None) => {
            let mut caps = ModelCaps::text_chat(model_id, family.id());
            caps.vision = false;
            caps.input_modalities = vec!["text".into()];
            caps.reasoning = None;
            caps
        }
        (_, Some(info)) => {
            let mut caps = caps_of(info.model);
            caps.model_id = model_id.to_owned();
            caps
        }
    }
}

/// The resource of an ARN `arn:PARTITION:bedrock:REGION:ACCOUNT:KIND/ID`: `(KIND, ID)`.
pub(crate) fn arn_resource(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    if parts.next() != Some("arn") {
        return None;
    }
    let _partition = parts.next()?;
    if parts.next() != Some("bedrock") {
        return None;
    }
    let resource = parts.nth(2)?;
    resource.split_once('/')
}

/// Resolves the model ID of a runtime request against the registered models and application
/// profiles, then the backend.
pub(crate) fn resolve(
    model_id: &str,
    registered: &[ModelCaps],
    profiles: &[ApplicationProfile],
    backend: &dyn ModelBackend,
) -> Result<ModelCaps, ServiceError> {
    if let Some(("application-inference-profile", id)) = arn_resource(model_id) {
        let profile = profiles
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(ServiceError::invalid_model_identifier)?;
        // The profile is the route: its model is not checked for on-demand throughput, and a
        // profile naming another application profile does not recurse.
        let target = profile.model_id.as_str();
        if let Some(caps) = registered_model(target, registered) {
            return Ok(caps);
        }
        return backend
            .lookup(target)
            .ok_or_else(ServiceError::invalid_model_identifier);
    }
    if let Some(caps) = registered_model(model_id, registered) {
        return Ok(caps);
    }
    backend.resolve(model_id)
}

fn registered_model(model_id: &str, registered: &[ModelCaps]) -> Option<ModelCaps> {
    let bare = match arn_resource(model_id) {
        Some(("foundation-model", id)) => id,
        Some(_) => return None,
        None => model_id,
    };
    registered.iter().find(|c| c.model_id == bare).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CatalogBackend;

    #[test]
    fn families_by_id_round_trip() {
        for f in Family::ALL {
            assert_eq!(family_by_id(f.id()), Some(*f));
        }
        assert_eq!(family_by_id("nope"), None);
    }

    #[test]
    fn registered_text_models_are_text_only_chat_models() {
        let caps = caps_for_family("acme.chat-v1", Family::ClaudeMessages);
        assert_eq!(caps.model_id, "acme.chat-v1");
        assert_eq!(caps.family, "claude_messages");
        assert!(caps.streaming && caps.converse && caps.tool_use && !caps.vision);
        assert_eq!(caps.input_modalities, vec!["text".to_owned()]);
        let embed = caps_for_family("acme.embed-v1", Family::TitanEmbedText);
        assert!(!embed.embedding_dimensions.is_empty());
        assert_eq!(embed.model_id, "acme.embed-v1");
        assert!(!embed.converse);
    }

    #[test]
    fn arns_split_into_kind_and_id() {
        assert_eq!(
            arn_resource("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x1"),
            Some(("application-inference-profile", "x1"))
        );
        assert_eq!(
            arn_resource("arn:aws:bedrock:us-east-1::foundation-model/a.b-v1:0"),
            Some(("foundation-model", "a.b-v1:0"))
        );
        assert_eq!(arn_resource("arn:aws:s3:::bucket/key"), None);
        assert_eq!(arn_resource("a.b-v1:0"), None);
        assert_eq!(arn_resource("arn:"), None);
    }

    #[test]
    fn resolution_order_profiles_registered_backend() {
        let backend = CatalogBackend::new();
        let registered = vec![caps_for_family("acme.chat-v1", Family::Nova)];
        let profiles = vec![
            ApplicationProfile::new("p1", "acme.chat-v1"),
            ApplicationProfile::new("p2", "anthropic.claude-3-7-sonnet-20250219-v1:0"),
        ];
        let r = |id: &str| resolve(id, &registered, &profiles, &backend);
        assert_eq!(r("acme.chat-v1").unwrap().family, "nova");
        assert_eq!(
            r("arn:aws:bedrock:us-west-2::foundation-model/acme.chat-v1")
                .unwrap()
                .model_id,
            "acme.chat-v1"
        );
        let arn = ApplicationProfile::new("p1", "").arn("eu-west-1", "111122223333");
        assert_eq!(r(&arn).unwrap().model_id, "acme.chat-v1");
        let arn = profiles[1].arn("us-east-1", "123456789012");
        assert_eq!(
            r(&arn).unwrap().model_id,
            "anthropic.claude-3-7-sonnet-20250219-v1:0"
        );
        let unknown = ApplicationProfile::new("p9", "").arn("us-east-1", "123456789012");
        assert!(r(&unknown).is_err());
        assert!(r("acme.other-v1").is_err());
        assert!(r("anthropic.claude-3-haiku-20240307-v1:0").is_ok());
    }
}
