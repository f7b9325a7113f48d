"""AtlasQA through the official OpenAI Python client: a grounded answer from /v1/chat/completions,
not streamed and streamed, citing [n], with the atlas references riding along. Run by
Scripts/openai-client-check against a running server; exits non-zero on the first failure."""

import argparse
import base64
import re
import sys

from openai import OpenAI


def fail(message):
    print(f"openai-client-check: FAILED — {message}", file=sys.stderr)
    sys.exit(1)


def ok(message):
    print(f"openai-client-check: ok — {message}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--image", required=True)
    args = parser.parse_args()

    with open(args.image, "rb") as f:
        image = "data:image/png;base64," + base64.b64encode(f.read()).decode()
    # A keyless loopback server ignores the key; the SDK insists on one.
    client = OpenAI(base_url=args.base_url, api_key="not-needed", timeout=300, max_retries=0)
    messages = [{
        "role": "user",
        "content": [
            {"type": "text", "text": "What microscopic features of ductal carcinoma in situ does the atlas describe?"},
            {"type": "image_url", "image_url": {"url": image}},
        ],
    }]

    models = [m.id for m in client.models.list().data]
    if "atlasqa" not in models:
        fail(f"models.list() has no 'atlasqa': {models}")
    ok("models.list() names atlasqa")

    completion = client.chat.completions.create(model="atlasqa", messages=messages)
    text = completion.choices[0].message.content or ""
    cited = sorted(set(int(n) for n in re.findall(r"\[(\d+)\]", text)))
    extra = completion.model_extra or {}
    references = extra.get("references") or []
    if not cited:
        fail(f"the answer cites nothing: {text[:300]!r}")
    if not references or any(n > len(references) for n in cited):
        fail(f"citations {cited} do not match the {len(references)} references")
    if completion.choices[0].finish_reason != "stop":
        fail(f"finish_reason {completion.choices[0].finish_reason!r}")
    entries = [r["entry"] for r in references]
    ok(f"chat.completions: {len(text)} characters citing {cited}; references {entries[:4]}; support {extra.get('support')}")
    if "breast-dcis" not in entries[:3]:
        fail(f"the DCIS image and question did not bring breast-dcis into the top references: {entries}")

    pieces = []
    last_extra = {}
    finish = None
    for chunk in client.chat.completions.create(model="atlasqa", messages=messages, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.choices and chunk.choices[0].finish_reason:
            finish = chunk.choices[0].finish_reason
        if chunk.model_extra and chunk.model_extra.get("references"):
            last_extra = chunk.model_extra
    streamed = "".join(pieces)
    if len(pieces) < 2:
        fail(f"the streamed answer came in {len(pieces)} piece(s)")
    if not re.search(r"\[\d+\]", streamed):
        fail(f"the streamed answer cites nothing: {streamed[:300]!r}")
    if not last_extra.get("references"):
        fail("no streamed chunk carried the references")
    if finish != "stop":
        fail(f"the stream ended with finish_reason {finish!r}")
    ok(f"streamed: {len(pieces)} pieces, {len(streamed)} characters, references in the last chunk ({len(last_extra['references'])})")
    print("openai-client-check: passed", file=sys.stderr)


if __name__ == "__main__":
    main()
