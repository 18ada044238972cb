//! The errors of the chat helpers ([`ChatError`], carried by [`Error::Chat`]).

use crate::conversation::Conversation;
#[cfg(doc)]
use crate::error::Error;
use crate::error::ErrorKind;
use serde_json::Value;
use std::fmt;

/// Why a chat helper could not finish, after its requests succeeded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ChatError {
    /// [`TextModel::run_tools`](crate::TextModel::run_tools) ran `iterations` rounds and the
    /// model was still calling tools.
    ToolLoopLimit {
        /// The rounds run (the bound).
        iterations: u32,
        /// The conversation so far: every reply and tool result, ending with the results of
        /// the last round, ready to be continued.
        conversation: Box<Conversation>,
        /// What happened.
        message: String,
    },
    /// The model's output does not fit the type asked for
    /// ([`TextModel::chat_structured`](crate::TextModel::chat_structured)).
    OutputMismatch {
        /// The Rust type asked for.
        type_name: String,
        /// Why it does not fit (the `serde_json` error, or that the model gave no output).
        message: String,
        /// The model's output as received: the tool input, or the reply's text as a JSON
        /// string when the model answered in text that is not JSON.
        raw: Value,
    },
}

impl ChatError {
    /// [`ErrorKind::ToolLoopLimit`] or [`ErrorKind::OutputMismatch`].
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::ToolLoopLimit { .. } => ErrorKind::ToolLoopLimit,
            Self::OutputMismatch { .. } => ErrorKind::OutputMismatch,
        }
    }

    /// What happened.
    pub fn message(&self) -> &str {
        match self {
            Self::ToolLoopLimit { message, .. } | Self::OutputMismatch { message, .. } => message,
        }
    }

    /// The model's raw output, for an output that does not fit its type.
    pub fn raw_output(&self) -> Option<&Value> {
        match self {
            Self::OutputMismatch { raw, .. } => Some(raw),
            _ => None,
        }
    }

    /// The conversation so far, for a tool loop that hit its bound.
    pub fn conversation(&self) -> Option<&Conversation> {
        match self {
            Self::ToolLoopLimit { conversation, .. } => Some(conversation),
            _ => None,
        }
    }
}

impl fmt::Display for ChatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind(), self.message())
    }
}

impl std::error::Error for ChatError {}
