"""The model's second reading of drafts: advisory ratings against the do-no-harm rules, never blocking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.campaigns.strategies import _
from app.drafting.prompts import RenderedPrompt, render

RULES = ("hostility", "amplification", "stereotype", "sarcasm", "unsupported_claim")
RULE_LABELS = {
    "hostility": _("Hostility"),
    "amplification": _("Amplification"),
    "stereotype": _("Stereotype reinforced"),
    "sarcasm": _("Sarcasm at people"),
    "unsupported_claim": _("Unsupported claim"),
}
Rule = Literal["hostility", "amplification", "stereotype", "sarcasm", "unsupported_claim"]


@dataclass(frozen=True)
class ReviewRequest:
    """The drafts to rate and what the model needs to judge them; evidence stays delimited data."""

    drafts: tuple[str, ...]
    language: str = "en"
    evidence: tuple[str, ...] = ()
    lexicon: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()


class Rating(BaseModel):
    """The model's verdict on one draft, with the rules it thinks are broken and why."""

    draft: int = Field(ge=1)
    verdict: Literal["ok", "concern"]
    rules: list[Rule] = []
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""


class RatingBatch(BaseModel):
    """The model's answer: one rating per draft."""

    ratings: list[Rating] = Field(min_length=1, max_length=20)


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def review_schema(count: int, *, counted: bool) -> dict[str, Any]:
    """The strict response schema: draft numbers 1..count, the two verdicts, the five rules."""
    rating = _object(
        {
            "draft": {"type": "integer", "enum": list(range(1, count + 1))},
            "verdict": {"type": "string", "enum": ["ok", "concern"]},
            "rules": {"type": "array", "items": {"type": "string", "enum": list(RULES)}},
            "reason": {"type": "string"},
        }
    )
    ratings: dict[str, Any] = {"type": "array", "items": rating}
    if counted:
        ratings.update(minItems=count, maxItems=count)
    return _object({"ratings": ratings})


def review_prompts(req: ReviewRequest) -> tuple[RenderedPrompt, RenderedPrompt]:
    """The system prompt (the rules) and the review prompt with every text as delimited data."""
    user = render(
        "review",
        drafts=list(req.drafts),
        language=req.language,
        evidence=list(req.evidence[:5]),
        lexicon=list(req.lexicon),
        hashtags=list(req.hashtags),
        facts=list(req.facts),
    )
    return render("system"), user


def by_draft(batch: RatingBatch, count: int) -> dict[int, Rating]:
    """The first rating given for each draft number in range; a rating "ok" drops any rule named."""
    ratings: dict[int, Rating] = {}
    for rating in batch.ratings:
        if 1 <= rating.draft <= count and rating.draft not in ratings:
            rules = list(dict.fromkeys(rating.rules)) if rating.verdict == "concern" else []
            ratings[rating.draft] = rating.model_copy(update={"rules": rules})
    return ratings
