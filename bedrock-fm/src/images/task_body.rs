//! The `taskType` request shape Titan Image Generator and Nova Canvas share: a task, its
//! parameters object (`textToImageParams`, `inPaintingParams`, ...) and an
//! `imageGenerationConfig` (`numberOfImages`, `width`, `height`, `cfgScale`, `seed`,
//! `quality`). The checks are shared; each family's file maps the checked [`TaskBody`] into
//! its generated request type with [`task_request!`].

use super::backend::{check_colors, check_range, check_text, encode, reject_unsupported, size_of};
use super::input::PNG_JPEG;
use super::options::{ControlMode, ImageOptions, ImageRequest, ImageTask, Mask};
use super::options::{OutpaintingMode, Quality};
use crate::bodies::nova_canvas::NovaCanvasStyle;
use crate::catalog::Family;
use crate::error::{Error, Result};

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

/// A checked `taskType` request, before it becomes the family's typed body.
#[derive(Debug)]
pub(crate) struct TaskBody {
    pub task: ImageTask,
    /// The task's parameters object.
    pub params: TaskParams,
    /// `imageGenerationConfig`, when anything is set (never for background removal).
    pub config: Option<GenerationConfig>,
}

/// The members of the task's parameters object the wrappers set (each task has a subset).
#[derive(Debug, Default)]
pub(crate) struct TaskParams {
    pub text: Option<String>,
    pub negative_text: Option<String>,
    pub condition_image: Option<String>,
    pub control_mode: Option<ControlMode>,
    pub control_strength: Option<f64>,
    /// Nova Canvas only.
    pub style: Option<NovaCanvasStyle>,
    pub colors: Vec<String>,
    pub reference_image: Option<String>,
    pub images: Vec<String>,
    pub similarity_strength: Option<f64>,
    pub image: Option<String>,
    pub mask_prompt: Option<String>,
    pub mask_image: Option<String>,
    pub outpainting_mode: Option<OutpaintingMode>,
}

/// `imageGenerationConfig`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct GenerationConfig {
    pub number_of_images: Option<u32>,
    pub quality: Option<Quality>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub cfg_scale: Option<f64>,
    pub seed: Option<u32>,
}

/// A prompt into a parameters object's `text`, required (`String`) or not.
pub(crate) trait FromPrompt {
    fn from_prompt(text: Option<String>) -> Self;
}

impl FromPrompt for String {
    fn from_prompt(text: Option<String>) -> Self {
        // Required prompts are checked before: present here.
        text.unwrap_or_default()
    }
}

impl FromPrompt for Option<String> {
    fn from_prompt(text: Option<String>) -> Self {
        text
    }
}

/// Maps a [`TaskBody`] into a family's generated `taskType` request: Titan and Nova name
/// their objects alike, each with its own types. `others` are the request's members no
/// shared task fills. Family-only members (Nova's `style`) are set by the family's file.
macro_rules! task_request {
    ($body:expr => $module:ident::$request:ident {
        task_type: $task_type:ident,
        text_to_image: $t2i:ident,
        color_guided: $color:ident,
        variation: $variation:ident,
        inpainting: $inpainting:ident,
        outpainting: $outpainting:ident,
        background_removal: $background:ident,
        config: $config:ident,
        quality: $quality:ident,
        control_mode: $control:ident,
        outpainting_mode: $outmode:ident,
        others: [$($other:ident),*] $(,)?
    }) => {{
        use $crate::bodies::$module::{
            $background, $color, $config, $control, $inpainting, $outmode, $outpainting,
            $quality, $request, $t2i, $task_type, $variation,
        };
        use $crate::images::options::ImageTask;
        use $crate::images::task_body::FromPrompt;
        let body: $crate::images::task_body::TaskBody = $body;
        let p = body.params;
        let mut r = $request {
            task_type: $task_type::from(body.task.task_type()),
            text_to_image_params: None,
            color_guided_generation_params: None,
            image_variation_params: None,
            in_painting_params: None,
            out_painting_params: None,
            background_removal_params: None,
            $($other: None,)*
            image_generation_config: body.config.map(|c| $config {
                number_of_images: c.number_of_images,
                quality: c.quality.map(|q| $quality::from(q.as_str())),
                width: c.width,
                height: c.height,
                cfg_scale: c.cfg_scale,
                seed: c.seed,
                ..Default::default()
            }),
            extra: Default::default(),
        };
        match body.task {
            ImageTask::TextToImage => {
                r.text_to_image_params = Some($t2i {
                    text: FromPrompt::from_prompt(p.text),
                    negative_text: p.negative_text,
                    condition_image: p.condition_image,
                    control_mode: p.control_mode.map(|m| $control::from(m.as_str())),
                    control_strength: p.control_strength,
                    ..Default::default()
                })
            }
            ImageTask::ColorGuided => {
                r.color_guided_generation_params = Some($color {
                    text: FromPrompt::from_prompt(p.text),
                    negative_text: p.negative_text,
                    colors: p.colors,
                    reference_image: p.reference_image,
                    ..Default::default()
                })
            }
            ImageTask::Variation => {
                r.image_variation_params = Some($variation {
                    text: FromPrompt::from_prompt(p.text),
                    negative_text: p.negative_text,
                    images: p.images,
                    similarity_strength: p.similarity_strength,
                    ..Default::default()
                })
            }
            ImageTask::Inpainting => {
                r.in_painting_params = Some($inpainting {
                    image: p.image.unwrap_or_default(),
                    text: FromPrompt::from_prompt(p.text),
                    negative_text: p.negative_text,
                    mask_prompt: p.mask_prompt,
                    mask_image: p.mask_image,
                    ..Default::default()
                })
            }
            ImageTask::Outpainting => {
                r.out_painting_params = Some($outpainting {
                    image: p.image.unwrap_or_default(),
                    text: FromPrompt::from_prompt(p.text),
                    negative_text: p.negative_text,
                    mask_prompt: p.mask_prompt,
                    mask_image: p.mask_image,
                    out_painting_mode: p.outpainting_mode.map(|m| $outmode::from(m.as_str())),
                    ..Default::default()
                })
            }
            ImageTask::BackgroundRemoval => {
                r.background_removal_params = Some($background {
                    image: p.image.unwrap_or_default(),
                    ..Default::default()
                })
            }
            ImageTask::ImageToImage => unreachable!("not a taskType task"),
        }
        r
    }};
}
pub(crate) use task_request;

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
) -> Result<TaskBody> {
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
    let mut params = TaskParams::default();
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
            params.text = Some(p.clone());
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
        params.negative_text = Some(neg.clone());
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
                params.condition_image = Some(c.base64());
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
            params.control_mode = req.control_mode;
            if let Some(s) = req.control_strength {
                check_range(m.family, &[key, "controlStrength"], "control_strength", s)?;
                params.control_strength = Some(s);
            }
            params.style = options.style.clone();
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
            params.colors = req.colors.clone();
            if let Some(r) = &req.reference_image {
                let r = encode(r, "reference_image", PNG_JPEG, bytes)?;
                params.reference_image = Some(r.base64());
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
            params.images = encoded;
            if let Some(s) = req.similarity_strength {
                check_range(
                    m.family,
                    &[key, "similarityStrength"],
                    "similarity_strength",
                    s,
                )?;
                params.similarity_strength = Some(s);
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
            params.image = Some(image.base64());
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
                        params.mask_prompt = Some(p.clone());
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
                        params.mask_image = Some(mask.base64());
                    }
                }
                params.outpainting_mode = req.outpainting_mode;
            }
        }
        ImageToImage => unreachable!("rejected above"),
    }

    let config = match task {
        BackgroundRemoval => None,
        _ => Some(generation_config(m, &options, task)?)
            .filter(|c| *c != GenerationConfig::default()),
    };
    Ok(TaskBody {
        task,
        params,
        config,
    })
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
) -> Result<GenerationConfig> {
    const CONFIG: &str = "imageGenerationConfig";
    let mut config = GenerationConfig::default();
    if let Some(n) = options.count {
        check_range(m.family, &[CONFIG, "numberOfImages"], "count", f64::from(n))?;
        config.number_of_images = Some(n);
    }
    config.quality = options.quality;
    if let Some((w, h)) = size_of(options)?
        && !matches!(task, ImageTask::Inpainting | ImageTask::Outpainting)
    {
        (m.check_size)(w, h)?;
        config.width = Some(w);
        config.height = Some(h);
    }
    if let Some(s) = options.cfg_scale {
        check_range(m.family, &[CONFIG, "cfgScale"], "cfg_scale", s)?;
        config.cfg_scale = Some(s);
    }
    if let Some(seed) = options.seed {
        check_range(m.family, &[CONFIG, "seed"], "seed", seed as f64)?;
        // In range of the schema (at most 2,147,483,646), so it fits.
        config.seed = Some(u32::try_from(seed).unwrap_or(u32::MAX));
    }
    Ok(config)
}
