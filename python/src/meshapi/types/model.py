"""`GET /v1/models`."""

from __future__ import annotations

from typing import Optional

from ._model import MeshModel


class Model(MeshModel):
    id: str
    """`provider/model`, usable as `ChatCompletionParams.model`."""
    object: str = "model"
    created: Optional[int] = None
    owned_by: Optional[str] = None


class ModelList(MeshModel):
    object: str = "list"
    data: list[Model]
