//! The media families' InvokeModel codecs, one file per family under `families/media/`.

use std::sync::Arc;

use crate::models::FamilyCodec;

/// The codecs of the media families.
pub fn codecs() -> Vec<Arc<dyn FamilyCodec>> {
    Vec::new()
}
