//! The typed native bodies as a user sends them: the traits the generated request,
//! response and chunk types implement, the merge of `extra_args` into a typed request, and
//! [`Client::invoke`](crate::Client::invoke) / [`Client::invoke_stream`](crate::Client::invoke_stream), which send a typed request and decode
//! the family's typed response or chunks.

use crate::error::{Error, Result};
use crate::schema::StructSpec;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::fmt::Debug;

/// A family's typed InvokeModel request body (generated for each family's request type).
pub trait NativeRequest:
    Serialize + DeserializeOwned + Clone + Debug + Send + Sync + 'static
{
    /// The family's typed response.
    type Response: NativeResponse;
    /// The family's typed stream chunk (its response, for a family that does not stream).
    type Chunk: NativeResponse;
    /// The family whose body this is.
    const FAMILY: Option<crate::catalog::Family>;
    /// The body's declared shape.
    fn spec() -> &'static StructSpec;
    /// Keys the catalog does not declare, serialized at the top level of the body.
    fn extra_mut(&mut self) -> &mut Map<String, Value>;
}

/// A family's typed InvokeModel response or stream chunk (generated for every type on the
/// response side).
pub trait NativeResponse:
    DeserializeOwned + Serialize + Clone + Debug + Send + Sync + 'static
{
    /// A key Bedrock adds to the model's JSON (`amazon-bedrock-invocationMetrics`,
    /// `amazon-bedrock-guardrailAction`), declared or kept in `extra`.
    fn bedrock_field(&self, wire: &str) -> Option<&Value>;
}

impl NativeResponse for Value {
    fn bedrock_field(&self, wire: &str) -> Option<&Value> {
        self.get(wire)
    }
}

/// Merges `extra_args` into a typed request: a key the request does not declare goes to its
/// flattened `extra` map; a declared key is merged into the typed value (objects key by
/// key, anything else replaced) and must still have the declared type.
pub(crate) fn merge_extra_args<R: NativeRequest>(
    request: &mut R,
    extra_args: &Map<String, Value>,
) -> Result<()> {
    let declared = |key: &str| R::spec().fields.iter().any(|f| f.wire == key);
    let (typed, free): (Vec<_>, Vec<_>) = extra_args.iter().partition(|(k, _)| declared(k));
    request
        .extra_mut()
        .extend(free.into_iter().map(|(k, v)| (k.clone(), v.clone())));
    if typed.is_empty() {
        return Ok(());
    }
    let Value::Object(mut body) = serde_json::to_value(&*request).expect("bodies serialize") else {
        unreachable!("a request body is a JSON object")
    };
    let typed: Map<String, Value> = typed
        .into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    deep_merge(&mut body, &typed);
    *request = serde_json::from_value(Value::Object(body)).map_err(|e| {
        let keys: Vec<&str> = typed.keys().map(String::as_str).collect();
        Error::invalid(
            format!("extra_args.{}", keys.join(",")),
            format!("does not fit the typed body: {e}"),
        )
    })?;
    Ok(())
}

/// Refuses an `extra_args` value that would replace a value the SDK wrote itself: `written`
/// is what it set (the family encoder's body on InvokeModel, the reasoning fields of
/// `additionalModelRequestFields` on Converse), `from` says where those values come from.
/// Objects merge key by key, so `extra_args` may add keys to an object the SDK wrote, never
/// replace one of its values.
pub(crate) fn check_not_overwritten(
    written: &Map<String, Value>,
    extra: &Map<String, Value>,
    from: &str,
) -> Result<()> {
    fn first_overwrite(written: &Map<String, Value>, extra: &Map<String, Value>) -> Option<String> {
        extra
            .iter()
            .find_map(|(key, value)| match (written.get(key), value) {
                (None, _) => None,
                (Some(Value::Object(inner)), Value::Object(incoming)) => {
                    first_overwrite(inner, incoming).map(|rest| format!("{key}.{rest}"))
                }
                (Some(_), _) => Some(key.clone()),
            })
    }
    match first_overwrite(written, extra) {
        None => Ok(()),
        Some(path) => Err(Error::invalid(
            format!("extra_args.{path}"),
            format!(
                "would replace the `{path}` the SDK writes from {from}; set it there, not in \
                 extra_args"
            ),
        )),
    }
}

/// Merges `extra` into `body`: objects key by key, anything else replaced.
pub(crate) fn deep_merge(body: &mut Map<String, Value>, extra: &Map<String, Value>) {
    for (key, value) in extra {
        match (body.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(incoming)) => {
                deep_merge(existing, incoming)
            }
            _ => {
                body.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Sets `value` at `path` in `body`, creating objects on the way.
pub(crate) fn set_path(body: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = body;
    for segment in parents {
        let entry = current
            .entry(segment.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        current = entry.as_object_mut().expect("just made an object");
    }
    current.insert(last.to_string(), value);
}

/// Whether a guardrail intervened: InvokeModel adds `"amazon-bedrock-guardrailAction":
/// "INTERVENED"` to the response body (example response with a guardrail,
/// https://docs.aws.amazon.com/bedrock/latest/userguide/inference-invoke.html).
pub(crate) fn guardrail_intervened(response: &impl NativeResponse) -> bool {
    response
        .bedrock_field("amazon-bedrock-guardrailAction")
        .and_then(Value::as_str)
        == Some("INTERVENED")
}

/// The usage in the `amazon-bedrock-invocationMetrics` object of a stream's last chunk.
pub(crate) fn invocation_metrics_usage(chunk: &impl NativeResponse) -> crate::details::Usage {
    let metrics = chunk.bedrock_field("amazon-bedrock-invocationMetrics");
    let count = |k| {
        metrics
            .and_then(|m| m.get(k))
            .and_then(Value::as_u64)
            .map(|n| n as u32)
    };
    crate::details::Usage::new(count("inputTokenCount"), count("outputTokenCount"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bodies::titan_text::TitanTextRequest;
    use serde_json::json;

    fn titan(body: Value) -> TitanTextRequest {
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn undeclared_keys_go_to_the_flattened_map_and_declared_ones_merge_typed() {
        let mut request = titan(json!({"inputText": "hi", "textGenerationConfig": {"topP": 0.5}}));
        let extra = json!({"newKnob": 1, "textGenerationConfig": {"temperature": 0.2}});
        merge_extra_args(&mut request, extra.as_object().unwrap()).unwrap();
        assert_eq!(request.extra.get("newKnob"), Some(&json!(1)));
        let config = request.text_generation_config.as_ref().unwrap();
        assert_eq!((config.top_p, config.temperature), (Some(0.5), Some(0.2)));
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"inputText": "hi", "newKnob": 1,
                   "textGenerationConfig": {"topP": 0.5, "temperature": 0.2}})
        );
    }

    #[test]
    fn a_declared_key_of_the_wrong_type_is_an_error() {
        let mut request = titan(json!({"inputText": "hi"}));
        let extra = json!({"textGenerationConfig": "warm"});
        let err = merge_extra_args(&mut request, extra.as_object().unwrap()).unwrap_err();
        assert!(
            err.to_string().contains("extra_args.textGenerationConfig"),
            "{err}"
        );
    }

    #[test]
    fn deep_merge_merges_objects_and_replaces_the_rest() {
        let mut body = json!({"a": {"x": 1, "y": 2}, "b": 1});
        let extra = json!({"a": {"y": 3, "z": 4}, "b": [1]});
        deep_merge(body.as_object_mut().unwrap(), extra.as_object().unwrap());
        assert_eq!(body, json!({"a": {"x": 1, "y": 3, "z": 4}, "b": [1]}));
    }

    #[test]
    fn extra_args_may_add_to_what_the_sdk_wrote_but_not_replace_it() {
        let written = json!({"thinking": {"type": "enabled", "budget_tokens": 2048}, "n": 1});
        let written = written.as_object().unwrap();
        let check = |extra: Value| {
            check_not_overwritten(
                written,
                extra.as_object().unwrap(),
                "ChatOptions::reasoning",
            )
        };
        check(json!({"thinking": {"display": "full"}, "other": true})).unwrap();
        let err = check(json!({"thinking": {"budget_tokens": 9000}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "InvalidInput: extra_args.thinking.budget_tokens: would replace the \
             `thinking.budget_tokens` the SDK writes from ChatOptions::reasoning; set it there, \
             not in extra_args"
        );
        let err = check(json!({"thinking": "off"})).unwrap_err();
        assert!(err.to_string().contains("extra_args.thinking: "), "{err}");
    }

    // Source: the example response with a guardrail, inference-invoke.html.
    #[test]
    fn a_guardrail_intervention_is_read_from_the_body() {
        assert!(guardrail_intervened(
            &json!({"amazon-bedrock-guardrailAction": "INTERVENED", "content": []})
        ));
        assert!(!guardrail_intervened(
            &json!({"amazon-bedrock-guardrailAction": "NONE"})
        ));
        assert!(!guardrail_intervened(&json!({"content": []})));
    }
}
