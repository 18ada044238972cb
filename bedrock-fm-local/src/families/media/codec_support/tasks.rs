//! The `taskType` image requests of Titan Image Generator and Nova Canvas: which task, its
//! parameters, the shared settings, and the images of the tasks both families share.

use bedrock_fm::catalog::Family;
use image::DynamicImage;
use serde_json::Value;

use super::images::{
    ImageBounds, InputImage, PNG_JPEG, decode_image, edit, generate, remove_background, tint,
};
use super::schema::{Problems, get, get_str, get_u64, spec_default};
use crate::engine::Engine;
use crate::errors::ServiceError;

/// Checks that the parameters object of the request's `taskType` is there and no other task's
/// is; returns the task and its parameters key. `tasks` maps task types to parameter keys.
pub(crate) fn check_task(
    problems: &mut Problems,
    body: &Value,
    tasks: &[(&'static str, &'static str)],
) -> Option<(&'static str, &'static str)> {
    let task = get_str(body, &["taskType"])?;
    let (task, key) = *tasks.iter().find(|(t, _)| *t == task)?;
    if get(body, &[key]).is_none() {
        problems.missing("#", key);
    }
    for (_, other) in tasks {
        if *other != key && get(body, &[other]).is_some() {
            problems.extraneous("#", other);
        }
    }
    Some((task, key))
}

/// Reports a `textToImageParams` that sets `controlMode` or `controlStrength` without a
/// `conditionImage` (Titan Image Generator v2, Nova Canvas).
pub(crate) fn check_conditioning(problems: &mut Problems, body: &Value) {
    let conditioned = ["controlMode", "controlStrength"]
        .iter()
        .any(|k| get(body, &["textToImageParams", k]).is_some());
    if conditioned && get(body, &["textToImageParams", "conditionImage"]).is_none() {
        problems.missing("#/textToImageParams", "conditionImage");
    }
}

/// The task [`check_task`] found, or the error of a body without `taskType`.
pub(crate) fn required_task<'a>(
    task: Option<(&'a str, &'a str)>,
) -> Result<(&'a str, &'a str), ServiceError> {
    task.ok_or_else(|| ServiceError::malformed_input("#: required key [taskType] not found"))
}

/// The `imageGenerationConfig` setting `key` of `body`, else the catalog's default for it.
pub(crate) fn config_setting(family: Family, body: &Value, key: &str) -> Option<u64> {
    let path = ["imageGenerationConfig", key];
    get_u64(body, &path)
        .or_else(|| spec_default(family.request_spec(), &path).and_then(|v| v.as_u64()))
}

/// A decoded `taskType` image request: the task, its parameters and the shared settings.
#[derive(Debug)]
pub(crate) struct TaskRequest<'a> {
    /// `taskType`.
    pub(crate) task: &'a str,
    /// The key of the task's parameters object (`inPaintingParams`).
    pub(crate) params_key: &'a str,
    /// The task's parameters object.
    pub(crate) params: &'a Value,
    /// `numberOfImages`.
    pub(crate) count: u32,
    /// `seed`.
    pub(crate) seed: u64,
    /// The output size from `imageGenerationConfig` (with the model's defaults).
    pub(crate) size: (u32, u32),
    /// Whether `width` or `height` was given.
    pub(crate) size_given: bool,
    /// What an input image may be.
    pub(crate) image_bounds: ImageBounds,
}

impl<'a> TaskRequest<'a> {
    /// The request of `body` for `task` (`taskType` and the key of its parameters):
    /// `numberOfImages` and `seed` from `imageGenerationConfig`, else the catalog's defaults for
    /// `family`, else one image and `fallback_seed`; output size `size`, given when
    /// `imageGenerationConfig` sets `width` or `height`.
    pub(crate) fn of_body(
        family: Family,
        body: &'a Value,
        (task, params_key): (&'a str, &'a str),
        fallback_seed: u64,
        size: (u32, u32),
        image_bounds: ImageBounds,
    ) -> Self {
        let given = |key| get_u64(body, &["imageGenerationConfig", key]).is_some();
        Self {
            task,
            params_key,
            params: &body[params_key],
            count: config_setting(family, body, "numberOfImages").unwrap_or(1) as u32,
            seed: config_setting(family, body, "seed").unwrap_or(fallback_seed),
            size,
            size_given: given("width") || given("height"),
            image_bounds,
        }
    }

    fn pointer(&self, key: &str) -> String {
        format!("#/{}/{key}", self.params_key)
    }

    fn text(&self) -> String {
        let text = self.params["text"].as_str().unwrap_or_default();
        match self.params["negativeText"].as_str() {
            Some(neg) => format!("{text}\u{1f}{neg}"),
            None => text.to_owned(),
        }
    }

    fn image(&self, key: &str) -> Result<Option<InputImage>, ServiceError> {
        match self.params[key].as_str() {
            Some(b64) => {
                decode_image(&self.pointer(key), b64, PNG_JPEG, self.image_bounds).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Checks the mask of an inpainting or outpainting request over an image of `size`:
    /// exactly one of `maskPrompt` and `maskImage`, the image of the input's size. (The output
    /// is a generated image of that size; the mask is not composited.)
    fn check_mask(&self, size: (u32, u32)) -> Result<(), ServiceError> {
        let prompt = self.params["maskPrompt"].as_str();
        let image = self.image("maskImage")?;
        match (prompt, image) {
            (Some(_), None) => Ok(()),
            (None, Some(m)) => {
                let (w, h) = (m.image.width(), m.image.height());
                if (w, h) != size {
                    return Err(ServiceError::validation(format!(
                        "The mask at {} is {w}x{h}; it must have the size of the input image, {}x{}.",
                        self.pointer("maskImage"),
                        size.0,
                        size.1
                    )));
                }
                Ok(())
            }
            _ => Err(ServiceError::validation(format!(
                "{}: exactly one of maskPrompt and maskImage must be provided.",
                self.params_key
            ))),
        }
    }

    /// The images of the tasks Titan Image Generator and Nova Canvas share (`TEXT_IMAGE`,
    /// `COLOR_GUIDED_GENERATION`, `IMAGE_VARIATION`, `INPAINTING`, `OUTPAINTING`,
    /// `BACKGROUND_REMOVAL`), or `None` for another task. Generated images have `size`;
    /// edited ones the input image's size (a variation: `size` when given, else its first
    /// image's). `check_size` vets an output size taken from `imageGenerationConfig`.
    pub(crate) fn shared_task_images(
        &self,
        engine: Engine,
        check_size: &dyn Fn(u32, u32) -> Result<(), ServiceError>,
    ) -> Result<Option<Vec<DynamicImage>>, ServiceError> {
        let prompt = self.text();
        let (w, h) = self.size;
        let n = self.count.max(1);
        let images = match self.task {
            "TEXT_IMAGE" => {
                check_size(w, h)?;
                let condition = self.image("conditionImage")?;
                let strength = self.params["controlStrength"].as_f64().unwrap_or(0.7) as f32;
                (0..n)
                    .map(|i| match &condition {
                        Some(c) => {
                            let base =
                                c.image
                                    .resize_exact(w, h, image::imageops::FilterType::Triangle);
                            edit(
                                engine,
                                &base.to_rgb8(),
                                &prompt,
                                self.seed,
                                i,
                                1.0 - 0.6 * strength,
                            )
                        }
                        None => generate(engine, &prompt, w, h, self.seed, i),
                    })
                    .map(DynamicImage::ImageRgb8)
                    .collect()
            }
            "COLOR_GUIDED_GENERATION" => {
                check_size(w, h)?;
                let reference = self.image("referenceImage")?;
                let colors: Vec<&str> = self.params["colors"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                (0..n)
                    .map(|i| {
                        let img = match &reference {
                            Some(r) => {
                                let base = r.image.resize_exact(
                                    w,
                                    h,
                                    image::imageops::FilterType::Triangle,
                                );
                                edit(engine, &base.to_rgb8(), &prompt, self.seed, i, 0.6)
                            }
                            None => generate(engine, &prompt, w, h, self.seed, i),
                        };
                        DynamicImage::ImageRgb8(tint(&img, &colors))
                    })
                    .collect()
            }
            "IMAGE_VARIATION" => {
                let mut inputs = Vec::new();
                let list = self.params["images"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for (i, b64) in list.iter().enumerate() {
                    let pointer = format!("{}/{i}", self.pointer("images"));
                    let b64 = b64.as_str().unwrap_or_default();
                    inputs.push(decode_image(&pointer, b64, PNG_JPEG, self.image_bounds)?);
                }
                let first = inputs.first().ok_or_else(|| {
                    ServiceError::malformed_input(&format!(
                        "{}: expected minimum item count: 1, found: 0",
                        self.pointer("images")
                    ))
                })?;
                let (w, h) = if self.size_given {
                    check_size(w, h)?;
                    (w, h)
                } else {
                    (first.image.width(), first.image.height())
                };
                let similarity = self.params["similarityStrength"].as_f64().unwrap_or(0.7) as f32;
                (0..n)
                    .map(|i| {
                        let pick = &inputs[i as usize % inputs.len()].image;
                        let base = pick.resize_exact(w, h, image::imageops::FilterType::Triangle);
                        let weight = 1.0 - similarity * 0.8;
                        DynamicImage::ImageRgb8(edit(
                            engine,
                            &base.to_rgb8(),
                            &prompt,
                            self.seed,
                            i,
                            weight,
                        ))
                    })
                    .collect()
            }
            "INPAINTING" | "OUTPAINTING" => {
                let input = self.image("image")?.ok_or_else(|| {
                    ServiceError::malformed_input(&format!(
                        "#/{}: required key [image] not found",
                        self.params_key
                    ))
                })?;
                let (w, h) = (input.image.width(), input.image.height());
                self.check_mask((w, h))?;
                (0..n)
                    .map(|i| DynamicImage::ImageRgb8(generate(engine, &prompt, w, h, self.seed, i)))
                    .collect()
            }
            "BACKGROUND_REMOVAL" => {
                let input = self.image("image")?.ok_or_else(|| {
                    ServiceError::malformed_input(&format!(
                        "#/{}: required key [image] not found",
                        self.params_key
                    ))
                })?;
                vec![DynamicImage::ImageRgba8(remove_background(
                    &input.image.to_rgb8(),
                ))]
            }
            _ => return Ok(None),
        };
        Ok(Some(images))
    }
}
