"""Base class of every request and response model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class MeshModel(BaseModel):
    """Unknown fields are kept rather than rejected.

    Responses: a newer gateway (or an OpenAI-compatible vendor) may add fields; old SDKs must not
    break on them, and the extra values stay readable via `model_extra`.
    Requests: vendor parameters this SDK does not model yet (e.g. `reasoning_effort`) can still be
    passed as keyword arguments and are sent as given.
    """

    model_config = ConfigDict(extra="allow")
