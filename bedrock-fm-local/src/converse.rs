//! The Converse API, family-independent: Bedrock's conversation rules, then a reply from the
//! deterministic engine, as a Converse response or as ConverseStream events.
//!
//! Conversation rules checked (with Bedrock's wording where users have recorded it):
//!
//! - the model supports Converse ("This action doesn't support the model that you provided.
//!   Try again with a supported text or chat model.") and, for ConverseStream, streaming;
//! - the conversation starts with a user message ("A conversation must start with a user
//!   message. Try again with a conversation that starts with a user message.", pydantic-ai
//!   issue #4495) and alternates roles ("A conversation must alternate between user and
//!   assistant roles. Make sure the conversation alternates between user and assistant roles
//!   and try again.", semantic-kernel issue #10281);
//! - no message is empty ("The content field in the Message object at messages.N is empty. Add
//!   a ContentBlock object to the content field and try again.", llmgateway PR #3127);
//! - `toolUse`/`toolResult` blocks need `toolConfig` ("The toolConfig field must be defined
//!   when using toolUse and toolResult content blocks.", pentagi issue #160), and `toolConfig`
//!   needs a model with tool use ("This model doesn't support tool use.", langchain-aws #447);
//! - images need a vision model; images and documents only in user messages, and a document
//!   needs a text block beside it (both documented on the service model's `Message.content`);
//! - `maxTokens` within the model's output limit;
//! - images and documents within the limits of the `Message` reference, each image a real image
//!   of its declared format (see [`crate::media_check`] for the limits and the wording);
//! - prompt caching (`cachePoint` in `system`, `messages` and `toolConfig.tools`) only on the
//!   models that support it, within their rules (see [`crate::prompt_cache`]): any other model
//!   answers `AccessDeniedException` "You invoked an unsupported model or your request did not
//!   allow prompt caching." (recorded against live Bedrock in strands-agents/harness-sdk PR
//!   #1807 and BerriAI/litellm PR #39210, both 403); Claude's limits in Anthropic's words as
//!   Bedrock passes them on ("The model returned the following errors: A maximum of 4 blocks
//!   with cache_control may be provided. Found 5.", Wei-Shaw/sub2api issue #176; the TTL order
//!   message of Portkey-AI/gateway issue #1762);
//! - Claude adaptive thinking only on the models that take it: "The model returned the
//!   following errors: thinking: Input tag 'adaptive' found using 'type' does not match any of
//!   the expected tags: 'disabled', 'enabled'" (Claude Sonnet 4.5 through Converse,
//!   strands-agents/harness-sdk issue #1856).
//!
//! The reply: when [`crate::engine::choose_tool`] picks a tool, a `toolUse` block (after a short
//! text when the choice was `auto`) with input generated from the tool's schema and stop reason
//! `tool_use`; otherwise text from [`crate::engine::Engine::generate`], whose focus is the last
//! user turn. A reasoning block comes first when `additionalModelRequestFields` enables it
//! (Claude's `thinking: {"type": "enabled", "budget_tokens": N}` or `thinking: {"type":
//! "adaptive"}` with `output_config: {"effort": ...}`, per
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-adaptive-thinking.html>;
//! Nova's `reasoningConfig: {"type": "enabled", "maxReasoningEffort": ...}`): a
//! `reasoningContent` block with `reasoningText` `{text, signature}`, streamed as
//! `reasoningContent` text deltas and a signature delta. Its length follows the budget or the
//! effort (`low`, `medium`, `high`/`max`: at most 16, 32 or 64 tokens).
//!
//! Input tokens: the tokens of the system prompt, every text, tool result and tool input of the
//! conversation and the tool definitions, plus 100 per image, document, video or audio block.
//! With prompt caching, the cached tokens are reported as `cacheReadInputTokens` and
//! `cacheWriteInputTokens` and left out of `inputTokens`.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::engine::{self, StopReason, TextRequest, ToolChoice, ToolSpec};
use crate::errors::ServiceError;
use crate::media_check;
use crate::models::{ConverseCall, ConverseEvent, ConverseOutput, ModelCaps, OutputBlock, Usage};
use crate::prompt_cache::{
    self, CacheAccount, CacheProblem, CacheRules, CacheTtl, Prompt, Section,
};

/// The prefix Bedrock puts before the errors a model returns.
pub const MODEL_ERRORS: &str = "The model returned the following errors: ";

/// The message of a request with cache checkpoints to a model without prompt caching
/// (`AccessDeniedException`).
pub const CACHING_UNSUPPORTED: &str =
    "You invoked an unsupported model or your request did not allow prompt caching.";

/// Tokens counted for each image, document, video or audio block.
pub const MEDIA_BLOCK_TOKENS: u32 = 100;

const MEDIA_KEYS: [&str; 4] = ["image", "document", "video", "audio"];

fn messages(request: &Value) -> &[Value] {
    request
        .get("messages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn blocks(message: &Value) -> &[Value] {
    message
        .get("content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn role(message: &Value) -> &str {
    message.get("role").and_then(Value::as_str).unwrap_or("")
}

/// The text a content block contributes to the prompt.
fn block_text(block: &Value) -> String {
    if let Some(t) = block.get("text").and_then(Value::as_str) {
        return t.to_owned();
    }
    if let Some(t) = block["guardContent"]["text"]["text"].as_str() {
        return t.to_owned();
    }
    if let Some(tr) = block.get("toolResult") {
        let parts: Vec<String> = tr
            .get("content")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .map(|part| match (part.get("text"), part.get("json")) {
                        (Some(Value::String(t)), _) => t.clone(),
                        (_, Some(j)) => j.to_string(),
                        _ => String::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        return parts.join("\n");
    }
    if let Some(tu) = block.get("toolUse") {
        return tu.get("input").map(Value::to_string).unwrap_or_default();
    }
    if let Some(r) = block.get("reasoningContent") {
        return r["reasoningText"]["text"].as_str().unwrap_or("").to_owned();
    }
    if let Some(d) = block.get("document") {
        return d
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
    }
    String::new()
}

fn is_media(block: &Value) -> bool {
    MEDIA_KEYS.iter().any(|k| block.get(*k).is_some())
}

fn system_text(system: Option<&Value>) -> String {
    system
        .and_then(Value::as_array)
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|b| {
                    b.get("text")
                        .and_then(Value::as_str)
                        .or(b["guardContent"]["text"]["text"].as_str())
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn tools(tool_config: Option<&Value>) -> Vec<ToolSpec> {
    tool_config
        .and_then(|c| c.get("tools"))
        .and_then(Value::as_array)
        .map(|tools| {
            tools
                .iter()
                .filter_map(|t| t.get("toolSpec"))
                .map(|spec| {
                    let mut t = ToolSpec::new(
                        spec.get("name").and_then(Value::as_str).unwrap_or(""),
                        spec["inputSchema"]["json"].clone(),
                    );
                    t.description = spec
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    t
                })
                .collect()
        })
        .unwrap_or_default()
}

fn tool_choice(tool_config: Option<&Value>) -> ToolChoice {
    let Some(choice) = tool_config.and_then(|c| c.get("toolChoice")) else {
        return ToolChoice::Auto;
    };
    if choice.get("any").is_some() {
        ToolChoice::Any
    } else if let Some(name) = choice["tool"]["name"].as_str() {
        ToolChoice::Tool(name.to_owned())
    } else {
        ToolChoice::Auto
    }
}

/// The whole prompt text (system, messages, tool definitions) and the number of media blocks.
fn prompt_text(input: &Value) -> (String, u32) {
    let mut parts = vec![system_text(input.get("system"))];
    let mut media = 0u32;
    for m in messages(input) {
        for b in blocks(m) {
            if is_media(b) {
                media += 1;
            }
            parts.push(block_text(b));
        }
    }
    for t in tools(input.get("toolConfig")) {
        parts.push(t.name.clone());
        if let Some(d) = &t.description {
            parts.push(d.clone());
        }
        parts.push(t.input_schema.to_string());
    }
    parts.retain(|p| !p.is_empty());
    (parts.join("\n"), media)
}

/// Input tokens of a Converse-shaped input (`messages`, `system`, `toolConfig`).
pub fn input_tokens(input: &Value) -> u32 {
    let (text, media) = prompt_text(input);
    engine::count_tokens(&text).saturating_add(media.saturating_mul(MEDIA_BLOCK_TOKENS))
}

/// Input tokens of a CountTokens `input` union.
pub fn count_tokens_input(input: &Value) -> Result<u32, ServiceError> {
    if let Some(c) = input.get("converse") {
        return Ok(input_tokens(c));
    }
    if let Some(body) = input["invokeModel"]["body"].as_str() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| {
                ServiceError::validation("The provided request body is not valid base64.")
            })?;
        let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ServiceError::malformed_input(&format!("the body is not valid JSON ({e})"))
        })?;
        let mut text = Vec::new();
        collect_strings(&json, &mut text);
        return Ok(engine::count_tokens(&text.join("\n")));
    }
    Err(ServiceError::validation(
        "The input field must set either converse or invokeModel.",
    ))
}

fn collect_strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Checks the conversation rules of the module docs.
pub fn check(call: &ConverseCall<'_>) -> Result<(), ServiceError> {
    let caps = call.model;
    let req = call.request;
    if !caps.converse {
        return Err(ServiceError::validation(
            "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
        ));
    }
    if call.streaming && !caps.streaming {
        return Err(ServiceError::validation(
            "The model is unsupported for streaming.",
        ));
    }
    let msgs = messages(req);
    if msgs.first().map(role) != Some("user") {
        return Err(ServiceError::validation(
            "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
        ));
    }
    let mut previous = "";
    let mut uses_tools = false;
    for (i, m) in msgs.iter().enumerate() {
        let r = role(m);
        if !matches!(r, "user" | "assistant") || r == previous {
            return Err(ServiceError::validation(
                "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.",
            ));
        }
        previous = r;
        let content = blocks(m);
        if content.is_empty() {
            return Err(ServiceError::validation(format!(
                "The content field in the Message object at messages.{i} is empty. Add a ContentBlock object to the content field and try again."
            )));
        }
        let has_text = content.iter().any(|b| b.get("text").is_some());
        for (j, b) in content.iter().enumerate() {
            if b.get("toolUse").is_some() || b.get("toolResult").is_some() {
                uses_tools = true;
            }
            if (b.get("image").is_some() || b.get("document").is_some()) && r != "user" {
                return Err(ServiceError::validation(format!(
                    "messages.{i}.content.{j}: images and documents can only be included in user messages. Move them to a user message and try again."
                )));
            }
            if b.get("image").is_some() && !caps.vision {
                return Err(ServiceError::validation(
                    "This model doesn't support the image content block that you provided. Try again with a model that supports images.",
                ));
            }
            if b.get("document").is_some() && !has_text {
                return Err(ServiceError::validation(
                    "A text block must be included when using documents. Add a text block to the message and try again.",
                ));
            }
        }
    }
    let tool_config = req.get("toolConfig");
    if uses_tools && tool_config.is_none() {
        return Err(ServiceError::validation(
            "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
        ));
    }
    if tool_config.is_some() && !caps.tool_use {
        return Err(ServiceError::validation(
            "This model doesn't support tool use.",
        ));
    }
    if let ToolChoice::Tool(name) = tool_choice(tool_config)
        && !tools(tool_config).iter().any(|t| t.name == name)
    {
        return Err(ServiceError::validation(format!(
            "The tool {name} named in toolConfig.toolChoice.tool is not defined in toolConfig.tools. Define the tool and try again."
        )));
    }
    if let (Some(requested), Some(limit)) = (
        req["inferenceConfig"]["maxTokens"].as_u64(),
        caps.max_output_tokens,
    ) && requested > u64::from(limit)
    {
        return Err(ServiceError::validation(format!(
            "The maximum tokens you requested exceeds the model limit of {limit}. Try again with a maximum tokens value that is lower than {limit}."
        )));
    }
    check_media(msgs)?;
    reasoning_budget(req, caps)?;
    Ok(())
}

/// A `ValidationException` with the errors a model returned.
fn model_error(detail: &str) -> ServiceError {
    ServiceError::validation(format!("{MODEL_ERRORS}{detail}"))
}

fn decoded_blob(v: &Value) -> Option<Vec<u8>> {
    v.as_str()
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
}

/// The image blocks of a message with their paths: top-level ones and those in tool results.
fn images_of(i: usize, content: &[Value]) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (j, b) in content.iter().enumerate() {
        if let Some(img) = b.get("image") {
            out.push((format!("messages.{i}.content.{j}.image"), img));
        }
        for (k, part) in b["toolResult"]["content"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(img) = part.get("image") {
                out.push((
                    format!("messages.{i}.content.{j}.toolResult.content.{k}.image"),
                    img,
                ));
            }
        }
    }
    out
}

/// The limits of the `Message` reference on images and documents (see [`crate::media_check`]).
fn check_media(msgs: &[Value]) -> Result<(), ServiceError> {
    let mut images = Vec::new();
    let mut documents = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        images.extend(images_of(i, blocks(m)));
        for (j, b) in blocks(m).iter().enumerate() {
            if let Some(d) = b.get("document") {
                documents.push((format!("messages.{i}.content.{j}.document"), d));
            }
        }
    }
    if documents.len() > media_check::MAX_DOCUMENTS {
        return Err(ServiceError::validation(media_check::too_many_documents()));
    }
    let mut names = std::collections::HashSet::new();
    for (_, d) in &documents {
        if let Some(name) = d.get("name").and_then(Value::as_str)
            && !names.insert(name)
        {
            return Err(ServiceError::validation(
                media_check::DUPLICATE_DOCUMENT_NAMES,
            ));
        }
    }
    if images.len() > media_check::MAX_IMAGES {
        return Err(ServiceError::validation(media_check::too_many_images()));
    }
    for (path, d) in &documents {
        if let Some(bytes) = decoded_blob(&d["source"]["bytes"])
            && bytes.len() > media_check::MAX_DOCUMENT_BYTES
        {
            return Err(ServiceError::validation(media_check::document_too_large(
                path,
                bytes.len(),
            )));
        }
    }
    for (path, img) in &images {
        let Some(bytes) = decoded_blob(&img["source"]["bytes"]) else {
            continue;
        };
        let declared = img["format"].as_str().unwrap_or_default();
        if let Err(problem) = media_check::check_image(&bytes, declared) {
            return Err(model_error(
                &problem.message(&format!("{path}.source.bytes")),
            ));
        }
    }
    Ok(())
}

/// The reasoning budget of an effort level (`low`, `medium`, `high`/`max`).
fn effort_budget(effort: Option<&str>) -> Option<u32> {
    Some(match effort {
        Some("low") => 16,
        Some("medium") => 32,
        _ => 64,
    })
}

/// Whether reasoning is on, with its budget (`Some(None)`: the engine's default), after the
/// model's rules on Claude's thinking modes.
fn reasoning_budget(req: &Value, caps: &ModelCaps) -> Result<Option<Option<u32>>, ServiceError> {
    let Some(extra) = req.get("additionalModelRequestFields") else {
        return Ok(None);
    };
    let claude = caps.family == "claude_messages";
    let thinking = &extra["thinking"];
    match thinking["type"].as_str() {
        Some("enabled") => {
            let budget = thinking["budget_tokens"]
                .as_u64()
                .map(|b| b.min(u32::MAX as u64) as u32);
            if claude
                && let (Some(b), Some(max)) = (budget, req["inferenceConfig"]["maxTokens"].as_u64())
                && u64::from(b) >= max
            {
                // Anthropic's message, as the native codec gives it.
                return Err(model_error(
                    "`max_tokens` must be greater than `thinking.budget_tokens`.",
                ));
            }
            return Ok(Some(budget));
        }
        Some("adaptive") => {
            if claude && caps.reasoning.as_deref() != Some("effort") {
                return Err(model_error(
                    "thinking: Input tag 'adaptive' found using 'type' does not match any of the expected tags: 'disabled', 'enabled'",
                ));
            }
            return Ok(Some(effort_budget(
                extra["output_config"]["effort"].as_str(),
            )));
        }
        _ => {}
    }
    for key in ["reasoningConfig", "reasoning_config"] {
        if extra[key]["type"].as_str() == Some("enabled") {
            return Ok(Some(effort_budget(
                extra[key]["maxReasoningEffort"].as_str(),
            )));
        }
    }
    Ok(None)
}

/// The prompt of a Converse-shaped input as the prompt cache sees it: tools, system, messages,
/// with their `cachePoint` blocks. A checkpoint is located at the block before it, where the
/// model's own format puts its cache marker (`messages.1.content.0`).
pub fn cache_prompt(input: &Value) -> Prompt {
    let mut p = Prompt::new();
    let ttl = |cp: &Value| CacheTtl::parse(cp["ttl"].as_str()).unwrap_or(CacheTtl::FiveMinutes);
    let mut last = 0usize;
    for (i, t) in input["toolConfig"]["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(cp) = t.get("cachePoint") {
            p.checkpoint(ttl(cp), Section::Tools, format!("tools.{last}"));
        } else if let Some(spec) = t.get("toolSpec") {
            let tokens = [
                spec["name"].as_str().unwrap_or_default().to_owned(),
                spec["description"].as_str().unwrap_or_default().to_owned(),
                spec["inputSchema"]["json"].to_string(),
            ]
            .iter()
            .map(|s| engine::count_tokens(s))
            .sum();
            p.content(&spec.to_string(), tokens);
            last = i;
        }
    }
    last = 0;
    for (i, b) in input["system"].as_array().into_iter().flatten().enumerate() {
        if let Some(cp) = b.get("cachePoint") {
            p.checkpoint(ttl(cp), Section::System, format!("system.{last}"));
        } else {
            p.content(
                &format!("system\u{0}{b}"),
                engine::count_tokens(&block_text(b)),
            );
            last = i;
        }
    }
    for (i, m) in messages(input).iter().enumerate() {
        last = 0;
        for (j, b) in blocks(m).iter().enumerate() {
            if let Some(cp) = b.get("cachePoint") {
                p.checkpoint(
                    ttl(cp),
                    Section::Messages,
                    format!("messages.{i}.content.{last}"),
                );
            } else {
                let media = if is_media(b) { MEDIA_BLOCK_TOKENS } else { 0 };
                p.content(
                    &format!("{}\u{0}{b}", role(m)),
                    engine::count_tokens(&block_text(b)).saturating_add(media),
                );
                last = j;
            }
        }
    }
    p
}

/// The error of a request whose checkpoints break the model's rules.
pub fn cache_problem_error(problem: &CacheProblem, rules: &CacheRules) -> ServiceError {
    match problem {
        CacheProblem::TooMany { max, found } if rules.claude => model_error(&format!(
            "A maximum of {max} blocks with cache_control may be provided. Found {found}."
        )),
        // Ours: no recorded message for these.
        CacheProblem::TooMany { max, found } => ServiceError::validation(format!(
            "The request has {found} cache checkpoints; the model takes at most {max}. Remove some cachePoint blocks and try again."
        )),
        CacheProblem::InTools(c) => ServiceError::validation(format!(
            "The model doesn't support cache checkpoints in the tool configuration (after {}). Remove the cachePoint and try again.",
            c.location
        )),
        CacheProblem::TtlUnsupported(c) => ServiceError::validation(format!(
            "The model doesn't support the cache TTL 1h (after {}). Use 5m and try again.",
            c.location
        )),
        CacheProblem::TtlOrder(c) => model_error(&format!(
            "{}.cache_control.ttl: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`.",
            c.location
        )),
    }
}

/// Checks the checkpoints of `prompt` for `caps` and, with a cache, reads and writes it:
/// `None` when the prompt marks no checkpoint.
pub fn cache_account(
    caps: &ModelCaps,
    prompt: &Prompt,
    cache: Option<&prompt_cache::PromptCache>,
    problem_error: fn(&CacheProblem, &CacheRules) -> ServiceError,
) -> Result<Option<(CacheRules, CacheAccount)>, ServiceError> {
    if !prompt.has_checkpoints() {
        return Ok(None);
    }
    let rules = prompt_cache::rules_for(&caps.model_id)
        .ok_or_else(|| ServiceError::access_denied(CACHING_UNSUPPORTED))?;
    prompt
        .check(&rules)
        .map_err(|p| problem_error(&p, &rules))?;
    let account = cache
        .map(|c| c.account(&caps.model_id, prompt, &rules))
        .unwrap_or_default();
    Ok(Some((rules, account)))
}

/// The generic Converse reply (after [`check`]).
pub fn generate(call: &ConverseCall<'_>) -> Result<ConverseOutput, ServiceError> {
    check(call)?;
    let req = call.request;
    let engine = call.engine;
    let (prompt, _) = prompt_text(req);
    let input = input_tokens(req);
    let msgs = messages(req);
    let last = msgs.last();
    let last_is_user = last.map(role) == Some("user");
    let last_blocks = last.map(blocks).unwrap_or(&[]);
    let has_tool_results =
        last_is_user && last_blocks.iter().any(|b| b.get("toolResult").is_some());
    let mut focus: Vec<String> = last_blocks
        .iter()
        .filter_map(|b| b.get("text").and_then(Value::as_str).map(str::to_owned))
        .collect();
    if focus.is_empty() {
        focus = last_blocks
            .iter()
            .map(block_text)
            .filter(|t| !t.is_empty())
            .collect();
    }
    let focus = focus.join(" ");
    let inference = &req["inferenceConfig"];
    let max_tokens = inference["maxTokens"]
        .as_u64()
        .map(|m| m.min(u32::MAX as u64) as u32)
        .or(call.model.max_output_tokens);
    let stop_sequences: Vec<String> = inference["stopSequences"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();

    // Checkpoints are checked now; the cache is read and written once the reply exists.
    let prompt_for_cache = cache_prompt(req);
    let cache = cache_account(call.model, &prompt_for_cache, None, cache_problem_error)?;
    let mut blocks_out = Vec::new();
    let mut output_tokens = 0u32;
    if let Some(budget) = reasoning_budget(req, call.model)? {
        let r = engine.reasoning(&focus, budget);
        output_tokens += r.output_tokens;
        blocks_out.push(OutputBlock::Reasoning {
            signature: engine.id("", &format!("signature:{}", r.text), 48),
            text: r.text,
            pieces: r.pieces,
        });
    }

    let tool_config = req.get("toolConfig");
    let offered = tools(tool_config);
    let choice = tool_choice(tool_config);
    let chosen = if last_is_user {
        engine::choose_tool(&offered, &choice, &focus, has_tool_results)
    } else {
        None
    };
    let stop_reason = if let Some(i) = chosen {
        let tool = &offered[i];
        if choice == ToolChoice::Auto {
            let preface = format!("I'll use the {} tool.", tool.name);
            output_tokens += engine::count_tokens(&preface);
            blocks_out.push(OutputBlock::text(preface));
        }
        let input = engine::value_for_schema(
            &tool.input_schema,
            &focus,
            engine.seed ^ engine::hash64(&[tool.name.as_bytes()]),
        );
        output_tokens += engine::count_tokens(&input.to_string());
        blocks_out.push(OutputBlock::ToolUse {
            id: engine.id("tooluse_", &format!("{}\u{0}{prompt}", tool.name), 22),
            name: tool.name.clone(),
            input,
        });
        StopReason::ToolUse
    } else {
        let g = engine.generate(
            &TextRequest::new(&prompt)
                .focus(&focus)
                .max_tokens(max_tokens)
                .stop_sequences(&stop_sequences),
        );
        output_tokens += g.output_tokens;
        blocks_out.push(OutputBlock::Text {
            text: g.text,
            pieces: g.pieces,
        });
        g.stop_reason
    };
    let mut usage = Usage::new(input, output_tokens);
    if let Some((rules, _)) = cache {
        // Only a request that succeeds reads and writes the cache.
        let account = call
            .prompt_cache
            .map(|c| c.account(&call.model.model_id, &prompt_for_cache, &rules))
            .unwrap_or_default();
        usage = usage.with_cache(account);
    }
    Ok(ConverseOutput {
        blocks: blocks_out,
        stop_reason,
        usage,
        additional_model_response_fields: None,
    })
}

/// Splits `s` into chunks of at most `n` characters.
fn chunks(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

/// The ConverseStream events of a reply, in the order Bedrock sends them: `messageStart`; per
/// block, `contentBlockStart` (tool use only), its `contentBlockDelta`s and
/// `contentBlockStop`; `messageStop`; `metadata`.
pub fn events(output: &ConverseOutput) -> Vec<ConverseEvent> {
    let mut ev = vec![ConverseEvent::MessageStart];
    for (index, block) in output.blocks.iter().enumerate() {
        match block {
            OutputBlock::Text { pieces, .. } => {
                if pieces.is_empty() {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"text": ""}),
                    });
                }
                for p in pieces {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"text": p}),
                    });
                }
            }
            OutputBlock::ToolUse { id, name, input } => {
                ev.push(ConverseEvent::ContentBlockStart {
                    index,
                    start: json!({"toolUse": {"toolUseId": id, "name": name}}),
                });
                for part in chunks(&input.to_string(), 12) {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"toolUse": {"input": part}}),
                    });
                }
            }
            OutputBlock::Reasoning {
                pieces, signature, ..
            } => {
                for p in pieces {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"reasoningContent": {"text": p}}),
                    });
                }
                ev.push(ConverseEvent::ContentBlockDelta {
                    index,
                    delta: json!({"reasoningContent": {"signature": signature}}),
                });
            }
        }
        ev.push(ConverseEvent::ContentBlockStop { index });
    }
    ev.push(ConverseEvent::MessageStop {
        stop_reason: output.stop_reason,
        additional_model_response_fields: output.additional_model_response_fields.clone(),
    });
    ev.push(ConverseEvent::Metadata {
        usage: output.usage,
    });
    ev
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::models::ModelCaps;

    fn caps() -> ModelCaps {
        ModelCaps::text_chat("test.model-v1:0", "test")
    }

    fn run(req: Value) -> Result<ConverseOutput, ServiceError> {
        let caps = caps();
        generate(&ConverseCall {
            model: &caps,
            model_id: "test.model-v1:0",
            request: &req,
            engine: Engine::new(0),
            streaming: false,
            prompt_cache: None,
        })
    }

    fn err(req: Value) -> String {
        run(req).unwrap_err().message.unwrap()
    }

    fn user(text: &str) -> Value {
        json!({"role": "user", "content": [{"text": text}]})
    }

    fn assistant(text: &str) -> Value {
        json!({"role": "assistant", "content": [{"text": text}]})
    }

    fn text_of(out: &ConverseOutput) -> String {
        out.blocks
            .iter()
            .filter_map(|b| match b {
                OutputBlock::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn replies_with_text_that_depends_on_the_prompt() {
        let a = run(json!({"messages": [user("Tell me about rivers")]})).unwrap();
        assert!(text_of(&a).starts_with("Tell me about rivers."));
        assert_eq!(a.stop_reason, StopReason::EndTurn);
        assert_eq!(a.usage.input_tokens, 4);
        assert_eq!(a.usage.output_tokens, engine::count_tokens(&text_of(&a)));
        let b = run(json!({"messages": [user("Tell me about lakes")]})).unwrap();
        assert_ne!(text_of(&a), text_of(&b));
        // Same request, same reply.
        assert_eq!(
            a,
            run(json!({"messages": [user("Tell me about rivers")]})).unwrap()
        );
    }

    #[test]
    fn honours_max_tokens_and_stop_sequences() {
        let out = run(
            json!({"messages": [user("one two three four")], "inferenceConfig": {"maxTokens": 2}}),
        )
        .unwrap();
        assert_eq!(text_of(&out), "one two");
        assert_eq!(out.stop_reason, StopReason::MaxTokens);
        assert_eq!(out.usage.output_tokens, 2);
        let out = run(json!({"messages": [user("one two three four")], "inferenceConfig": {"stopSequences": ["three"]}})).unwrap();
        assert_eq!(text_of(&out), "one two ");
        assert_eq!(out.stop_reason, StopReason::StopSequence);
    }

    #[test]
    fn conversation_rules() {
        assert!(
            err(json!({"messages": []}))
                .starts_with("A conversation must start with a user message.")
        );
        assert!(
            err(json!({"messages": [assistant("hi")]}))
                .starts_with("A conversation must start with a user message.")
        );
        assert!(
            err(json!({"messages": [user("a"), user("b")]}))
                .starts_with("A conversation must alternate")
        );
        assert_eq!(
            err(json!({"messages": [user("a"), {"role": "assistant", "content": []}]})),
            "The content field in the Message object at messages.1 is empty. Add a ContentBlock object to the content field and try again."
        );
        assert_eq!(
            err(
                json!({"messages": [user("a"), {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t", "name": "f", "input": {}}}]}]})
            ),
            "The toolConfig field must be defined when using toolUse and toolResult content blocks."
        );
        assert!(
            err(json!({"messages": [user("a")], "inferenceConfig": {"maxTokens": 5000}}))
                .contains("exceeds the model limit of 4096")
        );
        // An assistant prefill as the last turn is accepted.
        assert!(run(json!({"messages": [user("a"), assistant("b")]})).is_ok());
    }

    #[test]
    fn capabilities_are_enforced() {
        let mut caps = caps();
        caps.tool_use = false;
        caps.vision = false;
        let call = |req: &Value, caps: &ModelCaps, streaming| {
            generate(&ConverseCall {
                model: caps,
                model_id: "m",
                request: req,
                engine: Engine::default(),
                streaming,
                prompt_cache: None,
            })
        };
        let tools = json!({"messages": [user("x")], "toolConfig": {"tools": [{"toolSpec": {"name": "f", "inputSchema": {"json": {}}}}]}});
        assert_eq!(
            call(&tools, &caps, false).unwrap_err().message.unwrap(),
            "This model doesn't support tool use."
        );
        let image = json!({"messages": [{"role": "user", "content": [{"text": "what"}, {"image": {"format": "png", "source": {"bytes": "AAAA"}}}]}]});
        assert!(
            call(&image, &caps, false)
                .unwrap_err()
                .message
                .unwrap()
                .contains("image")
        );
        caps.converse = false;
        assert!(
            call(&json!({"messages": [user("x")]}), &caps, false)
                .unwrap_err()
                .message
                .unwrap()
                .starts_with("This action doesn't support the model")
        );
        let mut caps = self::caps();
        caps.streaming = false;
        assert!(call(&json!({"messages": [user("x")]}), &caps, true).is_err());
        assert!(call(&json!({"messages": [user("x")]}), &caps, false).is_ok());
    }

    fn weather_tools(choice: Value) -> Value {
        json!({"tools": [{"toolSpec": {"name": "get_weather", "description": "Weather for a city",
            "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["C", "F"]}}, "required": ["city", "unit"]}}}}],
            "toolChoice": choice})
    }

    #[test]
    fn calls_a_tool_when_asked() {
        let out = run(json!({"messages": [user("Use get_weather for Lisbon please")], "toolConfig": weather_tools(json!({"auto": {}}))})).unwrap();
        assert_eq!(out.stop_reason, StopReason::ToolUse);
        assert_eq!(out.blocks.len(), 2);
        let OutputBlock::ToolUse { id, name, input } = &out.blocks[1] else {
            panic!()
        };
        assert!(id.starts_with("tooluse_"));
        assert_eq!(name, "get_weather");
        assert_eq!(input["city"], "Lisbon");
        assert!(input["unit"] == "C" || input["unit"] == "F");
        // Not named, auto: text.
        let out = run(
            json!({"messages": [user("hello")], "toolConfig": weather_tools(json!({"auto": {}}))}),
        )
        .unwrap();
        assert_eq!(out.stop_reason, StopReason::EndTurn);
        // Any: forced, no preface.
        let out = run(
            json!({"messages": [user("hello")], "toolConfig": weather_tools(json!({"any": {}}))}),
        )
        .unwrap();
        assert_eq!(out.stop_reason, StopReason::ToolUse);
        assert_eq!(out.blocks.len(), 1);
        // After a tool result, auto answers in text.
        let out = run(json!({"messages": [
            user("Use get_weather for Lisbon"),
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Lisbon"}}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "tooluse_1", "content": [{"json": {"temp": 21}}]}}]}
        ], "toolConfig": weather_tools(json!({"auto": {}}))})).unwrap();
        assert_eq!(out.stop_reason, StopReason::EndTurn);
        // An unknown forced tool.
        assert!(err(json!({"messages": [user("x")], "toolConfig": weather_tools(json!({"tool": {"name": "nope"}}))})).contains("nope"));
    }

    #[test]
    fn reasoning_block_when_enabled() {
        let out = run(json!({"messages": [user("why is the sky blue")],
            "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1024}}})).unwrap();
        assert!(
            matches!(&out.blocks[0], OutputBlock::Reasoning { text, .. } if text.starts_with("Let me think"))
        );
        assert!(matches!(&out.blocks[1], OutputBlock::Text { .. }));
    }

    #[test]
    fn events_are_in_bedrock_order() {
        let out = run(json!({"messages": [user("Use get_weather for Oslo")], "toolConfig": weather_tools(json!({"auto": {}}))})).unwrap();
        let ev = events(&out);
        let types: Vec<&str> = ev.iter().map(ConverseEvent::event_type).collect();
        assert_eq!(types[0], "messageStart");
        assert_eq!(types[types.len() - 2], "messageStop");
        assert_eq!(types[types.len() - 1], "metadata");
        // Block 0 (text): deltas then stop, no start. Block 1 (tool): start, deltas, stop.
        let starts: Vec<usize> = ev
            .iter()
            .filter_map(|e| match e {
                ConverseEvent::ContentBlockStart { index, .. } => Some(*index),
                _ => None,
            })
            .collect();
        assert_eq!(starts, vec![1]);
        let input: String = ev
            .iter()
            .filter_map(|e| match e {
                ConverseEvent::ContentBlockDelta { index: 1, delta } => {
                    delta["toolUse"]["input"].as_str().map(str::to_owned)
                }
                _ => None,
            })
            .collect();
        let OutputBlock::ToolUse {
            input: expected, ..
        } = &out.blocks[1]
        else {
            panic!()
        };
        assert_eq!(serde_json::from_str::<Value>(&input).unwrap(), *expected);
        let text: String = ev
            .iter()
            .filter_map(|e| match e {
                ConverseEvent::ContentBlockDelta { index: 0, delta } => {
                    delta["text"].as_str().map(str::to_owned)
                }
                _ => None,
            })
            .collect();
        assert_eq!(text, "I'll use the get_weather tool.");
    }

    #[test]
    fn count_tokens_inputs() {
        assert_eq!(
            count_tokens_input(
                &json!({"converse": {"messages": [user("a b c")], "system": [{"text": "s"}]}})
            )
            .unwrap(),
            4
        );
        let body = base64::engine::general_purpose::STANDARD
            .encode(br#"{"prompt": "hello world", "max_tokens": 5}"#);
        assert_eq!(
            count_tokens_input(&json!({"invokeModel": {"body": body}})).unwrap(),
            2
        );
        let bad = base64::engine::general_purpose::STANDARD.encode(b"not json");
        assert!(count_tokens_input(&json!({"invokeModel": {"body": bad}})).is_err());
        let img = json!({"converse": {"messages": [{"role": "user", "content": [{"text": "x"}, {"image": {"format": "png", "source": {"bytes": "AAAA"}}}]}]}});
        assert_eq!(count_tokens_input(&img).unwrap(), 1 + MEDIA_BLOCK_TOKENS);
    }

    fn run_with(
        caps: &ModelCaps,
        req: &Value,
        cache: Option<&prompt_cache::PromptCache>,
    ) -> Result<ConverseOutput, ServiceError> {
        generate(&ConverseCall {
            model: caps,
            model_id: &caps.model_id,
            request: req,
            engine: Engine::new(0),
            streaming: false,
            prompt_cache: cache,
        })
    }

    fn catalog(id: &str) -> ModelCaps {
        crate::catalog_backend::caps_of(id.parse().unwrap())
    }

    fn long_text(words: usize) -> String {
        (0..words)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn cache_points_write_then_read_and_input_excludes_them() {
        let caps = catalog("anthropic.claude-3-7-sonnet-20250219-v1:0");
        let cache = prompt_cache::PromptCache::new();
        let system = long_text(1_100);
        let req = |q: &str| {
            json!({"system": [{"text": system}, {"cachePoint": {"type": "default"}}],
                   "messages": [user(q)]})
        };
        let total = input_tokens(&req("What is in it?"));
        let first = run_with(&caps, &req("What is in it?"), Some(&cache)).unwrap();
        assert_eq!(first.usage.cache_write_input_tokens, Some(1_100));
        assert_eq!(first.usage.cache_read_input_tokens, Some(0));
        assert_eq!(first.usage.input_tokens, total - 1_100);
        let second = run_with(&caps, &req("Summarize it"), Some(&cache)).unwrap();
        assert_eq!(second.usage.cache_read_input_tokens, Some(1_100));
        assert_eq!(second.usage.cache_write_input_tokens, Some(0));
        assert_eq!(second.usage.input_tokens, 2);
        let json = second.usage.to_converse_json();
        assert_eq!(json["cacheReadInputTokens"], 1_100);
        assert_eq!(
            json["totalTokens"],
            2 + second.usage.output_tokens + 1_100,
            "{json}"
        );
        // Below the model's minimum: nothing cached, the figures are 0.
        let short = json!({"system": [{"text": "short"}, {"cachePoint": {"type": "default"}}], "messages": [user("hi")]});
        let out = run_with(&caps, &short, Some(&cache)).unwrap();
        assert_eq!(out.usage.cache_write_input_tokens, Some(0));
        // Messages and tools take checkpoints too.
        let tools = json!({"tools": [
            {"toolSpec": {"name": "lookup", "description": long_text(1_200), "inputSchema": {"json": {"type": "object"}}}},
            {"cachePoint": {"type": "default"}}
        ]});
        let req = json!({"messages": [user("hello")], "toolConfig": tools});
        let out = run_with(&caps, &req, Some(&cache)).unwrap();
        assert!(out.usage.cache_write_input_tokens.unwrap() > 1_200);
        let req = json!({"messages": [{"role": "user", "content": [{"text": long_text(1_500)}, {"cachePoint": {"type": "default"}}, {"text": "q"}]}]});
        assert_eq!(
            run_with(&caps, &req, Some(&cache))
                .unwrap()
                .usage
                .cache_write_input_tokens,
            Some(1_500)
        );
        assert_eq!(
            run_with(&caps, &req, Some(&cache))
                .unwrap()
                .usage
                .cache_read_input_tokens,
            Some(1_500)
        );
    }

    #[test]
    fn cache_point_rules() {
        let haiku3 = catalog("anthropic.claude-3-haiku-20240307-v1:0");
        let req = json!({"system": [{"text": "s"}, {"cachePoint": {"type": "default"}}], "messages": [user("hi")]});
        let e = run_with(&haiku3, &req, None).unwrap_err();
        assert_eq!(e.error_type, "AccessDeniedException");
        assert_eq!(e.status, 403);
        assert_eq!(e.message.as_deref(), Some(CACHING_UNSUPPORTED));
        let sonnet = catalog("anthropic.claude-3-7-sonnet-20250219-v1:0");
        let cp = json!({"cachePoint": {"type": "default"}});
        let req = json!({"system": [{"text": "a"}, cp, {"text": "b"}, cp, {"text": "c"}, cp], "messages": [{"role": "user", "content": [{"text": "d"}, cp, {"text": "e"}, cp]}]});
        assert_eq!(
            run_with(&sonnet, &req, None).unwrap_err().message.unwrap(),
            "The model returned the following errors: A maximum of 4 blocks with cache_control may be provided. Found 5."
        );
        let req = json!({"system": [{"text": "a"}, {"cachePoint": {"type": "default", "ttl": "1h"}}], "messages": [user("x")]});
        assert!(
            run_with(&sonnet, &req, None)
                .unwrap_err()
                .message
                .unwrap()
                .contains("1h")
        );
        let sonnet45 = catalog("anthropic.claude-sonnet-4-5-20250929-v1:0");
        assert!(run_with(&sonnet45, &req, None).is_ok());
        let req = json!({"system": [{"text": "a"}, cp, {"text": "b"}, {"cachePoint": {"type": "default", "ttl": "1h"}}], "messages": [user("x")]});
        assert_eq!(
            run_with(&sonnet45, &req, None)
                .unwrap_err()
                .message
                .unwrap(),
            "The model returned the following errors: system.2.cache_control.ttl: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`."
        );
        let nova = catalog("amazon.nova-pro-v1:0");
        let req = json!({"messages": [user("x")], "toolConfig": {"tools": [
            {"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object"}}}}, cp]}});
        assert!(
            run_with(&nova, &req, None)
                .unwrap_err()
                .message
                .unwrap()
                .contains("tool configuration")
        );
    }

    fn image_block(format: &str, bytes: &[u8]) -> Value {
        json!({"image": {"format": format, "source": {"bytes": base64::engine::general_purpose::STANDARD.encode(bytes)}}})
    }

    #[test]
    fn images_must_be_real_images_within_the_limits() {
        use crate::media_check::testing::encoded;
        let png = encoded("png", 4, 4);
        let ok = json!({"messages": [{"role": "user", "content": [{"text": "what is it"}, image_block("png", &png)]}]});
        assert!(run(ok).is_ok());
        let wrong = json!({"messages": [{"role": "user", "content": [{"text": "what"}, image_block("jpeg", &png)]}]});
        assert_eq!(
            err(wrong),
            "The model returned the following errors: messages.0.content.1.image.source.bytes: The image was specified using the image/jpeg media type, but the image appears to be a image/png image"
        );
        let junk = json!({"messages": [{"role": "user", "content": [{"text": "what"}, image_block("png", b"not an image at all")]}]});
        assert_eq!(
            err(junk),
            "The model returned the following errors: Could not process image"
        );
        let mut content = vec![json!({"text": "many"})];
        content.extend((0..21).map(|_| image_block("png", &png)));
        assert_eq!(
            err(json!({"messages": [{"role": "user", "content": content}]})),
            "You can't include more than 20 images in a request."
        );
        // An image in a tool result is checked too.
        let tool_image = json!({"messages": [
            user("Use f"),
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "f", "input": {}}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [image_block("gif", &png)]}}]}
        ], "toolConfig": {"tools": [{"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object"}}}}]}});
        assert!(err(tool_image).contains("messages.2.content.0.toolResult.content.0.image.source.bytes: The image was specified using the image/gif media type"));
    }

    #[test]
    fn documents_within_the_limits() {
        let doc = |name: &str| json!({"document": {"format": "txt", "name": name, "source": {"bytes": "aGVsbG8="}}});
        let mut content = vec![json!({"text": "read these"})];
        content.extend((0..6).map(|i| doc(&format!("doc{i}"))));
        assert_eq!(
            err(json!({"messages": [{"role": "user", "content": content}]})),
            "You can't include more than 5 documents in a request."
        );
        assert_eq!(
            err(
                json!({"messages": [{"role": "user", "content": [{"text": "x"}, doc("a"), doc("a")]}]})
            ),
            "Messages can't contain duplicate document names."
        );
        let big = base64::engine::general_purpose::STANDARD.encode(vec![
            b'a';
            media_check::MAX_DOCUMENT_BYTES
                + 1
        ]);
        let big = json!({"document": {"format": "txt", "name": "big", "source": {"bytes": big}}});
        assert!(
            err(json!({"messages": [{"role": "user", "content": [{"text": "x"}, big]}]}))
                .contains("4.5 MB")
        );
        assert!(run(json!({"messages": [{"role": "user", "content": [{"text": "x"}, doc("a"), doc("b")]}]})).is_ok());
    }

    #[test]
    fn adaptive_thinking_and_effort() {
        let opus46 = catalog("anthropic.claude-opus-4-6-v1");
        let req = |effort: &str| {
            json!({"messages": [user("why is the sky blue")], "additionalModelRequestFields": {
                "thinking": {"type": "adaptive"}, "output_config": {"effort": effort}}})
        };
        let out = run_with(&opus46, &req("low"), None).unwrap();
        let OutputBlock::Reasoning {
            text,
            signature,
            pieces,
        } = &out.blocks[0]
        else {
            panic!("{:?}", out.blocks)
        };
        assert!(text.starts_with("Let me think"));
        assert!(!signature.is_empty());
        assert!(pieces.len() <= 16);
        let high = run_with(&opus46, &req("high"), None).unwrap();
        let OutputBlock::Reasoning { pieces: p2, .. } = &high.blocks[0] else {
            panic!()
        };
        assert!(p2.len() >= pieces.len());
        // The JSON and the stream carry reasoningContent.
        let v = high.to_response_json(0);
        assert!(
            v["output"]["message"]["content"][0]["reasoningContent"]["reasoningText"]["signature"]
                .is_string()
        );
        let ev = events(&high);
        assert!(ev.iter().any(|e| matches!(e, ConverseEvent::ContentBlockDelta { index: 0, delta } if delta["reasoningContent"]["signature"].is_string())));
        let sonnet45 = catalog("anthropic.claude-sonnet-4-5-20250929-v1:0");
        assert_eq!(
            run_with(&sonnet45, &req("high"), None)
                .unwrap_err()
                .message
                .unwrap(),
            "The model returned the following errors: thinking: Input tag 'adaptive' found using 'type' does not match any of the expected tags: 'disabled', 'enabled'"
        );
        let budget = json!({"messages": [user("x")], "inferenceConfig": {"maxTokens": 1000},
            "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1024}}});
        assert!(
            run_with(&sonnet45, &budget, None)
                .unwrap_err()
                .message
                .unwrap()
                .contains("budget_tokens")
        );
        let nova = json!({"messages": [user("x")], "additionalModelRequestFields": {
            "reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}}});
        let out = run(nova).unwrap();
        assert!(
            matches!(&out.blocks[0], OutputBlock::Reasoning { pieces, .. } if pieces.len() <= 16)
        );
    }
}
