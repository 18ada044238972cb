//! The control-plane operations of Amazon Bedrock (service model `bedrock-2023-04-20`,
//! REST-JSON, signing name `bedrock` like the runtime) that the SDK uses, on the same endpoint
//! as the runtime:
//!
//! | method | path | operation |
//! |--------|------|-----------|
//! | GET | `/foundation-models` | ListFoundationModels (`byProvider`, `byOutputModality`, `byInferenceType`, `byCustomizationType`) |
//! | GET | `/foundation-models/{modelIdentifier}` | GetFoundationModel |
//! | GET | `/inference-profiles` | ListInferenceProfiles (`type`, `maxResults`, `nextToken`) |
//! | GET | `/inference-profiles/{inferenceProfileIdentifier}` | GetInferenceProfile |
//!
//! Foundation models are every model of the catalog plus the registered models
//! ([`crate::registry`]); system-defined inference profiles are each catalog model's
//! `profiles`, application profiles those of the configuration. ARNs carry the region of the
//! request's SigV4 scope (else `us-east-1`) and the account [`crate::config::ACCOUNT_ID`].
//!
//! What is ours, not recorded from AWS: the not-found and bad-token messages, the source regions
//! listed per geography ([`geography_regions`]; a representative set, at most five as the
//! service model's `InferenceProfileModels` allows), profile names and descriptions,
//! case-insensitive `byProvider` matching (also on the model ID's provider prefix), and
//! returning every item when `maxResults` is absent. Faults are not injected here.

use bedrock_fm::catalog::{ALL_MODELS, Lifecycle, Modality, Model, ModelInfo, ProfilePrefix};
use serde_json::{Value, json};

use crate::config::ACCOUNT_ID;
use crate::errors::ServiceError;
use crate::http::Operation;
use crate::models::ModelCaps;
use crate::pattern::Pattern;
use crate::registry::{ApplicationProfile, arn_resource, family_by_id};

/// What a control-plane request sees of the server.
pub(crate) struct Context<'a> {
    /// The region of the request's signature.
    pub(crate) region: &'a str,
    pub(crate) registered: &'a [ModelCaps],
    pub(crate) profiles: &'a [ApplicationProfile],
}

/// Answers a control-plane operation with its response JSON.
pub(crate) fn handle(
    operation: Operation,
    resource: Option<&str>,
    query: Option<&str>,
    ctx: &Context<'_>,
) -> Result<Value, ServiceError> {
    let params = Params(parse_query(query.unwrap_or("")));
    match (operation, resource) {
        (Operation::ListFoundationModels, _) => list_foundation_models(ctx, &params),
        (Operation::GetFoundationModel, Some(id)) => get_foundation_model(ctx, id),
        (Operation::ListInferenceProfiles, _) => list_inference_profiles(ctx, &params),
        (Operation::GetInferenceProfile, Some(id)) => get_inference_profile(ctx, id),
        _ => Err(ServiceError::unknown_operation(format!(
            "No Bedrock operation {} without its identifier.",
            operation.name()
        ))),
    }
}

/// The query parameters of a request.
struct Params(Vec<(String, String)>);

impl Params {
    /// The last value of `name`.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `k=v&k2=v2`, percent-decoded (`+` as a space).
fn parse_query(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        percent_encoding::percent_decode_str(&s)
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// Coral's constraint message for one member (the form of [`crate::converse_validate`]).
fn constraint(value: &str, member: &str, rule: &str) -> ServiceError {
    ServiceError::validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy \
         constraint: {rule}"
    ))
}

fn check_enum(value: Option<&str>, member: &str, set: &[&str]) -> Result<(), ServiceError> {
    match value {
        Some(v) if !set.contains(&v) => Err(constraint(
            v,
            member,
            &format!("Member must satisfy enum value set: [{}]", set.join(", ")),
        )),
        _ => Ok(()),
    }
}

fn check_pattern(value: &str, member: &str, pattern: &str) -> Result<(), ServiceError> {
    match Pattern::compile(pattern) {
        Some(p) if !p.is_full_match(value) => Err(constraint(
            value,
            member,
            &format!("Member must satisfy regular expression pattern: {pattern}"),
        )),
        _ => Ok(()),
    }
}

/// The `ModelModality` values (`TEXT`, `IMAGE`, `EMBEDDING`) of a list of modalities.
fn modalities(names: impl IntoIterator<Item = &'static str>) -> Vec<&'static str> {
    let mut out = Vec::new();
    for m in names {
        if !m.is_empty() && !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

fn catalog_modality(m: &Modality) -> &'static str {
    match m {
        Modality::Text => "TEXT",
        Modality::Image => "IMAGE",
        Modality::Embedding => "EMBEDDING",
        _ => "",
    }
}

fn caps_modality(m: &str) -> &'static str {
    match m {
        "text" => "TEXT",
        "image" => "IMAGE",
        "embedding" => "EMBEDDING",
        _ => "",
    }
}

fn foundation_model_arn(region: &str, model_id: &str) -> String {
    format!("arn:aws:bedrock:{region}::foundation-model/{model_id}")
}

/// A `FoundationModelSummary` (also the `FoundationModelDetails` of GetFoundationModel).
fn catalog_summary(info: &ModelInfo, region: &str) -> Value {
    json!({
        "modelArn": foundation_model_arn(region, info.id),
        "modelId": info.id,
        "modelName": info.name,
        "providerName": info.provider,
        "inputModalities": modalities(info.input_modalities.iter().map(catalog_modality)),
        "outputModalities": modalities(info.output_modalities.iter().map(catalog_modality)),
        "responseStreamingSupported": info.streaming,
        "customizationsSupported": [],
        "inferenceTypesSupported": info.inference_types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "modelLifecycle": {"status": match info.lifecycle {
            Lifecycle::Legacy => "LEGACY",
            _ => "ACTIVE",
        }},
    })
}

fn registered_summary(caps: &ModelCaps, region: &str) -> Value {
    let provider = family_by_id(&caps.family)
        .map(|f| f.provider().to_owned())
        .unwrap_or_else(|| caps.model_id.split('.').next().unwrap_or("").to_owned());
    json!({
        "modelArn": foundation_model_arn(region, &caps.model_id),
        "modelId": caps.model_id,
        "modelName": caps.model_id,
        "providerName": provider,
        "inputModalities": modalities(caps.input_modalities.iter().map(|m| caps_modality(m))),
        "outputModalities": modalities(caps.output_modalities.iter().map(|m| caps_modality(m))),
        "responseStreamingSupported": caps.streaming,
        "customizationsSupported": [],
        "inferenceTypesSupported": ["ON_DEMAND"],
        "modelLifecycle": {"status": "ACTIVE"},
    })
}

/// Every foundation model: the catalog's (unless a registered model has its ID), then the
/// registered ones.
fn all_foundation_models(ctx: &Context<'_>) -> Vec<Value> {
    let mut out: Vec<Value> = ALL_MODELS
        .iter()
        .filter(|info| !ctx.registered.iter().any(|c| c.model_id == info.id))
        .map(|info| catalog_summary(info, ctx.region))
        .collect();
    out.extend(
        ctx.registered
            .iter()
            .map(|c| registered_summary(c, ctx.region)),
    );
    out
}

fn list_foundation_models(ctx: &Context<'_>, params: &Params) -> Result<Value, ServiceError> {
    // Enum and pattern constraints of ListFoundationModelsRequest's members.
    let provider = params.get("byProvider");
    if let Some(p) = provider {
        check_pattern(p, "byProvider", "[A-Za-z0-9- ]{1,63}")?;
    }
    let output = params.get("byOutputModality");
    check_enum(output, "byOutputModality", &["TEXT", "IMAGE", "EMBEDDING"])?;
    let inference = params.get("byInferenceType");
    check_enum(inference, "byInferenceType", &["ON_DEMAND", "PROVISIONED"])?;
    let customization = params.get("byCustomizationType");
    check_enum(
        customization,
        "byCustomizationType",
        &["FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"],
    )?;
    let has = |v: &Value, key: &str, wanted: &str| {
        v[key]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(wanted)))
    };
    let summaries: Vec<Value> = all_foundation_models(ctx)
        .into_iter()
        .filter(|v| {
            provider.is_none_or(|p| {
                let name = v["providerName"].as_str().unwrap_or("");
                let prefix = v["modelId"].as_str().unwrap_or("").split('.').next();
                name.eq_ignore_ascii_case(p) || prefix.is_some_and(|x| x.eq_ignore_ascii_case(p))
            })
        })
        .filter(|v| output.is_none_or(|o| has(v, "outputModalities", o)))
        .filter(|v| inference.is_none_or(|t| has(v, "inferenceTypesSupported", t)))
        .filter(|v| customization.is_none_or(|c| has(v, "customizationsSupported", c)))
        .collect();
    Ok(json!({ "modelSummaries": summaries }))
}

fn get_foundation_model(ctx: &Context<'_>, identifier: &str) -> Result<Value, ServiceError> {
    let bare = match arn_resource(identifier) {
        Some(("foundation-model", id)) => id,
        _ => identifier,
    };
    all_foundation_models(ctx)
        .into_iter()
        .find(|v| v["modelId"].as_str() == Some(bare))
        .map(|details| json!({ "modelDetails": details }))
        // Our wording: no recorded GetFoundationModel not-found message was found.
        .ok_or_else(|| {
            ServiceError::resource_not_found(format!("The model {identifier} was not found."))
        })
}

/// The source regions this server lists for a geography's profiles (ours: a representative
/// set of each geography's regions, at most five). The partition is `aws-us-gov` for `us-gov`.
pub fn geography_regions(prefix: ProfilePrefix) -> &'static [&'static str] {
    match prefix {
        ProfilePrefix::Us => &["us-east-1", "us-east-2", "us-west-2"],
        ProfilePrefix::Eu => &["eu-central-1", "eu-west-1", "eu-west-3", "eu-north-1"],
        ProfilePrefix::Apac => &[
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-south-1",
            "ap-southeast-1",
            "ap-southeast-2",
        ],
        ProfilePrefix::Global => &["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"],
        ProfilePrefix::Jp => &["ap-northeast-1", "ap-northeast-3"],
        ProfilePrefix::Au => &["ap-southeast-2", "ap-southeast-4"],
        ProfilePrefix::UsGov => &["us-gov-west-1", "us-gov-east-1"],
        ProfilePrefix::Ca => &["ca-central-1", "ca-west-1"],
        _ => &[],
    }
}

fn system_profile(info: &ModelInfo, prefix: ProfilePrefix, region: &str) -> Value {
    let id = info.profile_id(prefix);
    let partition = if prefix == ProfilePrefix::UsGov {
        "aws-us-gov"
    } else {
        "aws"
    };
    let models: Vec<Value> = geography_regions(prefix)
        .iter()
        .map(|r| json!({"modelArn": format!("arn:{partition}:bedrock:{r}::foundation-model/{}", info.id)}))
        .collect();
    let geo = prefix.as_str().to_ascii_uppercase();
    json!({
        "inferenceProfileName": format!("{geo} {} {}", info.provider, info.name),
        "description": format!("Routes requests to {} {} in {geo} regions.", info.provider, info.name),
        "inferenceProfileArn": format!("arn:{partition}:bedrock:{region}:{ACCOUNT_ID}:inference-profile/{id}"),
        "models": models,
        "inferenceProfileId": id,
        "status": "ACTIVE",
        "type": "SYSTEM_DEFINED",
    })
}

fn application_profile(p: &ApplicationProfile, ctx: &Context<'_>) -> Value {
    // The models of the profile: those of the system profile it copies, else its model's ARN.
    let models = match Model::resolve(&p.model_id) {
        Ok(r) => match r.profile {
            Some(prefix) => system_profile(r.model.info(), prefix, ctx.region)["models"].clone(),
            None => json!([{"modelArn": foundation_model_arn(ctx.region, r.model.id())}]),
        },
        Err(_) => json!([{"modelArn": foundation_model_arn(ctx.region, &p.model_id)}]),
    };
    json!({
        "inferenceProfileName": p.id,
        "inferenceProfileArn": p.arn(ctx.region, ACCOUNT_ID),
        "models": models,
        "inferenceProfileId": p.id,
        "status": "ACTIVE",
        "type": "APPLICATION",
    })
}

fn all_profiles(ctx: &Context<'_>, kind: Option<&str>) -> Vec<Value> {
    let mut out = Vec::new();
    if kind != Some("APPLICATION") {
        for info in ALL_MODELS.iter() {
            for prefix in info.profiles {
                out.push(system_profile(info, *prefix, ctx.region));
            }
        }
    }
    if kind != Some("SYSTEM_DEFINED") {
        out.extend(ctx.profiles.iter().map(|p| application_profile(p, ctx)));
    }
    out
}

const TOKEN_PREFIX: &str = "bedrock-fm-local-";

fn list_inference_profiles(ctx: &Context<'_>, params: &Params) -> Result<Value, ServiceError> {
    // `typeEquals` travels as the `type` query parameter (its `locationName`).
    let kind = params.get("type");
    check_enum(kind, "typeEquals", &["SYSTEM_DEFINED", "APPLICATION"])?;
    let max = match params.get("maxResults") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n < 1 => {
                return Err(constraint(
                    v,
                    "maxResults",
                    "Member must have value greater than or equal to 1",
                ));
            }
            Ok(n) if n > 1000 => {
                return Err(constraint(
                    v,
                    "maxResults",
                    "Member must have value less than or equal to 1000",
                ));
            }
            Ok(n) => Some(n as usize),
            Err(_) => {
                return Err(ServiceError::serialization(format!(
                    "The value {v:?} of maxResults is not an integer."
                )));
            }
        },
    };
    let all = all_profiles(ctx, kind);
    let start = match params.get("nextToken") {
        None => 0,
        Some(t) => t
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= all.len())
            // Our wording: no recorded message for a bad token was found.
            .ok_or_else(|| ServiceError::validation("The provided nextToken is invalid."))?,
    };
    let end = max.map_or(all.len(), |m| start.saturating_add(m).min(all.len()));
    let mut response = json!({ "inferenceProfileSummaries": all[start..end] });
    if end < all.len() {
        response["nextToken"] = json!(format!("{TOKEN_PREFIX}{end}"));
    }
    Ok(response)
}

/// The service model's `InferenceProfileIdentifier` pattern.
const PROFILE_IDENTIFIER: &str = "(arn:aws(|-us-gov|-cn|-iso|-iso-b):bedrock:(|[0-9a-z-]{0,20}):\
                                  (|[0-9]{12}):(inference-profile|application-inference-profile)/)?\
                                  [a-zA-Z0-9-:.]+";

fn get_inference_profile(ctx: &Context<'_>, identifier: &str) -> Result<Value, ServiceError> {
    if identifier.len() > 2048 {
        return Err(constraint(
            identifier,
            "inferenceProfileIdentifier",
            "Member must have length less than or equal to 2048",
        ));
    }
    check_pattern(identifier, "inferenceProfileIdentifier", PROFILE_IDENTIFIER)?;
    let (kind, id) = match arn_resource(identifier) {
        Some((kind, id)) => (Some(kind), id),
        None => (None, identifier),
    };
    let found = match kind {
        Some("application-inference-profile") | None if ctx.profiles.iter().any(|p| p.id == id) => {
            ctx.profiles
                .iter()
                .find(|p| p.id == id)
                .map(|p| application_profile(p, ctx))
        }
        Some("inference-profile") | None => Model::resolve(id).ok().and_then(|r| {
            let prefix = r.profile?;
            let info = r.model.info();
            info.profiles
                .contains(&prefix)
                .then(|| system_profile(info, prefix, ctx.region))
        }),
        _ => None,
    };
    // Our wording: no recorded GetInferenceProfile not-found message was found.
    found.ok_or_else(|| {
        ServiceError::resource_not_found(format!(
            "The inference profile {identifier} was not found."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode() {
        assert_eq!(
            parse_query("byProvider=Mistral%20AI&x&type=A+B"),
            vec![
                ("byProvider".to_owned(), "Mistral AI".to_owned()),
                ("x".to_owned(), String::new()),
                ("type".to_owned(), "A B".to_owned()),
            ]
        );
    }

    #[test]
    fn geographies_list_at_most_five_regions() {
        for p in ProfilePrefix::ALL {
            let n = geography_regions(p).len();
            assert!((1..=5).contains(&n), "{p:?}");
        }
    }

    #[test]
    fn the_identifier_pattern_compiles() {
        let p = Pattern::compile(PROFILE_IDENTIFIER).unwrap();
        assert!(p.is_full_match("us.amazon.nova-pro-v1:0"));
        assert!(p.is_full_match(
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"
        ));
        assert!(!p.is_full_match("has space"));
    }
}
