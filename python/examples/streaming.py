"""Seed example "Streaming". Run against a gateway:
MESHAPI_BASE_URL=http://127.0.0.1:8080 MESHAPI_TOKEN=rsk_... python examples/streaming.py
"""

import os

from meshapi import ChatCompletionParams, ChatMessage, MeshAPI

client = MeshAPI(base_url=os.environ["MESHAPI_BASE_URL"], token=os.environ["MESHAPI_TOKEN"])

# --- seed snippet (verbatim) ---
for chunk in client.chat.completions.stream(
    ChatCompletionParams(
        model="openai/gpt-4o-mini",
        messages=[ChatMessage(role="user", content="Write a haiku about Python.")],
    )
):
    if chunk.choices and chunk.choices[0].delta:
        print(chunk.choices[0].delta.content or "", end="", flush=True)
# --- end of seed snippet ---
print()
