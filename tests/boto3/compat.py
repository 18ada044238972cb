"""Drives bedrock-fm-local with boto3, a client nobody here wrote.

Usage: python compat.py ENDPOINT ACCESS_KEY_ID SECRET_ACCESS_KEY CAPABILITIES_JSON

CAPABILITIES_JSON maps each model below to the catalog's {"streaming": .., "converse": ..}.
For one model of every family in the catalog it calls the operations the model
supports (InvokeModel, InvokeModelWithResponseStream, Converse, ConverseStream), decoding
streams with botocore, and checks the content received; then a wrong secret key must be
rejected and an injected throttle must surface as ThrottlingException; model IDs are answered
like Bedrock (an unknown ID, a profile-only model by its bare ID and by its us. profile); and
boto3's `bedrock` client lists foundation models and inference profiles and gets one on the
same endpoint. Prints one line per
check and a closing 'N passed, N failed' line; exits non-zero on any failure.
"""

import base64
import json
import sys

import boto3
import botocore.config
from botocore.exceptions import ClientError

ENDPOINT, KEY_ID, SECRET = sys.argv[1:4]
CAPS = json.loads(sys.argv[4])

# One model per family with a request body from the family's AWS documentation page.
TEXT = "Describe the rivers and lakes of Europe"
FAMILIES = [
    ("titan_text", "amazon.titan-text-premier-v1:0",
     {"inputText": TEXT, "textGenerationConfig": {"maxTokenCount": 50, "temperature": 0.5}}),
    ("claude_text", "anthropic.claude-v2:1",
     {"prompt": f"\n\nHuman: {TEXT}\n\nAssistant:", "max_tokens_to_sample": 50}),
    ("claude_messages", "anthropic.claude-3-haiku-20240307-v1:0",
     {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
      "messages": [{"role": "user", "content": [{"type": "text", "text": TEXT}]}]}),
    ("llama2_chat", "meta.llama2-13b-chat-v1",
     {"prompt": f"<s>[INST] {TEXT} [/INST]", "max_gen_len": 50}),
    ("llama3", "meta.llama3-8b-instruct-v1:0",
     {"prompt": f"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n{TEXT}<|eot_id|>"
                "<|start_header_id|>assistant<|end_header_id|>\n\n", "max_gen_len": 50}),
    ("mistral", "mistral.mistral-7b-instruct-v0:2",
     {"prompt": f"<s>[INST] {TEXT} [/INST]", "max_tokens": 50}),
    ("mistral_chat", "mistral.mistral-large-2407-v1:0",
     {"messages": [{"role": "user", "content": TEXT}], "max_tokens": 50}),
    ("command", "cohere.command-text-v14", {"prompt": TEXT, "max_tokens": 50}),
    ("command_r", "cohere.command-r-v1:0", {"message": TEXT, "max_tokens": 50}),
    ("jurassic", "ai21.j2-ultra-v1", {"prompt": TEXT, "maxTokens": 50}),
    ("jamba", "ai21.jamba-1-5-mini-v1:0",
     {"messages": [{"role": "user", "content": TEXT}], "max_tokens": 50}),
    ("nova", "amazon.nova-lite-v1:0",
     {"schemaVersion": "messages-v1", "messages": [{"role": "user", "content": [{"text": TEXT}]}],
      "inferenceConfig": {"maxTokens": 50}}),
    ("titan_embed_text", "amazon.titan-embed-text-v2:0", {"inputText": TEXT, "dimensions": 256}),
    ("titan_embed_image", "amazon.titan-embed-image-v1", {"inputText": TEXT}),
    ("cohere_embed", "cohere.embed-english-v3",
     {"texts": [TEXT, "mountains"], "input_type": "search_document"}),
    ("titan_image", "amazon.titan-image-generator-v2:0",
     {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
      "imageGenerationConfig": {"numberOfImages": 1, "width": 512, "height": 512, "seed": 7}}),
    ("nova_canvas", "amazon.nova-canvas-v1:0",
     {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
      "imageGenerationConfig": {"numberOfImages": 1, "width": 512, "height": 512, "seed": 7}}),
    ("stable_diffusion", "stability.stable-diffusion-xl-v1",
     {"text_prompts": [{"text": "a lighthouse"}], "width": 1024, "height": 1024, "seed": 7}),
    ("stable_image", "stability.sd3-5-large-v1:0", {"prompt": "a lighthouse", "seed": 7}),
]
EMBED_OR_IMAGE = {"titan_embed_text", "titan_embed_image", "cohere_embed", "titan_image",
                  "nova_canvas", "stable_diffusion", "stable_image"}
passed, failed = 0, 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def client(secret=SECRET):
    return boto3.client(
        "bedrock-runtime", endpoint_url=ENDPOINT, region_name="us-east-1",
        aws_access_key_id=KEY_ID, aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))


def run(name, fn):
    try:
        fn()
    except Exception as e:  # a failure is reported, the next check still runs
        check(name, False, repr(e))


runtime = client()
for family, model, body in FAMILIES:
    def invoke():
        out = runtime.invoke_model(modelId=model, body=json.dumps(body),
                                   contentType="application/json", accept="application/json")
        answer = json.loads(out["body"].read())
        request_id = out["ResponseMetadata"]["RequestId"]
        check(f"{family} InvokeModel", bool(answer) and bool(request_id), json.dumps(answer)[:200])
        if family in ("titan_image", "nova_canvas"):
            check(f"{family} image bytes", base64.b64decode(answer["images"][0])[:4] == b"\x89PNG")
        if family == "titan_embed_text":
            check(f"{family} dimensions", len(answer["embedding"]) == 256)
    run(f"{family} InvokeModel", invoke)

    if CAPS[model]["streaming"] and family not in EMBED_OR_IMAGE:
        def stream():
            out = runtime.invoke_model_with_response_stream(modelId=model, body=json.dumps(body))
            chunks = [json.loads(e["chunk"]["bytes"]) for e in out["body"] if "chunk" in e]
            check(f"{family} InvokeModelWithResponseStream", len(chunks) > 1, str(chunks[:2]))
            check(f"{family} invocation metrics on the last chunk",
                  "amazon-bedrock-invocationMetrics" in chunks[-1], str(chunks[-1]))
        run(f"{family} InvokeModelWithResponseStream", stream)

    if CAPS[model]["converse"]:
        messages = [{"role": "user", "content": [{"text": TEXT}]}]

        def converse():
            out = runtime.converse(modelId=model, messages=messages, inferenceConfig={"maxTokens": 40})
            text = out["output"]["message"]["content"][0]["text"]
            check(f"{family} Converse", bool(text) and out["usage"]["outputTokens"] > 0, str(out)[:200])
        run(f"{family} Converse", converse)

    if CAPS[model]["converse"] and CAPS[model]["streaming"]:
        messages = [{"role": "user", "content": [{"text": TEXT}]}]

        def converse_stream():
            out = runtime.converse_stream(modelId=model, messages=messages, inferenceConfig={"maxTokens": 40})
            events = list(out["stream"])
            text = "".join(e["contentBlockDelta"]["delta"].get("text", "")
                           for e in events if "contentBlockDelta" in e)
            kinds = [next(iter(e)) for e in events]
            check(f"{family} ConverseStream", bool(text) and kinds[0] == "messageStart"
                  and "messageStop" in kinds and kinds[-1] == "metadata", str(kinds))
        run(f"{family} ConverseStream", converse_stream)


def wrong_secret():
    try:
        client("wrong-secret").converse(
            modelId="amazon.nova-lite-v1:0", messages=[{"role": "user", "content": [{"text": "hi"}]}])
        check("a wrong secret key is rejected", False, "accepted")
    except ClientError as e:
        check("a wrong secret key is rejected",
              e.response["ResponseMetadata"]["HTTPStatusCode"] == 403, str(e.response))


def throttled():
    def add_fault(request, **_):
        request.headers["x-bedrock-fm-local-fault"] = "throttle"
    throttling = client()
    throttling.meta.events.register("before-sign.bedrock-runtime.Converse", add_fault)
    try:
        throttling.converse(modelId="amazon.nova-lite-v1:0",
                            messages=[{"role": "user", "content": [{"text": "hi"}]}])
        check("an injected throttle is a ThrottlingException", False, "succeeded")
    except ClientError as e:
        check("an injected throttle is a ThrottlingException",
              e.response["Error"]["Code"] == "ThrottlingException", str(e.response))


def error_of(fn):
    """The (code, message, status) of the ClientError fn raises, or None."""
    try:
        fn()
    except ClientError as e:
        return (e.response["Error"]["Code"], e.response["Error"]["Message"],
                e.response["ResponseMetadata"]["HTTPStatusCode"])
    return None


HELLO = [{"role": "user", "content": [{"text": "hi"}]}]
SONNET37 = "anthropic.claude-3-7-sonnet-20250219-v1:0"


def unknown_model():
    got = error_of(lambda: runtime.converse(modelId="acme.not-a-model-v1:0", messages=HELLO))
    check("an unknown model ID is a ValidationException",
          got == ("ValidationException", "The provided model identifier is invalid.", 400), str(got))


def profile_only_bare_id():
    # Bedrock's wording, with its typographic apostrophe (anthropic-sdk-python issue #894,
    # terricain/aioboto3 issue #352).
    expected = (f"Invocation of model ID {SONNET37} with on-demand throughput isn\u2019t supported. "
                "Retry your request with the ID or ARN of an inference profile that contains this model.")
    got = error_of(lambda: runtime.converse(modelId=SONNET37, messages=HELLO))
    check("a profile-only model by its bare ID needs an inference profile",
          got == ("ValidationException", expected, 400), str(got))
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20,
            "messages": [{"role": "user", "content": "hi"}]}
    got = error_of(lambda: runtime.invoke_model(modelId=SONNET37, body=json.dumps(body)))
    check("the same on InvokeModel", got == ("ValidationException", expected, 400), str(got))
    out = runtime.converse(modelId=f"us.{SONNET37}", messages=HELLO)
    check("the same model through its us. profile works",
          out["output"]["message"]["content"][0]["text"].startswith("hi"), str(out)[:200])
    out = json.loads(runtime.invoke_model(modelId=f"us.{SONNET37}", body=json.dumps(body))["body"].read())
    check("the us. profile works on InvokeModel", out.get("type") == "message", str(out)[:200])


def nova_older_inference_names():
    # The Nova body with `inferenceConfig.max_new_tokens`, as the Bedrock console's API-request
    # samples write it, and temperature 0 for greedy decoding, as AWS's Nova tool-use
    # troubleshooting page advises
    # (https://docs.aws.amazon.com/nova/latest/userguide/prompting-tool-troubleshooting.html).
    body = {"inferenceConfig": {"max_new_tokens": 100, "temperature": 0},
            "messages": [{"role": "user", "content": [{"text": "hi"}]}]}
    out = json.loads(runtime.invoke_model(modelId="amazon.nova-lite-v1:0",
                                          body=json.dumps(body))["body"].read())
    check("Nova takes max_new_tokens and temperature 0",
          out["output"]["message"]["content"][0]["text"] != "", str(out)[:200])


control = boto3.client(
    "bedrock", endpoint_url=ENDPOINT, region_name="us-east-1",
    aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
    config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))


def list_foundation_models():
    models = control.list_foundation_models()["modelSummaries"]
    ids = {m["modelId"] for m in models}
    check("list_foundation_models lists every catalog model", set(CAPS) <= ids, str(len(ids)))
    sonnet = next(m for m in models if m["modelId"] == SONNET37)
    check("a profile-only model lists INFERENCE_PROFILE",
          sonnet["inferenceTypesSupported"] == ["INFERENCE_PROFILE"]
          and sonnet["modelArn"] == f"arn:aws:bedrock:us-east-1::foundation-model/{SONNET37}", str(sonnet))
    meta = control.list_foundation_models(byProvider="Meta", byOutputModality="TEXT")["modelSummaries"]
    check("list_foundation_models filters by provider and modality",
          bool(meta) and all(m["modelId"].startswith("meta.") for m in meta), str(len(meta)))
    got = error_of(lambda: control.list_foundation_models(byInferenceType="SOMETIMES"))
    check("a bad filter value is a ValidationException",
          got is not None and got[0] == "ValidationException" and got[2] == 400, str(got))


def inference_profiles():
    first = control.list_inference_profiles(maxResults=5)
    page = first["inferenceProfileSummaries"]
    check("list_inference_profiles pages", len(page) == 5 and "nextToken" in first, str(first)[:200])
    everything = []
    for p in control.get_paginator("list_inference_profiles").paginate(
            typeEquals="SYSTEM_DEFINED", PaginationConfig={"PageSize": 40}):
        everything.extend(p["inferenceProfileSummaries"])
    ids = {p["inferenceProfileId"] for p in everything}
    check("the paginator sees every system-defined profile",
          f"us.{SONNET37}" in ids and all(p["type"] == "SYSTEM_DEFINED" for p in everything),
          str(len(ids)))
    profile = control.get_inference_profile(inferenceProfileIdentifier=f"us.{SONNET37}")
    check("get_inference_profile by ID",
          profile["inferenceProfileArn"].endswith(f":inference-profile/us.{SONNET37}")
          and profile["status"] == "ACTIVE" and profile["models"], str(profile)[:300])
    by_arn = control.get_inference_profile(inferenceProfileIdentifier=profile["inferenceProfileArn"])
    check("get_inference_profile by ARN", by_arn["inferenceProfileId"] == f"us.{SONNET37}")
    got = error_of(lambda: control.get_inference_profile(inferenceProfileIdentifier="us.acme.nothing-v1:0"))
    check("an unknown inference profile is a ResourceNotFoundException",
          got is not None and got[0] == "ResourceNotFoundException" and got[2] == 404, str(got))


run("a wrong secret key is rejected", wrong_secret)
run("an injected throttle is a ThrottlingException", throttled)
run("an unknown model ID is a ValidationException", unknown_model)
run("a profile-only model by its bare ID needs an inference profile", profile_only_bare_id)
run("Nova takes max_new_tokens and temperature 0", nova_older_inference_names)
run("list_foundation_models", list_foundation_models)
run("inference profiles", inference_profiles)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
