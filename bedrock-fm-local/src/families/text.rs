//! The text families' InvokeModel codecs, one file per family under `families/text/`.

use std::sync::Arc;

use crate::models::FamilyCodec;

/// The codecs of the text families.
pub fn codecs() -> Vec<Arc<dyn FamilyCodec>> {
    Vec::new()
}
