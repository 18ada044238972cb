//! A `[[model]]` entry: its capabilities, limits, image facts and prompt caching.

use super::checks::{one_of, source};
use super::{
    IMAGE_FORMATS, INFERENCE_TYPES, ImageInputLimits, ImageSize, LIFECYCLES, MODALITIES,
    ModelEntry, PROFILES, PROMPT_FORMATS, PromptCache, REASONING,
};
use crate::reader::{CatalogError, Entry};
use toml::Value;

pub(super) fn parse_model(index: usize, value: &Value) -> Result<ModelEntry, CatalogError> {
    let label = match value.get("id").and_then(Value::as_str) {
        Some(id) => format!("model {id:?}"),
        None => format!("model #{}", index + 1),
    };
    let mut e = Entry::from_value(label, value)?;
    let model = ModelEntry {
        id: e.str("id")?,
        family: e.str("family")?,
        provider: e.str("provider")?,
        name: e.str("name")?,
        input: e.str_list("input")?,
        output: e.str_list("output")?,
        streaming: e.bool("streaming")?,
        converse: e.bool("converse")?,
        tool_use: e.bool("tool_use")?,
        vision: e.bool("vision")?,
        context_window: e.opt_u64("context_window")?,
        max_output_tokens: e.opt_u64("max_output_tokens")?,
        default_max_tokens: e.opt_u64("default_max_tokens")?,
        embedding_dimensions: e.opt_u64_list("embedding_dimensions")?.unwrap_or_default(),
        image_sizes: parse_sizes(&mut e)?,
        reasoning: e.opt_str("reasoning")?,
        image_input: parse_image_limits(&mut e)?,
        lifecycle: e.str("lifecycle")?,
        profiles: e.str_list("profiles")?,
        inference_types: e.str_list("inference_types")?,
        prompt_format: e.opt_str("prompt_format")?,
        latency_optimized: e.opt_bool("latency_optimized")?.unwrap_or(false),
        prompt_cache: parse_prompt_cache(&mut e)?,
        image_tasks: e.opt_str_list("image_tasks")?.unwrap_or_default(),
        image_conditioning: e.opt_bool("image_conditioning")?.unwrap_or(false),
        image_output_formats: e.opt_str_list("image_output_formats")?.unwrap_or_default(),
        source: source(&mut e)?,
    };
    for m in model.input.iter().chain(&model.output) {
        one_of(&e, "input", m, MODALITIES)?;
    }
    one_of(&e, "lifecycle", &model.lifecycle, LIFECYCLES)?;
    for p in &model.profiles {
        one_of(&e, "profiles", p, PROFILES)?;
    }
    if let Some(r) = &model.reasoning {
        one_of(&e, "reasoning", r, REASONING)?;
    }
    if let Some(p) = &model.prompt_format {
        one_of(&e, "prompt_format", p, PROMPT_FORMATS)?;
    }
    if model.inference_types.is_empty() {
        return Err(e.err("inference_types", "lists no inference type"));
    }
    for t in &model.inference_types {
        one_of(&e, "inference_types", t, INFERENCE_TYPES)?;
    }
    let profile_only = model
        .inference_types
        .iter()
        .any(|t| t == "INFERENCE_PROFILE");
    if profile_only && model.profiles.is_empty() {
        return Err(e.err(
            "inference_types",
            "INFERENCE_PROFILE needs the model's profiles in `profiles`",
        ));
    }
    e.finish()?;
    Ok(model)
}

/// `cache_min_tokens`, `cache_max_checkpoints`, `cache_tools`, `cache_ttl_1h`: all or none.
fn parse_prompt_cache(e: &mut Entry) -> Result<Option<PromptCache>, CatalogError> {
    let min_tokens = e.opt_u64("cache_min_tokens")?;
    let max_checkpoints = e.opt_u64("cache_max_checkpoints")?;
    let tools = e.opt_bool("cache_tools")?;
    let one_hour_ttl = e.opt_bool("cache_ttl_1h")?;
    match (min_tokens, max_checkpoints, tools, one_hour_ttl) {
        (Some(min_tokens), Some(max_checkpoints), Some(tools), Some(one_hour_ttl)) => {
            Ok(Some(PromptCache {
                min_tokens,
                max_checkpoints,
                tools,
                one_hour_ttl,
            }))
        }
        (None, None, None, None) => Ok(None),
        _ => Err(e.err(
            "cache_min_tokens",
            "prompt caching needs cache_min_tokens, cache_max_checkpoints, cache_tools and cache_ttl_1h",
        )),
    }
}

/// `image_formats`, `max_images`, `max_image_bytes`, `max_image_dimension`: each optional,
/// defaulting to Converse's limits; present only for vision models.
fn parse_image_limits(e: &mut Entry) -> Result<Option<ImageInputLimits>, CatalogError> {
    let formats = e.opt_str_list("image_formats")?;
    let count = e.opt_u64("max_images")?;
    let bytes = e.opt_u64("max_image_bytes")?;
    let dimension = e.opt_u64("max_image_dimension")?;
    let vision = e.peek_bool("vision");
    if !vision {
        let given = formats.is_some() || count.is_some() || bytes.is_some() || dimension.is_some();
        return match given {
            true => Err(e.err("max_images", "image limits apply to vision models only")),
            false => Ok(None),
        };
    }
    let defaults = ImageInputLimits::default();
    let limits = ImageInputLimits {
        formats: formats.unwrap_or(defaults.formats),
        max_count: count.unwrap_or(defaults.max_count),
        max_bytes: bytes.unwrap_or(defaults.max_bytes),
        max_dimension: dimension.unwrap_or(defaults.max_dimension),
    };
    for f in &limits.formats {
        one_of(e, "image_formats", f, IMAGE_FORMATS)?;
    }
    Ok(Some(limits))
}

fn parse_sizes(e: &mut Entry) -> Result<Vec<ImageSize>, CatalogError> {
    let sizes = e.opt_str_list("image_sizes")?.unwrap_or_default();
    sizes
        .iter()
        .map(|s| {
            let pair = |sep| {
                let (w, h) = s.split_once(sep)?;
                Some((w.parse().ok()?, h.parse().ok()?))
            };
            pair('x')
                .map(|(w, h)| ImageSize::Pixels(w, h))
                .or_else(|| pair(':').map(|(w, h)| ImageSize::Ratio(w, h)))
                .ok_or_else(|| {
                    e.err(
                        "image_sizes",
                        format!("{s:?} is neither WIDTHxHEIGHT nor W:H"),
                    )
                })
        })
        .collect()
}
