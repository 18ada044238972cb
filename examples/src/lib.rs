//! Shared setup of the bedrock-fm examples.
