//! The native InvokeModel behaviour of each model family, one file per family.
//!
//! Each file implements [`crate::models::FamilyCodec`] for one family key of `models.toml`
//! (`claude_messages`, `titan_text`, ...) on top of [`crate::engine`], and registers it in
//! [`all`]. The catalog backend dispatches InvokeModel and InvokeModelWithResponseStream to the
//! codec of the requested model's family; a family without a codec answers InvokeModel with a
//! `ValidationException` saying so (Converse works for every family regardless).

use std::sync::Arc;

use crate::models::FamilyCodec;

pub mod media;
pub mod text;

/// `text: [TitanText, ...], embedding: [...], image: [...]` (from `models.toml`, through
/// `bedrock_fm::for_each_family!`) to one codec per family: a family of the catalog without
/// its codec here does not compile.
macro_rules! register_codecs {
    (text: [$($t:ident),*], embedding: [$($e:ident),*], image: [$($i:ident),*]) => {
        vec![
            $(Arc::new(text::$t) as Arc<dyn FamilyCodec>,)*
            $(Arc::new(media::$e) as Arc<dyn FamilyCodec>,)*
            $(Arc::new(media::$i) as Arc<dyn FamilyCodec>,)*
        ]
    };
}

/// Every family codec of the crate, one per family of the catalog.
pub fn all() -> Vec<Arc<dyn FamilyCodec>> {
    bedrock_fm::for_each_family!(register_codecs)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use bedrock_fm::catalog::ALL_MODELS;

    use super::*;

    #[test]
    fn every_family_of_the_catalog_has_exactly_one_codec_under_its_own_key() {
        let ids: Vec<&str> = all().iter().map(|c| c.family_id()).collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        let families: HashSet<&str> = ALL_MODELS.iter().map(|m| m.family.id()).collect();
        assert_eq!(unique, families);
    }
}
