//! Text generation: [`TextModel`], the generic wrapper every text family is an instance of
//! (`Titan = TextModel<TitanFamily>`, generated), its builder and per-call options.

use crate::catalog::{Family, FamilyKind, Model};
use crate::chat::tools::ToolChoice;
use crate::chat::{ChatOptions, ChatReply, ChatStream, ToolHandlers, ToolRun};
use crate::client::Client;
use crate::conversation::Conversation;
use crate::details::{Api, Details};
use crate::error::{Error, Result};
use crate::model_id::{ArnResource, IdForm, Target};
pub use crate::model_id::{ModelFor, ModelId};
pub use crate::params::{CallOptions, CommonParams, FamilyTypes, ParamSpec, Params};
use crate::params::{Plan, common_setters};
use crate::stream::TextStream;
use crate::text_families::TextFamily;
use crate::{converse, invoke};
use serde_json::Value;
use std::fmt;

mod any;
pub use any::{AnyFamily, AnyTextModelBuilder};

/// Builder of a [`TextModel`]: the model, the API and the defaults of every call. Setters
/// never fail; [`TextModelBuilder::build`] returns the first problem.
#[must_use = "builders do nothing until `build()`"]
pub struct TextModelBuilder<F: FamilyTypes> {
    client: Client,
    model_id: String,
    family: Option<Family>,
    api: Api,
    system: Option<String>,
    pub(crate) defaults: CallOptions<F>,
    /// Parameters set by name, applied at `build()` (for [`AnyTextModel`](crate::AnyTextModel), once the family
    /// is known).
    named: Vec<(String, Value)>,
}

impl<F: FamilyTypes> fmt::Debug for TextModelBuilder<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextModelBuilder")
            .field("model_id", &self.model_id)
            .field("api", &self.api)
            .field("defaults", &self.defaults)
            .finish_non_exhaustive()
    }
}

impl<F: FamilyTypes> TextModelBuilder<F> {
    common_setters!(defaults.params);

    /// The model ID as given.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// The API every call uses (default [`Api::InvokeModel`]).
    pub fn api(mut self, api: Api) -> Self {
        self.api = api;
        self
    }

    /// A system prompt sent with every `generate` call (default none).
    pub fn system(mut self, text: impl Into<String>) -> Self {
        self.system = Some(text.into());
        self
    }

    /// Default model-specific JSON; see [`CallOptions::extra_args`].
    pub fn extra_args(mut self, args: Value) -> Self {
        self.defaults = self.defaults.extra_args(args);
        self
    }

    /// The same builder for another family (used by [`AnyTextModel`](crate::AnyTextModel) dispatch), with the
    /// parameters set by name checked against that family.
    pub(crate) fn into_family<G: FamilyTypes>(self) -> TextModelBuilder<G> {
        let mut defaults = self.defaults.retype::<G>();
        for (name, value) in self.named {
            defaults = defaults.param_named(&name, value);
        }
        TextModelBuilder {
            client: self.client,
            model_id: self.model_id,
            family: self.family,
            api: self.api,
            system: self.system,
            defaults,
            named: Vec::new(),
        }
    }
}

/// Resolves an ID for a wrapper of family `expected` that needs a family (the embedding
/// and image wrappers): a catalog ID of that family, or an ID the catalog does not know,
/// taken as `expected` or, for `None`, as the family its prefix names.
pub(crate) fn resolve_for(
    client: &Client,
    expected: Option<Family>,
    id: &str,
) -> Result<(Option<Model>, Family, String)> {
    let target = crate::model_id::resolve(id, expected, None, client.routing())?;
    match target.family {
        Some(family) => Ok((target.model, family, target.send)),
        None => Err(Error::invalid("model", no_family(id))),
    }
}

fn no_family(id: &str) -> String {
    format!(
        "{id} is not in the bedrock-fm catalog and no known ID prefix names its family: \
         use the family's wrapper, name the family with `.family(..)`, or call it over \
         Api::Converse"
    )
}

pub(crate) fn not_a_text_family(family: Family, model_id: &str) -> Error {
    let kind = match family.kind() {
        FamilyKind::Embedding => "an embedding",
        FamilyKind::Image => "an image",
        _ => "a non-text",
    };
    Error::invalid(
        "model",
        format!(
            "{model_id} belongs to {} ({kind} family, wrapper `{}`), not a text family",
            family.name(),
            family.wrapper()
        ),
    )
}

impl<F: TextFamily> TextModelBuilder<F> {
    /// Checks the model (its family must be `F`'s), the API and the defaults, and builds.
    pub fn build(self) -> Result<TextModel<F>> {
        let routing = self.client.routing();
        let target = crate::model_id::resolve(&self.model_id, F::FAMILY, None, routing)?;
        self.build_target(target)
    }

    fn build_target(mut self, target: Target) -> Result<TextModel<F>> {
        for (name, value) in std::mem::take(&mut self.named) {
            self.defaults = self.defaults.param_named(&name, value);
        }
        let model = target.model;
        if F::FAMILY.is_none() && self.api != Api::Converse {
            return Err(Error::invalid(
                "api",
                "ConverseModel has no native InvokeModel format: use Api::Converse",
            ));
        }
        if let Some(m) = model {
            check_api(m, self.api, false)?;
        }
        self.defaults.plan(model, self.client.limits())?;
        if self.system.as_deref().is_some_and(|s| s.trim().is_empty()) {
            return Err(Error::invalid("system", "the system prompt is empty"));
        }
        Ok(TextModel {
            client: self.client,
            model_id: target.send,
            form: target.form,
            model,
            api: self.api,
            system: self.system,
            defaults: self.defaults,
        })
    }
}

fn check_api(model: Model, api: Api, stream: bool) -> Result<()> {
    let info = model.info();
    if api == Api::Converse && !info.converse {
        let msg = format!(
            "{} does not support the Converse API; use Api::InvokeModel",
            info.id
        );
        return Err(Error::invalid("api", msg));
    }
    if stream && !info.streaming {
        return Err(Error::invalid(
            "stream",
            format!("{} does not stream responses", info.id),
        ));
    }
    Ok(())
}

impl<F: FamilyTypes> TextModelBuilder<F> {
    /// A default parameter by its setter's name (`"top_k"`), checked at `build()` against
    /// the family (for an [`AnyTextModel`](crate::AnyTextModel), the one the model ID resolves to); see
    /// [`CallOptions::param_named`].
    pub fn param_named(mut self, name: &str, value: Value) -> Self {
        self.named.push((name.to_owned(), value));
        self
    }
}

impl<F: FamilyTypes> TextModelBuilder<F> {
    /// A builder for `model_id`, with no defaults and [`Api::InvokeModel`].
    pub fn new(client: &Client, model_id: impl ModelFor<F>) -> Self {
        Self {
            client: client.clone(),
            model_id: model_id.into_model_id().as_str().to_owned(),
            family: None,
            api: Api::default(),
            system: None,
            defaults: CallOptions::default(),
            named: Vec::new(),
        }
    }
}

/// A text model of family `F`. Cheap to clone; calls may run concurrently.
pub struct TextModel<F: FamilyTypes> {
    pub(crate) client: Client,
    pub(crate) model_id: String,
    form: IdForm,
    pub(crate) model: Option<Model>,
    pub(crate) api: Api,
    system: Option<String>,
    defaults: CallOptions<F>,
}

impl<F: FamilyTypes> Clone for TextModel<F> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            model_id: self.model_id.clone(),
            form: self.form,
            model: self.model,
            api: self.api,
            system: self.system.clone(),
            defaults: self.defaults.clone(),
        }
    }
}

impl<F: FamilyTypes> fmt::Debug for TextModel<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextModel")
            .field("model_id", &self.model_id)
            .field("api", &self.api)
            .field("defaults", &self.defaults)
            .finish_non_exhaustive()
    }
}

impl<F: TextFamily> TextModel<F> {
    /// A builder for `model` (a catalog model of this family, one of its inference-profile
    /// IDs, or an ARN; see [`ModelFor`] for the family's typed model enum).
    pub fn builder(client: &Client, model: impl ModelFor<F>) -> TextModelBuilder<F> {
        TextModelBuilder::new(client, model)
    }

    /// The model ID sent.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// The catalog model, when the catalog knows the ID.
    pub fn model(&self) -> Option<Model> {
        self.model
    }

    /// The family (`None` for a [`ConverseModel`](crate::ConverseModel)).
    pub fn family(&self) -> Option<Family> {
        F::FAMILY
    }

    /// The API calls use.
    pub fn api(&self) -> Api {
        self.api
    }

    /// The builder's defaults.
    pub fn defaults(&self) -> &CallOptions<F> {
        &self.defaults
    }

    fn conversation_for(&self, prompt: &str) -> Result<Conversation> {
        if prompt.trim().is_empty() {
            return Err(Error::invalid("prompt", "the prompt is empty"));
        }
        let conversation = match &self.system {
            Some(system) => Conversation::new().system(system.clone()),
            None => Conversation::new(),
        };
        Ok(conversation.human(prompt))
    }

    /// The completions for `prompt`, with the builder's defaults.
    pub async fn generate(&self, prompt: &str) -> Result<Vec<String>> {
        self.generate_with(prompt, &CallOptions::default()).await
    }

    /// The completions for `prompt`, `options` overriding the defaults key by key.
    pub async fn generate_with(
        &self,
        prompt: &str,
        options: &CallOptions<F>,
    ) -> Result<Vec<String>> {
        Ok(self
            .generate_details_with(prompt, options)
            .await?
            .completions)
    }

    /// The completion with its details.
    pub async fn generate_details(&self, prompt: &str) -> Result<Details<F::Response>> {
        self.generate_details_with(prompt, &CallOptions::default())
            .await
    }

    /// The completion with its details, `options` overriding the defaults key by key.
    pub async fn generate_details_with(
        &self,
        prompt: &str,
        options: &CallOptions<F>,
    ) -> Result<Details<F::Response>> {
        let conversation = self.conversation_for(prompt)?;
        self.run(&conversation, &ChatOptions::new().params(options.clone()))
            .await
    }

    /// The assistant's reply to a conversation, with the builder's defaults.
    pub async fn chat(&self, conversation: &Conversation) -> Result<ChatReply> {
        self.chat_with(conversation, &ChatOptions::new()).await
    }

    /// The assistant's reply to a conversation, with tools and other chat options.
    pub async fn chat_with(
        &self,
        conversation: &Conversation,
        options: &ChatOptions<F>,
    ) -> Result<ChatReply> {
        Ok(self.chat_details(conversation, options).await?.reply())
    }

    /// Streams the reply as [`ChatEvent`](crate::chat::ChatEvent)s: text deltas, tool-call
    /// starts and input deltas, reasoning deltas and signature, stop reason and usage, over
    /// ConverseStream or InvokeModelWithResponseStream (the API the model was built with).
    /// [`ChatStream::collect`] returns the same [`ChatReply`] as [`TextModel::chat_with`].
    pub async fn chat_stream(
        &self,
        conversation: &Conversation,
        options: &ChatOptions<F>,
    ) -> Result<ChatStream> {
        Ok(self.run_stream(conversation, options).await?.into_chat())
    }

    /// Runs the tool loop: asks for a reply, runs the tools it calls with `handlers` (calls
    /// of one reply run concurrently), appends the reply and the tool results (a handler's
    /// error is sent as an error result), and repeats until the model answers without
    /// calling a tool. The tools offered are the options' and the handlers' own; each needs
    /// a handler. A forced [`ToolChoice`] applies to the first request only. After
    /// `max_iterations` requests that all called tools, fails with
    /// [`ChatError::ToolLoopLimit`](crate::chat::ChatError::ToolLoopLimit), which keeps the
    /// conversation so far.
    pub async fn run_tools(
        &self,
        conversation: &Conversation,
        options: &ChatOptions<F>,
        handlers: &ToolHandlers,
        max_iterations: u32,
    ) -> Result<ToolRun> {
        crate::chat::tool_loop::run_tools(self, conversation, options, handlers, max_iterations)
            .await
    }

    /// The reply as a value of `T`: the model is offered one tool whose input schema is
    /// `T`'s (named after `T`; a non-object type is wrapped as `{"value": ...}`) and asked to
    /// call it (left to the model when reasoning, which takes no forced tool choice). When
    /// the output does not fit `T`, fails with
    /// [`ChatError::OutputMismatch`](crate::chat::ChatError::OutputMismatch), which keeps the
    /// raw JSON.
    pub async fn chat_structured<T>(
        &self,
        conversation: &Conversation,
        options: &ChatOptions<F>,
    ) -> Result<T>
    where
        T: schemars::JsonSchema + serde::de::DeserializeOwned,
    {
        let target = crate::chat::structured::target::<T>();
        let options = crate::chat::structured::options(options, &target)?;
        let reply = self.chat_with(conversation, &options).await?;
        crate::chat::structured::decode(&reply, &target)
    }

    /// The reply with its details: typed response, body as sent, usage, timings.
    pub async fn chat_details(
        &self,
        conversation: &Conversation,
        options: &ChatOptions<F>,
    ) -> Result<Details<F::Response>> {
        self.run(conversation, options).await
    }

    /// The text of the answer as it is generated: deltas only, never empty strings.
    pub async fn generate_stream(&self, prompt: &str) -> Result<TextStream> {
        self.generate_stream_with(prompt, &CallOptions::default())
            .await
    }

    /// Streams the answer, `options` overriding the defaults key by key.
    pub async fn generate_stream_with(
        &self,
        prompt: &str,
        options: &CallOptions<F>,
    ) -> Result<TextStream> {
        let conversation = self.conversation_for(prompt)?;
        self.run_stream(&conversation, &ChatOptions::new().params(options.clone()))
            .await
    }

    /// Checks the conversation and the options, then calls the API.
    fn prepare(&self, conversation: &Conversation, options: &ChatOptions<F>) -> Result<Plan<F>> {
        conversation.validate(F::PREFILL && self.api == Api::InvokeModel)?;
        for tool in &options.tools {
            tool.validate()?;
        }
        if let Some(ToolChoice::Tool(name)) = &options.tool_choice
            && !options.tools.iter().any(|t| &t.name == name)
        {
            let msg = format!("tool choice names {name:?}, which is not among the tools offered");
            return Err(Error::invalid("tool_choice", msg));
        }
        options
            .params
            .over(&self.defaults)
            .plan(self.model, self.client.limits())
    }

    /// This wrapper with the catalog model behind an application inference profile ARN,
    /// asked of the control plane once per ARN; any other ID as it is.
    async fn with_profile_model(&self) -> Result<std::borrow::Cow<'_, Self>> {
        let application = IdForm::Arn(ArnResource::ApplicationInferenceProfile);
        if self.model.is_some() || self.form != application {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        let base = self
            .client
            .application_profile_model(&self.model_id)
            .await?;
        let Ok(resolved) = Model::resolve(&base) else {
            return Ok(std::borrow::Cow::Borrowed(self));
        };
        let family = resolved.model.family();
        if let Some(expected) = F::FAMILY
            && expected != family
        {
            let msg = format!(
                "{} runs {base}, of the {} family (wrapper `{}`), not {} (`{}`)",
                self.model_id,
                family.name(),
                family.wrapper(),
                expected.name(),
                expected.wrapper()
            );
            return Err(Error::invalid("model", msg));
        }
        let mut known = self.clone();
        known.model = Some(resolved.model);
        Ok(std::borrow::Cow::Owned(known))
    }

    pub(crate) async fn run(
        &self,
        conversation: &Conversation,
        options: &ChatOptions<F>,
    ) -> Result<Details<F::Response>> {
        use tracing::Instrument;
        let span = call_span(&self.model_id, self.api, false);
        let result = async {
            let this = self.with_profile_model().await?;
            let plan = this.prepare(conversation, options)?;
            match this.api {
                Api::InvokeModel => invoke::call(&this, conversation, &plan, options).await,
                Api::Converse => converse::call(&this, conversation, &plan, options).await,
            }
        }
        .instrument(span.clone())
        .await;
        record_outcome(&span, &result);
        result
    }

    pub(crate) async fn run_stream(
        &self,
        conversation: &Conversation,
        options: &ChatOptions<F>,
    ) -> Result<TextStream> {
        use tracing::Instrument;
        let span = call_span(&self.model_id, self.api, true);
        async {
            let this = self.with_profile_model().await?;
            if let Some(m) = this.model {
                check_api(m, this.api, true)?;
            }
            let plan = this.prepare(conversation, options)?;
            match this.api {
                Api::InvokeModel => invoke::stream(&this, conversation, &plan, options).await,
                Api::Converse => converse::stream(&this, conversation, &plan, options).await,
            }
        }
        .instrument(span)
        .await
    }
}

/// The span of one call: model, API and whether it streams, then (filled in as they are
/// known) attempts, latency, tokens, request id and the error kind. Never a credential.
pub(crate) fn call_span(model_id: &str, api: Api, stream: bool) -> tracing::Span {
    use tracing::field::Empty;
    tracing::info_span!(
        "bedrock_fm.call",
        model = %model_id,
        api = ?api,
        stream,
        attempts = Empty,
        latency_ms = Empty,
        input_tokens = Empty,
        output_tokens = Empty,
        request_id = Empty,
        error = Empty,
    )
}

fn record_outcome<R>(span: &tracing::Span, result: &Result<Details<R>>) {
    match result {
        Ok(d) => {
            span.record("latency_ms", d.latency.as_millis() as u64);
            if let Some(n) = d.usage.input_tokens {
                span.record("input_tokens", n);
            }
            if let Some(n) = d.usage.output_tokens {
                span.record("output_tokens", n);
            }
            if let Some(id) = &d.request_id {
                span.record("request_id", tracing::field::display(id));
            }
        }
        Err(e) => {
            span.record("error", tracing::field::display(e.kind()));
            if let Some(id) = e.request_id() {
                span.record("request_id", tracing::field::display(id));
            }
        }
    }
}

impl<R: serde::Serialize> Details<R> {
    /// The same details with the typed response as JSON.
    pub fn into_json(self) -> Details<Value> {
        let response = self
            .response
            .map(|r| serde_json::to_value(r).unwrap_or(Value::Null));
        Details {
            response,
            output: self.output,
            completions: self.completions,
            content: self.content,
            prompt: self.prompt,
            body: self.body,
            api: self.api,
            model_id: self.model_id,
            latency: self.latency,
            usage: self.usage,
            stop_reason: self.stop_reason,
            request_id: self.request_id,
            time_to_first_token: self.time_to_first_token,
            time_to_last_token: self.time_to_last_token,
            guardrail_trace: self.guardrail_trace,
        }
    }
}
