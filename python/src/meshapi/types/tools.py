"""Tool definitions and `tool_choice`."""

from __future__ import annotations

from typing import Any, Literal, Optional

from ._model import MeshModel


class ToolFunction(MeshModel):
    name: str
    """Letters, digits, `_` and `-`; at most 64 characters."""
    description: Optional[str] = None
    parameters: Optional[dict[str, Any]] = None
    """A JSON Schema object; omit it for a function without arguments."""
    strict: Optional[bool] = None


class Tool(MeshModel):
    """Example::

    Tool(type="function", function=ToolFunction(name="get_weather", parameters={...}))
    """

    type: Literal["function"] = "function"
    function: ToolFunction


class ToolChoiceFunction(MeshModel):
    name: str


class ToolChoice(MeshModel):
    """Forces one function: `ToolChoice(function=ToolChoiceFunction(name="get_weather"))`.

    The string forms `"none"`, `"auto"` and `"required"` are passed as plain strings instead.
    """

    type: Literal["function"] = "function"
    function: ToolChoiceFunction
