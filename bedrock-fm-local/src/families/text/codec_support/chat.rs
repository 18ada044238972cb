//! A conversation read from a native body (turns, tools, limits) and the engine's reply to it:
//! text, tool calls, reasoning; OpenAI-style `messages` and `tools` arrays.

use serde_json::{Value, json};

use crate::converse::MEDIA_BLOCK_TOKENS;
use crate::engine::{self, Engine, StopReason, TextRequest, ToolChoice, ToolSpec};
use crate::models::{OutputBlock, Usage};

/// One turn of a conversation read from a native body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Turn {
    /// The user's turn (tool results included); else the assistant's.
    pub user: bool,
    /// Its text blocks.
    pub texts: Vec<String>,
    /// The text of its other blocks (tool results, tool calls, document titles).
    pub other: Vec<String>,
    /// Its image, document and video blocks.
    pub media: u32,
    /// It returns tool results.
    pub tool_results: bool,
}

impl Turn {
    /// A user turn with one text.
    pub fn user(text: impl Into<String>) -> Self {
        Self {
            user: true,
            texts: vec![text.into()],
            ..Self::default()
        }
    }

    /// An assistant turn with one text.
    pub fn assistant(text: impl Into<String>) -> Self {
        Self {
            user: false,
            texts: vec![text.into()],
            ..Self::default()
        }
    }
}

/// A conversation read from a native body, and how to answer it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chat {
    /// System prompt parts.
    pub system: Vec<String>,
    /// The turns, oldest first.
    pub turns: Vec<Turn>,
    /// Other text the model reads (documents).
    pub context: Vec<String>,
    /// The tools offered.
    pub tools: Vec<ToolSpec>,
    /// How the model may pick them.
    pub tool_choice: ToolChoice,
    /// Largest number of output tokens.
    pub max_tokens: Option<u32>,
    /// Stop sequences.
    pub stop_sequences: Vec<String>,
    /// Reasoning first, with this token budget (`Some(None)`: the engine's default budget).
    pub reasoning: Option<Option<u32>>,
    /// A short text before a tool call the model chose itself (Claude does so; OpenAI-style
    /// families answer tool calls with empty content).
    pub preface: bool,
    /// Prefix and length of generated tool-call IDs.
    pub tool_id: (&'static str, usize),
}

/// The reply to a [`Chat`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    /// Content blocks, in order.
    pub blocks: Vec<OutputBlock>,
    /// Why the model stopped.
    pub stop_reason: StopReason,
    /// The stop sequence that stopped it.
    pub stop_sequence: Option<String>,
    /// Token usage.
    pub usage: Usage,
}

impl Reply {
    /// The text of the reply (its text blocks, concatenated).
    pub fn text(&self) -> String {
        self.text_pieces().concat()
    }

    /// The pieces of the text blocks, in stream order.
    pub fn text_pieces(&self) -> Vec<String> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                OutputBlock::Text { pieces, .. } => Some(pieces.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The tool calls: ID, name and input.
    pub fn tool_calls(&self) -> Vec<(&str, &str, &Value)> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                OutputBlock::ToolUse { id, name, input } => {
                    Some((id.as_str(), name.as_str(), input))
                }
                _ => None,
            })
            .collect()
    }
}

impl Chat {
    /// Everything the model reads: system, context, turns and tool definitions.
    pub fn prompt(&self) -> String {
        let mut parts: Vec<String> = self.system.clone();
        parts.extend(self.context.iter().cloned());
        for t in &self.turns {
            parts.extend(t.texts.iter().cloned());
            parts.extend(t.other.iter().cloned());
        }
        for t in &self.tools {
            parts.push(t.name.clone());
            parts.extend(t.description.iter().cloned());
            parts.push(t.input_schema.to_string());
        }
        parts.retain(|p| !p.is_empty());
        parts.join("\n")
    }

    /// Input tokens: the prompt's, plus [`MEDIA_BLOCK_TOKENS`] per media block.
    pub fn input_tokens(&self) -> u32 {
        let media: u32 = self.turns.iter().map(|t| t.media).sum();
        engine::count_tokens(&self.prompt())
            .saturating_add(media.saturating_mul(MEDIA_BLOCK_TOKENS))
    }

    /// The text of the last user turn (its text blocks, else its other blocks).
    pub fn focus(&self) -> String {
        let Some(last) = self.turns.iter().rev().find(|t| t.user) else {
            return String::new();
        };
        let parts = if last.texts.iter().any(|t| !t.is_empty()) {
            &last.texts
        } else {
            &last.other
        };
        parts
            .iter()
            .filter(|t| !t.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The engine's reply: reasoning first when asked; then a tool call when
    /// [`engine::choose_tool`] picks one for the last user turn (input generated from the
    /// tool's schema, stop reason `tool_use`), else text honouring the limits.
    pub fn reply(&self, engine: Engine) -> Reply {
        let prompt = self.prompt();
        let focus = self.focus();
        let mut blocks = Vec::new();
        let mut output_tokens = 0u32;
        if let Some(budget) = self.reasoning {
            let r = engine.reasoning(&focus, budget);
            output_tokens += r.output_tokens;
            blocks.push(OutputBlock::Reasoning {
                signature: engine.id("", &format!("signature:{}", r.text), 48),
                text: r.text,
                pieces: r.pieces,
            });
        }
        let last = self.turns.last();
        let chosen = match last {
            Some(t) if t.user => {
                engine::choose_tool(&self.tools, &self.tool_choice, &focus, t.tool_results)
            }
            _ => None,
        };
        let (stop_reason, stop_sequence) = if let Some(i) = chosen {
            let tool = &self.tools[i];
            if self.preface && self.tool_choice == ToolChoice::Auto {
                let preface = format!("I'll use the {} tool.", tool.name);
                output_tokens += engine::count_tokens(&preface);
                blocks.push(OutputBlock::text(preface));
            }
            let input = engine::value_for_schema(
                &tool.input_schema,
                &focus,
                engine.seed ^ engine::hash64(&[tool.name.as_bytes()]),
            );
            output_tokens += engine::count_tokens(&input.to_string());
            let (prefix, len) = self.tool_id;
            blocks.push(OutputBlock::ToolUse {
                id: engine.id(prefix, &format!("{}\u{0}{prompt}", tool.name), len),
                name: tool.name.clone(),
                input,
            });
            (StopReason::ToolUse, None)
        } else {
            let g = engine.generate(
                &TextRequest::new(&prompt)
                    .focus(&focus)
                    .max_tokens(self.max_tokens)
                    .stop_sequences(&self.stop_sequences),
            );
            output_tokens += g.output_tokens;
            blocks.push(OutputBlock::Text {
                text: g.text,
                pieces: g.pieces,
            });
            (g.stop_reason, g.stop_sequence)
        };
        Reply {
            blocks,
            stop_reason,
            stop_sequence,
            usage: Usage::new(self.input_tokens(), output_tokens),
        }
    }
}

/// The JSON schema of a tool whose definition has none (an Anthropic-defined tool).
pub(crate) fn empty_object_schema() -> Value {
    json!({"type": "object", "properties": {}})
}

/// A tool offered to the model.
pub(crate) fn tool(name: &str, description: Option<&str>, schema: Option<&Value>) -> ToolSpec {
    let mut t = ToolSpec::new(
        name,
        schema
            .filter(|s| s.is_object())
            .cloned()
            .unwrap_or_else(empty_object_schema),
    );
    t.description = description.map(str::to_owned);
    t
}

/// Adds a message's content to a turn: a string, or text and image parts (Pixtral).
fn add_content(turn: &mut Turn, content: &Value) {
    match content {
        Value::String(s) => turn.texts.push(s.clone()),
        Value::Array(parts) => {
            for p in parts {
                match p["type"].as_str() {
                    Some("image_url") => turn.media += 1,
                    _ => turn.texts.extend(p["text"].as_str().map(str::to_owned)),
                }
            }
        }
        _ => {}
    }
}

/// The conversation of an OpenAI-style `messages` array (Mistral chat, Jamba): `system`
/// messages are the system prompt; consecutive `user` and `tool` messages make one user turn,
/// which returns tool results when its last message is a `tool` message.
pub(crate) fn openai_turns(messages: &[Value]) -> (Vec<String>, Vec<Turn>) {
    let mut system = Vec::new();
    let mut turns: Vec<Turn> = Vec::new();
    for m in messages {
        let role = m["role"].as_str().unwrap_or_default();
        if role == "system" {
            system.extend(m["content"].as_str().map(str::to_owned));
            continue;
        }
        let user = role != "assistant";
        if turns.last().is_none_or(|t| t.user != user) {
            turns.push(Turn {
                user,
                ..Turn::default()
            });
        }
        let turn = turns.last_mut().expect("pushed above");
        if role == "tool" {
            turn.tool_results = true;
            turn.other.extend(m["content"].as_str().map(str::to_owned));
        } else {
            turn.tool_results = false;
            add_content(turn, &m["content"]);
        }
        for call in m["tool_calls"].as_array().into_iter().flatten() {
            turn.other
                .extend(call["function"]["arguments"].as_str().map(str::to_owned));
        }
    }
    (system, turns)
}

/// The tools of an OpenAI-style `tools` array (`{"type": "function", "function": {...}}`).
pub(crate) fn openai_tools(tools: &Value) -> Vec<ToolSpec> {
    tools
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let f = &t["function"];
            tool(
                f["name"].as_str().unwrap_or_default(),
                f["description"].as_str(),
                f.get("parameters"),
            )
        })
        .collect()
}
