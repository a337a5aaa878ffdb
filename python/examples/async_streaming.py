"""Seed example "Async streaming". Run against a gateway:
MESHAPI_BASE_URL=http://127.0.0.1:8080 MESHAPI_TOKEN=rsk_... python examples/async_streaming.py
"""

import asyncio
import os

from meshapi import AsyncMeshAPI, ChatCompletionParams, ChatMessage

params = ChatCompletionParams(
    model="openai/gpt-4o-mini",
    messages=[ChatMessage(role="user", content="Write a haiku about Python.")],
)


async def main() -> None:
    async with AsyncMeshAPI(
        base_url=os.environ["MESHAPI_BASE_URL"], token=os.environ["MESHAPI_TOKEN"]
    ) as client:
        # --- seed snippet (verbatim, indented into this coroutine) ---
        async for chunk in client.chat.completions.stream(params):
            if chunk.choices and chunk.choices[0].delta:
                print(chunk.choices[0].delta.content or "", end="", flush=True)
        # --- end of seed snippet ---
        print()


asyncio.run(main())
