"""Which drafter writes the messages: the model when one is configured, otherwise the offline drafter."""

from __future__ import annotations

from app.drafting.llm import Drafter, LLMSettings, OpenAIDrafter
from app.drafting.offline import OfflineDrafter


def make_drafter(settings: LLMSettings) -> Drafter:
    """The model-backed drafter when a key or base URL is set, otherwise the offline drafter."""
    if settings.is_configured:
        return OpenAIDrafter(settings)
    return OfflineDrafter()
