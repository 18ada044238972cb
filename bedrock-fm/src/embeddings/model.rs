//! What the embedding and image wrappers share: the model a wrapper is built for (a catalog
//! model, an inference-profile ID or an ARN), its resolution against the wrapper's family, and
//! one InvokeModel call with the client's retries.

use crate::catalog::{Family, FamilyKind, Model};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result, ServiceError};
use serde_json::Value;

pub use crate::text::{ModelFor, ModelId};

/// Resolves `id` for a wrapper of family `expected`: a catalog ID or inference profile of that
/// family (`Some(model)`), or an ARN (`None`: no catalog entry, so no catalog checks).
#[cfg(test)]
pub(crate) fn resolve(client: &Client, expected: Family, id: &str) -> Result<Option<Model>> {
    crate::text::resolve_for(client, Some(expected), id).map(|(model, _, _)| model)
}

/// [`resolve`] for a builder's `model`: the model ID to send (the one given, or the
/// cross-region profile the client chose) and the catalog model.
pub(crate) fn resolve_id(
    client: &Client,
    expected: Family,
    model: &ModelId,
) -> Result<(String, Option<Model>)> {
    crate::text::resolve_for(client, Some(expected), model.as_str())
        .map(|(model, _, send)| (send, model))
}

/// The family of a model ID, for the wrappers that pick their family from the ID: the
/// catalog's, or the one its ID prefix names.
pub(crate) fn family_of(client: &Client, id: &str) -> Result<Family> {
    crate::text::resolve_for(client, None, id).map(|(_, family, _)| family)
}

/// The error of an `Any*Model` builder given a model of another kind: `wanted` is the kind
/// the builder makes ("an image", "an embedding").
pub(crate) fn not_a(model: &ModelId, family: Family, wanted: &str) -> Error {
    let kind = match family.kind() {
        FamilyKind::Embedding => "an embedding",
        FamilyKind::Image => "an image",
        _ => "a text",
    };
    Error::invalid(
        "model",
        format!(
            "{} is {kind} model ({}, wrapper `{}`), not {wanted} model",
            model.as_str(),
            family.name(),
            family.wrapper()
        ),
    )
}

/// What every embedding and image wrapper knows of its model.
pub(crate) trait ModelParts {
    /// The client.
    fn client(&self) -> &Client;
    /// The model ID sent.
    fn model_id(&self) -> &str;
    /// The family (for error messages and the schema checks).
    fn family(&self) -> Family;
}

/// Implements [`ModelParts`] for a wrapper with `client` and `model_id` fields, whose family
/// is `$family`.
macro_rules! model_parts {
    ($wrapper:ty, $family:expr) => {
        impl $crate::embeddings::model::ModelParts for $wrapper {
            fn client(&self) -> &$crate::client::Client {
                &self.client
            }

            fn model_id(&self) -> &str {
                &self.model_id
            }

            fn family(&self) -> $crate::catalog::Family {
                $family
            }
        }
    };
}
pub(crate) use model_parts;

/// A client for unit tests: no credentials, nothing is sent.
#[cfg(test)]
pub(crate) fn test_client() -> Client {
    let config = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(aws_sdk_bedrockruntime::config::BehaviorVersion::latest())
        .build();
    Client::from_sdk_client(aws_sdk_bedrockruntime::Client::from_conf(config))
}

/// An error of the response's content (a vector or image missing, undecodable), with the
/// request id.
pub(crate) fn bad_response(message: impl Into<String>, request_id: Option<String>) -> Error {
    let mut e = ServiceError::new(ErrorKind::Decode, message);
    e.request_id = request_id;
    Error::from(e)
}

/// A copy of an error (the error type is not `Clone`); batch reports give one to each input
/// of a failed request.
pub(crate) fn clone_error(e: &Error) -> Error {
    match e {
        Error::InvalidInput { location, message } => Error::invalid(location, message),
        Error::Service(s) => Error::Service(s.clone()),
        Error::Stream {
            error,
            partial_output,
        } => Error::Stream {
            error: error.clone(),
            partial_output: partial_output.clone(),
        },
        Error::Chat(c) => Error::Chat(c.clone()),
    }
}

/// Checks the body against the family's request schema (the same tables the service's
/// validation is modelled on): a safety net after the wrappers' own checks, so that nothing
/// the service would reject as malformed is sent.
pub(crate) fn check_body(family: Family, body: &Value) -> Result<()> {
    match family.request_spec().validate(body).into_iter().next() {
        None => Ok(()),
        Some(v) => Err(Error::invalid(
            format!("body {}", v.pointer),
            format!("{} ({} request schema)", v.message, family.name()),
        )),
    }
}

/// Checks an output length against the dimensions the catalog lists for `model` (none to
/// check for an ARN).
pub(crate) fn check_dimension(model: Option<Model>, setter: &str, value: u32) -> Result<()> {
    let Some(model) = model else {
        return Ok(());
    };
    let offered = model.info().embedding_dimensions;
    if offered.contains(&value) {
        return Ok(());
    }
    let list: Vec<String> = offered.iter().map(ToString::to_string).collect();
    Err(Error::invalid(
        setter,
        format!(
            "{value} is not a dimension {} offers; it offers {}",
            model.id(),
            list.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        let conf = aws_sdk_bedrockruntime::Config::builder()
            .behavior_version(aws_sdk_bedrockruntime::config::BehaviorVersion::latest())
            .build();
        Client::from_sdk_client(aws_sdk_bedrockruntime::Client::from_conf(conf))
    }

    #[test]
    fn catalog_ids_resolve_only_within_the_family_and_unknown_ids_are_open() {
        let c = &client();
        assert_eq!(
            resolve(c, Family::TitanEmbedText, "amazon.titan-embed-text-v2:0").unwrap(),
            Some(Model::AmazonTitanEmbedTextV2_0)
        );
        let e = resolve(c, Family::TitanEmbedText, "amazon.titan-text-premier-v1:0").unwrap_err();
        assert!(e.to_string().contains("wrapper `Titan`"), "{e}");
        let arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc";
        assert_eq!(resolve(c, Family::CohereEmbed, arn).unwrap(), None);
        // Not in the catalog: sent as the wrapper's family, with no catalog checks.
        assert_eq!(
            resolve(c, Family::CohereEmbed, "cohere.embed-v5:0").unwrap(),
            None
        );
        assert!(resolve(c, Family::CohereEmbed, "cohere embed").is_err());
        assert_eq!(
            resolve(c, Family::CohereEmbed, "us.cohere.embed-v4:0").unwrap(),
            Some(Model::CohereEmbedV4_0)
        );
        // An unknown ID takes the family of its prefix, or none.
        assert_eq!(
            family_of(c, "cohere.embed-v5:0").unwrap(),
            Family::CohereEmbed
        );
        assert!(family_of(c, "acme.embed-v1:0").is_err());
    }

    #[test]
    fn cloned_errors_keep_kind_and_message() {
        let e = Error::from(ServiceError::new(ErrorKind::Throttling, "slow down"));
        let c = clone_error(&e);
        assert_eq!(c.kind(), ErrorKind::Throttling);
        assert_eq!(c.message(), "slow down");
    }
}
