//! What the image wrappers share: checks against the family's request schema and the
//! catalog (ranges, lengths, sizes, counts), and one call from request to [`ImageDetails`].

use super::input::{EncodedImage, ImageInput};
use super::options::{ImageOptions, ImageRequest};
use super::output::{FinishReason, ImageDetails};
use crate::catalog::{Family, ImageSize, Model};
use crate::embeddings::model::{ModelParts, check_body};
use crate::error::{Error, Result};
use crate::invoke::invoke_bytes;
use crate::native::NativeRequest;
use crate::schema::FieldSpec;
use image::{DynamicImage, ImageFormat};
use serde_json::Value;

/// The schema field at a wire path of the family's request.
pub(crate) fn field(family: Family, path: &[&str]) -> &'static FieldSpec {
    family
        .request_spec()
        .field_at(path)
        .unwrap_or_else(|| panic!("{} has no field {}", family.id(), path.join(".")))
}

/// Checks a number against the range the schema declares at `path`; a NaN or an infinity
/// is no number.
pub(crate) fn check_range(family: Family, path: &[&str], location: &str, value: f64) -> Result<()> {
    let f = field(family, path);
    if let Some(problem) = crate::schema::not_finite(value) {
        let wire = path.join(".");
        let msg = format!("{problem} (wire `{wire}` of {})", family.name());
        return Err(Error::invalid(location, msg));
    }
    let below = f.min.is_some_and(|m| value < m);
    let above = f.max.is_some_and(|m| value > m);
    if below || above {
        let end = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        return Err(Error::invalid(
            location,
            format!(
                "{value} is out of range [{}, {}] for {} (wire `{}`)",
                end(f.min),
                end(f.max),
                family.name(),
                path.join(".")
            ),
        ));
    }
    Ok(())
}

/// Checks a prompt's length (characters) against the schema at `path`; an empty prompt
/// always fails.
pub(crate) fn check_text(family: Family, path: &[&str], location: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::invalid(location, "the text is empty"));
    }
    let f = field(family, path);
    let len = text.chars().count() as u64;
    if let Some(max) = f.max_length.filter(|m| len > *m) {
        return Err(Error::invalid(
            location,
            format!(
                "the text has {len} characters; {} accepts at most {max} (wire `{}`)",
                family.name(),
                path.join(".")
            ),
        ));
    }
    Ok(())
}

/// Fails on the first setting of `options` the family does not have.
pub(crate) fn reject_unsupported(
    options: &ImageOptions,
    family: Family,
    supported: &[&str],
) -> Result<()> {
    match options
        .set_names()
        .into_iter()
        .find(|n| !supported.contains(n))
    {
        None => Ok(()),
        Some(name) => Err(Error::invalid(
            name,
            format!("{} has no `{name}` setting", family.name()),
        )),
    }
}

/// Width and height, both or neither.
pub(crate) fn size_of(options: &ImageOptions) -> Result<Option<(u32, u32)>> {
    match (options.width, options.height) {
        (Some(w), Some(h)) => Ok(Some((w, h))),
        (None, None) => Ok(None),
        _ => Err(Error::invalid("size", "give both width and height")),
    }
}

/// Checks a size against the catalog's pixel sizes for `model` (nothing to check for an
/// ARN).
pub(crate) fn check_catalog_size(model: Option<Model>, width: u32, height: u32) -> Result<()> {
    let Some(model) = model else {
        return Ok(());
    };
    let sizes = model.info().image_sizes;
    let offered = sizes.iter().any(
        |s| matches!(s, ImageSize::Pixels { width: w, height: h } if *w == width && *h == height),
    );
    if offered {
        return Ok(());
    }
    let list: Vec<String> = sizes
        .iter()
        .filter_map(|s| match s {
            ImageSize::Pixels { width, height } => Some(format!("{width}x{height}")),
            _ => None,
        })
        .collect();
    Err(Error::invalid(
        "size",
        format!(
            "{width}x{height} is not a size {} generates; it generates {}",
            model.id(),
            list.join(", ")
        ),
    ))
}

/// Encodes an input image, checking its size in bytes.
pub(crate) fn encode(
    input: &ImageInput,
    location: &str,
    formats: &[ImageFormat],
    max_bytes: usize,
) -> Result<EncodedImage> {
    let e = input.encode(location, formats)?;
    if e.bytes.len() > max_bytes {
        return Err(Error::invalid(
            location,
            format!(
                "the image has {} bytes; the model accepts at most {max_bytes}",
                e.bytes.len()
            ),
        ));
    }
    Ok(e)
}

/// The images of a response, decoded, with what each wrapper knows about them.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub images: Vec<(DynamicImage, Vec<u8>, ImageFormat)>,
    pub seeds: Vec<Option<u64>>,
    pub finish_reasons: Vec<FinishReason>,
    pub message: Option<String>,
}

/// The typed response of an image family.
pub(crate) type ResponseOf<B> = <<B as ImageBackend>::Request as NativeRequest>::Response;

/// What one image family does, over its generated request and response types; [`run`]
/// does the rest.
pub(crate) trait ImageBackend: ModelParts + Sync {
    /// The family's generated request body (its response is `Request::Response`).
    type Request: NativeRequest;
    /// The typed body of `request` (the wrapper's defaults under the request's options),
    /// after every check.
    fn body(&self, request: &ImageRequest) -> Result<Self::Request>;
    /// The images of a typed response to `sent` (`request_id` for errors).
    fn decode(
        &self,
        response: &ResponseOf<Self>,
        request_id: Option<&str>,
        sent: &Self::Request,
    ) -> Result<Decoded>;
}

/// The typed body of `request` and its JSON, checked, with the schema as a last safety net.
pub(crate) fn checked_body<B: ImageBackend>(
    backend: &B,
    request: &ImageRequest,
) -> Result<(B::Request, Value)> {
    let typed = backend.body(request)?;
    let body = serde_json::to_value(&typed).expect("typed bodies serialize");
    check_body(backend.family(), &body)?;
    Ok((typed, body))
}

/// Sends `request` and decodes the images.
pub(crate) async fn run<B: ImageBackend>(
    backend: &B,
    request: &ImageRequest,
) -> Result<ImageDetails> {
    let (typed, body) = checked_body(backend, request)?;
    let bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    let invoked = invoke_bytes::<ResponseOf<B>>(
        backend.client(),
        backend.model_id(),
        bytes,
        &Default::default(),
    )
    .await?;
    let decoded = backend.decode(&invoked.value, invoked.request_id.as_deref(), &typed)?;
    let mut images = Vec::new();
    let mut raw = Vec::new();
    let mut formats = Vec::new();
    for (img, bytes, format) in decoded.images {
        images.push(img);
        raw.push(bytes);
        formats.push(format);
    }
    Ok(ImageDetails {
        images,
        raw,
        formats,
        seeds: decoded.seeds,
        finish_reasons: decoded.finish_reasons,
        message: decoded.message,
        task: request.task,
        body,
        model_id: backend.model_id().to_owned(),
        request_id: invoked.request_id,
        latency: invoked.latency,
    })
}

/// The public methods every image wrapper has, over its [`ImageBackend`]: `$each` binds the
/// wrapper of one family (`itself` for a family's own wrapper, the generated
/// `dispatch_image_model` for `AnyImageModel`).
macro_rules! image_methods {
    ($each:ident) => {
        /// Text to image with the builder's defaults: the decoded images.
        pub async fn generate(
            &self,
            prompt: &str,
        ) -> $crate::error::Result<Vec<image::DynamicImage>> {
            let details = self.generate_details(prompt).await?;
            if details.images.is_empty() {
                let why = details
                    .message
                    .unwrap_or_else(|| "the response has no image".to_owned());
                return Err($crate::embeddings::model::bad_response(
                    why,
                    details.request_id,
                ));
            }
            Ok(details.images)
        }

        /// Text to image with the builder's defaults: images, seeds, finish reasons, raw
        /// bytes, the body sent, request id and latency.
        pub async fn generate_details(
            &self,
            prompt: &str,
        ) -> $crate::error::Result<$crate::images::ImageDetails> {
            self.run(&$crate::images::ImageRequest::text_to_image(prompt))
                .await
        }

        /// Runs any task the model has (see [`ImageRequest`](crate::images::ImageRequest));
        /// every input is checked before any request.
        pub async fn run(
            &self,
            request: &$crate::images::ImageRequest,
        ) -> $crate::error::Result<$crate::images::ImageDetails> {
            $each!(self, m => $crate::images::backend::run(m, request).await)
        }

        /// The JSON body `request` would send, after every check (nothing is sent).
        pub fn request_body(
            &self,
            request: &$crate::images::ImageRequest,
        ) -> $crate::error::Result<serde_json::Value> {
            $each!(self, m => $crate::images::backend::checked_body(m, request).map(|(_, body)| body))
        }

        /// The model ID sent.
        pub fn model_id(&self) -> &str {
            $crate::embeddings::model::ModelParts::model_id(self)
        }
    };
}
pub(crate) use image_methods;

/// An image wrapper of one family and its builder: the wrapper (`client`, `model_id`, `model`,
/// `defaults`) with `builder()`, `model()`, `defaults()` and [`image_methods!`]; the builder
/// with the [`option_setters!`](super::options::option_setters) and `build()`, which resolves
/// the model for `family`, and checks the defaults by building a text-to-image body; and the
/// wrapper's [`ModelParts`]. The wrapper's file implements [`ImageBackend::body`] and
/// [`ImageBackend::decode`], and the family's own setters.
macro_rules! image_wrapper {
    (
        $(#[$attr:meta])*
        pub struct $wrapper:ident, $builder:ident for $family:expr;
        #[doc = $builder_doc:literal]
        fn builder;
        #[doc = $build_doc:literal]
        fn build;
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone)]
        pub struct $wrapper {
            client: $crate::client::Client,
            model_id: String,
            model: Option<$crate::catalog::Model>,
            defaults: $crate::images::ImageOptions,
        }

        #[doc = concat!(
            "Builder of [`", stringify!($wrapper), "`]: the model and the defaults of every call."
        )]
        #[derive(Debug, Clone)]
        #[must_use = "builders do nothing until `build()`"]
        pub struct $builder {
            client: $crate::client::Client,
            model: $crate::embeddings::ModelId,
            defaults: $crate::images::ImageOptions,
        }

        use $crate::embeddings::batch::itself;

        impl $wrapper {
            #[doc = $builder_doc]
            pub fn builder(
                client: &$crate::client::Client,
                model: impl $crate::model_id::ModelFor<$wrapper>,
            ) -> $builder {
                $builder {
                    client: client.clone(),
                    model: $crate::model_id::ModelFor::into_model_id(model),
                    defaults: $crate::images::ImageOptions::default(),
                }
            }

            /// The catalog model, unless built from an ARN.
            pub fn model(&self) -> Option<$crate::catalog::Model> {
                self.model
            }

            /// The builder's defaults.
            pub fn defaults(&self) -> &$crate::images::ImageOptions {
                &self.defaults
            }

            $crate::images::backend::image_methods!(itself);

            /// The wrapper for `model` with `defaults` (for `AnyImageModel`).
            pub(crate) fn from_defaults(
                client: &$crate::client::Client,
                model: $crate::embeddings::ModelId,
                defaults: &$crate::images::ImageOptions,
            ) -> $crate::error::Result<Self> {
                Self::builder(client, model).options(defaults.clone()).build()
            }
        }

        impl $builder {
            $crate::images::options::option_setters!(defaults);

            #[doc = $build_doc]
            pub fn build(self) -> $crate::error::Result<$wrapper> {
                let (model_id, model) =
                    $crate::embeddings::model::resolve_id(&self.client, $family, &self.model)?;
                let wrapper = $wrapper {
                    client: self.client,
                    model_id,
                    model,
                    defaults: self.defaults,
                };
                let check = $crate::images::ImageRequest::text_to_image("check the defaults");
                $crate::images::backend::ImageBackend::body(&wrapper, &check)?;
                Ok(wrapper)
            }
        }

        $crate::embeddings::model::model_parts!($wrapper, $family);
    };
}
pub(crate) use image_wrapper;

/// The seed a Titan or Nova request used: the one `sent`, else the schema's documented
/// default (none for background removal).
pub(crate) fn seed_sent(
    family: Family,
    background_removal: bool,
    sent: Option<u32>,
) -> Option<u64> {
    if background_removal {
        // No generation settings, no seed.
        return None;
    }
    sent.map(u64::from).or_else(|| {
        field(family, &["imageGenerationConfig", "seed"])
            .default
            .and_then(|d| d.parse().ok())
    })
}

/// Checks `#RRGGBB` colors.
pub(crate) fn check_colors(colors: &[String]) -> Result<()> {
    for (i, c) in colors.iter().enumerate() {
        let hex = c.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.chars().all(|ch| ch.is_ascii_hexdigit()) {
            return Err(Error::invalid(
                format!("colors[{i}]"),
                format!("{c:?} is not a #RRGGBB hex color"),
            ));
        }
    }
    Ok(())
}
