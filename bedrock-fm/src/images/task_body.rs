//! The `taskType` request shape Titan Image Generator and Nova Canvas share: a task, its
//! parameters object (`textToImageParams`, `inPaintingParams`, ...) and an
//! `imageGenerationConfig` (`numberOfImages`, `width`, `height`, `cfgScale`, `seed`,
//! `quality`).

use super::backend::{check_colors, check_range, check_text, encode, reject_unsupported, size_of};
use super::input::PNG_JPEG;
use super::options::{ImageOptions, ImageRequest, ImageTask, Mask};
use crate::catalog::Family;
use crate::error::{Error, Result};
use serde_json::{Map, Value, json};

/// What differs between the two families (and between Titan v1 and v2).
pub(crate) struct TaskModel<'a> {
    pub family: Family,
    pub model_id: &'a str,
    /// The tasks the model has.
    pub tasks: &'a [ImageTask],
    /// Whether text-to-image takes a condition image.
    pub conditioning: bool,
    /// The options the family has.
    pub supported: &'a [&'a str],
    /// Checks a generated image's size.
    pub check_size: &'a dyn Fn(u32, u32) -> Result<()>,
    /// The largest input image, in bytes.
    pub max_image_bytes: usize,
}

fn params_key(task: ImageTask) -> &'static str {
    match task {
        ImageTask::TextToImage => "textToImageParams",
        ImageTask::ColorGuided => "colorGuidedGenerationParams",
        ImageTask::Variation => "imageVariationParams",
        ImageTask::Inpainting => "inPaintingParams",
        ImageTask::Outpainting => "outPaintingParams",
        ImageTask::BackgroundRemoval => "backgroundRemovalParams",
        ImageTask::ImageToImage => unreachable!("not a taskType task"),
    }
}

/// Fails when an input meant for other tasks is set.
fn only_for(task: ImageTask, set: bool, name: &str, tasks: &[ImageTask]) -> Result<()> {
    if set && !tasks.contains(&task) {
        let names: Vec<&str> = tasks.iter().map(|t| t.name()).collect();
        let hint = if name.starts_with("mask") {
            " (a mask applies to an input image: use ImageRequest::inpainting or outpainting)"
        } else {
            ""
        };
        return Err(Error::invalid(
            name,
            format!(
                "{} takes no `{name}`; it is for {}{hint}",
                task.name(),
                names.join(", ")
            ),
        ));
    }
    Ok(())
}

pub(crate) fn task_body(
    m: &TaskModel<'_>,
    defaults: &ImageOptions,
    req: &ImageRequest,
) -> Result<Value> {
    use ImageTask::*;
    let task = req.task;
    if !m.tasks.contains(&task) {
        let names: Vec<&str> = m.tasks.iter().map(|t| t.name()).collect();
        return Err(Error::invalid(
            "task",
            format!(
                "{} has no {}; it has {}",
                m.model_id,
                task.name(),
                names.join(", ")
            ),
        ));
    }
    // Edited images keep the input's size: a size asked for in the call is an error, the
    // builder's default size does not apply. Background removal takes no settings at all.
    let edits = matches!(task, Inpainting | Outpainting | BackgroundRemoval);
    if edits && size_of(&req.options)?.is_some() {
        return Err(Error::invalid(
            "size",
            format!("{} keeps the input image's size", task.name()),
        ));
    }
    let options = if task == BackgroundRemoval {
        if let Some(name) = req.options.set_names().first() {
            return Err(Error::invalid(
                *name,
                "background removal takes no settings",
            ));
        }
        ImageOptions::default()
    } else {
        let mut defaults = defaults.clone();
        if edits {
            defaults.width = None;
            defaults.height = None;
        }
        if task != TextToImage {
            // The builder's style is for text-to-image; asked for in another task's call, an
            // error.
            defaults.style = None;
            if req.options.style.is_some() {
                return Err(Error::invalid(
                    "style",
                    "a style applies to text-to-image only",
                ));
            }
        }
        req.options.over(&defaults)
    };
    reject_unsupported(&options, m.family, m.supported)?;

    // Inputs that belong to other tasks.
    only_for(
        task,
        req.mask.is_some(),
        mask_name(req),
        &[Inpainting, Outpainting],
    )?;
    only_for(
        task,
        req.condition_image.is_some(),
        "condition_image",
        &[TextToImage],
    )?;
    only_for(
        task,
        req.control_mode.is_some(),
        "control_mode",
        &[TextToImage],
    )?;
    only_for(
        task,
        req.control_strength.is_some(),
        "control_strength",
        &[TextToImage],
    )?;
    only_for(task, !req.colors.is_empty(), "colors", &[ColorGuided])?;
    only_for(
        task,
        req.reference_image.is_some(),
        "reference_image",
        &[ColorGuided],
    )?;
    only_for(task, !req.images.is_empty(), "images", &[Variation])?;
    only_for(
        task,
        req.similarity_strength.is_some(),
        "similarity_strength",
        &[Variation],
    )?;
    only_for(
        task,
        req.outpainting_mode.is_some(),
        "outpainting_mode",
        &[Outpainting],
    )?;
    only_for(
        task,
        req.image.is_some(),
        "image",
        &[Inpainting, Outpainting, BackgroundRemoval],
    )?;
    if req.strength.is_some() {
        return Err(Error::invalid(
            "strength",
            format!(
                "{} has no image-to-image strength; use similarity_strength with a variation",
                m.family.name()
            ),
        ));
    }
    if !req.weighted_prompts.is_empty() {
        return Err(Error::invalid(
            "weighted_prompt",
            format!(
                "weighted prompts are SDXL's; {} takes one prompt",
                m.family.name()
            ),
        ));
    }

    let key = params_key(task);
    let mut params = Map::new();
    let bytes = m.max_image_bytes;
    // The prompt: required by text-to-image, color-guided and (Titan) outpainting.
    let prompt_required = match task {
        TextToImage | ColorGuided => true,
        Outpainting => field_required(m.family, key, "text"),
        _ => false,
    };
    match (&req.prompt, task) {
        (Some(_), BackgroundRemoval) => {
            return Err(Error::invalid(
                "prompt",
                "background removal takes no prompt",
            ));
        }
        (Some(p), _) => {
            check_text(m.family, &[key, "text"], "prompt", p)?;
            params.insert("text".into(), json!(p));
        }
        (None, _) if prompt_required => {
            return Err(Error::invalid(
                "prompt",
                format!("{} needs a prompt", task.name()),
            ));
        }
        (None, _) => {}
    }
    if let Some(neg) = &options.negative_prompt
        && task != BackgroundRemoval
    {
        check_text(m.family, &[key, "negativeText"], "negative_prompt", neg)?;
        params.insert("negativeText".into(), json!(neg));
    }

    match task {
        TextToImage => {
            if let Some(c) = &req.condition_image {
                if !m.conditioning {
                    return Err(Error::invalid(
                        "condition_image",
                        format!("{} has no image conditioning", m.model_id),
                    ));
                }
                let c = encode(c, "condition_image", PNG_JPEG, bytes)?;
                params.insert("conditionImage".into(), json!(c.base64()));
            } else if req.control_mode.is_some() || req.control_strength.is_some() {
                let name = if req.control_mode.is_some() {
                    "control_mode"
                } else {
                    "control_strength"
                };
                return Err(Error::invalid(
                    name,
                    "needs a condition image (ImageRequest::condition_image)",
                ));
            }
            if let Some(mode) = req.control_mode {
                params.insert("controlMode".into(), json!(mode.as_str()));
            }
            if let Some(s) = req.control_strength {
                check_range(m.family, &[key, "controlStrength"], "control_strength", s)?;
                params.insert("controlStrength".into(), json!(s));
            }
            if let Some(style) = &options.style {
                params.insert("style".into(), json!(style.as_str()));
            }
        }
        ColorGuided => {
            if req.colors.is_empty() {
                return Err(Error::invalid(
                    "colors",
                    "color-guided generation needs colors",
                ));
            }
            let max = super::backend::field(m.family, &[key, "colors"]).max_items;
            if let Some(max) = max.filter(|m| req.colors.len() as u64 > *m) {
                return Err(Error::invalid(
                    "colors",
                    format!("{} colors given; at most {max}", req.colors.len()),
                ));
            }
            check_colors(&req.colors)?;
            params.insert("colors".into(), json!(req.colors));
            if let Some(r) = &req.reference_image {
                let r = encode(r, "reference_image", PNG_JPEG, bytes)?;
                params.insert("referenceImage".into(), json!(r.base64()));
            }
        }
        Variation => {
            let f = super::backend::field(m.family, &[key, "images"]);
            let n = req.images.len() as u64;
            if n == 0 {
                return Err(Error::invalid(
                    "images",
                    "a variation needs at least one image",
                ));
            }
            if let Some(max) = f.max_items.filter(|m| n > *m) {
                return Err(Error::invalid(
                    "images",
                    format!("{n} images given; {} takes at most {max}", m.family.name()),
                ));
            }
            let mut encoded = Vec::new();
            for (i, img) in req.images.iter().enumerate() {
                encoded.push(encode(img, &format!("images[{i}]"), PNG_JPEG, bytes)?.base64());
            }
            params.insert("images".into(), json!(encoded));
            if let Some(s) = req.similarity_strength {
                check_range(
                    m.family,
                    &[key, "similarityStrength"],
                    "similarity_strength",
                    s,
                )?;
                params.insert("similarityStrength".into(), json!(s));
            }
        }
        Inpainting | Outpainting | BackgroundRemoval => {
            let Some(input) = &req.image else {
                let what = if req.mask.is_some() {
                    format!(
                        "{} needs the input image the mask applies to (ImageRequest::image)",
                        task.name()
                    )
                } else {
                    format!("{} needs an input image", task.name())
                };
                return Err(Error::invalid("image", what));
            };
            let image = encode(input, "image", PNG_JPEG, bytes)?;
            params.insert("image".into(), json!(image.base64()));
            if task != BackgroundRemoval {
                match &req.mask {
                    None => {
                        return Err(Error::invalid(
                            "mask",
                            format!(
                                "{} needs a mask: mask_prompt(...) or mask_image(...)",
                                task.name()
                            ),
                        ));
                    }
                    Some(Mask::Prompt(p)) => {
                        if p.trim().is_empty() {
                            return Err(Error::invalid("mask_prompt", "the mask prompt is empty"));
                        }
                        params.insert("maskPrompt".into(), json!(p));
                    }
                    Some(Mask::Image(mask)) => {
                        let mask = encode(mask, "mask_image", PNG_JPEG, bytes)?;
                        if (mask.width, mask.height) != (image.width, image.height) {
                            return Err(Error::invalid(
                                "mask_image",
                                format!(
                                    "the mask is {}x{}; it must have the input image's size, {}x{}",
                                    mask.width, mask.height, image.width, image.height
                                ),
                            ));
                        }
                        params.insert("maskImage".into(), json!(mask.base64()));
                    }
                }
                if let Some(mode) = req.outpainting_mode {
                    params.insert("outPaintingMode".into(), json!(mode.as_str()));
                }
            }
        }
        ImageToImage => unreachable!("rejected above"),
    }

    let mut body = Map::new();
    body.insert("taskType".into(), json!(task.task_type()));
    body.insert(key.into(), Value::Object(params));
    if task != BackgroundRemoval {
        let config = generation_config(m, &options, task)?;
        if !config.is_empty() {
            body.insert("imageGenerationConfig".into(), Value::Object(config));
        }
    }
    Ok(Value::Object(body))
}

fn mask_name(req: &ImageRequest) -> &'static str {
    match req.mask {
        Some(Mask::Image(_)) => "mask_image",
        _ => "mask_prompt",
    }
}

fn field_required(family: Family, key: &str, name: &str) -> bool {
    super::backend::field(family, &[key, name]).required
}

fn generation_config(
    m: &TaskModel<'_>,
    options: &ImageOptions,
    task: ImageTask,
) -> Result<Map<String, Value>> {
    const CONFIG: &str = "imageGenerationConfig";
    let mut config = Map::new();
    if let Some(n) = options.count {
        check_range(m.family, &[CONFIG, "numberOfImages"], "count", f64::from(n))?;
        config.insert("numberOfImages".into(), json!(n));
    }
    if let Some(q) = options.quality {
        config.insert("quality".into(), json!(q.as_str()));
    }
    if let Some((w, h)) = size_of(options)?
        && !matches!(task, ImageTask::Inpainting | ImageTask::Outpainting)
    {
        (m.check_size)(w, h)?;
        config.insert("width".into(), json!(w));
        config.insert("height".into(), json!(h));
    }
    if let Some(s) = options.cfg_scale {
        check_range(m.family, &[CONFIG, "cfgScale"], "cfg_scale", s)?;
        config.insert("cfgScale".into(), json!(s));
    }
    if let Some(seed) = options.seed {
        check_range(m.family, &[CONFIG, "seed"], "seed", seed as f64)?;
        config.insert("seed".into(), json!(seed));
    }
    Ok(config)
}
