"""Wire payloads in the gateway's shapes, for scripted servers and mock transports."""

from __future__ import annotations

from typing import Any, Optional

USAGE = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7, "cost": 0.00042}


def completion(content: str = "Hello!", **extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "openai/gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": USAGE,
        **extra,
    }


def chunk(
    content: Optional[str] = None,
    *,
    finish_reason: Optional[str] = None,
    usage: Optional[dict[str, Any]] = None,
    choices: bool = True,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "openai/gpt-4o-mini",
        "choices": [],
    }
    if choices:
        delta = {} if content is None else {"content": content}
        body["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish_reason}]
    if usage is not None:
        body["usage"] = usage
    return body


def error_body(code: str, message: str = "failed", **fields: Any) -> dict[str, Any]:
    return {
        "error": {"code": code, "message": message, "type": code, **fields},
        "request_id": "req_01TEST",
    }
