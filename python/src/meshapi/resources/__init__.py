"""One module per API area; each holds the sync and the async resource classes."""

from .chat import AsyncChat, AsyncCompletions, Chat, Completions
from .embeddings import AsyncEmbeddings, Embeddings
from .models import AsyncModels, Models

__all__ = [
    "AsyncChat",
    "AsyncCompletions",
    "AsyncEmbeddings",
    "AsyncModels",
    "Chat",
    "Completions",
    "Embeddings",
    "Models",
]
