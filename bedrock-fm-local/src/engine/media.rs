//! Embeddings (hashed character trigrams) and images (seeded gradients with stripes).

use std::io::Cursor;

use super::{hash64, tokenize};

/// An embedding of `text` with `dimensions` components (feature hashing of the character
/// trigrams of lower-cased words, L2-normalized). When `normalize` is false the raw sums are
/// returned: each word adds a vector of norm 1 (up to hash collisions).
pub fn embed(text: &str, dimensions: usize, normalize: bool) -> Vec<f32> {
    let dims = dimensions.max(1);
    let mut v = vec![0f32; dims];
    let lower = text.to_lowercase();
    let words: Vec<&str> = tokenize(&lower)
        .into_iter()
        .filter(|t| t.chars().all(char::is_alphanumeric))
        .collect();
    if words.is_empty() {
        v[(hash64(&[b"<empty>"]) % dims as u64) as usize] = 1.0;
    }
    for w in words {
        let padded: Vec<char> = std::iter::once('<')
            .chain(w.chars())
            .chain(std::iter::once('>'))
            .collect();
        let grams: Vec<String> = padded.windows(3).map(|g| g.iter().collect()).collect();
        let weight = 1.0 / (grams.len().max(1) as f32).sqrt();
        for g in grams {
            let h = hash64(&[b"trigram:", g.as_bytes()]);
            let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
            v[(h % dims as u64) as usize] += sign * weight;
        }
    }
    if normalize {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for x in &mut v {
                *x /= norm;
            }
        }
    }
    v
}

/// The cosine similarity of two vectors (0 when either is zero).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

/// A `width` x `height` image for `prompt`, `seed` and `index` (the n-th image of a request).
pub fn render_image(
    prompt: &str,
    width: u32,
    height: u32,
    seed: u64,
    index: u32,
) -> image::RgbImage {
    let h = hash64(&[prompt.as_bytes(), &seed.to_le_bytes(), &index.to_le_bytes()]);
    let c1 = [
        (h & 0xff) as f32,
        ((h >> 8) & 0xff) as f32,
        ((h >> 16) & 0xff) as f32,
    ];
    let c2 = [
        ((h >> 24) & 0xff) as f32,
        ((h >> 32) & 0xff) as f32,
        ((h >> 40) & 0xff) as f32,
    ];
    let stripe = 4 + ((h >> 48) % 28) as u32;
    let (w, hgt) = (width.max(1), height.max(1));
    image::RgbImage::from_fn(w, hgt, |x, y| {
        let t = (x + y) as f32 / (w + hgt) as f32;
        let band = ((x / stripe) + (y / stripe)).is_multiple_of(2);
        let px = |i: usize| {
            let v = c1[i] * (1.0 - t) + c2[i] * t;
            let v = if band { v } else { 255.0 - v };
            v.clamp(0.0, 255.0) as u8
        };
        image::Rgb([px(0), px(1), px(2)])
    })
}

/// The PNG encoding of [`render_image`].
pub fn render_png(prompt: &str, width: u32, height: u32, seed: u64, index: u32) -> Vec<u8> {
    let img = render_image(prompt, width, height, seed, index);
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encoding a PNG in memory does not fail");
    out.into_inner()
}
