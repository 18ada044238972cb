//! Image generation: text-to-image and image editing, returned as `image::DynamicImage`.

pub(crate) mod input;

pub use input::ImageInput;
