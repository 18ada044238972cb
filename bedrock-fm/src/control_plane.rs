//! What the SDK asks of the Bedrock control plane (`aws-sdk-bedrock`): the model behind an
//! application inference profile (GetInferenceProfile, once per ARN), and what an account
//! offers (ListFoundationModels, ListInferenceProfiles) beside what the catalog knows.

use crate::catalog::Model;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::sdk_error::from_sdk;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Application-profile ARN → the foundation-model ID it runs, shared by a client's clones.
#[derive(Clone, Default)]
pub(crate) struct ProfileCache(Arc<Mutex<HashMap<String, String>>>);

impl ProfileCache {
    fn get(&self, arn: &str) -> Option<String> {
        self.0.lock().ok()?.get(arn).cloned()
    }

    fn put(&self, arn: &str, model_id: String) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(arn.to_owned(), model_id);
        }
    }
}

/// The foundation-model ID in `arn:...:foundation-model/ID` (or the text as it is).
fn model_id_of_arn(arn: &str) -> &str {
    arn.split_once(":foundation-model/")
        .map_or(arn, |(_, id)| id)
}

/// A model an account offers, as ListFoundationModels lists it, with its catalog entry.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LiveModel {
    /// The model ID.
    pub id: String,
    /// The model's name.
    pub name: Option<String>,
    /// The provider's name.
    pub provider: Option<String>,
    /// `inferenceTypesSupported`, as the service wrote them (`ON_DEMAND`, ...).
    pub inference_types: Vec<String>,
    /// The lifecycle status (`ACTIVE`, `LEGACY`).
    pub lifecycle: Option<String>,
    /// Whether it streams.
    pub streaming: Option<bool>,
    /// The catalog's entry, when it knows the ID.
    pub catalog: Option<Model>,
}

/// An inference profile an account can use, as ListInferenceProfiles lists it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LiveProfile {
    /// The profile ID (`us.anthropic...`, or an application profile's ID).
    pub id: String,
    /// Its ARN.
    pub arn: String,
    /// `SYSTEM_DEFINED` or `APPLICATION`.
    pub kind: String,
    /// The foundation-model IDs it routes to.
    pub models: Vec<String>,
}

fn no_control_plane() -> Error {
    Error::invalid(
        "client",
        "this client has no Bedrock control-plane client: build it with Client::from_env, \
         Client::from_sdk_config or Client::builder(), or add one with with_control_plane",
    )
}

impl Client {
    /// The foundation-model ID behind an application inference profile ARN, from
    /// GetInferenceProfile; asked once per ARN and client.
    pub async fn application_profile_model(&self, arn: &str) -> Result<String> {
        if let Some(id) = self.profile_cache().get(arn) {
            return Ok(id);
        }
        let control = self.control_plane().ok_or_else(no_control_plane)?;
        let out = control
            .get_inference_profile()
            .inference_profile_identifier(arn)
            .send()
            .await
            .map_err(|e| Error::Service(Box::new(from_sdk(e))))?;
        let Some(model_arn) = out.models().iter().find_map(|m| m.model_arn()) else {
            let msg = format!("GetInferenceProfile of {arn} lists no model");
            return Err(Error::invalid("model", msg));
        };
        let id = model_id_of_arn(model_arn).to_owned();
        self.profile_cache().put(arn, id.clone());
        Ok(id)
    }

    /// Every foundation model the account offers in the client's region, with what the
    /// catalog knows of each (ListFoundationModels).
    pub async fn list_live_models(&self) -> Result<Vec<LiveModel>> {
        let control = self.control_plane().ok_or_else(no_control_plane)?;
        let out = control
            .list_foundation_models()
            .send()
            .await
            .map_err(|e| Error::Service(Box::new(from_sdk(e))))?;
        Ok(out
            .model_summaries()
            .iter()
            .map(|m| LiveModel {
                id: m.model_id().to_owned(),
                name: m.model_name().map(str::to_owned),
                provider: m.provider_name().map(str::to_owned),
                inference_types: m
                    .inference_types_supported()
                    .iter()
                    .map(|t| t.as_str().to_owned())
                    .collect(),
                lifecycle: m.model_lifecycle().map(|l| l.status().as_str().to_owned()),
                streaming: m.response_streaming_supported(),
                catalog: m.model_id().parse().ok(),
            })
            .collect())
    }

    /// Every inference profile the account can use (ListInferenceProfiles, all pages).
    pub async fn list_live_profiles(&self) -> Result<Vec<LiveProfile>> {
        let control = self.control_plane().ok_or_else(no_control_plane)?;
        let mut profiles = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = control
                .list_inference_profiles()
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| Error::Service(Box::new(from_sdk(e))))?;
            for p in out.inference_profile_summaries() {
                profiles.push(LiveProfile {
                    id: p.inference_profile_id().to_owned(),
                    arn: p.inference_profile_arn().to_owned(),
                    kind: p.r#type().as_str().to_owned(),
                    models: p
                        .models()
                        .iter()
                        .filter_map(|m| m.model_arn())
                        .map(|a| model_id_of_arn(a).to_owned())
                        .collect(),
                });
            }
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(profiles),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_id_of_a_foundation_model_arn() {
        let arn =
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0";
        assert_eq!(
            model_id_of_arn(arn),
            "anthropic.claude-3-haiku-20240307-v1:0"
        );
    }
}
