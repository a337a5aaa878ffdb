"""One module per API area; each holds the sync and the async resource classes."""

from .chat import AsyncChat, AsyncCompletions, Chat, Completions
from .models import AsyncModels, Models

__all__ = ["AsyncChat", "AsyncCompletions", "AsyncModels", "Chat", "Completions", "Models"]
