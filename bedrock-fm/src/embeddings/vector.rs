//! Typed embedding vectors: [`Embedding`] holds the vector of one input in every type the
//! model was asked for (float, int8, uint8, packed binary, or one bit per dimension).

use serde::Serialize;
use std::fmt;

/// A vector type an embedding model can return. Which ones a model offers: Titan Text
/// Embeddings V2 `Float` and `Binary`; Cohere Embed all five; the others `Float` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EmbeddingType {
    /// 32-bit floats (the default of every model).
    Float,
    /// Signed 8-bit integers, one per dimension (Cohere `int8`).
    Int8,
    /// Unsigned 8-bit integers, one per dimension (Cohere `uint8`).
    Uint8,
    /// Binary: Cohere `binary` (8 dimensions packed per signed byte) or Titan V2 `binary` (one
    /// 0/1 value per dimension, in [`Embedding::bits`]).
    Binary,
    /// Cohere `ubinary`: 8 dimensions packed per unsigned byte.
    Ubinary,
}

impl EmbeddingType {
    /// The wire name (`float`, `int8`, `uint8`, `binary`, `ubinary`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Float => "float",
            Self::Int8 => "int8",
            Self::Uint8 => "uint8",
            Self::Binary => "binary",
            Self::Ubinary => "ubinary",
        }
    }
}

impl fmt::Display for EmbeddingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EmbeddingType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "float" => Ok(Self::Float),
            "int8" => Ok(Self::Int8),
            "uint8" => Ok(Self::Uint8),
            "binary" => Ok(Self::Binary),
            "ubinary" => Ok(Self::Ubinary),
            other => Err(format!(
                "unknown embedding type {other:?}: expected float, int8, uint8, binary or ubinary"
            )),
        }
    }
}

/// The embedding of one input: one vector per type the model returned. Models return floats
/// unless asked for other types (`embedding_types`), so [`Embedding::float`] is the usual
/// accessor.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Embedding {
    /// Float vector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub float: Option<Vec<f32>>,
    /// Signed 8-bit vector (Cohere `int8`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub int8: Option<Vec<i8>>,
    /// Unsigned 8-bit vector (Cohere `uint8`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uint8: Option<Vec<u8>>,
    /// Packed binary vector, 8 dimensions per signed byte, most significant bit first (Cohere
    /// `binary`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binary: Option<Vec<i8>>,
    /// Packed binary vector, 8 dimensions per unsigned byte, most significant bit first
    /// (Cohere `ubinary`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ubinary: Option<Vec<u8>>,
    /// One 0/1 value per dimension (Titan Text Embeddings V2 `binary`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<Vec<u8>>,
}

impl Embedding {
    /// An embedding with only a float vector.
    pub fn from_float(vector: Vec<f32>) -> Self {
        Self {
            float: Some(vector),
            ..Self::default()
        }
    }

    /// The float vector, if the model returned one.
    pub fn float(&self) -> Option<&[f32]> {
        self.float.as_deref()
    }

    /// The number of dimensions (from whichever vector is present; packed binary vectors count
    /// 8 dimensions per byte).
    pub fn dimension(&self) -> usize {
        if let Some(v) = &self.float {
            v.len()
        } else if let Some(v) = &self.int8 {
            v.len()
        } else if let Some(v) = &self.uint8 {
            v.len()
        } else if let Some(v) = &self.bits {
            v.len()
        } else if let Some(v) = &self.binary {
            v.len() * 8
        } else if let Some(v) = &self.ubinary {
            v.len() * 8
        } else {
            0
        }
    }

    /// The types present, in [`EmbeddingType`] order (Titan's `bits` count as `Binary`).
    pub fn types(&self) -> Vec<EmbeddingType> {
        let mut out = Vec::new();
        if self.float.is_some() {
            out.push(EmbeddingType::Float);
        }
        if self.int8.is_some() {
            out.push(EmbeddingType::Int8);
        }
        if self.uint8.is_some() {
            out.push(EmbeddingType::Uint8);
        }
        if self.binary.is_some() || self.bits.is_some() {
            out.push(EmbeddingType::Binary);
        }
        if self.ubinary.is_some() {
            out.push(EmbeddingType::Ubinary);
        }
        out
    }

    /// The vector as floats, from the most precise type present: float as is, int8 and uint8
    /// as their values (uint8 shifted by -128), binary vectors as ±1 per dimension.
    pub fn to_f32(&self) -> Vec<f32> {
        let sign = |bit: bool| if bit { 1.0 } else { -1.0 };
        if let Some(v) = &self.float {
            v.clone()
        } else if let Some(v) = &self.int8 {
            v.iter().map(|&x| f32::from(x)).collect()
        } else if let Some(v) = &self.uint8 {
            v.iter().map(|&x| f32::from(x) - 128.0).collect()
        } else if let Some(v) = &self.bits {
            v.iter().map(|&b| sign(b != 0)).collect()
        } else if let Some(v) = &self.ubinary {
            unpack(v.iter().copied()).map(sign).collect()
        } else if let Some(v) = &self.binary {
            // Cohere's signed binary is the unsigned one shifted by -128.
            unpack(v.iter().map(|&x| (i16::from(x) + 128) as u8))
                .map(sign)
                .collect()
        } else {
            Vec::new()
        }
    }

    /// Cosine similarity with another embedding, on [`Embedding::to_f32`] of both (so compare
    /// embeddings of the same type and model); 0 when either is all zeros or the lengths
    /// differ.
    pub fn cosine_similarity(&self, other: &Embedding) -> f32 {
        cosine_similarity(&self.to_f32(), &other.to_f32())
    }
}

fn unpack(bytes: impl Iterator<Item = u8>) -> impl Iterator<Item = bool> {
    bytes.flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1 == 1))
}

/// Cosine similarity of two float vectors: 1 for the same direction, 0 for orthogonal ones;
/// 0 when either is all zeros or the lengths differ.
pub fn cosine_similarity(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    let (mut dot, mut na, mut nb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x), f64::from(y));
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    (dot / (na.sqrt() * nb.sqrt())) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_of_known_vectors() {
        assert!((cosine_similarity(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine_similarity(&[1.0, 0.0], &[0.0, 3.0]).abs() < 1e-6);
        assert!((cosine_similarity(&[1.0, 1.0], &[-1.0, -1.0]) + 1.0).abs() < 1e-6);
        assert_eq!(cosine_similarity(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
        assert_eq!(cosine_similarity(&[1.0], &[1.0, 1.0]), 0.0);
    }

    #[test]
    fn dimensions_count_packed_bits() {
        let e = Embedding {
            ubinary: Some(vec![0b1010_0000, 0]),
            ..Embedding::default()
        };
        assert_eq!(e.dimension(), 16);
        let f = e.to_f32();
        assert_eq!(&f[..4], &[1.0, -1.0, 1.0, -1.0]);
        // The signed form of the same bits gives the same vector.
        let signed = Embedding {
            binary: Some(vec![(0b1010_0000u8 as i16 - 128) as i8, -128]),
            ..Embedding::default()
        };
        assert_eq!(signed.to_f32(), f);
        let bits = Embedding {
            bits: Some(vec![1, 0, 1, 0]),
            ..Embedding::default()
        };
        assert_eq!(bits.dimension(), 4);
        assert_eq!(bits.types(), vec![EmbeddingType::Binary]);
    }

    #[test]
    fn embedding_types_parse_and_print() {
        for t in [
            EmbeddingType::Float,
            EmbeddingType::Int8,
            EmbeddingType::Uint8,
            EmbeddingType::Binary,
            EmbeddingType::Ubinary,
        ] {
            assert_eq!(t.as_str().parse::<EmbeddingType>().unwrap(), t);
        }
        assert!("int4".parse::<EmbeddingType>().is_err());
    }
}
