//! [`AnyTextModel`]: a text model whose family is chosen from its model ID (the catalog's
//! family, an explicit one, or the one its ID prefix names; Converse when none is known).

use super::{TextModelBuilder, no_family};
use crate::catalog::{Family, Model};
use crate::chat::{ChatOptions, ChatReply, ChatStream};
use crate::client::Client;
use crate::conversation::Conversation;
use crate::details::{Api, Details};
use crate::error::{Error, Result};
use crate::generated::wrappers::{AnyTextModel, dispatch_text_model};
use crate::model_id::{ArnResource, IdForm, ModelFor};
use crate::params::{CommonParams, FamilyTypes};
use crate::stream::TextStream;
use serde_json::Value;

/// The marker of a builder whose family is chosen from the model ID: only the common
/// parameters until it is known.
#[derive(Debug, Clone, Copy)]
pub struct AnyFamily;

impl FamilyTypes for AnyFamily {
    const FAMILY: Option<Family> = None;
    type Params = CommonParams;
    type Request = crate::params::NoNativeBody;
    type Response = Value;
    type Chunk = Value;
}

/// Builder of an [`AnyTextModel`].
pub type AnyTextModelBuilder = TextModelBuilder<AnyFamily>;

impl AnyTextModel {
    /// A builder whose family is chosen from `model_id` at `build()`: any text model in the
    /// catalog, by canonical ID or inference-profile ID.
    pub fn builder(client: &Client, model_id: impl ModelFor<AnyFamily>) -> AnyTextModelBuilder {
        TextModelBuilder::new(client, model_id)
    }

    /// The right wrapper for a model ID, with no defaults.
    pub fn from_model_id(client: &Client, model_id: impl ModelFor<AnyFamily>) -> Result<Self> {
        Self::builder(client, model_id).build()
    }

    /// The model ID.
    pub fn model_id(&self) -> &str {
        dispatch_text_model!(self, m => m.model_id())
    }

    /// The family (`None` for a [`ConverseModel`](crate::ConverseModel)).
    pub fn family(&self) -> Option<Family> {
        dispatch_text_model!(self, m => m.family())
    }

    /// See [`TextModel::generate`](super::TextModel::generate).
    pub async fn generate(&self, prompt: &str) -> Result<Vec<String>> {
        dispatch_text_model!(self, m => m.generate(prompt).await)
    }

    /// See [`TextModel::generate_stream`](super::TextModel::generate_stream).
    pub async fn generate_stream(&self, prompt: &str) -> Result<TextStream> {
        dispatch_text_model!(self, m => m.generate_stream(prompt).await)
    }

    /// See [`TextModel::chat`](super::TextModel::chat).
    pub async fn chat(&self, conversation: &Conversation) -> Result<ChatReply> {
        dispatch_text_model!(self, m => m.chat(conversation).await)
    }

    /// See [`TextModel::chat_details`](super::TextModel::chat_details) (with no chat options); the typed response as JSON.
    pub async fn chat_details(&self, conversation: &Conversation) -> Result<Details<Value>> {
        dispatch_text_model!(self, m => m.chat_details(conversation, &ChatOptions::new()).await.map(Details::into_json))
    }

    /// See [`TextModel::chat_stream`](super::TextModel::chat_stream) (with no chat options).
    pub async fn chat_stream(&self, conversation: &Conversation) -> Result<ChatStream> {
        dispatch_text_model!(self, m => m.chat_stream(conversation, &ChatOptions::new()).await)
    }

    /// See [`TextModel::generate_details`](super::TextModel::generate_details); the typed response as JSON.
    pub async fn generate_details(&self, prompt: &str) -> Result<Details<Value>> {
        dispatch_text_model!(self, m => m.generate_details(prompt).await.map(Details::into_json))
    }
}

impl AnyTextModelBuilder {
    /// The family of a model the catalog does not know, for InvokeModel (default: the
    /// family its ID prefix names). A catalog model keeps its own family.
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }

    /// Resolves the model ID to its family and builds that family's wrapper: the catalog's
    /// family, the one given with [`AnyTextModelBuilder::family`], or the one its prefix
    /// names. An ID with none of these is a [`ConverseModel`](crate::ConverseModel) over
    /// Converse, and an error over InvokeModel.
    pub fn build(self) -> Result<AnyTextModel> {
        let routing = self.client.routing();
        let target = crate::model_id::resolve(&self.model_id, None, self.family, routing)?;
        match target.family {
            Some(family) => AnyTextModel::build_for_family(family, self),
            None if self.api == Api::Converse => Ok(AnyTextModel::Converse(
                self.into_family::<crate::ConverseFamily>()
                    .build_target(target)?,
            )),
            None => Err(Error::invalid("model", no_family(&self.model_id))),
        }
    }

    /// [`AnyTextModelBuilder::build`], first asking the control plane which model an
    /// application inference profile ARN runs (GetInferenceProfile, once per ARN), so that
    /// the wrapper is that model's family with the catalog's facts.
    pub async fn build_resolved(mut self) -> Result<AnyTextModel> {
        let parsed = crate::model_id::parse_model_id(&self.model_id)?;
        if parsed.form == IdForm::Arn(ArnResource::ApplicationInferenceProfile)
            && self.family.is_none()
        {
            let base = self
                .client
                .application_profile_model(&self.model_id)
                .await?;
            self.family = Model::resolve(&base)
                .map(|r| r.model.family())
                .ok()
                .or_else(|| crate::model_id::family_by_prefix(&base));
        }
        self.build()
    }
}
