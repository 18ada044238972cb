//! Embeddings: default dimensions, vectors as JSON, multimodal means, image words, and the
//! quantizations (`binary`, `int8`, `uint8`, `ubinary`).

use bedrock_fm::catalog::ModelInfo;
use bedrock_fm::schema::StructSpec;
use image::DynamicImage;
use serde_json::{Value, json};

use super::schema::spec_default;
use crate::engine::{Engine, hash64, mix};

/// The embedding length a request gets: the requested one if given, else the default the
/// catalog documents for the request field, else the model's first (default) dimension.
pub(crate) fn default_dimension(info: &ModelInfo, spec: &StructSpec, path: &[&str]) -> usize {
    spec_default(spec, path)
        .and_then(|v| v.as_u64())
        .filter(|d| info.embedding_dimensions.contains(&(*d as u32)))
        .or_else(|| info.embedding_dimensions.first().map(|d| u64::from(*d)))
        .unwrap_or(1024) as usize
}

/// A deterministic identifier in UUID form, from the engine seed and `salt`.
pub(crate) fn uuid(engine: Engine, salt: &[u8]) -> String {
    let a = hash64(&[&engine.seed.to_le_bytes(), salt]);
    let b = mix(a ^ 0x5555_aaaa_5555_aaaa);
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

// ---------------------------------------------------------------------------------------
// Embeddings
// ---------------------------------------------------------------------------------------

/// A float as JSON with the shortest decimal form of the `f32` (no `0.100000001490116`).
pub(crate) fn float_json(x: f32) -> Value {
    x.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(json!(0.0), Value::Number)
}

/// A float vector as a JSON array.
pub(crate) fn floats_json(v: &[f32]) -> Value {
    Value::Array(v.iter().copied().map(float_json).collect())
}

/// The embedding of several parts (text and images) sharing one space: the normalized mean of
/// the parts' normalized embeddings (Titan Multimodal averages its text and image vectors).
pub(crate) fn mean_embedding(parts: &[Vec<f32>], dims: usize) -> Vec<f32> {
    let mut out = vec![0f32; dims];
    for p in parts {
        for (o, x) in out.iter_mut().zip(p) {
            *o += x;
        }
    }
    let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut out {
            *x /= norm;
        }
    }
    out
}

/// Words standing for an image's content: one per cell of a 4x4 grid of its colours, quantized,
/// plus its orientation. Similar images share most words, so their embeddings (see
/// [`engine::embed`]) are close, and an image embeds deterministically.
pub(crate) fn image_words(img: &DynamicImage) -> String {
    let small = img
        .resize_exact(4, 4, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let mut words: Vec<String> = small
        .enumerate_pixels()
        .map(|(x, y, p)| {
            format!(
                "imgcell{x}{y}c{}{}{}",
                p.0[0] / 64,
                p.0[1] / 64,
                p.0[2] / 64
            )
        })
        .collect();
    let orientation = match img.width().cmp(&img.height()) {
        std::cmp::Ordering::Less => "imgportrait",
        std::cmp::Ordering::Equal => "imgsquare",
        std::cmp::Ordering::Greater => "imglandscape",
    };
    words.push(orientation.to_owned());
    words.join(" ")
}

/// Each component as one bit (1 when positive), unpacked: Titan V2's `binary` embedding.
pub(crate) fn bits(v: &[f32]) -> Vec<u8> {
    v.iter().map(|x| u8::from(*x > 0.0)).collect()
}

/// Signed int8 quantization: each component scaled so the largest magnitude is 127.
pub(crate) fn int8(v: &[f32]) -> Vec<i32> {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    v.iter()
        .map(|x| {
            if max == 0.0 {
                0
            } else {
                (x / max * 127.0).round().clamp(-128.0, 127.0) as i32
            }
        })
        .collect()
}

/// Unsigned int8 quantization: [`int8`] shifted by 128.
pub(crate) fn uint8(v: &[f32]) -> Vec<i32> {
    int8(v).into_iter().map(|x| x + 128).collect()
}

/// Bits packed eight to a byte, most significant first, as unsigned bytes (Cohere `ubinary`;
/// the vector is an eighth of the dimension).
pub(crate) fn ubinary(v: &[f32]) -> Vec<i32> {
    v.chunks(8)
        .map(|chunk| {
            chunk
                .iter()
                .enumerate()
                .fold(0i32, |acc, (i, x)| acc | (i32::from(*x > 0.0) << (7 - i)))
        })
        .collect()
}

/// [`ubinary`] as signed bytes (Cohere `binary`).
pub(crate) fn binary(v: &[f32]) -> Vec<i32> {
    ubinary(v).into_iter().map(|x| x - 128).collect()
}
