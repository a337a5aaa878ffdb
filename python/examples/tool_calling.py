"""Seed example "Tool calling". Run against a gateway:
MESHAPI_BASE_URL=http://127.0.0.1:8080 MESHAPI_TOKEN=rsk_... python examples/tool_calling.py
"""

import os

from meshapi import MeshAPI

client = MeshAPI(base_url=os.environ["MESHAPI_BASE_URL"], token=os.environ["MESHAPI_TOKEN"])

# --- seed snippet (verbatim) ---
from meshapi import ChatCompletionParams, ChatMessage, Tool, ToolFunction

params = ChatCompletionParams(
    model="openai/gpt-4o",
    messages=[ChatMessage(role="user", content="What is the weather in Paris?")],
    tools=[
        Tool(
            type="function",
            function=ToolFunction(
                name="get_weather",
                description="Get current weather for a city",
                parameters={
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            ),
        )
    ],
    tool_choice="auto",
)

for chunk in client.chat.completions.stream(params):
    delta = chunk.choices[0].delta if chunk.choices else None
    if delta and delta.tool_calls:
        print("tool call:", delta.tool_calls)
    elif delta and delta.content:
        print(delta.content, end="", flush=True)
# --- end of seed snippet ---
