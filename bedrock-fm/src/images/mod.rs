//! Image generation: text-to-image and image editing, returned as `image::DynamicImage`.
