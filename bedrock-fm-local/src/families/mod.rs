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

/// Every family codec of the crate.
pub fn all() -> Vec<Arc<dyn FamilyCodec>> {
    let mut codecs = text::codecs();
    codecs.extend(media::codecs());
    codecs
}
