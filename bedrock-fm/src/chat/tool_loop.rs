//! The tool loop: [`ToolHandlers`] map tool names to async functions, and
//! [`TextModel::run_tools`](crate::TextModel::run_tools) calls the model, runs the tools it
//! asks for, sends their results back, and repeats until the model answers without calling a
//! tool or the bound on iterations is hit.

use super::content::{Content, ToolUse};
use super::error::ChatError;
use super::tools::Tool;
use super::{ChatOptions, ChatReply};
use crate::conversation::Conversation;
use crate::details::Usage;
use crate::error::{Error, Result};
use crate::params::FamilyTypes;
use crate::text::TextModel;
use crate::text_families::TextFamily;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a tool handler returns: the tool's output as JSON, or an error message that is sent
/// back to the model as an error result.
pub type ToolFuture = Pin<Box<dyn Future<Output = Result<Value, String>> + Send>>;

type Handler = Arc<dyn Fn(Value) -> ToolFuture + Send + Sync>;

/// Async functions that run tools, by tool name, and the tools they declare.
///
/// A handler returns `Ok(json)` (an object is sent as a JSON result, a string as a text
/// result, anything else as `{"result": value}`, since Bedrock takes JSON objects only) or
/// `Err(message)`, sent back as an error result (`status: "error"` where the model takes it)
/// so that the model can recover.
///
/// ```
/// use bedrock_fm::chat::tool_loop::ToolHandlers;
/// use serde_json::json;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Weather {
///     /// The city.
///     city: String,
/// }
///
/// let handlers = ToolHandlers::new().typed("weather", "Today's weather in a city", |w: Weather| async move {
///     Ok(json!({"city": w.city, "celsius": 21}))
/// });
/// assert_eq!(handlers.tools()[0].name, "weather");
/// ```
#[derive(Clone, Default)]
pub struct ToolHandlers {
    handlers: BTreeMap<String, Handler>,
    tools: Vec<Tool>,
}

impl fmt::Debug for ToolHandlers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolHandlers")
            .field("handlers", &self.handlers.keys().collect::<Vec<_>>())
            .field("tools", &self.tools)
            .finish()
    }
}

impl ToolHandlers {
    /// No handlers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs calls to the tool `name`, which the chat options declare, with `handler`.
    pub fn on<H, Fut>(mut self, name: impl Into<String>, handler: H) -> Self
    where
        H: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, String>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |input| Box::pin(handler(input)) as ToolFuture);
        self.handlers.insert(name.into(), handler);
        self
    }

    /// Declares `tool` (offered to the model with the options' tools) and runs its calls
    /// with `handler`.
    pub fn tool<H, Fut>(mut self, tool: Tool, handler: H) -> Self
    where
        H: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, String>> + Send + 'static,
    {
        let name = tool.name.clone();
        self.tools.push(tool);
        self.on(name, handler)
    }

    /// Declares a tool whose input is `T` (its JSON schema from `schemars`) and runs its
    /// calls with the input decoded as `T`; an input that does not decode is sent back to
    /// the model as an error result.
    pub fn typed<T, H, Fut>(
        self,
        name: impl Into<String>,
        description: impl Into<String>,
        handler: H,
    ) -> Self
    where
        T: schemars::JsonSchema + DeserializeOwned + Send + 'static,
        H: Fn(T) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, String>> + Send + 'static,
    {
        let tool = Tool::of::<T>(name, description);
        self.tool(tool, move |input: Value| -> ToolFuture {
            match serde_json::from_value::<T>(input) {
                Ok(typed) => Box::pin(handler(typed)),
                Err(e) => {
                    let msg = format!("the input does not fit the tool's schema: {e}");
                    Box::pin(async move { Err(msg) })
                }
            }
        })
    }

    /// The names that have a handler.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.handlers.keys().map(String::as_str)
    }

    /// The tools declared with [`ToolHandlers::tool`] and [`ToolHandlers::typed`].
    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    /// Runs one call and returns its result block.
    pub(crate) async fn run(&self, call: &ToolUse) -> Content {
        let outcome = match self.handlers.get(&call.name) {
            Some(handler) => handler(call.input.clone()).await,
            None => Err(format!("there is no tool named {:?}", call.name)),
        };
        result_block(&call.id, outcome)
    }
}

/// A handler's outcome as a tool-result block.
fn result_block(id: &str, outcome: Result<Value, String>) -> Content {
    match outcome {
        Ok(Value::Object(map)) => Content::tool_result_json(id, Value::Object(map)),
        Ok(Value::String(s)) => Content::tool_result_text(id, s),
        Ok(other) => Content::tool_result_json(id, json!({"result": other})),
        Err(message) => Content::tool_error(id, message),
    }
}

/// The outcome of [`TextModel::run_tools`](crate::TextModel::run_tools).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ToolRun {
    /// The model's last reply, which calls no tool.
    pub reply: ChatReply,
    /// The conversation with every reply and tool result appended, ending with `reply`.
    pub conversation: Conversation,
    /// How many requests were made.
    pub iterations: u32,
    /// How many tool calls were run.
    pub tool_calls: usize,
    /// The token counts of every request, added up.
    pub usage: Usage,
}

fn add(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (None, None) => None,
        _ => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
    }
}

fn add_usage(a: Usage, b: Usage) -> Usage {
    Usage {
        input_tokens: add(a.input_tokens, b.input_tokens),
        output_tokens: add(a.output_tokens, b.output_tokens),
        cache_read_tokens: add(a.cache_read_tokens, b.cache_read_tokens),
        cache_write_tokens: add(a.cache_write_tokens, b.cache_write_tokens),
    }
}

/// The options with the handlers' tools added, checked: every tool offered has a handler
/// and every handler a tool.
fn loop_options<F: FamilyTypes>(
    options: &ChatOptions<F>,
    handlers: &ToolHandlers,
) -> Result<ChatOptions<F>> {
    let mut options = options.clone();
    for tool in handlers.tools() {
        if options.tools.iter().any(|t| t.name == tool.name) {
            let msg = format!(
                "the tool {:?} is declared both in the options and by a handler",
                tool.name
            );
            return Err(Error::invalid("handlers", msg));
        }
        options.tools.push(tool.clone());
    }
    if let Some(name) = handlers
        .names()
        .find(|n| !options.tools.iter().any(|t| t.name == *n))
    {
        let msg = format!("a handler for {name:?}, which is not among the tools offered");
        return Err(Error::invalid("handlers", msg));
    }
    if let Some(tool) = options
        .tools
        .iter()
        .find(|t| !handlers.handlers.contains_key(&t.name))
    {
        let msg = format!("the tool {:?} is offered but has no handler", tool.name);
        return Err(Error::invalid("handlers", msg));
    }
    if options.tools.is_empty() {
        return Err(Error::invalid("handlers", "no tools and no handlers"));
    }
    Ok(options)
}

pub(crate) async fn run_tools<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    options: &ChatOptions<F>,
    handlers: &ToolHandlers,
    max_iterations: u32,
) -> Result<ToolRun> {
    if max_iterations == 0 {
        return Err(Error::invalid("max_iterations", "must be at least 1"));
    }
    let mut options = loop_options(options, handlers)?;
    let mut conversation = conversation.clone();
    let mut usage = Usage::default();
    let mut tool_calls = 0;
    for iteration in 1..=max_iterations {
        let reply = model.chat_with(&conversation, &options).await?;
        usage = add_usage(usage, reply.usage);
        let calls: Vec<ToolUse> = reply.tool_uses().into_iter().cloned().collect();
        if !reply.content.is_empty() {
            conversation = conversation.assistant_with(reply.content.clone());
        }
        if calls.is_empty() {
            return Ok(ToolRun {
                reply,
                conversation,
                iterations: iteration,
                tool_calls,
                usage,
            });
        }
        let results =
            futures_util::future::join_all(calls.iter().map(|call| handlers.run(call))).await;
        tool_calls += calls.len();
        conversation = conversation.human_with(results);
        // A forced tool choice applies to the first request only, so that the loop can end.
        options.tool_choice = None;
    }
    let message = format!(
        "the model was still calling tools after {max_iterations} iterations ({tool_calls} tool calls)"
    );
    Err(ChatError::ToolLoopLimit {
        iterations: max_iterations,
        conversation: Box::new(conversation),
        message,
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::content::ToolResultContent;

    #[tokio::test]
    async fn handlers_turn_outcomes_into_result_blocks() {
        let h = ToolHandlers::new()
            .on("obj", |v| async move { Ok(json!({"echo": v})) })
            .on("num", |_| async { Ok(json!(42)) })
            .on("fail", |_| async { Err("boom".to_owned()) });
        let call = |name: &str| ToolUse::new("t", name, json!({"x": 1}));
        let Content::ToolResult(r) = h.run(&call("obj")).await else {
            panic!()
        };
        assert_eq!(
            r.content,
            [ToolResultContent::Json(json!({"echo": {"x": 1}}))]
        );
        let Content::ToolResult(r) = h.run(&call("num")).await else {
            panic!()
        };
        assert_eq!(r.content, [ToolResultContent::Json(json!({"result": 42}))]);
        let Content::ToolResult(r) = h.run(&call("fail")).await else {
            panic!()
        };
        assert!(r.is_error);
        let Content::ToolResult(r) = h.run(&call("nope")).await else {
            panic!()
        };
        assert!(r.is_error);
    }

    #[tokio::test]
    async fn a_typed_handler_reports_input_that_does_not_fit() {
        #[derive(serde::Deserialize, schemars::JsonSchema)]
        struct In {
            n: u8,
        }
        let h = ToolHandlers::new().typed("t", "d", |i: In| async move { Ok(json!({"n": i.n})) });
        let Content::ToolResult(r) = h.run(&ToolUse::new("1", "t", json!({"n": "x"}))).await else {
            panic!()
        };
        assert!(r.is_error);
        let Content::ToolResult(r) = h.run(&ToolUse::new("1", "t", json!({"n": 3}))).await else {
            panic!()
        };
        assert_eq!(r.content, [ToolResultContent::Json(json!({"n": 3}))]);
    }

    #[test]
    fn tools_and_handlers_must_match() {
        let tool = Tool::new("a", "d", json!({"type": "object"}));
        let only_tool = ChatOptions::<crate::ConverseFamily>::new().tool(tool.clone());
        assert!(loop_options(&only_tool, &ToolHandlers::new()).is_err());
        let stray = ToolHandlers::new().on("b", |_| async { Ok(json!({})) });
        assert!(loop_options(&only_tool, &stray).is_err());
        let twice = ToolHandlers::new().tool(tool, |_| async { Ok(json!({})) });
        assert!(loop_options(&only_tool, &twice).is_err());
        let ok = ToolHandlers::new().on("a", |_| async { Ok(json!({})) });
        assert_eq!(loop_options(&only_tool, &ok).unwrap().tools.len(), 1);
    }
}
