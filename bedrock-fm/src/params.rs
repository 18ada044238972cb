//! Typed parameters: [`CommonParams`], the per-family [`Params`] structs the codegen writes
//! from `[family.<id>.params]`, and [`CallOptions`], which carries them (with `extra_args`)
//! as builder defaults or per-call options.

use crate::catalog::{Family, Model};
use crate::client::Limits;
use crate::error::{Error, Result};
use crate::native::NativeRequest;
use crate::schema::not_finite;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::fmt;

/// A typed parameter of a family: its setter and where it goes in the native body.
#[derive(Debug)]
#[non_exhaustive]
pub struct ParamSpec {
    /// The setter's name (`temperature`, `top_k`, ...).
    pub setter: &'static str,
    /// The wire path in the native body (`["textGenerationConfig", "temperature"]`).
    pub path: &'static [&'static str],
}

/// The parameters every text family takes; on Converse they are `inferenceConfig`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CommonParams {
    /// Sampling temperature; an explicit `0.0` is sent as `0.0`.
    pub temperature: Option<f64>,
    /// Nucleus sampling probability.
    pub top_p: Option<f64>,
    /// Maximum number of tokens to generate.
    pub max_tokens: Option<u32>,
    /// Sequences at which generation stops.
    pub stop_words: Option<Vec<String>>,
}

/// The names of the common parameters, in the order errors list them.
pub(crate) const COMMON: [&str; 4] = ["temperature", "top_p", "max_tokens", "stop_words"];

impl CommonParams {
    /// `self`'s set fields over `defaults`.
    pub fn over(&self, defaults: &Self) -> Self {
        Self {
            temperature: self.temperature.or(defaults.temperature),
            top_p: self.top_p.or(defaults.top_p),
            max_tokens: self.max_tokens.or(defaults.max_tokens),
            stop_words: self.stop_words.clone().or(defaults.stop_words.clone()),
        }
    }

    /// Sets a common parameter by name; `Ok(false)` when `name` is not one.
    pub fn set_named(&mut self, name: &str, value: Value) -> Result<bool, String> {
        match name {
            "temperature" => self.temperature = Some(param_from_json(value)?),
            "top_p" => self.top_p = Some(param_from_json(value)?),
            "max_tokens" => self.max_tokens = Some(param_from_json(value)?),
            "stop_words" => self.stop_words = Some(param_from_json(value)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The set parameters, by name, as JSON.
    pub fn entries(&self) -> Vec<(&'static str, Value)> {
        let mut out = Vec::new();
        if let Some(v) = self.temperature {
            out.push(("temperature", param_to_json(&v)));
        }
        if let Some(v) = self.top_p {
            out.push(("top_p", param_to_json(&v)));
        }
        if let Some(v) = self.max_tokens {
            out.push(("max_tokens", param_to_json(&v)));
        }
        if let Some(v) = &self.stop_words {
            out.push(("stop_words", param_to_json(v)));
        }
        out
    }
}

/// A family's typed parameters (generated per family): the common ones and its own, and
/// how they are written into its native request.
pub trait Params: Clone + Default + fmt::Debug + PartialEq + Send + Sync + 'static {
    /// The native request the parameters are written into.
    type Request;
    /// The family's declared parameters: setter and wire path.
    const SPECS: &'static [ParamSpec];
    /// The common parameters.
    fn common(&self) -> &CommonParams;
    /// The common parameters, to set them.
    fn common_mut(&mut self) -> &mut CommonParams;
    /// Field by field: what `self` sets wins, the rest comes from `defaults`.
    fn over(&self, defaults: &Self) -> Self;
    /// Sets a parameter by its setter's name from JSON; `Ok(false)` when the family has no
    /// such parameter, `Err` when the value does not have the parameter's type.
    fn set_named(&mut self, name: &str, value: Value) -> Result<bool, String>;
    /// The set parameters as JSON, by setter (for range checks and Converse's
    /// `additionalModelRequestFields`).
    fn entries(&self) -> Vec<(&'static str, Value)>;
    /// Writes the set parameters into the request at their wire paths.
    fn apply(&self, request: &mut Self::Request);
}

/// A request for a model with no native InvokeModel format ([`ConverseModel`](crate::ConverseModel)).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct NoNativeBody {
    /// Whatever is set.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

static NO_NATIVE_BODY_SPEC: crate::schema::StructSpec = crate::schema::StructSpec {
    name: "NoNativeBody",
    doc: "No native InvokeModel format.",
    fields: &[],
};

impl NativeRequest for NoNativeBody {
    type Response = Value;
    type Chunk = Value;
    const FAMILY: Option<Family> = None;

    fn spec() -> &'static crate::schema::StructSpec {
        &NO_NATIVE_BODY_SPEC
    }

    fn extra_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.extra
    }
}

impl Params for CommonParams {
    type Request = NoNativeBody;
    const SPECS: &'static [ParamSpec] = &[];

    fn common(&self) -> &CommonParams {
        self
    }

    fn common_mut(&mut self) -> &mut CommonParams {
        self
    }

    fn over(&self, defaults: &Self) -> Self {
        CommonParams::over(self, defaults)
    }

    fn set_named(&mut self, name: &str, value: Value) -> Result<bool, String> {
        CommonParams::set_named(self, name, value)
    }

    fn entries(&self) -> Vec<(&'static str, Value)> {
        CommonParams::entries(self)
    }

    fn apply(&self, _: &mut NoNativeBody) {}
}

/// What the codegen declares of each text family: its [`Family`] and its typed request,
/// response, stream chunk and parameters.
pub trait FamilyTypes: Sized + Send + Sync + 'static {
    /// The family (`None` for [`ConverseModel`](crate::ConverseModel), which has no native
    /// InvokeModel format).
    const FAMILY: Option<Family>;
    /// The typed parameters.
    type Params: Params<Request = Self::Request>;
    /// The typed InvokeModel request body.
    type Request: NativeRequest;
    /// The typed InvokeModel response body.
    type Response: crate::native::NativeResponse;
    /// The typed InvokeModelWithResponseStream chunk (the response, for a family that
    /// does not stream).
    type Chunk: crate::native::NativeResponse;
}

/// A parameter's value from JSON (`--param top_k=5`, a configuration file).
pub fn param_from_json<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    let shown = value.to_string();
    serde_json::from_value(value).map_err(|e| format!("{shown} is not a valid value: {e}"))
}

/// A parameter's value as JSON (for range checks and Converse's additional fields).
pub fn param_to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("parameter values serialize")
}

/// Options of a call. As builder defaults they apply to every call; per call, each field
/// that is set overrides the default (`Option` semantics: an explicit `0.0` is sent).
pub struct CallOptions<F: FamilyTypes> {
    pub(crate) params: F::Params,
    extra_args: Map<String, Value>,
    extra_args_error: Option<String>,
    param_error: Option<(String, String)>,
}

impl<F: FamilyTypes> Clone for CallOptions<F> {
    fn clone(&self) -> Self {
        Self {
            params: self.params.clone(),
            extra_args: self.extra_args.clone(),
            extra_args_error: self.extra_args_error.clone(),
            param_error: self.param_error.clone(),
        }
    }
}

impl<F: FamilyTypes> Default for CallOptions<F> {
    fn default() -> Self {
        Self {
            params: F::Params::default(),
            extra_args: Map::new(),
            extra_args_error: None,
            param_error: None,
        }
    }
}

impl<F: FamilyTypes> fmt::Debug for CallOptions<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("params", &self.params)
            .field("extra_args", &self.extra_args)
            .finish()
    }
}

impl<F: FamilyTypes> PartialEq for CallOptions<F> {
    fn eq(&self, other: &Self) -> bool {
        self.params == other.params && self.extra_args == other.extra_args
    }
}

/// The setters shared by [`CallOptions`] and [`crate::TextModelBuilder`]; `$slot` is
/// where the options are.
macro_rules! common_setters {
    ($($slot:ident).*) => {
        /// Sampling temperature; an explicit `0.0` is sent as `0.0`.
        pub fn temperature(mut self, value: impl Into<f64>) -> Self {
            crate::params::Params::common_mut(&mut self.$($slot).*).temperature = Some(value.into());
            self
        }

        /// Nucleus sampling probability.
        pub fn top_p(mut self, value: impl Into<f64>) -> Self {
            crate::params::Params::common_mut(&mut self.$($slot).*).top_p = Some(value.into());
            self
        }

        /// Maximum number of tokens to generate.
        pub fn max_tokens(mut self, value: u32) -> Self {
            crate::params::Params::common_mut(&mut self.$($slot).*).max_tokens = Some(value);
            self
        }

        /// Sequences at which generation stops.
        pub fn stop_words<I: Into<String>>(mut self, words: impl IntoIterator<Item = I>) -> Self {
            let words = words.into_iter().map(Into::into).collect();
            crate::params::Params::common_mut(&mut self.$($slot).*).stop_words = Some(words);
            self
        }
    };
}
pub(crate) use common_setters;

impl<F: FamilyTypes> CallOptions<F> {
    /// No options set.
    pub fn new() -> Self {
        Self::default()
    }

    common_setters!(params);

    /// The typed parameters set.
    pub fn params(&self) -> &F::Params {
        &self.params
    }

    /// Replaces the typed parameters (the family's `*Params` struct, field by field).
    pub fn with_params(mut self, params: F::Params) -> Self {
        self.params = params;
        self
    }

    /// Model-specific JSON (an object), merged key by key into the native body on
    /// InvokeModel, or into `additionalModelRequestFields` on Converse. Calling it again
    /// merges, later keys winning. Rejected before any request: a key that names a typed
    /// parameter, a field the family builds from the conversation (`messages`, `prompt`,
    /// `anthropic_version`, ...), and a value the SDK writes from the chat options (tools,
    /// reasoning); objects the SDK writes may gain keys.
    pub fn extra_args(mut self, args: Value) -> Self {
        match args {
            Value::Object(map) => self.extra_args.extend(map),
            other => self.extra_args_error = Some(format!("must be a JSON object, not {other}")),
        }
        self
    }

    /// Sets a typed parameter by its setter's name (`"top_k"`), for parameters chosen at run
    /// time (a command line, a configuration file). A name the family does not have, or a
    /// value of the wrong type, is an error at `build()` (or at the call) that lists the
    /// family's parameters; the value is range-checked like the typed setter's.
    pub fn param_named(mut self, name: &str, value: Value) -> Self {
        match self.params.set_named(name, value) {
            Ok(true) => {}
            Ok(false) => self.param_error = Some((name.to_owned(), unknown_param::<F>(name))),
            Err(problem) => self.param_error = Some((name.to_owned(), problem)),
        }
        self
    }

    /// These options over `defaults`: each field set here wins, the rest comes from
    /// `defaults`; `extra_args` merge per key the same way.
    pub fn over(&self, defaults: &CallOptions<F>) -> CallOptions<F> {
        let mut extra_args = defaults.extra_args.clone();
        extra_args.extend(self.extra_args.clone());
        CallOptions {
            params: self.params.over(&defaults.params),
            extra_args,
            extra_args_error: self
                .extra_args_error
                .clone()
                .or(defaults.extra_args_error.clone()),
            param_error: self.param_error.clone().or(defaults.param_error.clone()),
        }
    }

    /// The same common parameters and `extra_args` for another family, whose own
    /// parameters start unset.
    pub(crate) fn retype<G: FamilyTypes>(self) -> CallOptions<G> {
        let mut params = G::Params::default();
        *params.common_mut() = self.params.common().clone();
        CallOptions {
            params,
            extra_args: self.extra_args,
            extra_args_error: self.extra_args_error,
            param_error: self.param_error,
        }
    }

    /// The extra arguments as given.
    pub fn extra_args_map(&self) -> &Map<String, Value> {
        &self.extra_args
    }

    /// Checks every value against the family's declared ranges and the model's limits, and
    /// `extra_args` against the typed parameters.
    ///
    /// With [`Limits::ServiceModelOnly`] the catalog's ranges and output caps are not
    /// checked; the service judges them.
    pub(crate) fn plan(&self, model: Option<Model>, limits: Limits) -> Result<Plan<F>> {
        if let Some(problem) = &self.extra_args_error {
            return Err(Error::invalid("extra_args", problem.clone()));
        }
        if let Some((name, problem)) = &self.param_error {
            return Err(Error::invalid(format!("param {name}"), problem.clone()));
        }
        let common = self.params.common();
        for (setter, value) in [("temperature", common.temperature), ("top_p", common.top_p)] {
            if let Some(problem) = value.and_then(not_finite) {
                return Err(Error::invalid(setter, problem));
            }
        }
        if let Some(words) = &common.stop_words {
            check_stop_words(words)?;
        }
        let catalog_limits = limits == Limits::Catalog;
        let mut entries = self.params.entries();
        entries.sort_by_key(|(setter, _)| *setter);
        let mut not_native = Vec::new();
        let mut specific = Vec::new();
        for (setter, value) in entries {
            // A set parameter is JSON null only when it is a NaN or an infinity, which
            // serde_json writes as null.
            if value.is_null() {
                let msg = "is NaN or infinite, not a number the service takes";
                return Err(Error::invalid(setter, msg));
            }
            let spec = <F::Params as Params>::SPECS
                .iter()
                .find(|p| p.setter == setter);
            let (Some(spec), Some(family)) = (spec, F::FAMILY) else {
                not_native.push(setter);
                continue;
            };
            let field = family
                .request_spec()
                .field_at(spec.path)
                .expect("codegen checked every param path");
            let violation = field.validate_value(&value).into_iter().next();
            if let Some(v) = violation.filter(|_| catalog_limits) {
                let source = field.source.unwrap_or(family.source());
                let message = format!(
                    "{} (wire `{}`; limit from {source})",
                    v.message,
                    spec.path.join(".")
                );
                return Err(Error::invalid(setter, message));
            }
            if !COMMON.contains(&setter) {
                specific.push((spec, value));
            }
        }
        if let (Some(limit), Some(asked), true) = (
            model.and_then(|m| m.info().max_output_tokens),
            self.params.common().max_tokens,
            catalog_limits,
        ) && asked > limit
        {
            let id = model.map(Model::id).unwrap_or_default();
            let msg =
                format!("{asked} exceeds the model's maximum output of {limit} tokens ({id})");
            return Err(Error::invalid("max_tokens", msg));
        }
        check_extra_args::<F>(&self.extra_args)?;
        Ok(Plan {
            params: self.params.clone(),
            not_native,
            specific,
            extra_args: self.extra_args.clone(),
        })
    }
}

/// The options of one call, checked against the family and the model.
#[derive(Debug, Clone)]
pub(crate) struct Plan<F: FamilyTypes> {
    /// The typed parameters (defaults and call merged).
    pub params: F::Params,
    /// Common parameters the family cannot take natively (only valid on Converse).
    pub not_native: Vec<&'static str>,
    /// The family's own parameters with their wire paths, as JSON (Converse's
    /// `additionalModelRequestFields`).
    pub specific: Vec<(&'static ParamSpec, Value)>,
    pub extra_args: Map<String, Value>,
}

impl<F: FamilyTypes> Plan<F> {
    pub(crate) fn temperature(&self) -> Option<f64> {
        self.params.common().temperature
    }

    pub(crate) fn top_p(&self) -> Option<f64> {
        self.params.common().top_p
    }

    pub(crate) fn max_tokens(&self) -> Option<u32> {
        self.params.common().max_tokens
    }

    pub(crate) fn stop_words(&self) -> Option<Vec<String>> {
        self.params.common().stop_words.clone()
    }
}

/// Every stop word has at least one character: Converse types them as `NonEmptyString`
/// (min length 1) in `InferenceConfigurationStopSequencesList` (bedrock-runtime service
/// model, `InferenceConfiguration.stopSequences`); refused on InvokeModel too, so that a
/// call means the same over either API.
fn check_stop_words(words: &[String]) -> Result<()> {
    match words.iter().position(String::is_empty) {
        Some(i) => Err(Error::invalid(
            format!("stop_words[{i}]"),
            "an empty stop word; each needs at least one character (NonEmptyString in the \
             bedrock-runtime service model)",
        )),
        None => Ok(()),
    }
}

fn setter_call(setter: &str) -> String {
    format!("`.{setter}(...)`")
}

/// Every setter name of `F`: the common ones, then the family's own.
fn setter_names<F: FamilyTypes>() -> impl Iterator<Item = &'static str> {
    COMMON.iter().copied().chain(
        <F::Params as Params>::SPECS
            .iter()
            .map(|p| p.setter)
            .filter(|s| !COMMON.contains(s)),
    )
}

fn unknown_param<F: FamilyTypes>(name: &str) -> String {
    let names: Vec<&str> = setter_names::<F>().collect();
    let family = F::FAMILY.map_or("Converse-only", |f| f.name());
    format!(
        "the {family} family has no parameter {name:?}; its parameters are {}",
        names.join(", ")
    )
}

/// Rejects an `extra_args` key that names a typed parameter (by its setter name, by its
/// wire name at the top level, or by its full wire path), or a field the family's encoder
/// writes from the conversation (`conversation = true` in `models.toml`: `messages`,
/// `prompt`, `anthropic_version`, ...), which a merge would overwrite on InvokeModel. On
/// Converse they are no "additional inference parameters" either
/// (`ConverseRequest.additionalModelRequestFields`, bedrock-runtime service model): the
/// conversation is Converse's `messages` and `system`.
fn check_extra_args<F: FamilyTypes>(extra: &Map<String, Value>) -> Result<()> {
    let specs = <F::Params as Params>::SPECS;
    let at_path = |path: &[&str]| {
        let mut current = extra;
        for (i, segment) in path.iter().enumerate() {
            match current.get(*segment) {
                Some(_) if i + 1 == path.len() => return true,
                Some(Value::Object(next)) => current = next,
                _ => return false,
            }
        }
        false
    };
    for key in extra.keys() {
        let typed = setter_names::<F>().find(|s| s == key);
        let by_wire = specs.iter().find(|p| p.path.last() == Some(&key.as_str()));
        if let Some(setter) = typed.or(by_wire.map(|p| p.setter)) {
            let msg = format!(
                "names the typed parameter `{setter}`; use {} instead",
                setter_call(setter)
            );
            return Err(Error::invalid(format!("extra_args.{key}"), msg));
        }
        let written = F::FAMILY.and_then(|f| Some((f, f.request_spec().field_by_wire(key)?)));
        if let Some((family, field)) = written.filter(|(_, field)| field.conversation) {
            let msg = format!(
                "the {} body's `{}` is written from the conversation; extra_args may not \
                 replace it (change the conversation instead)",
                family.name(),
                field.wire
            );
            return Err(Error::invalid(format!("extra_args.{key}"), msg));
        }
    }
    if let Some(p) = specs.iter().find(|p| p.path.len() > 1 && at_path(p.path)) {
        let msg = format!(
            "names the typed parameter `{}`; use {} instead",
            p.setter,
            setter_call(p.setter)
        );
        return Err(Error::invalid(
            format!("extra_args.{}", p.path.join(".")),
            msg,
        ));
    }
    Ok(())
}
