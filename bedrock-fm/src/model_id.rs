//! Model IDs as Bedrock takes them, and how an ID finds its catalog entry, its family and the
//! ID actually sent.
//!
//! The catalog informs and never forbids: an ID it does not know is sent as given, with the
//! family of the wrapper, an explicit family, or the family its provider prefix names
//! (`models.toml`'s `id_prefixes`). What the catalog knows is applied: a model AWS offers only
//! through inference profiles fails before the network when called by its bare ID, naming
//! the profile IDs of the client's region, unless the client opts in to [`CrossRegion`].

use crate::catalog::{Family, ID_PREFIXES, InferenceType, Model, ProfilePrefix};
use crate::error::{Error, Result};
use std::fmt;

/// A model ID as given: a catalog [`Model`], a canonical or inference-profile ID
/// (`us.anthropic...`), an ID the catalog does not know, or an ARN (foundation model,
/// inference profile, application inference profile, provisioned, custom or imported model,
/// prompt, prompt router). Checked when the wrapper is built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelId(String);

impl ModelId {
    /// The ID as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&String> for ModelId {
    fn from(id: &String) -> Self {
        Self(id.clone())
    }
}

impl From<Model> for ModelId {
    fn from(model: Model) -> Self {
        Self(model.id().to_owned())
    }
}

impl From<&str> for ModelId {
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

impl From<String> for ModelId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

/// A model the builder of `W` (a text family's marker such as [`TitanFamily`](crate::TitanFamily),
/// or an embedding or image wrapper) takes: any ID (a string, a [`ModelId`], a catalog
/// [`Model`]), checked against the family when the wrapper is built, or the family's own
/// model enum (such as [`TitanModel`](crate::catalog::TitanModel)), which the compiler checks:
/// another family's model enum does not compile.
///
/// ```compile_fail,E0277
/// # fn run(client: &bedrock_fm::Client) {
/// use bedrock_fm::Titan;
/// use bedrock_fm::catalog::Claude3Model;
/// // A Claude model given to the Titan builder: rejected by the compiler.
/// let _ = Titan::builder(client, Claude3Model::AnthropicClaude3Haiku20240307V1_0);
/// # }
/// ```
///
/// ```
/// # fn run(client: &bedrock_fm::Client) {
/// use bedrock_fm::Titan;
/// use bedrock_fm::catalog::TitanModel;
/// let _ = Titan::builder(client, TitanModel::AmazonTitanTextExpressV1);
/// // Any ID still works, checked at `build()`: the catalog informs, it never forbids.
/// let _ = Titan::builder(client, "amazon.titan-text-lite-v2:0");
/// # }
/// ```
pub trait ModelFor<W> {
    /// The model ID.
    fn into_model_id(self) -> ModelId;
}

impl<W, T: Into<ModelId>> ModelFor<W> for T {
    fn into_model_id(self) -> ModelId {
        self.into()
    }
}

/// Whether a bare model ID may be sent to another region's capacity through a cross-region
/// inference profile. Nothing crosses regions unless the client opts in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CrossRegion {
    /// IDs are sent as given (default); a profile-only model called by its bare ID fails
    /// before the network, naming the profile IDs to use.
    #[default]
    Off,
    /// A profile-only model called by its bare ID goes through the profile of the client's
    /// geography (`us.` from `us-east-1`, `eu.` from `eu-west-1`, `jp.` or `apac.` from
    /// `ap-northeast-1`, ...).
    Geography,
    /// Like [`CrossRegion::Geography`], but the `global.` profile first where the model has
    /// one.
    Global,
}

/// The resource type of a Bedrock ARN, as `InvokeModelIdentifier` in the Bedrock Runtime
/// service model lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArnResource {
    /// `foundation-model/ID` (no account).
    FoundationModel,
    /// `inference-profile/ID`: a system-defined cross-region profile.
    InferenceProfile,
    /// `application-inference-profile/ID`: a profile created in an account.
    ApplicationInferenceProfile,
    /// `provisioned-model/ID`.
    ProvisionedModel,
    /// `custom-model/...`.
    CustomModel,
    /// `custom-model-deployment/ID`.
    CustomModelDeployment,
    /// `imported-model/ID`.
    ImportedModel,
    /// `prompt/ID[:VERSION]` (Prompt management).
    Prompt,
    /// `prompt-router/ID` or `default-prompt-router/ID`.
    PromptRouter,
    /// A SageMaker `endpoint/NAME` (Bedrock Marketplace).
    SagemakerEndpoint,
}

impl ArnResource {
    fn parse(kind: &str) -> Option<Self> {
        Some(match kind {
            "foundation-model" => Self::FoundationModel,
            "inference-profile" => Self::InferenceProfile,
            "application-inference-profile" => Self::ApplicationInferenceProfile,
            "provisioned-model" => Self::ProvisionedModel,
            "custom-model" => Self::CustomModel,
            "custom-model-deployment" => Self::CustomModelDeployment,
            "imported-model" => Self::ImportedModel,
            "prompt" => Self::Prompt,
            "prompt-router" | "default-prompt-router" => Self::PromptRouter,
            _ => return None,
        })
    }
}

/// What kind of identifier a model ID is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdForm {
    /// A bare model ID (`anthropic.claude-3-haiku-20240307-v1:0`).
    Bare,
    /// A cross-region inference-profile ID (`us.anthropic...`).
    Profile(ProfilePrefix),
    /// An ARN.
    Arn(ArnResource),
}

/// A syntactically valid model ID: its form and the foundation-model ID it names, if it
/// names one (a bare ID, a profile ID without its prefix, or the ID inside a
/// `foundation-model/` or `inference-profile/` ARN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedModelId<'a> {
    /// The form.
    pub form: IdForm,
    /// The foundation-model ID it names, if any.
    pub base: Option<&'a str>,
}

/// `InvokeModelIdentifier` and `ConversationalModelId` are 1 to 2,048 characters
/// (bedrock-runtime service model).
const MAX_ID: usize = 2048;
/// `BedrockModelId`, a foundation-model ID, is at most 140 characters (bedrock service model).
const MAX_BARE_ID: usize = 140;

fn id_chars_ok(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '_'))
}

fn bad(id: &str, why: impl fmt::Display) -> Error {
    let shown: String = id.chars().take(80).collect();
    let more = if id.chars().count() > 80 { "..." } else { "" };
    Error::invalid("model", format!("{shown:?}{more} is not a model ID: {why}"))
}

/// Checks the syntax of a model ID the way the Bedrock Runtime service model's
/// `InvokeModelIdentifier` pattern does: a bare ID of letters, digits, `-`, `:`, `.` and
/// `_`, or an ARN `arn:aws[-PARTITION]:bedrock:REGION:ACCOUNT:TYPE/ID` of one of the resource
/// types it lists (or a SageMaker endpoint ARN).
pub fn parse_model_id(id: &str) -> Result<ParsedModelId<'_>> {
    if id.is_empty() {
        return Err(Error::invalid("model", "the model ID is empty"));
    }
    let length = id.chars().count();
    if length > MAX_ID {
        return Err(bad(
            id,
            format!("{length} characters, above the service's {MAX_ID}"),
        ));
    }
    if id.chars().any(char::is_whitespace) {
        return Err(bad(id, "it contains whitespace"));
    }
    if id.starts_with("arn:") {
        return parse_arn(id);
    }
    if id.contains('/') {
        return Err(bad(id, "a '/' belongs only in an ARN"));
    }
    if length > MAX_BARE_ID {
        return Err(bad(
            id,
            format!("{length} characters, above the {MAX_BARE_ID} of a model ID"),
        ));
    }
    if !id_chars_ok(id) {
        return Err(bad(
            id,
            "only letters, digits, '-', ':', '.' and '_' are allowed",
        ));
    }
    for prefix in ProfilePrefix::ALL {
        if let Some(base) = id
            .strip_prefix(prefix.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
            && base.contains('.')
        {
            return Ok(ParsedModelId {
                form: IdForm::Profile(prefix),
                base: Some(base),
            });
        }
    }
    Ok(ParsedModelId {
        form: IdForm::Bare,
        base: Some(id),
    })
}

fn parse_arn(id: &str) -> Result<ParsedModelId<'_>> {
    let parts: Vec<&str> = id.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts[..] else {
        return Err(bad(id, "an ARN has six ':'-separated parts"));
    };
    let partition_ok = partition == "aws"
        || partition
            .strip_prefix("aws-")
            .is_some_and(|p| !p.is_empty());
    if !partition_ok {
        return Err(bad(
            id,
            format!("unknown partition {partition:?} (aws, aws-us-gov, aws-cn, ...)"),
        ));
    }
    let Some((kind, rest)) = resource.split_once('/') else {
        return Err(bad(id, "the ARN's resource is not TYPE/ID"));
    };
    let region_ok = (1..=20).contains(&region.len())
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !region_ok {
        return Err(bad(id, format!("{region:?} is not a region")));
    }
    let account_ok = |ok_empty: bool| {
        (ok_empty && account.is_empty())
            || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()))
    };
    let resource = match service {
        "bedrock" => ArnResource::parse(kind).ok_or_else(|| {
            bad(
                id,
                format!("{kind:?} is not a Bedrock resource type that runs a model"),
            )
        })?,
        "sagemaker" if kind == "endpoint" => ArnResource::SagemakerEndpoint,
        other => return Err(bad(id, format!("{other:?} is not the bedrock service"))),
    };
    let foundation = resource == ArnResource::FoundationModel;
    if !account_ok(foundation) || (foundation && !account.is_empty()) {
        let why = if foundation {
            "a foundation-model ARN has no account".to_owned()
        } else {
            format!("{account:?} is not a 12-digit account")
        };
        return Err(bad(id, why));
    }
    // Custom models are `custom-model/BASE/SUFFIX`; every other ID has no '/'.
    let segments_ok = match resource {
        ArnResource::CustomModel => rest.split('/').all(id_chars_ok),
        _ => id_chars_ok(rest),
    };
    if !segments_ok {
        let a = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return Err(bad(id, format!("{rest:?} is not {a} {kind} ID")));
    }
    let base = match resource {
        ArnResource::FoundationModel => Some(rest),
        ArnResource::InferenceProfile => Some(
            ProfilePrefix::ALL
                .iter()
                .find_map(|p| rest.strip_prefix(p.as_str())?.strip_prefix('.'))
                .unwrap_or(rest),
        ),
        _ => None,
    };
    Ok(ParsedModelId {
        form: IdForm::Arn(resource),
        base,
    })
}

/// The family whose longest `id_prefixes` entry starts `base`.
pub fn family_by_prefix(base: &str) -> Option<Family> {
    ID_PREFIXES
        .iter()
        .find(|(prefix, _)| base.starts_with(prefix))
        .map(|(_, family)| *family)
}

/// The profile prefixes whose source regions include `region`, most local first, from
/// "Supported Regions and models for inference profiles"
/// (<https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html>).
pub fn region_profiles(region: &str) -> &'static [ProfilePrefix] {
    use ProfilePrefix::*;
    match region {
        r if r.starts_with("us-gov-") => &[UsGov],
        r if r.starts_with("us-") => &[Us],
        r if r.starts_with("ca-") => &[Ca, Us],
        r if r.starts_with("eu-") => &[Eu],
        "ap-northeast-1" | "ap-northeast-3" => &[Jp, Apac],
        "ap-southeast-2" | "ap-southeast-4" => &[Au, Apac],
        r if r.starts_with("ap-") => &[Apac],
        _ => &[],
    }
}

/// A model ID resolved for a call: what to send, and what the catalog knows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The ID sent (the given one, or the profile [`CrossRegion`] chose).
    pub send: String,
    /// The catalog model, when the catalog knows the ID.
    pub model: Option<Model>,
    /// The family: the catalog's, the wrapper's, an explicit one, or the prefix's.
    pub family: Option<Family>,
    /// The form of the given ID.
    pub form: IdForm,
}

/// What a resolution needs of the client.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Routing<'a> {
    /// The client's region, if known.
    pub region: Option<&'a str>,
    /// The client's cross-region policy.
    pub cross_region: CrossRegion,
}

/// Resolves `id` for a wrapper of family `expected` (`None`: any family), with `explicit`
/// the family a user named for an ID the catalog does not know.
pub(crate) fn resolve(
    id: &str,
    expected: Option<Family>,
    explicit: Option<Family>,
    routing: Routing<'_>,
) -> Result<Target> {
    let parsed = parse_model_id(id)?;
    let Ok(resolved) = Model::resolve(id) else {
        let prefix = parsed.base.and_then(family_by_prefix);
        return Ok(Target {
            send: id.to_owned(),
            model: None,
            family: expected.or(explicit).or(prefix),
            form: parsed.form,
        });
    };
    let model = resolved.model;
    let family = model.family();
    if let Some(expected) = expected
        && expected != family
    {
        let msg = format!(
            "{id} belongs to the {} family (wrapper `{}`), not {} (`{}`)",
            family.name(),
            family.wrapper(),
            expected.name(),
            expected.wrapper()
        );
        return Err(Error::invalid("model", msg));
    }
    let on_demand_form = matches!(
        parsed.form,
        IdForm::Bare | IdForm::Arn(ArnResource::FoundationModel)
    );
    let info = model.info();
    let send = if on_demand_form && !info.inference_types.contains(&InferenceType::OnDemand) {
        not_on_demand(id, model, routing)?
    } else {
        id.to_owned()
    };
    Ok(Target {
        send,
        model: Some(model),
        family: Some(family),
        form: parsed.form,
    })
}

/// The profile ID to send for a model AWS does not offer on demand, when the client opted in
/// to cross-region inference; otherwise the error Bedrock would answer, made useful.
fn not_on_demand(id: &str, model: Model, routing: Routing<'_>) -> Result<String> {
    let info = model.info();
    if !info
        .inference_types
        .contains(&InferenceType::InferenceProfile)
    {
        let msg = format!(
            "{id} is offered only through Provisioned Throughput: invoke it by its \
             provisioned-model ARN (arn:aws:bedrock:REGION:ACCOUNT:provisioned-model/ID)"
        );
        return Err(Error::invalid("model", msg));
    }
    let local: Vec<ProfilePrefix> = routing
        .region
        .map(region_profiles)
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|p| info.profiles.contains(p))
        .collect();
    let global = info
        .profiles
        .contains(&ProfilePrefix::Global)
        .then_some(ProfilePrefix::Global);
    let chosen = match routing.cross_region {
        CrossRegion::Off => None,
        CrossRegion::Geography => local.first().copied(),
        CrossRegion::Global => global.or(local.first().copied()),
    };
    if let Some(prefix) = chosen {
        return Ok(info.profile_id(prefix));
    }
    let all: Vec<String> = info.profiles.iter().map(|p| info.profile_id(*p)).collect();
    let here = match (routing.region, local.is_empty()) {
        (Some(region), false) => {
            let ids: Vec<String> = local
                .iter()
                .chain(global.iter())
                .map(|p| info.profile_id(*p))
                .collect();
            format!("from {region} use {}", ids.join(" or "))
        }
        (Some(region), true) => match global {
            Some(g) => format!("from {region} use {}", info.profile_id(g)),
            None => format!(
                "none of its profiles serves {region}; its profiles are {}",
                all.join(", ")
            ),
        },
        (None, _) => format!("its profiles are {}", all.join(", ")),
    };
    let msg = format!(
        "{id} is offered only through inference profiles (Bedrock refuses its bare ID with \
         on-demand throughput): {here}; or opt in with `CrossRegion::Geography` on the client"
    );
    Err(Error::invalid("model", msg))
}

#[cfg(test)]
mod tests;
