"""Seed example "Async". Run against a gateway:
MESHAPI_BASE_URL=http://127.0.0.1:8080 MESHAPI_TOKEN=rsk_... \
    python examples/async_chat_completion.py
"""

import os

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]

# fmt: off
# --- seed snippet (verbatim; only base_url and token changed) ---
import asyncio
from meshapi import AsyncMeshAPI, ChatCompletionParams, ChatMessage

async def main():
    async with AsyncMeshAPI(base_url=BASE_URL, token=TOKEN) as client:
        reply = await client.chat.completions.create(
            ChatCompletionParams(
                model="openai/gpt-4o-mini",
                messages=[ChatMessage(role="user", content="Hello!")],
            )
        )
        print(reply.choices[0].message.content)

asyncio.run(main())
# --- end of seed snippet ---
# fmt: on
