"""The shapes the drafter returns: validated candidates, batches and rewrites (pydantic v2)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

StrategyKey = Literal[
    "facts",
    "question",
    "hypocrisy",
    "empathy_affiliation",
    "denouncing",
    "consequences",
    "humor",
    "alternative",
]

PlatformKey = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z][a-z0-9_]{0,31}$"),
]
LanguageTag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
]
MAX_TEXT_CHARS = 2000
DraftText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)]
# Some platforms allow long posts (LinkedIn 3,000, Telegram 4,096); a variant may be longer than
# the main text but never unbounded.
VariantText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class Explanation(BaseModel):
    """Why or how the offline drafter wrote a text: a code of app.drafting.explanations and its numbers."""

    model_config = ConfigDict(frozen=True)
    code: str
    params: dict[str, str | int] = {}

    def as_dict(self) -> dict[str, Any]:
        """The stored shape in provenance["explanation"]."""
        return {"code": self.code, "params": dict(self.params)} if self.params else {"code": self.code}


class Candidate(BaseModel):
    """One draft counter-message in one strategy, with optional per-platform variants."""

    strategy: StrategyKey
    language: LanguageTag
    text: DraftText
    variants: dict[PlatformKey, VariantText] = {}
    rationale: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    facts_used: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]] = []
    # The ids of the knowledge facts the draft cites (grounding); facts_used then holds their URLs.
    fact_ids: list[str] = []
    # Set by the offline drafter instead of a rationale, so it is shown in the reader's language.
    explanation: Explanation | None = None

    @field_validator("variants", mode="before")
    @classmethod
    def _variants_from_pairs(cls, value: Any) -> Any:
        """Accept variants as [{"platform": ..., "text": ...}], the shape strict JSON schema allows."""
        if isinstance(value, list):
            try:
                return {item["platform"]: item["text"] for item in value}
            except (TypeError, KeyError):
                return value
        return value


class DraftBatch(BaseModel):
    """The drafter's answer: between 1 and 10 candidates."""

    candidates: list[Candidate] = Field(min_length=1, max_length=10)


class Rewrite(BaseModel):
    """A revised, adapted or translated text."""

    text: VariantText
    rationale: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    explanation: Explanation | None = None  # the offline drafter's, as for Candidate


# Wire shapes for strict structured output: every field required, no open-ended dicts, no
# defaults and no length keywords, which OpenAI's strict mode rejects. What comes back is then
# validated against the models above, which hold the real limits. A draft batch's schema is built
# per request (draft_batch_schema below) so it can name only the allowed values.


class WireRewrite(BaseModel):
    """Strict-schema twin of Rewrite sent as the response_format."""

    model_config = ConfigDict(extra="forbid", title="rewrite")
    text: str
    rationale: str


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """A strict-mode object: every property required, nothing else allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def draft_batch_schema(
    *,
    strategies: list[str],
    language: str,
    platforms: list[str],
    fact_ids: list[str],
    count: int | None,
) -> dict[str, Any]:
    """The response schema for one request: only its strategies, language, platforms and fact ids.

    A server that fills the schema (constrained decoding) then cannot answer off-request. With a
    count, the candidates array also carries minItems/maxItems, which some servers reject.
    """
    candidate: dict[str, Any] = {
        "strategy": {"type": "string", "enum": list(strategies)},
        "language": {"type": "string", "enum": [language]},
        "text": {"type": "string"},
        "variants": {
            "type": "array",
            "items": _object(
                {"platform": {"type": "string", "enum": list(platforms)}, "text": {"type": "string"}}
            ),
        },
        "rationale": {"type": "string"},
    }
    if fact_ids:
        candidate["facts_used"] = {"type": "array", "items": {"type": "string", "enum": list(fact_ids)}}
    candidates: dict[str, Any] = {"type": "array", "items": _object(candidate)}
    if count is not None:
        candidates.update(minItems=count, maxItems=count)
    return _object({"candidates": candidates})
