//! What an image call asks for: [`ImageOptions`] (the settings of the generated images, as
//! builder defaults and per-call overrides) and [`ImageRequest`] (the task and its inputs).

use super::input::ImageInput;
use crate::bodies::nova_canvas::NovaCanvasStyle;
use crate::bodies::stable_diffusion::{
    StableDiffusionClipGuidancePreset, StableDiffusionSampler, StableDiffusionStylePreset,
};
use crate::bodies::stable_image::{StableImageAspectRatio, StableImageOutputFormat};

/// Titan Image Generator and Nova Canvas output quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Quality {
    /// `standard` (the default).
    Standard,
    /// `premium`.
    Premium,
}

impl Quality {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Premium => "premium",
        }
    }
}

/// How a condition image guides Titan Image Generator v2 and Nova Canvas text-to-image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ControlMode {
    /// Follow the edges of the condition image (`CANNY_EDGE`, the default).
    CannyEdge,
    /// Follow a segmentation of the condition image (`SEGMENTATION`).
    Segmentation,
}

impl ControlMode {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CannyEdge => "CANNY_EDGE",
            Self::Segmentation => "SEGMENTATION",
        }
    }
}

/// Whether outpainting may change the pixels inside the mask (Titan Image, Nova Canvas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OutpaintingMode {
    /// Smooth transition; the inside may change (`DEFAULT`).
    Default,
    /// Keep the inside exactly (`PRECISE`).
    Precise,
}

impl OutpaintingMode {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "DEFAULT",
            Self::Precise => "PRECISE",
        }
    }
}

/// The settings of generated images. As a wrapper's builder defaults they apply to every
/// call; in an [`ImageRequest`] each one set overrides the default. A setting the model's
/// family does not have fails with an error naming it.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ImageOptions {
    /// What the images should not show (Titan/Nova `negativeText`, SDXL a prompt of weight
    /// -1, Stable Image `negative_prompt`).
    pub negative_prompt: Option<String>,
    /// Width in pixels (with `height`). Stable Image takes it as an aspect ratio.
    pub width: Option<u32>,
    /// Height in pixels (with `width`).
    pub height: Option<u32>,
    /// Number of images (Titan and Nova 1 to 5; SDXL and Stable Image 1).
    pub count: Option<u32>,
    /// Seed of the initial noise; the same seed and settings give the same image.
    pub seed: Option<u64>,
    /// How strictly the image follows the prompt (`cfgScale`, `cfg_scale`).
    pub cfg_scale: Option<f64>,
    /// Titan and Nova: quality.
    pub quality: Option<Quality>,
    /// Nova Canvas: visual style (text-to-image).
    pub style: Option<NovaCanvasStyle>,
    /// SDXL: sampling steps (10 to 50).
    pub steps: Option<u32>,
    /// SDXL: style preset.
    pub style_preset: Option<StableDiffusionStylePreset>,
    /// SDXL: sampler.
    pub sampler: Option<StableDiffusionSampler>,
    /// SDXL: CLIP guidance preset.
    pub clip_guidance_preset: Option<StableDiffusionClipGuidancePreset>,
    /// Stable Image: aspect ratio (text-to-image).
    pub aspect_ratio: Option<StableImageAspectRatio>,
    /// Stable Image: output format (PNG by default; the images decode either way).
    pub output_format: Option<StableImageOutputFormat>,
}

impl ImageOptions {
    /// No settings: every model's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// What the images should not show.
    pub fn negative_prompt(mut self, text: impl Into<String>) -> Self {
        self.negative_prompt = Some(text.into());
        self
    }

    /// Width and height in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = Some(width);
        self.height = Some(height);
        self
    }

    /// Number of images.
    pub fn count(mut self, n: u32) -> Self {
        self.count = Some(n);
        self
    }

    /// Seed of the initial noise.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Prompt adherence (`cfgScale`, `cfg_scale`).
    pub fn cfg_scale(mut self, scale: f64) -> Self {
        self.cfg_scale = Some(scale);
        self
    }

    /// Titan and Nova quality.
    pub fn quality(mut self, quality: Quality) -> Self {
        self.quality = Some(quality);
        self
    }

    /// Nova Canvas visual style.
    pub fn style(mut self, style: NovaCanvasStyle) -> Self {
        self.style = Some(style);
        self
    }

    /// SDXL sampling steps.
    pub fn steps(mut self, steps: u32) -> Self {
        self.steps = Some(steps);
        self
    }

    /// SDXL style preset.
    pub fn style_preset(mut self, preset: StableDiffusionStylePreset) -> Self {
        self.style_preset = Some(preset);
        self
    }

    /// SDXL sampler.
    pub fn sampler(mut self, sampler: StableDiffusionSampler) -> Self {
        self.sampler = Some(sampler);
        self
    }

    /// SDXL CLIP guidance preset.
    pub fn clip_guidance_preset(mut self, preset: StableDiffusionClipGuidancePreset) -> Self {
        self.clip_guidance_preset = Some(preset);
        self
    }

    /// Stable Image aspect ratio.
    pub fn aspect_ratio(mut self, ratio: StableImageAspectRatio) -> Self {
        self.aspect_ratio = Some(ratio);
        self
    }

    /// Stable Image output format.
    pub fn output_format(mut self, format: StableImageOutputFormat) -> Self {
        self.output_format = Some(format);
        self
    }

    /// These options over `defaults`: each setting made here wins.
    pub fn over(&self, defaults: &ImageOptions) -> ImageOptions {
        macro_rules! pick {
            ($($f:ident),*) => {
                ImageOptions { $($f: self.$f.clone().or_else(|| defaults.$f.clone())),* }
            };
        }
        pick!(
            negative_prompt,
            width,
            height,
            count,
            seed,
            cfg_scale,
            quality,
            style,
            steps,
            style_preset,
            sampler,
            clip_guidance_preset,
            aspect_ratio,
            output_format
        )
    }

    /// The setters of the settings made, for errors about settings a family lacks.
    pub(crate) fn set_names(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut add = |set: bool, name: &'static str| {
            if set {
                out.push(name);
            }
        };
        add(self.negative_prompt.is_some(), "negative_prompt");
        add(self.width.is_some() || self.height.is_some(), "size");
        add(self.count.is_some(), "count");
        add(self.seed.is_some(), "seed");
        add(self.cfg_scale.is_some(), "cfg_scale");
        add(self.quality.is_some(), "quality");
        add(self.style.is_some(), "style");
        add(self.steps.is_some(), "steps");
        add(self.style_preset.is_some(), "style_preset");
        add(self.sampler.is_some(), "sampler");
        add(self.clip_guidance_preset.is_some(), "clip_guidance_preset");
        add(self.aspect_ratio.is_some(), "aspect_ratio");
        add(self.output_format.is_some(), "output_format");
        out
    }
}

/// The setters of [`ImageOptions`] on a type holding options in the field `$field`.
macro_rules! option_setters {
    ($field:ident) => {
        /// What the images should not show.
        pub fn negative_prompt(mut self, text: impl Into<String>) -> Self {
            self.$field = self.$field.negative_prompt(text);
            self
        }

        /// Width and height in pixels.
        pub fn size(mut self, width: u32, height: u32) -> Self {
            self.$field = self.$field.size(width, height);
            self
        }

        /// Number of images.
        pub fn count(mut self, n: u32) -> Self {
            self.$field = self.$field.count(n);
            self
        }

        /// Seed of the initial noise; the same seed and settings give the same image.
        pub fn seed(mut self, seed: u64) -> Self {
            self.$field = self.$field.seed(seed);
            self
        }

        /// Prompt adherence (`cfgScale`, `cfg_scale`).
        pub fn cfg_scale(mut self, scale: f64) -> Self {
            self.$field = self.$field.cfg_scale(scale);
            self
        }

        /// Every setting of `options` (replacing those set before).
        pub fn options(mut self, options: $crate::images::ImageOptions) -> Self {
            self.$field = options;
            self
        }
    };
}
pub(crate) use option_setters;

/// Setters forwarding to the [`ImageOptions`] setter of the same name, on `self.options`.
macro_rules! forward_setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty,)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.options = self.options.$name(value);
                self
            }
        )*
    };
}

/// An image task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageTask {
    /// Generate from a prompt (Titan v2 and Nova: optionally guided by a condition image).
    TextToImage,
    /// Generate following a color palette (Titan v2, Nova).
    ColorGuided,
    /// Variations of 1 to 5 input images (Titan, Nova).
    Variation,
    /// Change the inside of a mask (Titan, Nova; SDXL with a mask image).
    Inpainting,
    /// Change the outside of a mask (Titan, Nova).
    Outpainting,
    /// Remove the background (Titan v2, Nova).
    BackgroundRemoval,
    /// Generate from a prompt and an initial image (SDXL, SD3 / SD3.5 Large).
    ImageToImage,
}

impl ImageTask {
    /// Titan's and Nova's `taskType`.
    pub fn task_type(self) -> &'static str {
        match self {
            Self::TextToImage => "TEXT_IMAGE",
            Self::ColorGuided => "COLOR_GUIDED_GENERATION",
            Self::Variation => "IMAGE_VARIATION",
            Self::Inpainting => "INPAINTING",
            Self::Outpainting => "OUTPAINTING",
            Self::BackgroundRemoval => "BACKGROUND_REMOVAL",
            Self::ImageToImage => "IMAGE_TO_IMAGE",
        }
    }

    /// A name for messages (`inpainting`).
    pub fn name(self) -> &'static str {
        match self {
            Self::TextToImage => "text-to-image",
            Self::ColorGuided => "color-guided generation",
            Self::Variation => "image variation",
            Self::Inpainting => "inpainting",
            Self::Outpainting => "outpainting",
            Self::BackgroundRemoval => "background removal",
            Self::ImageToImage => "image-to-image",
        }
    }
}

/// Where inpainting and outpainting apply: a mask image (black inside, white outside, the
/// input's size) or a prompt describing the region.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Mask {
    /// `maskPrompt`: the region in words.
    Prompt(String),
    /// `maskImage`: the region in pixels.
    Image(ImageInput),
}

/// One image call: a task, its inputs and per-call [`ImageOptions`]. Start from a
/// constructor for the task; every input is checked against the model before any request.
///
/// ```no_run
/// # fn demo(photo: image::DynamicImage) {
/// use bedrock_fm::images::ImageRequest;
///
/// let fox = ImageRequest::text_to_image("a red fox in the snow").count(2).seed(7);
/// let sky = ImageRequest::inpainting(photo)
///     .mask_prompt("the sky")
///     .prompt("a starry night sky");
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ImageRequest {
    /// The task.
    pub task: ImageTask,
    /// The prompt.
    pub prompt: Option<String>,
    /// SDXL: further prompts with their weights (negative weights steer away).
    pub weighted_prompts: Vec<(String, f64)>,
    /// The input image of editing tasks and image-to-image.
    pub image: Option<ImageInput>,
    /// Variation: the input images.
    pub images: Vec<ImageInput>,
    /// Inpainting and outpainting: the mask.
    pub mask: Option<Mask>,
    /// Text-to-image: the condition image guiding layout (Titan v2, Nova).
    pub condition_image: Option<ImageInput>,
    /// How the condition image guides.
    pub control_mode: Option<ControlMode>,
    /// How closely the layout follows the condition image (0 to 1).
    pub control_strength: Option<f64>,
    /// Color-guided: hex colors, `#RRGGBB`.
    pub colors: Vec<String>,
    /// Color-guided: a reference image.
    pub reference_image: Option<ImageInput>,
    /// Variation: similarity to the inputs (0.2 to 1).
    pub similarity_strength: Option<f64>,
    /// Image-to-image: influence of the input image (SDXL `image_strength`: 1 keeps it;
    /// Stable Image `strength`: 0 keeps it).
    pub strength: Option<f64>,
    /// Outpainting: whether the inside of the mask may change.
    pub outpainting_mode: Option<OutpaintingMode>,
    /// Settings overriding the wrapper's defaults.
    pub options: ImageOptions,
}

impl ImageRequest {
    /// A request for `task` with no inputs yet.
    pub fn new(task: ImageTask) -> Self {
        Self {
            task,
            prompt: None,
            weighted_prompts: Vec::new(),
            image: None,
            images: Vec::new(),
            mask: None,
            condition_image: None,
            control_mode: None,
            control_strength: None,
            colors: Vec::new(),
            reference_image: None,
            similarity_strength: None,
            strength: None,
            outpainting_mode: None,
            options: ImageOptions::default(),
        }
    }

    /// Text to image.
    pub fn text_to_image(prompt: impl Into<String>) -> Self {
        Self::new(ImageTask::TextToImage).prompt(prompt)
    }

    /// Color-guided generation with `colors` (`#RRGGBB`).
    pub fn color_guided<C: Into<String>>(
        prompt: impl Into<String>,
        colors: impl IntoIterator<Item = C>,
    ) -> Self {
        Self::new(ImageTask::ColorGuided)
            .prompt(prompt)
            .colors(colors)
    }

    /// Variations of `images`.
    pub fn variation<I: Into<ImageInput>>(images: impl IntoIterator<Item = I>) -> Self {
        let mut r = Self::new(ImageTask::Variation);
        r.images = images.into_iter().map(Into::into).collect();
        r
    }

    /// Inpainting of `image`; set a mask with [`Self::mask_prompt`] or [`Self::mask_image`].
    pub fn inpainting(image: impl Into<ImageInput>) -> Self {
        Self::new(ImageTask::Inpainting).image(image)
    }

    /// Outpainting of `image`; set a mask with [`Self::mask_prompt`] or [`Self::mask_image`].
    pub fn outpainting(image: impl Into<ImageInput>) -> Self {
        Self::new(ImageTask::Outpainting).image(image)
    }

    /// Background removal of `image`.
    pub fn background_removal(image: impl Into<ImageInput>) -> Self {
        Self::new(ImageTask::BackgroundRemoval).image(image)
    }

    /// Image to image from `image`.
    pub fn image_to_image(prompt: impl Into<String>, image: impl Into<ImageInput>) -> Self {
        Self::new(ImageTask::ImageToImage)
            .prompt(prompt)
            .image(image)
    }

    /// The prompt.
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// SDXL: one more prompt with its weight (below zero: a negative prompt).
    pub fn weighted_prompt(mut self, text: impl Into<String>, weight: f64) -> Self {
        self.weighted_prompts.push((text.into(), weight));
        self
    }

    /// The input image.
    pub fn image(mut self, image: impl Into<ImageInput>) -> Self {
        self.image = Some(image.into());
        self
    }

    /// Variation: one more input image.
    pub fn add_image(mut self, image: impl Into<ImageInput>) -> Self {
        self.images.push(image.into());
        self
    }

    /// The mask as a prompt describing the region.
    pub fn mask_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.mask = Some(Mask::Prompt(prompt.into()));
        self
    }

    /// The mask as an image: black inside, white outside, the input image's size.
    pub fn mask_image(mut self, mask: impl Into<ImageInput>) -> Self {
        self.mask = Some(Mask::Image(mask.into()));
        self
    }

    /// Text-to-image: a condition image guiding the layout.
    pub fn condition_image(mut self, image: impl Into<ImageInput>) -> Self {
        self.condition_image = Some(image.into());
        self
    }

    /// How the condition image guides.
    pub fn control_mode(mut self, mode: ControlMode) -> Self {
        self.control_mode = Some(mode);
        self
    }

    /// How closely the layout follows the condition image (0 to 1).
    pub fn control_strength(mut self, strength: f64) -> Self {
        self.control_strength = Some(strength);
        self
    }

    /// Color-guided: the palette, `#RRGGBB` each.
    pub fn colors<C: Into<String>>(mut self, colors: impl IntoIterator<Item = C>) -> Self {
        self.colors = colors.into_iter().map(Into::into).collect();
        self
    }

    /// Color-guided: a reference image.
    pub fn reference_image(mut self, image: impl Into<ImageInput>) -> Self {
        self.reference_image = Some(image.into());
        self
    }

    /// Variation: similarity to the inputs (0.2 to 1).
    pub fn similarity_strength(mut self, strength: f64) -> Self {
        self.similarity_strength = Some(strength);
        self
    }

    /// Image-to-image: influence of the input image.
    pub fn strength(mut self, strength: f64) -> Self {
        self.strength = Some(strength);
        self
    }

    /// Outpainting: whether the inside of the mask may change.
    pub fn outpainting_mode(mut self, mode: OutpaintingMode) -> Self {
        self.outpainting_mode = Some(mode);
        self
    }

    option_setters!(options);

    forward_setters! {
        /// Titan and Nova quality.
        quality: Quality,
        /// Nova Canvas visual style (text-to-image).
        style: NovaCanvasStyle,
        /// SDXL sampling steps.
        steps: u32,
        /// SDXL style preset.
        style_preset: StableDiffusionStylePreset,
        /// SDXL sampler.
        sampler: StableDiffusionSampler,
        /// SDXL CLIP guidance preset.
        clip_guidance_preset: StableDiffusionClipGuidancePreset,
        /// Stable Image aspect ratio.
        aspect_ratio: StableImageAspectRatio,
        /// Stable Image output format.
        output_format: StableImageOutputFormat,
    }
}
