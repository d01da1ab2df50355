"""One drafting interface over an OpenAI-compatible model server or the offline template drafter."""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from app.campaigns.strategies import BROADCAST, MODES, STRATEGIES, _, allowed_strategies
from app.common import limits
from app.drafting.grounding import attach_sources
from app.drafting.prompts import LANGUAGE_NAMES, RenderedPrompt, render, sha256_text
from app.drafting.schemas import (
    MAX_TEXT_CHARS,
    DraftBatch,
    Rewrite,
    WireRewrite,
    draft_batch_schema,
)
from app.drafting.second_pass import (
    Rating,
    RatingBatch,
    ReviewRequest,
    by_draft,
    review_prompts,
    review_schema,
)

if TYPE_CHECKING:
    import openai

    from app.drafting.schemas import Candidate

T = TypeVar("T", bound=BaseModel)
log = logging.getLogger(__name__)

MAX_EVIDENCE_POSTS = 5
MAX_CANDIDATES = limits.DRAFT_COUNT_MAX
REWRITE_KINDS = ("revise", "adapt", "translate")
REVISE_PRESETS = ("warmer", "shorter")
# Tried in this order; a server that rejects one is asked with the next (and remembered).
STRUCTURED_MODES = ("json_schema", "json_object", "plain")


@dataclass(frozen=True)
class LLMSettings:
    """How to reach the model server; unconfigured means draft offline."""

    base_url: str | None
    api_key: str | None
    model: str
    timeout: float = 30
    max_retries: int = 2
    # None leaves the server's default: some models reject any other temperature.
    temperature: float | None = None

    @property
    def is_configured(self) -> bool:
        """True when an API key or a base URL is set."""
        return bool(self.api_key or self.base_url)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LLMSettings:
        """Build settings from app config keys OPENAI_API_KEY, OPENAI_BASE_URL, COUNTERPOINT_LLM_*."""
        return cls(
            base_url=config.get("OPENAI_BASE_URL") or None,
            api_key=config.get("OPENAI_API_KEY") or None,
            model=config.get("COUNTERPOINT_LLM_MODEL") or "gpt-4o-mini",
            timeout=float(config.get("COUNTERPOINT_LLM_TIMEOUT") or 30),
        )


class DraftingError(Exception):
    """A drafting failure with a code and a sentence a communications officer understands."""

    CODES = (
        "no_key",
        "unreachable",
        "rate_limited",
        "refused",
        "invalid_output",
        "timeout",
        "server_error",
    )

    def __init__(self, code: str, message: str, *, retry_after: float | None = None) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown drafting error code {code!r}")
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Provenance:
    """What produced a draft: recorded with every stored AI draft."""

    provider: str
    model: str | None
    prompt_name: str
    prompt_version: int
    prompt_sha256: str
    parameters: dict[str, Any]
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: int
    structured_mode: str


@dataclass(frozen=True)
class DraftOutcome:
    """The candidates of one drafting request and how they were made."""

    candidates: list[Candidate]
    provenance: Provenance
    is_offline: bool
    notice: str | None
    # Candidates the model returned off-request (strategy, language) and that were left out.
    dropped: int = 0
    # Offline only: strategies that need a fact were skipped because the knowledge list is empty.
    skipped_for_facts: tuple[str, ...] = ()
    # Offline only: how many of the asked-for drafts could not be written without repeating one.
    shortfall: int = 0


@dataclass(frozen=True)
class KnowledgeItem:
    """A vetted fact the drafter may use, with its checkable source and the id the model cites."""

    text: str
    source_url: str
    language: str = ""
    id: str = ""


def _freeze(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (values or ()))


def _knowledge(items: Any) -> tuple[KnowledgeItem, ...]:
    """Knowledge items with an id each: F1, F2… for those that came without one."""
    facts = [i if isinstance(i, KnowledgeItem) else KnowledgeItem(*i) for i in (items or ())]
    return tuple(
        fact if fact.id else KnowledgeItem(fact.text, fact.source_url, fact.language, f"F{n}")
        for n, fact in enumerate(facts, start=1)
    )


@dataclass(frozen=True)
class CampaignBrief:
    """The campaign fields the drafter needs."""

    title: str
    goal: str = ""
    audience: str = ""
    tone_notes: str = ""
    mode: str = BROADCAST
    hashtags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        _freeze(self, "hashtags", _strings(self.hashtags))


@dataclass(frozen=True)
class TrendBrief:
    """The trend fields the drafter needs: never evidence URLs or authors."""

    title: str
    summary: str = ""
    severity: int = 1
    target_groups: tuple[str, ...] = ()
    narrative_tags: tuple[str, ...] = ()
    lexicon: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("target_groups", "narrative_tags", "lexicon", "hashtags"):
            _freeze(self, name, _strings(getattr(self, name)))


@dataclass(frozen=True)
class DraftRequest:
    """Everything one drafting call needs, as plain data."""

    campaign: CampaignBrief
    trend: TrendBrief
    strategies: tuple[str, ...] = ()
    language: str = "en"
    platforms: tuple[tuple[str, int], ...] = (("mastodon", 500),)
    count: int = 3
    evidence: tuple[str, ...] = ()
    knowledge: tuple[KnowledgeItem, ...] = ()
    # The campaign's current message texts: a new draft must not repeat one of them.
    existing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_CANDIDATES:
            raise ValueError(f"count must be between 1 and {MAX_CANDIDATES}")
        platforms = self.platforms.items() if isinstance(self.platforms, Mapping) else self.platforms
        _freeze(self, "platforms", tuple((str(p), int(n)) for p, n in platforms))
        if not self.platforms:
            raise ValueError("at least one platform is needed")
        _freeze(self, "strategies", _strings(self.strategies))
        _freeze(self, "evidence", _strings(self.evidence))
        _freeze(self, "knowledge", _knowledge(self.knowledge))
        _freeze(self, "existing", _strings(self.existing))

    @property
    def shortest_limit(self) -> int:
        """The smallest character limit among the requested platforms."""
        return min(limit for _platform, limit in self.platforms)


@dataclass(frozen=True)
class RewriteRequest:
    """A revise, adapt or translate request on one text, as plain data."""

    kind: str
    text: str
    language: str = "en"
    preset: str | None = None
    instruction: str = ""
    platform: str | None = None
    limit: int | None = None
    target_language: str | None = None
    avoid_terms: tuple[str, ...] = ()
    avoid_hashtags: tuple[str, ...] = ()
    knowledge: tuple[KnowledgeItem, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in REWRITE_KINDS:
            raise ValueError(f"kind must be one of {REWRITE_KINDS}, got {self.kind!r}")
        if self.kind == "revise" and self.preset not in (None, *REVISE_PRESETS):
            raise ValueError(f"preset must be one of {REVISE_PRESETS}")
        if self.kind == "revise" and not (self.preset or self.instruction.strip()):
            raise ValueError("a revision needs a preset or an instruction")
        if self.kind == "adapt" and not (self.platform and self.limit):
            raise ValueError("adapting needs a platform and its limit")
        if self.kind == "translate" and self.target_language not in LANGUAGE_NAMES:
            raise ValueError(f"target_language must be one of {tuple(LANGUAGE_NAMES)}")
        _freeze(self, "avoid_terms", _strings(self.avoid_terms))
        _freeze(self, "avoid_hashtags", _strings(self.avoid_hashtags))
        _freeze(self, "knowledge", _knowledge(self.knowledge))


class Drafter(Protocol):
    """What the app calls to draft and rewrite, whatever is behind it."""

    def draft(self, req: DraftRequest) -> DraftOutcome:
        """Draft candidates for a campaign and trend."""
        ...

    def rewrite(self, req: RewriteRequest) -> tuple[Rewrite, Provenance]:
        """Revise, adapt or translate one text."""
        ...


def effective_strategies(req: DraftRequest) -> list[str]:
    """The requested strategies the severity gate allows, in request order (all allowed if none)."""
    allowed = allowed_strategies(req.trend.severity, req.campaign.mode)
    if not allowed:
        raise ValueError("Trends at the highest severity get no reply drafts: report them instead.")
    if not req.strategies:
        return allowed
    chosen = [key for key in dict.fromkeys(req.strategies) if key in allowed]
    if not chosen:
        raise ValueError(f"None of {list(req.strategies)} is allowed here; allowed: {allowed}")
    return chosen


def _source_room(req: DraftRequest) -> int:
    """Characters kept free for the "Source: <url>" line added after a cited fact."""
    longest = max((len(fact.source_url) for fact in req.knowledge), default=0)
    return longest + 10 if longest else 0


def draft_prompts(req: DraftRequest) -> tuple[RenderedPrompt, RenderedPrompt]:
    """Render the system and draft prompts for a request."""
    user = render(
        "draft",
        campaign=req.campaign,
        trend=req.trend,
        evidence=list(req.evidence[:MAX_EVIDENCE_POSTS]),
        knowledge=list(req.knowledge),
        strategies=[STRATEGIES[key] for key in effective_strategies(req)],
        language=req.language,
        platforms=[{"name": p, "limit": n} for p, n in req.platforms],
        text_limit=min(req.shortest_limit, MAX_TEXT_CHARS) - _source_room(req),
        source_room=_source_room(req),
        count=req.count,
    )
    return render("system"), user


def rewrite_prompts(req: RewriteRequest) -> tuple[RenderedPrompt, RenderedPrompt]:
    """Render the system prompt and the revise, adapt or translate prompt for a request."""
    common = {
        "text": req.text,
        "avoid_terms": list(req.avoid_terms),
        "limit": req.limit,
    }
    if req.kind == "revise":
        user = render(
            "revise",
            **common,
            language=req.language,
            preset=req.preset,
            instruction=req.instruction,
            avoid_hashtags=list(req.avoid_hashtags),
            knowledge=list(req.knowledge),
        )
    elif req.kind == "adapt":
        user = render(
            "adapt",
            **common,
            language=req.language,
            platform=req.platform,
            avoid_hashtags=list(req.avoid_hashtags),
        )
    else:
        user = render(
            "translate",
            **common,
            source_language=req.language,
            target_language=req.target_language,
        )
    return render("system"), user


def combined_sha256(system: RenderedPrompt, user: RenderedPrompt) -> str:
    """Hash of everything the model was sent before any repair turn."""
    return sha256_text(f"{system.text}\n\n{user.text}")


class _InvalidOutput(Exception):
    """The model's answer could not be used; the text is safe to send back to the model."""


@cache
def _strict_schema_json(wire: type[BaseModel]) -> str:
    return json.dumps(wire.model_json_schema())


def wire_schema(wire: type[BaseModel]) -> tuple[str, dict[str, Any]]:
    """A fixed wire model's name and strict JSON schema."""
    return str(wire.model_config.get("title") or wire.__name__), json.loads(_strict_schema_json(wire))


def _response_format(mode: str, name: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    if mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": schema, "strict": True},
        }
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def _has_counts(schema: dict[str, Any]) -> bool:
    return "minItems" in json.dumps(schema)


def _rejects_counts(exc: openai.APIStatusError) -> bool:
    """True when the server refuses array lengths (minItems/maxItems) in a json_schema."""
    text = f"{exc.message} {json.dumps(exc.body, default=str)}".lower()
    return "minitems" in text or "maxitems" in text


def _on_request(candidate: Candidate, allowed: list[str], language: str) -> bool:
    """True when a candidate keeps to the requested strategies and language."""
    same_language = candidate.language.split("-")[0].lower() == language.split("-")[0].lower()
    return candidate.strategy in allowed and same_language


def _grounded(candidate: Candidate, req: DraftRequest, platforms: list[str]) -> Candidate:
    """Resolve cited fact ids to facts, attach their sources, keep requested platforms only."""
    facts = {fact.id: fact for fact in req.knowledge}
    ids = [i for i in dict.fromkeys(candidate.facts_used) if i in facts]
    # A model that typed a fact's URL instead of its id still cites that fact.
    ids += [f.id for f in req.knowledge if f.id not in ids and f.source_url in candidate.facts_used]
    cited = [facts[i] for i in ids]
    return candidate.model_copy(
        update={
            "text": attach_sources(candidate.text, cited, req.knowledge),
            "variants": {
                p: attach_sources(t, cited, req.knowledge)
                for p, t in candidate.variants.items()
                if p in platforms
            },
            "fact_ids": ids,
            "facts_used": [fact.source_url for fact in cited],
        }
    )


def _rejects_response_format(exc: openai.APIStatusError) -> bool:
    """True when a 400/422 says the server does not support the response_format we sent."""
    text = f"{exc.message} {json.dumps(exc.body, default=str)}".lower()
    return exc.param == "response_format" or any(
        word in text
        for word in (
            "response_format",
            "json_schema",
            "json_object",
            "structured output",
            "minitems",
            "maxitems",
        )
    )


_FENCE = re.compile(r"\A```[a-zA-Z]*\s*(.*?)\s*```\Z", re.DOTALL)


def _load_json(content: str) -> Any:
    """Parse the model's JSON, tolerating a code fence or prose around one object."""
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(text[start : end + 1])
            except json.JSONDecodeError:
                pass
        raise _InvalidOutput(f"The answer is not valid JSON ({exc.msg} at character {exc.pos}).") from exc


def _describe(exc: ValidationError) -> str:
    """Summarise validation errors without echoing the input values back."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False)[:10]:
        where = ".".join(str(part) for part in err["loc"]) or "(top level)"
        lines.append(f"{where}: {err['msg']}")
    return "\n".join(lines)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    for header, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        try:
            return float(headers[header]) / divisor
        except (KeyError, ValueError):
            continue
    return None


def _error_from(exc: openai.OpenAIError, settings: LLMSettings) -> DraftingError:
    """Translate an openai client error into a DraftingError people can act on."""
    import openai  # the SDK (~23 MB) is loaded only by processes that draft

    if isinstance(exc, openai.APITimeoutError):
        return DraftingError(
            "timeout",
            _(
                "The model did not answer within {seconds:g} seconds. Try again, or ask for "
                "fewer drafts at once."
            ).format(seconds=settings.timeout),
        )
    if isinstance(exc, openai.APIConnectionError):
        # The address is for admins (the log), never for the person drafting.
        log.warning(
            "model server unreachable at %s: %s",
            settings.base_url or "the default address",
            type(exc).__name__,
        )
        return DraftingError(
            "unreachable",
            _(
                "Counterpoint could not reach the model server. Ask an admin to check OPENAI_BASE_URL "
                "and that the server is running."
            ),
        )
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return DraftingError(
            "no_key",
            _("The model server refused the API key. Ask an admin to check OPENAI_API_KEY."),
        )
    if isinstance(exc, openai.RateLimitError):
        if exc.code == "insufficient_quota":
            return DraftingError(
                "rate_limited",
                _("The model account has run out of quota. Ask an admin to check the account."),
            )
        wait = _retry_after(exc.response.headers)
        if wait is None:
            message = _("The model server is busy right now. Try again in a minute.")
        elif wait <= 1:
            message = _("The model server is busy right now. Try again in a second.")
        else:
            message = _("The model server is busy right now. Try again in {seconds} seconds.").format(
                seconds=math.ceil(wait)
            )
        return DraftingError("rate_limited", message, retry_after=wait)
    if isinstance(exc, openai.NotFoundError):
        return DraftingError(
            "server_error",
            _(
                "The model server does not offer the model '{model}'. Ask an admin to check "
                "COUNTERPOINT_LLM_MODEL."
            ).format(model=settings.model),
        )
    if isinstance(exc, openai.InternalServerError):
        return DraftingError(
            "server_error",
            _("The model server had an internal error. Try again in a few minutes."),
        )
    if isinstance(exc, openai.APIStatusError):
        return DraftingError(
            "server_error",
            _("The model server rejected the request (HTTP {status}). Try again later.").format(
                status=exc.status_code
            ),
        )
    return DraftingError("server_error", _("The model server failed unexpectedly. Try again later."))


REFUSED_MESSAGE = _(
    "The model declined to write this. Try another strategy or reword the campaign goal; "
    "the alternative narrative is the safest choice."
)
INVALID_OUTPUT_MESSAGE = _(
    "The model answered twice in a shape Counterpoint cannot use. Try again, or ask for fewer drafts."
)


@dataclass
class _Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def add(self, usage: Any) -> None:
        if usage is None:
            return
        self.prompt_tokens = (self.prompt_tokens or 0) + (usage.prompt_tokens or 0)
        self.completion_tokens = (self.completion_tokens or 0) + (usage.completion_tokens or 0)


class OpenAIDrafter:
    """Drafts with any OpenAI-compatible chat-completions server."""

    def __init__(self, settings: LLMSettings) -> None:
        import openai  # the SDK (~23 MB) is loaded only by processes that draft

        self.settings = settings
        self._client = openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or "not-needed",
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )
        self._mode_index = 0
        self._counts_ok = True

    def draft(self, req: DraftRequest) -> DraftOutcome:
        """Draft candidates with the model; off-request candidates are left out and counted."""
        system, user = draft_prompts(req)
        allowed = effective_strategies(req)
        platforms = [p for p, _limit in req.platforms]
        kept: list[Candidate] = []

        def check(batch: DraftBatch) -> str | None:
            kept[:] = [c for c in batch.candidates if _on_request(c, allowed, req.language)]
            if not kept:
                return (
                    f"candidates: strategy or language not allowed; use only the strategies {allowed} "
                    f"and the language {req.language!r}"
                )
            return None

        def schema(count: int | None) -> dict[str, Any]:
            return draft_batch_schema(
                strategies=allowed,
                language=req.language,
                platforms=platforms,
                fact_ids=[fact.id for fact in req.knowledge],
                count=count,
            )

        batch, provenance = self._complete(
            system,
            user,
            schemas=("draft_batch", schema(req.count), schema(None)),
            target=DraftBatch,
            check=check,
            parameters={
                "count": req.count,
                "strategies": allowed,
                "language": req.language,
                "platforms": dict(req.platforms),
                "facts_offered": [fact.id for fact in req.knowledge],
            },
        )
        candidates = [_grounded(c, req, platforms) for c in kept[: req.count]]
        return DraftOutcome(
            candidates=candidates,
            provenance=provenance,
            is_offline=False,
            notice=None,
            dropped=len(batch.candidates) - len(kept),
        )

    def rewrite(self, req: RewriteRequest) -> tuple[Rewrite, Provenance]:
        """Revise, adapt or translate a text with the model."""
        system, user = rewrite_prompts(req)
        parameters: dict[str, Any] = {"kind": req.kind, "language": req.language}
        for name in ("preset", "platform", "limit", "target_language"):
            if getattr(req, name) is not None:
                parameters[name] = getattr(req, name)
        name, schema = wire_schema(WireRewrite)
        return self._complete(system, user, schemas=(name, schema), target=Rewrite, parameters=parameters)

    def review(self, req: ReviewRequest) -> tuple[dict[int, Rating], Provenance]:
        """The model's advisory second reading of drafts, one rating per draft number."""
        system, user = review_prompts(req)
        count = len(req.drafts)
        batch, provenance = self._complete(
            system,
            user,
            schemas=(
                "draft_review",
                review_schema(count, counted=True),
                review_schema(count, counted=False),
            ),
            target=RatingBatch,
            parameters={"count": count, "language": req.language},
        )
        return by_draft(batch, count), provenance

    def _complete(
        self,
        system: RenderedPrompt,
        user: RenderedPrompt,
        *,
        schemas: tuple[Any, ...],
        target: type[T],
        parameters: dict[str, Any],
        check: Callable[[T], str | None] | None = None,
    ) -> tuple[T, Provenance]:
        """Ask the model, fall back through structured modes, repair once, and validate.

        schemas is (name, preferred schema, fallback schema…): a server that rejects the preferred
        json_schema (counts) is asked with the next one before falling back to json_object.
        """
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system.text},
            {"role": "user", "content": user.text},
        ]
        usage = _Usage()
        started = time.monotonic()
        repaired = False
        while True:
            mode = STRUCTURED_MODES[self._mode_index]
            completion = self._call(messages, mode, schemas)
            if completion is None:
                continue  # the server rejected this structured mode; the next one is set
            usage.add(completion.usage)
            content = self._content(completion)
            try:
                result = self._parse(content, target, check)
            except _InvalidOutput as exc:
                if repaired:
                    raise DraftingError("invalid_output", INVALID_OUTPUT_MESSAGE) from exc
                repaired = True
                repair = render("repair", error=str(exc))
                messages += [
                    {"role": "assistant", "content": content},
                    {"role": "user", "content": repair.text},
                ]
                continue
            provenance = Provenance(
                provider="openai-compatible",
                model=completion.model or self.settings.model,
                prompt_name=user.name,
                prompt_version=user.version,
                prompt_sha256=combined_sha256(system, user),
                parameters={
                    **parameters,
                    "system_prompt_version": system.version,
                    "temperature": self.settings.temperature,
                    "repaired": repaired,
                },
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                latency_ms=round((time.monotonic() - started) * 1000),
                structured_mode=mode,
            )
            return result, provenance

    def _call(self, messages: list[dict[str, str]], mode: str, schemas: tuple[Any, ...]) -> Any:
        """One chat-completions call; None when the server rejects this structured mode."""
        import openai  # loaded with the client in __init__

        kwargs: dict[str, Any] = {"model": self.settings.model, "messages": messages}
        name, *options = schemas
        usable = [o for o in options if self._counts_ok or not _has_counts(o)] or options[-1:]
        response_format = _response_format(mode, name, usable[0])
        if response_format is not None:
            kwargs["response_format"] = response_format
        if self.settings.temperature is not None:
            kwargs["temperature"] = self.settings.temperature
        try:
            return self._client.chat.completions.create(**kwargs)
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            if mode != "plain" and _rejects_response_format(exc):
                # Remembered for this drafter so later calls skip what the server rejected.
                if mode == "json_schema" and len(usable) > 1 and _rejects_counts(exc):
                    self._counts_ok = False
                else:
                    self._mode_index = STRUCTURED_MODES.index(mode) + 1
                return None
            raise _error_from(exc, self.settings) from exc
        except openai.OpenAIError as exc:
            raise _error_from(exc, self.settings) from exc

    @staticmethod
    def _content(completion: Any) -> str:
        """The answer's text, or DraftingError('refused') when the model declined."""
        if not completion.choices:
            return ""
        choice = completion.choices[0]
        if getattr(choice.message, "refusal", None) or choice.finish_reason == "content_filter":
            raise DraftingError("refused", REFUSED_MESSAGE)
        return choice.message.content or ""

    @staticmethod
    def _parse(content: str, target: type[T], check: Callable[[T], str | None] | None) -> T:
        """Validate the model's JSON against the target schema and any extra check."""
        try:
            result = target.model_validate(_load_json(content))
        except ValidationError as exc:
            raise _InvalidOutput(_describe(exc)) from exc
        problem = check(result) if check else None
        if problem:
            raise _InvalidOutput(problem)
        return result
