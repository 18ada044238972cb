//! Conversations: `System`, `Human` and `Assistant` turns, validated before any request.

pub use crate::chat::content::Content;
use crate::error::{Error, Result};

/// Who speaks a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// Instructions for the model; at most one, and only first.
    System,
    /// The user.
    Human,
    /// The model.
    Assistant,
}

impl Role {
    /// `"system"`, `"user"` or `"assistant"`, as Converse and most native formats name it.
    pub fn wire(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Human => "user",
            Self::Assistant => "assistant",
        }
    }

    /// The turn of this role with its article, for error messages (`"an assistant turn"`).
    pub(crate) fn a_turn(self) -> &'static str {
        match self {
            Self::System => "a system turn",
            Self::Human => "a human turn",
            Self::Assistant => "an assistant turn",
        }
    }
}

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Turn {
    /// Who speaks it.
    pub role: Role,
    /// What is said, in order: text, images, documents, tool calls and results.
    pub content: Vec<Content>,
}

impl Turn {
    /// The turn's text blocks, joined.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|c| match c {
                Content::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Whether the turn holds only text.
    pub fn is_text_only(&self) -> bool {
        self.content.iter().all(|c| matches!(c, Content::Text(_)))
    }
}

/// A conversation, in order. Build it with [`Conversation::system`], [`Conversation::human`]
/// and [`Conversation::assistant`]; it is validated when sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    turns: Vec<Turn>,
}

impl Conversation {
    /// An empty conversation.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a text turn.
    pub fn push(self, role: Role, text: impl Into<String>) -> Self {
        self.push_content(role, [Content::Text(text.into())])
    }

    /// Appends a turn of any content, in the order given.
    pub fn push_content(mut self, role: Role, content: impl IntoIterator<Item = Content>) -> Self {
        self.turns.push(Turn {
            role,
            content: content.into_iter().collect(),
        });
        self
    }

    /// Appends a human turn of text, images, documents or tool results, in the order given.
    pub fn human_with(self, content: impl IntoIterator<Item = Content>) -> Self {
        self.push_content(Role::Human, content)
    }

    /// Appends an assistant turn of any content (for example a reply with its tool calls).
    pub fn assistant_with(self, content: impl IntoIterator<Item = Content>) -> Self {
        self.push_content(Role::Assistant, content)
    }

    /// Appends a system turn.
    pub fn system(self, text: impl Into<String>) -> Self {
        self.push(Role::System, text)
    }

    /// Appends a human turn.
    pub fn human(self, text: impl Into<String>) -> Self {
        self.push(Role::Human, text)
    }

    /// Appends an assistant turn (a prefill when it is last).
    pub fn assistant(self, text: impl Into<String>) -> Self {
        self.push(Role::Assistant, text)
    }

    /// All turns, in order.
    pub fn turns(&self) -> &[Turn] {
        &self.turns
    }

    /// The system turn's text, if any.
    pub fn system_text(&self) -> Option<String> {
        self.turns
            .first()
            .filter(|t| t.role == Role::System)
            .map(Turn::text)
    }

    /// Every turn's text joined by blank lines: the prompt as sent for families that take
    /// structured messages.
    pub fn joined_text(&self) -> String {
        self.turns
            .iter()
            .map(Turn::text)
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// The turns after the system turn.
    pub fn dialogue(&self) -> &[Turn] {
        match self.turns.first() {
            Some(t) if t.role == Role::System => &self.turns[1..],
            _ => &self.turns,
        }
    }

    /// Checks the rules every family shares: at most one system turn and only first, human
    /// and assistant turns alternate starting with the human, no empty turn, and the last
    /// turn is the human's (or the assistant's when `prefill` is allowed). Errors name the
    /// turn (1-based) and the problem.
    pub fn validate(&self, prefill: bool) -> Result<()> {
        let at = |i: usize| format!("conversation turn {}", i + 1);
        for (i, turn) in self.turns.iter().enumerate() {
            if turn.role == Role::System && i > 0 {
                let msg = if self.turns[..i].iter().any(|t| t.role == Role::System) {
                    "a second system message; at most one is allowed"
                } else {
                    "a system message must be the first turn"
                };
                return Err(Error::invalid(at(i), msg));
            }
            if turn.content.is_empty() || (turn.is_text_only() && turn.text().trim().is_empty()) {
                return Err(Error::invalid(at(i), "the turn's text is empty"));
            }
            if let Some(c) = turn.content.iter().find(|c| !allowed_in(turn.role, c)) {
                let msg = format!("{} is not allowed in {}", c.a_block(), turn.role.a_turn());
                return Err(Error::invalid(at(i), msg));
            }
            for c in &turn.content {
                if let Content::ToolResult(r) = c
                    && !self.turns[..i]
                        .iter()
                        .any(|t| has_tool_use(t, &r.tool_use_id))
                {
                    let msg = format!(
                        "a tool result for the unknown tool-use ID {:?}",
                        r.tool_use_id
                    );
                    return Err(Error::invalid(at(i), msg));
                }
            }
        }
        let offset = self.turns.len() - self.dialogue().len();
        let mut expected = Role::Human;
        for (i, turn) in self.dialogue().iter().enumerate() {
            if turn.role != expected {
                let msg = match expected {
                    Role::Human => {
                        "two assistant turns in a row (or a conversation that starts with the assistant); roles must alternate starting with the human"
                    }
                    _ => "two human turns in a row; roles must alternate",
                };
                return Err(Error::invalid(at(i + offset), msg));
            }
            expected = if expected == Role::Human {
                Role::Assistant
            } else {
                Role::Human
            };
        }
        match self.dialogue().last() {
            None => Err(Error::invalid("conversation", "has no human turn")),
            Some(t) if t.role == Role::Assistant && !prefill => Err(Error::invalid(
                at(self.turns.len() - 1),
                "the conversation ends with the assistant, and this family cannot prefill a reply",
            )),
            _ => Ok(()),
        }
    }
}

/// Images, documents and tool results come from the human; tool calls and reasoning from
/// the assistant; system turns are text (Converse's `Message` rules).
fn allowed_in(role: Role, content: &Content) -> bool {
    match content {
        Content::Text(_) | Content::CachePoint => true,
        Content::Image(_) | Content::Document(_) | Content::ToolResult(_) => role == Role::Human,
        Content::ToolUse(_) | Content::Reasoning(_) => role == Role::Assistant,
    }
}

fn has_tool_use(turn: &Turn, id: &str) -> bool {
    turn.content
        .iter()
        .any(|c| matches!(c, Content::ToolUse(u) if u.id == id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(c: &Conversation, prefill: bool) -> String {
        c.validate(prefill).unwrap_err().to_string()
    }

    #[test]
    fn a_well_formed_conversation_passes() {
        let c = Conversation::new()
            .system("Be brief.")
            .human("Hi")
            .assistant("Hello")
            .human("Bye");
        c.validate(false).unwrap();
        assert_eq!(c.system_text().as_deref(), Some("Be brief."));
        assert_eq!(c.dialogue().len(), 3);
    }

    #[test]
    fn each_rule_names_the_turn() {
        let two_systems = Conversation::new().system("a").system("b").human("x");
        assert_eq!(
            problem(&two_systems, false),
            "InvalidInput: conversation turn 2: a second system message; at most one is allowed"
        );
        let late_system = Conversation::new().human("x").system("a");
        assert!(
            problem(&late_system, false).contains("turn 2: a system message must be the first")
        );
        let two_humans = Conversation::new().human("a").human("b");
        assert!(problem(&two_humans, false).contains("turn 2: two human turns in a row"));
        let starts_assistant = Conversation::new().assistant("a").human("b");
        assert!(problem(&starts_assistant, false).contains("turn 1: two assistant turns"));
        let empty = Conversation::new().human("  ");
        assert!(problem(&empty, false).contains("turn 1: the turn's text is empty"));
        assert!(problem(&Conversation::new().system("s"), false).contains("has no human turn"));
    }

    #[test]
    fn content_blocks_belong_to_their_roles_and_tool_results_to_known_calls() {
        use crate::chat::content::ToolUse;
        let image_from_assistant = Conversation::new()
            .human("Draw")
            .assistant_with([Content::image_bytes(vec![1, 2, 3])])
            .human("Thanks");
        assert!(
            problem(&image_from_assistant, false)
                .ends_with("turn 2: an image block is not allowed in an assistant turn"),
            "{}",
            problem(&image_from_assistant, false)
        );
        let unknown = Conversation::new().human_with([Content::tool_result_text("t-9", "42")]);
        assert!(
            problem(&unknown, false)
                .contains("turn 1: a tool result for the unknown tool-use ID \"t-9\"")
        );
        let known = Conversation::new()
            .human("Weather?")
            .assistant_with([Content::ToolUse(ToolUse::new(
                "t-1",
                "weather",
                serde_json::json!({}),
            ))])
            .human_with([Content::tool_result_json(
                "t-1",
                serde_json::json!({"c": 21}),
            )]);
        known.validate(false).unwrap();
    }

    #[test]
    fn an_assistant_prefill_needs_a_family_that_supports_it() {
        let c = Conversation::new().human("Count:").assistant("1, 2,");
        assert!(problem(&c, false).contains("turn 2: the conversation ends with the assistant"));
        c.validate(true).unwrap();
    }
}
