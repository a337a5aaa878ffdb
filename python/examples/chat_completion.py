"""Seed example "Chat Completions". Run against a gateway:
MESHAPI_BASE_URL=http://127.0.0.1:8080 MESHAPI_TOKEN=rsk_... python examples/chat_completion.py
"""

import os

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]

# --- seed snippet (verbatim; only base_url and token changed) ---
from meshapi import MeshAPI, ChatCompletionParams, ChatMessage

client = MeshAPI(base_url=BASE_URL, token=TOKEN)

reply = client.chat.completions.create(
    ChatCompletionParams(
        model="openai/gpt-4o-mini",
        messages=[
            ChatMessage(role="system", content="You are a concise assistant."),
            ChatMessage(role="user", content="What is the capital of France?"),
        ],
        temperature=0.7,
        max_tokens=256,
    )
)

print(reply.choices[0].message.content)
print(f"Tokens: {reply.usage.total_tokens}")
# --- end of seed snippet ---
