//! Cohere Command and Command Light: `prompt`, `max_tokens`, `stop_sequences`,
//! `num_generations`, `return_likelihoods`, `stream`.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html>
//!
//! - Response: `{"generations": [{"finish_reason", "id", "text", "likelihood",
//!   "token_likelihoods": [{"token", "likelihood"}]}], "id", "prompt"}`, `finish_reason`
//!   `COMPLETE` (finished, or a stop sequence, which the text excludes) or `MAX_TOKENS`; the
//!   likelihoods only with `return_likelihoods` `GENERATION` (generated tokens) or `ALL`
//!   (prompt tokens too).
//! - Stream chunks: `{"text", "is_finished": false}` per fragment, then `{"is_finished": true,
//!   "finish_reason"}`; with `num_generations` above 1 every chunk has the generation's
//!   `index`.
//! - `max_tokens` defaults to 20.

use bedrock_fm::catalog::Family;
use serde_json::{Value, json};

use super::codec_support;
use crate::engine::{self, Generation, StopReason, TextRequest};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput, Usage};

/// The documented default of `max_tokens`.
const DEFAULT_MAX_TOKENS: u32 = 20;

/// The Cohere Command codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Command;

fn finish_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::MaxTokens => "MAX_TOKENS",
        _ => "COMPLETE",
    }
}

/// The generations of a call, with the prompt and `return_likelihoods`.
struct Generations {
    prompt: String,
    likelihoods: String,
    all: Vec<Generation>,
}

impl Generations {
    fn usage(&self) -> Usage {
        let input = self.all.first().map_or(0, |g| g.input_tokens);
        let output = self.all.iter().map(|g| g.output_tokens).sum();
        Usage::new(input, output)
    }
}

fn generate(call: &InvokeCall<'_>) -> Result<Generations, ServiceError> {
    let body = codec_support::request(call, Family::Command)?;
    let max = codec_support::u32_at(&body, "/max_tokens");
    codec_support::check_model_limit(call.model, "#/max_tokens", max)?;
    let prompt = codec_support::str_at(&body, "/prompt")
        .unwrap_or_default()
        .to_owned();
    let stop = codec_support::strings_at(&body, "/stop_sequences");
    let n = codec_support::u32_at(&body, "/num_generations").unwrap_or(1);
    let request = TextRequest::new(&prompt)
        .max_tokens(Some(max.unwrap_or(DEFAULT_MAX_TOKENS)))
        .stop_sequences(&stop);
    let all = (0..n)
        .map(|i| codec_support::nth_engine(call.engine, i).generate(&request))
        .collect();
    Ok(Generations {
        likelihoods: codec_support::str_at(&body, "/return_likelihoods")
            .unwrap_or("NONE")
            .to_owned(),
        prompt,
        all,
    })
}

/// A deterministic log-likelihood of a token at a position.
fn likelihood(token: &str, position: usize) -> f64 {
    let h = engine::hash64(&[token.as_bytes(), &position.to_le_bytes()]);
    -((h % 4000) as f64) / 1000.0
}

fn token_likelihoods(texts: &[&str]) -> Vec<Value> {
    texts
        .iter()
        .flat_map(|t| engine::tokenize(t))
        .enumerate()
        .map(|(i, t)| json!({"token": t, "likelihood": likelihood(t, i)}))
        .collect()
}

fn generation_json(call: &InvokeCall<'_>, gens: &Generations, i: usize, g: &Generation) -> Value {
    let mut v = json!({
        "finish_reason": finish_reason(g.stop_reason),
        "id": codec_support::uuid(call.engine, &format!("generation {i} {}", gens.prompt)),
        "text": g.text,
    });
    let texts: Vec<&str> = match gens.likelihoods.as_str() {
        "GENERATION" => vec![&g.text],
        "ALL" => vec![&gens.prompt, &g.text],
        _ => return v,
    };
    let tokens = token_likelihoods(&texts);
    let sum: f64 = tokens.iter().filter_map(|t| t["likelihood"].as_f64()).sum();
    v["likelihood"] = json!(if tokens.is_empty() {
        0.0
    } else {
        sum / tokens.len() as f64
    });
    v["token_likelihoods"] = Value::Array(tokens);
    v
}

impl FamilyCodec for Command {
    fn family_id(&self) -> &'static str {
        Family::Command.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let gens = generate(call)?;
        let generations: Vec<Value> = gens
            .all
            .iter()
            .enumerate()
            .map(|(i, g)| generation_json(call, &gens, i, g))
            .collect();
        let response = json!({
            "generations": generations,
            "id": codec_support::uuid(call.engine, &format!("request {}", gens.prompt)),
            "prompt": gens.prompt,
        });
        Ok(InvokeOutput::json(&response, Some(gens.usage())))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let gens = generate(call)?;
        let several = gens.all.len() > 1;
        let mut chunks = Vec::new();
        for (i, g) in gens.all.iter().enumerate() {
            let index = several.then_some(i);
            for piece in &g.pieces {
                let mut c = json!({"text": piece, "is_finished": false});
                if let Some(i) = index {
                    c["index"] = json!(i);
                }
                chunks.push(c);
            }
            let mut end =
                json!({"is_finished": true, "finish_reason": finish_reason(g.stop_reason)});
            if let Some(i) = index {
                end["index"] = json!(i);
            }
            chunks.push(end);
        }
        Ok(codec_support::stream(chunks, gens.usage()))
    }
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;

    const MODEL: &str = "cohere.command-text-v14";

    // The documented request shape, model-parameters-cohere-command.html.
    fn documented() -> Value {
        json!({
            "prompt": "Write a LinkedIn post about starting a career in tech:",
            "temperature": 0.9,
            "p": 0.75,
            "k": 0,
            "max_tokens": 200,
            "stop_sequences": ["--"],
            "return_likelihoods": "NONE",
            "num_generations": 1,
            "truncate": "END"
        })
    }

    fn text(v: &Value, i: usize) -> &str {
        v["generations"][i]["text"].as_str().unwrap()
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&Command, MODEL, &documented()).unwrap();
        assert_valid(Family::Command.response_spec(), &v);
        assert!(text(&v, 0).starts_with("Write a LinkedIn post"), "{v}");
        assert_eq!(v["generations"][0]["finish_reason"], "COMPLETE");
        assert_eq!(v["prompt"], documented()["prompt"]);
        assert_eq!(v["id"].as_str().unwrap().len(), 36);
        assert!(v["generations"][0].get("token_likelihoods").is_none());
        assert!(usage.unwrap().output_tokens > 0);
    }

    #[test]
    fn the_default_max_tokens_is_20() {
        let (v, usage) =
            invoke(&Command, MODEL, &json!({"prompt": "Tell me about rivers"})).unwrap();
        assert_eq!(usage.unwrap().output_tokens, 20);
        assert_eq!(v["generations"][0]["finish_reason"], "MAX_TOKENS");
    }

    #[test]
    fn generations_and_likelihoods() {
        let mut body = documented();
        body["num_generations"] = json!(2);
        body["return_likelihoods"] = json!("GENERATION");
        let (v, usage) = invoke(&Command, MODEL, &body).unwrap();
        assert_valid(Family::Command.response_spec(), &v);
        assert_eq!(v["generations"].as_array().unwrap().len(), 2);
        assert_ne!(text(&v, 0), text(&v, 1));
        let tokens = v["generations"][0]["token_likelihoods"].as_array().unwrap();
        assert_eq!(tokens.len(), engine::count_tokens(text(&v, 0)) as usize);
        assert!(v["generations"][0]["likelihood"].as_f64().unwrap() <= 0.0);
        let total = engine::count_tokens(text(&v, 0)) + engine::count_tokens(text(&v, 1));
        assert_eq!(usage.unwrap().output_tokens, total);
        body["return_likelihoods"] = json!("ALL");
        let (all, _) = invoke(&Command, MODEL, &body).unwrap();
        assert!(
            all["generations"][0]["token_likelihoods"]
                .as_array()
                .unwrap()
                .len()
                > tokens.len()
        );
    }

    #[test]
    fn extraneous_keys_and_out_of_range_values_are_rejected() {
        let mut body = documented();
        body["top_p"] = json!(0.5);
        let msg = validation_message(invoke(&Command, MODEL, &body));
        assert_eq!(
            msg,
            "Malformed input request: #: extraneous key [top_p] is not permitted, please reformat your input and try again."
        );
        let mut body = documented();
        body["num_generations"] = json!(6);
        let msg = validation_message(invoke(&Command, MODEL, &body));
        assert!(
            msg.contains("#/num_generations: 6 is not less or equal to 5"),
            "{msg}"
        );
        let mut body = documented();
        body["stop_sequences"] = json!(["a", "b", "c", "d", "e"]);
        let msg = validation_message(invoke(&Command, MODEL, &body));
        assert!(
            msg.contains("#/stop_sequences: expected maximum item count: 4, found: 5"),
            "{msg}"
        );
    }

    #[test]
    fn max_tokens_and_stop_sequences_set_the_finish_reason() {
        let body = json!({"prompt": "one two three four", "max_tokens": 2});
        let (v, _) = invoke(&Command, MODEL, &body).unwrap();
        assert_eq!(text(&v, 0), "one two");
        assert_eq!(v["generations"][0]["finish_reason"], "MAX_TOKENS");
        let body = json!({"prompt": "one two three four", "stop_sequences": ["three"]});
        let (v, _) = invoke(&Command, MODEL, &body).unwrap();
        assert_eq!(text(&v, 0), "one two ");
        assert_eq!(v["generations"][0]["finish_reason"], "COMPLETE");
    }

    #[test]
    fn the_stream_carries_the_same_text_and_ends_with_the_finish_reason() {
        let mut body = documented();
        body["stream"] = json!(true);
        let (v, usage) = invoke(&Command, MODEL, &body).unwrap();
        let chunks = stream(&Command, MODEL, &body).unwrap();
        let spec = Family::Command.stream_chunk_spec().unwrap();
        assert_stream(spec, &chunks, usage.unwrap());
        let streamed: String = chunks.iter().filter_map(|c| c["text"].as_str()).collect();
        assert_eq!(streamed, text(&v, 0));
        let last = chunks.last().unwrap();
        assert_eq!(last["is_finished"], true);
        assert_eq!(last["finish_reason"], "COMPLETE");
        assert_eq!(chunks[0]["is_finished"], false);
        assert!(chunks[0].get("index").is_none());
        // Several generations are told apart by index.
        body["num_generations"] = json!(2);
        let (_, usage) = invoke(&Command, MODEL, &body).unwrap();
        let chunks = stream(&Command, MODEL, &body).unwrap();
        assert_stream(spec, &chunks, usage.unwrap());
        assert_eq!(
            chunks.iter().filter(|c| c["is_finished"] == true).count(),
            2
        );
        assert_eq!(chunks.last().unwrap()["index"], 1);
    }
}
