"""Do-no-harm checks on counter-messages (DOMAIN.md rules): pure functions, no I/O after import."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from app.checks.lengths import (
    LengthResult,
    find_hashtags,
    find_mentions,
    find_urls,
    measure,
)
from app.checks.messages import render

__all__ = [
    "CheckReport",
    "ERROR",
    "Finding",
    "PreparedTrend",
    "TrendContext",
    "WARNING",
    "prepare_trend",
    "run_checks",
]


ERROR = "error"
WARNING = "warning"

# Judgement calls, so reviewers know what the checks do and do not catch:
# - claim.unsourced: times, dates, ordinals and a bare year (1800-2099, or a decade such as
#   "1990s") are not claims; a lone number 0-9 is a count ("3 tips"). Any other number, and every
#   percentage, fraction, multiplier or "studies show" phrase, needs a link in the text or the
#   name of a non-URL entry of TrendContext.sources.
# - amplification.evidence_overlap ignores links and handles (evidence_link owns them) and
#   4-word runs made only of function words ("and it is what").
# - amplification.lexicon_term also matches simple plurals (-s, -es) of one-word terms; a
#   leading "@" or "$" is tried both as a letter (leetspeak) and as a sigil.
# - tone.hostile uses the message language's list (en, fr); other languages get both lists.
# - authenticity.identity_claim: "as a <identity>" fires at the start of a sentence or when
#   followed by "I"/"we"; "en tant que <identity>" at the start of a sentence or next to a
#   first-person word. Organisational framing ("as a coalition") never fires.
# - readability.hard: English and French only, texts of 20 words or more.
_DATA = Path(__file__).with_name("data")
_MIN_OVERLAP = 4  # do-no-harm rule 2: longest n-gram shared with evidence stays under 4 tokens
_READABILITY_MIN_WORDS = 20
_READABILITY_MIN_SCORE = 50.0
_MAX_SENTENCE_WORDS = 30


@dataclass(frozen=True)
class Finding:
    """One problem in a text: its code, severity, character span and the parameters of its message.

    The words are not stored: app.checks.messages renders them by message key (the code, or
    "code:variant") in the reader's language at display time.
    """

    code: str
    severity: str
    start: int
    end: int
    variant: str = ""
    params: tuple[tuple[str, str | int], ...] = ()

    @property
    def key(self) -> str:
        """The message key in app.checks.messages.MESSAGES."""
        return f"{self.code}:{self.variant}" if self.variant else self.code

    @property
    def message(self) -> str:
        """The message in the current language (English outside a request)."""
        return render(self.key, dict(self.params))

    def as_dict(self) -> dict:
        """Return the stored shape: code, severity, span, and variant and params when there are any."""
        data: dict = {"code": self.code, "severity": self.severity, "start": self.start, "end": self.end}
        if self.variant:
            data["variant"] = self.variant
        if self.params:
            data["params"] = dict(self.params)
        return data


@dataclass(frozen=True)
class TrendContext:
    """What the checks need to know about the trend(s) a message answers."""

    lexicon_terms: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    evidence_texts: tuple[str, ...] = ()
    evidence_urls: tuple[str, ...] = ()
    evidence_handles: tuple[str, ...] = ()
    extra_hostile_terms: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    # The texts of the knowledge facts a grounded draft cites: its numbers must come from them.
    cited_facts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Callers often pass lists; tuples keep the context hashable so preparation is cached.
        for f in fields(self):
            value = getattr(self, f.name) or ()
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, f.name, tuple(v for v in value if v and v.strip()))


@dataclass(frozen=True)
class CheckReport:
    """Length and findings for one text on one platform."""

    length: LengthResult
    findings: tuple[Finding, ...]

    @property
    def has_errors(self) -> bool:
        """True when a finding blocks submission and approval."""
        return any(f.severity == ERROR for f in self.findings)

    def as_dict(self) -> dict:
        """Return the stored shape (per platform in MessageVersion.findings): length and findings."""
        return {
            "length": {"count": self.length.count, "limit": self.length.limit},
            "findings": [f.as_dict() for f in self.findings],
        }


# --- Folding: lowercase, accents and invisible characters removed, offsets kept -------------

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'"}
_LIGATURES = {"œ": "oe", "æ": "ae"}


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    if ch in _APOSTROPHES:
        return _APOSTROPHES[ch]
    out = []
    for c in unicodedata.normalize("NFKD", ch.casefold()):
        if unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        out.append(_LIGATURES.get(c, c))
    return "".join(out)


@dataclass(frozen=True)
class _Folded:
    """A folded copy of a text and, for each folded character, its index in the original."""

    text: str
    source: str
    index: tuple[int, ...] | None  # None: same offsets as the original (ASCII text)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded span back to the original text, keeping trailing combining marks."""
        if self.index is None:
            return start, end
        if start >= len(self.index):
            return len(self.source), len(self.source)
        orig_start = self.index[start]
        orig_end = self.index[max(end - 1, start)] + 1
        while orig_end < len(self.source) and unicodedata.category(self.source[orig_end]) in (
            "Mn",
            "Me",
        ):
            orig_end += 1
        return orig_start, orig_end


@lru_cache(maxsize=1024)
def _fold(text: str) -> _Folded:
    if text.isascii():
        return _Folded(text.lower(), text, None)
    parts: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        parts.append(folded)
        index.extend([i] * len(folded))
    return _Folded("".join(parts), text, tuple(index))


def _fold_plain(text: str) -> str:
    return _fold(text).text


# --- Term matching: case-, accent- and leetspeak-insensitive, on word boundaries --------------

# Leetspeak: 0→o, 1→i/l, 3→e, 4→a, 5→s, 7→t, @→a, $→s. "l" and "i" share a key because "1"
# stands for either.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "l": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_LEET_TOKEN_RE = re.compile(r"[@$]?[^\W_]+(?:[@$]+[^\W_]+)*")
_WORD_RE = re.compile(r"[^\W_]+")
_TERM_GAP_RE = re.compile(r"[\s\-_'/]*")
_PLURAL_SUFFIXES = ("es", "s")


def _key(token: str) -> str:
    return token.translate(_LEET)


@dataclass(frozen=True, eq=False)
class _TermIndex:
    """Terms split into token keys, indexed by their first token for linear-time matching."""

    by_first: dict[str, list[tuple[tuple[str, ...], bool]]]
    prefixes: frozenset[str]  # single-token wildcard entries ("idiot*")
    min_prefix: int

    @classmethod
    def build(cls, terms: Iterable[str]) -> _TermIndex:
        """Index terms; a trailing * matches any word ending."""
        by_first: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
        prefixes: set[str] = set()
        for term in terms:
            folded = _fold_plain(term.strip())
            wildcard = folded.endswith("*")
            keys = tuple(_key(t) for t in _WORD_RE.findall(folded.rstrip("*")))
            if not keys:
                continue
            if wildcard and len(keys) == 1:
                prefixes.add(keys[0])
            else:
                by_first.setdefault(keys[0], []).append((keys, wildcard))
        for entries in by_first.values():
            entries.sort(key=lambda e: -len(e[0]))
        min_prefix = min((len(p) for p in prefixes), default=0)
        return cls(by_first, frozenset(prefixes), min_prefix)

    def __bool__(self) -> bool:
        return bool(self.by_first or self.prefixes)

    def find(self, folded: _Folded, *, plurals: bool) -> Iterator[tuple[int, int]]:
        """Yield original-text spans of every indexed term in the folded text."""
        tokens = _leet_tokens(folded.text)
        i = 0
        while i < len(tokens):
            end = self._match_at(folded.text, tokens, i, plurals)
            if end is None:
                i += 1
                continue
            yield folded.span(tokens[i][0], tokens[end][1])
            i = end + 1

    def _match_at(
        self, text: str, tokens: list[tuple[int, int, tuple[str, ...]]], i: int, plurals: bool
    ) -> int | None:
        variants = tokens[i][2]
        for key in variants:
            if self._prefix_hit(key):
                return i
            for keys, wildcard in self.by_first.get(key, ()):
                end = _match_rest(text, tokens, i, keys, wildcard)
                if end is not None:
                    return end
            if plurals and self._plural_hit(key):
                return i
        return None

    def _plural_hit(self, key: str) -> bool:
        """True if the token is a single-word term plus an English or French plural ending."""
        for suffix in _PLURAL_SUFFIXES:
            stem = key[: -len(suffix)]
            if not key.endswith(suffix) or len(stem) < 3:
                continue
            if any(len(keys) == 1 for keys, _w in self.by_first.get(stem, ())):
                return True
        return False

    def _prefix_hit(self, key: str) -> bool:
        if not self.prefixes:
            return False
        return any(key[:n] in self.prefixes for n in range(self.min_prefix, len(key) + 1))


def _match_rest(
    text: str,
    tokens: list[tuple[int, int, tuple[str, ...]]],
    i: int,
    keys: tuple[str, ...],
    wildcard: bool,
) -> int | None:
    """Return the index of the last token if keys match the tokens starting at i."""
    if i + len(keys) > len(tokens):
        return None
    for offset in range(1, len(keys)):
        prev_end, (start, _end, variants) = tokens[i + offset - 1][1], tokens[i + offset]
        if not _TERM_GAP_RE.fullmatch(text, prev_end, start):
            return None
        wanted = keys[offset]
        last = offset == len(keys) - 1
        if not any(v == wanted or (last and wildcard and v.startswith(wanted)) for v in variants):
            return None
    return i + len(keys) - 1


@lru_cache(maxsize=256)
def _leet_tokens(folded_text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """Tokens with their leet keys; a leading @ or $ is tried both as a letter and as a sigil."""
    tokens = []
    for m in _LEET_TOKEN_RE.finditer(folded_text):
        word = m.group()
        variants: tuple[str, ...] = (_key(word),)
        if word[0] in "@$":
            variants = (_key(word), _key(word[1:]))
        tokens.append((m.start(), m.end(), variants))
    return tokens


def _load_list(name: str) -> tuple[str, ...]:
    lines = (_DATA / name).read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


_HOSTILE = {
    "en": _TermIndex.build(_load_list("hostile_en.txt")),
    "fr": _TermIndex.build(_load_list("hostile_fr.txt")),
}
_HOSTILE["*"] = _TermIndex.build(_load_list("hostile_en.txt") + _load_list("hostile_fr.txt"))
_STOPWORDS = frozenset(_fold_plain(w) for w in _load_list("stopwords.txt"))


# --- Patterns: calls for exclusion, shaming, telling people to leave, "most X are not Y" ---------


@dataclass(frozen=True)
class Pattern:
    """One do-no-harm pattern from data/patterns.tsv, compiled on folded text."""

    code: str
    language: str
    kind: str
    regex: re.Pattern[str]
    example: str


def _people(language: str) -> tuple[str, str]:
    """The {PEOPLE} and {GROUP} alternations of a language, from data/people_<language>.txt."""
    pronouns: list[str] = []
    groups: list[str] = []
    for line in _load_list(f"people_{language}.txt"):
        kind, _sep, phrase = line.partition(": ")
        (groups if kind == "group" and phrase else pronouns).append(phrase if phrase else line)
    group = "|".join(re.escape(g) for g in sorted(groups, key=len, reverse=True))
    article = (
        r"(?:the |all the |all |these |those )?" if language == "en" else r"(?:les |des |ces |tous les )?"
    )
    people = "|".join(
        [re.escape(p) for p in sorted(pronouns, key=len, reverse=True)] + [f"{article}(?:{group})"]
    )
    return people, group


def load_patterns() -> tuple[Pattern, ...]:
    """Every pattern of data/patterns.tsv with its macros expanded."""
    macros = {}
    for language in ("en", "fr"):
        people, group = _people(language)
        macros[f"{{PEOPLE_{language.upper()}}}"] = people
        macros[f"{{GROUP_{language.upper()}}}"] = group
    patterns = []
    for line in _load_list("patterns.tsv"):
        code, language, kind, regex, example = line.split("\t")
        for macro, value in macros.items():
            regex = regex.replace(macro, value)
        patterns.append(Pattern(code, language, kind, re.compile(regex), example))
    return tuple(patterns)


_PATTERNS = load_patterns()
# A sentence that defends people with the same words ("no one should be thrown out", "kick
# rumours off your feed, not people") is counter-speech, not a call for exclusion.
_DEFENDS_BEFORE_RE = re.compile(
    r"\b(?:no one|nobody|no family|no child|no person|never|personne ne|personne n'|jamais|aucun|aucune|"
    r"ne devrait|ne doit|ne doivent)\b"
)
_DEFENDS_AFTER_RE = re.compile(
    r",? (?:not|pas|jamais) (?:people|persons|neighbours|families|them|the people|les gens|les personnes|"
    r"nos voisins|les familles|eux)\b"
)


# --- Prepared trend --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PreparedTrend:
    """A TrendContext compiled once: term indexes, evidence n-grams, link and handle matchers."""

    context: TrendContext
    lexicon: _TermIndex
    extra_hostile: _TermIndex
    tag_keys: frozenset[str]
    ngrams: frozenset[tuple[str, ...]]
    url_keys: frozenset[str]
    handles: _HandleIndex | None
    source_names: tuple[str, ...]
    fact_numbers: frozenset[str] | None  # None: the text is not grounded in cited facts


@lru_cache(maxsize=128)
def prepare_trend(ctx: TrendContext) -> PreparedTrend:
    """Compile a trend context for fast repeated checks (cached per context)."""
    tag_keys = {_tag_key(tag) for tag in ctx.hashtags}
    tag_keys |= {_tag_key(term) for term in ctx.lexicon_terms}
    ngrams: set[tuple[str, ...]] = set()
    for text in ctx.evidence_texts:
        words = _WORD_RE.findall(_fold_plain(_without_links(text)))
        for i in range(len(words) - _MIN_OVERLAP + 1):
            gram = tuple(words[i : i + _MIN_OVERLAP])
            if not all(w in _STOPWORDS for w in gram):
                ngrams.add(gram)
    urls = set(ctx.evidence_urls)
    handles = set(ctx.evidence_handles)
    for text in ctx.evidence_texts:
        urls.update(text[s:e] for s, e in find_urls(text))
        handles.update(text[s:e] for s, e, _u, _d in find_mentions(text))
    return PreparedTrend(
        context=ctx,
        lexicon=_TermIndex.build(ctx.lexicon_terms),
        extra_hostile=_TermIndex.build(ctx.extra_hostile_terms),
        tag_keys=frozenset(k for k in tag_keys if k),
        ngrams=frozenset(ngrams),
        url_keys=frozenset(k for k in (_url_key(u) for u in urls) if k),
        handles=_HandleIndex.build(handles),
        source_names=tuple(
            _fold_plain(s).strip() for s in ctx.sources if not find_urls(s) and len(s.strip()) >= 3
        ),
        fact_numbers=frozenset(numbers_in(" ".join(ctx.cited_facts))) if ctx.cited_facts else None,
    )


def _tag_key(tag: str) -> str:
    return _key("".join(_WORD_RE.findall(_fold_plain(tag))))


def _url_key(url: str) -> str:
    """Compare links by host and path: no scheme, www., query, fragment or trailing slash."""
    key = re.sub(r"^[a-z]+://", "", url.strip().lower())
    key = re.sub(r"^www\.", "", key)
    key = re.split(r"[?#]", key, maxsplit=1)[0]
    return key.rstrip("/")


# A candidate handle in a text: where the evidence matchers may start, and the longest run they may take.
_HANDLE_TOKEN_RE = re.compile(r"(?<![\w.@＠\-])@?[\w.\-]+(?:@[\w.\-]+)?")
_HANDLE_DOMAIN_RE = re.compile(r"[\w\-]+(?:\.[\w\-]+)+")


@dataclass(frozen=True)
class _HandleIndex:
    """Evidence handles as sets: each candidate in a text is looked up, so time grows with the text, not the evidence.

    Full handles match with or without '@'; bare names only as '@name' (optionally followed by any
    '@server'); dotted bare names (Bluesky) match without '@' too.
    """

    locals_: frozenset[str]
    fulls: frozenset[str]
    dotted: frozenset[str]

    @classmethod
    def build(cls, handles: Iterable[str]) -> _HandleIndex | None:
        locals_, fulls, dotted = set(), set(), set()
        for raw in handles:
            handle = raw.strip().lstrip("@＠").lower()
            if not handle or not re.fullmatch(r"[\w.\-]+(?:@[\w.\-]+)?", handle):
                continue
            local, _at, domain = handle.partition("@")
            locals_.add(local)
            if domain:
                fulls.add(handle)
            elif "." in local:
                dotted.add(local)
        if not locals_:
            return None
        return cls(frozenset(locals_), frozenset(fulls), frozenset(dotted))

    def spans(self, text: str) -> list[tuple[int, int]]:
        found = []
        for m in _HANDLE_TOKEN_RE.finditer(text):
            start, stop = m.span()
            for end in range(stop, start, -1):  # the longest known handle starting here wins
                if not _HANDLE_END_RE.match(text, end) and self._known(text[start:end].lower()):
                    found.append((start, end))
                    break
        return found

    def _known(self, candidate: str) -> bool:
        if candidate.startswith("@"):
            rest = candidate[1:]
            local, _at, domain = rest.partition("@")
            return rest in self.fulls or (
                local in self.locals_ and (not _at or _HANDLE_DOMAIN_RE.fullmatch(domain) is not None)
            )
        return candidate in self.fulls or ("@" not in candidate and candidate in self.dotted)


# A handle may not stop right before a word character, a hyphen, or a dot that continues a name.
_HANDLE_END_RE = re.compile(r"[\w\-]|\.\w")


def _prepared(trend: TrendContext | PreparedTrend | None) -> PreparedTrend:
    if isinstance(trend, PreparedTrend):
        return trend
    return prepare_trend(trend or TrendContext())


# --- The checks ------------------------------------------------------------------------------


@dataclass
class _Ctx:
    """Everything the individual checks share for one text."""

    text: str
    folded: _Folded
    language: str
    trend: PreparedTrend
    urls: list[tuple[int, int]] = field(default_factory=list)
    evidence_spans: list[tuple[int, int]] = field(default_factory=list)


def run_checks(
    text: str,
    *,
    platform: str = "mastodon",
    language: str = "en",
    trend: TrendContext | PreparedTrend | None = None,
    limit: int | None = None,
) -> CheckReport:
    """Run every do-no-harm check and the platform length count on a text."""
    length, problems = measure(text, platform, limit=limit)
    ctx = _Ctx(text, _fold(text), _language(language), _prepared(trend), find_urls(text))
    if ctx.trend.url_keys or ctx.trend.handles is not None:
        ctx.evidence_spans = _evidence_link_spans(ctx)
    findings = [Finding("length.over_limit", ERROR, p.start, p.end, p.variant, p.params) for p in problems]
    for check in _CHECKS:
        findings.extend(check(ctx))
    unique = {(f.start, f.end, f.code, f.variant, f.params): f for f in findings}
    return CheckReport(length, tuple(unique[k] for k in sorted(unique)))


def _language(language: str) -> str:
    return (language or "").strip().lower().replace("_", "-").split("-")[0]


def _check_lexicon(ctx: _Ctx) -> list[Finding]:
    if not ctx.trend.lexicon:
        return []
    return [
        Finding("amplification.lexicon_term", ERROR, s, e)
        for s, e in ctx.trend.lexicon.find(ctx.folded, plurals=True)
    ]


def _check_hashtags(ctx: _Ctx) -> list[Finding]:
    if not ctx.trend.tag_keys:
        return []
    return [
        Finding("amplification.hashtag", ERROR, s, e)
        for s, e in find_hashtags(ctx.text)
        if _tag_key(ctx.text[s + 1 : e]) in ctx.trend.tag_keys
    ]


def _check_evidence_overlap(ctx: _Ctx) -> list[Finding]:
    grams = ctx.trend.ngrams
    if not grams:
        return []
    # Links and handles are judged by the evidence-link check, not as shared words.
    folded = _fold(_without_links(ctx.text))
    words = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(folded.text)]
    covered = [False] * len(words)
    for i in range(len(words) - _MIN_OVERLAP + 1):
        if tuple(w for _s, _e, w in words[i : i + _MIN_OVERLAP]) in grams:
            covered[i : i + _MIN_OVERLAP] = [True] * _MIN_OVERLAP
    findings = []
    for first, last in _runs(covered):
        start, end = folded.span(words[first][0], words[last][1])
        n = last - first + 1
        findings.append(Finding("amplification.evidence_overlap", ERROR, start, end, params=(("n", n),)))
    return findings


def _without_links(text: str) -> str:
    """Blank out links and @handles, keeping every other character at its offset."""
    spans = find_urls(text) + [(s, e) for s, e, _u, _d in find_mentions(text)]
    return _blank_out(text, spans) if spans else text


def _runs(flags: list[bool]) -> Iterator[tuple[int, int]]:
    """Yield (first, last) indexes of each run of True values."""
    start = None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            yield start, i - 1
            start = None


def _evidence_link_spans(ctx: _Ctx) -> list[tuple[int, int]]:
    spans = []
    for s, e in ctx.urls:
        if _is_evidence_url(_url_key(ctx.text[s:e]), ctx.trend.url_keys):
            spans.append((s, e))
    if ctx.trend.handles is not None:
        for start, end in ctx.trend.handles.spans(ctx.text):
            if not any(s <= start and end <= e for s, e in spans):
                spans.append((start, end))
    return spans


def _is_evidence_url(key: str, evidence: frozenset[str]) -> bool:
    """Same post, or a page above it with a path (the author's profile); a bare host is not."""
    if key in evidence:
        return True
    return "/" in key and any(u.startswith(key + "/") for u in evidence)


def _check_evidence_links(ctx: _Ctx) -> list[Finding]:
    if not ctx.evidence_spans:
        return []
    return [Finding("amplification.evidence_link", ERROR, s, e) for s, e in ctx.evidence_spans]


def _check_mentions(ctx: _Ctx) -> list[Finding]:
    findings = []
    for start, end, _user, _domain in find_mentions(ctx.text):
        if any(s < end and start < e for s, e in ctx.evidence_spans + ctx.urls):
            continue
        handle = ctx.text[start:end]
        findings.append(Finding("mention.handle", WARNING, start, end, params=(("handle", handle),)))
    return findings


def _check_tone(ctx: _Ctx) -> list[Finding]:
    index = _HOSTILE.get(ctx.language, _HOSTILE["*"])
    spans = list(index.find(ctx.folded, plurals=False))
    if ctx.trend.extra_hostile:
        spans += ctx.trend.extra_hostile.find(ctx.folded, plurals=True)
    return [Finding("tone.hostile", ERROR, s, e) for s, e in spans]


# Claims: percentages, fractions, large or grouped numbers, multipliers and "studies show".
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|janvier|fevrier|mars|avril|mai|juin|"
    "juillet|aout|septembre|octobre|novembre|decembre|janv|fevr|avr|juil"
)
_NOT_A_CLAIM_RE = re.compile(
    r"\b\d{1,2}(?::\d{2}|h\d{2}\b| ?h\b| ?(?:am|pm|a\.m\.|p\.m\.)(?!\w))"  # times
    r"|\b\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}\b|\b24/7\b"  # numeric dates
    rf"|\b\d{{1,2}}(?:st|nd|rd|th|er|e)? (?:of )?(?:{_MONTHS})\b"  # 5 May, 5th of May, 5 mai
    rf"|\b(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?\b"  # May 5th
    r"|\b\d+(?:st|nd|rd|th|er|re|e|eme|ieme)\b"  # ordinals: 3rd, 1er, 2e, 3eme
    r"|\b(?:1[89]\d\d|20\d\d)s?\b"  # a bare year (1800-2099) or decade is a date, not a statistic
)
_NUMBER = r"\d+(?:[.,]\d+)?"
_CLAIM_RE = re.compile(
    rf"{_NUMBER} ?(?:%|percent\b|per cent\b|pour ?cent\b)"
    r"|\b\d+ (?:in|out of|sur) \d+\b"
    r"|\b(?:one|two|three|four|nine|un|une|deux|trois|quatre|neuf) (?:in|out of|sur) "
    r"(?:two|three|four|five|six|ten|hundred|deux|trois|quatre|cinq|six|dix|cent)\b"
    r"|\b(?:half|a third|two thirds|a quarter|three quarters|the (?:vast )?majority) of\b"
    r"|\b(?:la moitie|un tiers|deux tiers|un quart|trois quarts|la (?:grande )?majorite) d(?:es?\b|')"
    rf"|\b{_NUMBER} ?(?:thousand|million|billion|trillion|milliers?|millions?|milliards?|bn|k|times|fois)\b"
    r"|\b\d{1,3}(?:[ ,.]\d{3})+\b"
    r"|\b(?:studies|research|science|data|statistics|surveys?|figures|experts|scientists|evidence) "
    r"(?:clearly )?(?:shows?|showed|shown|proves?|proved|proven|finds?|found|confirms?|confirmed|"
    r"suggests?|demonstrates?|agree|says?)\b"
    r"|\b(?:a|one|the|a recent|new|recent) (?:study|report|survey|poll|analysis) "
    r"(?:shows|showed|found|finds|proves|proved|confirms|confirmed|suggests|reveals|revealed)\b"
    r"|\baccording to (?:a |the |recent |new |official )*(?:study|studies|research|report|survey|"
    r"poll|data|statistics|figures|experts)\b"
    r"|\b(?:it is|it's) (?:scientifically )?proven\b"
    r"|\b(?:les |des |de nombreuses |plusieurs )?(?:etudes|recherches|chiffres|statistiques|donnees|"
    r"enquetes|experts|scientifiques) (?:le )?(?:montrent|prouvent|demontrent|indiquent|confirment|"
    r"revelent|s'accordent)\b"
    r"|\b(?:une|la|cette) (?:etude|enquete|recherche|analyse) (?:a )?(?:montre|prouve|revele|"
    r"confirme|indique)\b"
    r"|\bselon (?:une |les |des |la |de recentes |plusieurs )?(?:etudes?|recherches?|chiffres|"
    r"statistiques|donnees|enquetes?|experts|sondages?)\b"
    r"|\bil est (?:scientifiquement )?prouve\b"
)
_BARE_NUMBER_RE = re.compile(r"(?<![\w.,])(\d+)(?:[.,]\d+)?(?![\w])")


_NUMBER_RE = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d+)?")


def numbers_in(text: str) -> set[str]:
    """The numbers of a text, without thousands separators ("12,000" and "12 000" give "12000")."""
    found = set()
    for match in _NUMBER_RE.finditer(text):
        raw = re.sub(r"[,.\u00a0\u202f ](?=\d{3}(?!\d))", "", match.group())
        found.add(raw.replace(",", "."))
    return found


def _check_claims(ctx: _Ctx) -> list[Finding]:
    sourced = bool(ctx.urls or _cites_source(ctx))
    if sourced and ctx.trend.fact_numbers is None:
        return []
    text = ctx.folded.text
    masked = [m.span() for m in _NOT_A_CLAIM_RE.finditer(text)]
    masked += [_folded_span(ctx, s, e) for s, e, _u, _d in find_mentions(ctx.text)]
    masked += [_folded_span(ctx, s, e) for s, e in find_hashtags(ctx.text)]
    spans = [m.span() for m in _CLAIM_RE.finditer(text)]
    # A lone small number ("3 tips") is a count, not a statistic; 10 and above is treated as one.
    spans += [m.span() for m in _BARE_NUMBER_RE.finditer(text) if int(m.group(1)) >= 10]
    spans = [(s, e) for s, e in spans if not any(ms <= s and e <= me for ms, me in masked)]
    if sourced:
        return _numbers_outside_cited_facts(ctx, spans)
    return [Finding("claim.unsourced", WARNING, *ctx.folded.span(s, e)) for s, e in _merge(spans)]


def _numbers_outside_cited_facts(ctx: _Ctx, spans: list[tuple[int, int]]) -> list[Finding]:
    """In a grounded text, a number the cited facts do not contain is unsourced, link or not."""
    allowed = ctx.trend.fact_numbers or frozenset()
    findings = []
    for s, e in _merge(spans):
        start, end = ctx.folded.span(s, e)
        if numbers_in(ctx.text[start:end]) - allowed:
            findings.append(Finding("claim.unsourced", WARNING, start, end, "cited"))
    return findings


def _cites_source(ctx: _Ctx) -> bool:
    return any(name in ctx.folded.text for name in ctx.trend.source_names)


def _folded_span(ctx: _Ctx, start: int, end: int) -> tuple[int, int]:
    """Map an original span to the folded text (inverse of _Folded.span)."""
    index = ctx.folded.index
    if index is None:
        return start, end
    return bisect_left(index, start), bisect_left(index, end)


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_W = r"[a-z'\-]+"
_STEREOTYPE_RE = re.compile(
    rf"\bnot all (?:of )?(?:the |these |those )?{_W}(?: {_W})? (?:are|is|were|was|do|does|did|have|"
    r"has|want|wants|hate|hates|support|supports|commit|commits|believe|believes|think|thinks|can|"
    r"will|should)\b"
    rf"|\bnot every {_W}(?: {_W})? (?:is|was|does|has|wants|can|will|hates|supports|commits)\b"
    r"|\b(?:they|these people|those people) (?:are not|aren't|arent) all\b"
    rf"|\btou(?:s|tes) les {_W}(?: {_W})? ne (?:sont|font|veulent|pensent|croient|commettent|"
    r"soutiennent) pas\b"
    r"|\bce ne sont pas tou(?:s|tes)\b"
    r"|\b(?:ils|elles) ne sont pas tou(?:s|tes)(?: des)?\b"
    r"|\bpas tou(?:s|tes) des\b"
)


def _check_stereotype(ctx: _Ctx) -> list[Finding]:
    return [
        Finding("stereotype.negated_generalisation", WARNING, *ctx.folded.span(*m.span()))
        for m in _STEREOTYPE_RE.finditer(ctx.folded.text)
    ]


def _check_patterns(ctx: _Ctx) -> list[Finding]:
    """The data-file patterns of the message's language (both languages for any other)."""
    findings = []
    text = ctx.folded.text
    for pattern in _PATTERNS:
        if ctx.language in ("en", "fr") and pattern.language != ctx.language:
            continue
        for m in pattern.regex.finditer(text):
            if pattern.kind == "exclusion" and _defends_people(text, m.start(), m.end()):
                continue
            severity = ERROR if pattern.code == "tone.hostile" else WARNING
            # Exclusion, shaming and "go back" patterns say so; a generalisation pattern reads as the
            # stereotype check does (app.checks.messages).
            variant = "exclusion" if pattern.code == "tone.hostile" else ""
            findings.append(Finding(pattern.code, severity, *ctx.folded.span(*m.span()), variant))
    return findings


def _defends_people(text: str, start: int, end: int) -> bool:
    """True when the sentence around a match speaks up for people rather than against them."""
    left = max(text.rfind(p, 0, start) for p in ".!?\n;")
    rights = [i for i in (text.find(p, end) for p in ".!?\n;") if i != -1]
    before, after = text[left + 1 : start], text[end : min(rights, default=len(text))]
    return bool(_DEFENDS_BEFORE_RE.search(before) or _DEFENDS_AFTER_RE.search(after))


_IDENTITY_EN = (
    r"(?:muslim|jew|jewish|christian|catholic|hindu|sikh|buddhist|atheist|black|arab|asian|"
    r"african|latino|latina|roma|romani|traveller|immigrant|migrant|refugee|asylum seeker|gay|"
    r"lesbian|bisexual|trans|transgender|queer|non-binary|nonbinary|disabled|wheelchair user|"
    r"autistic|woman|women|man|men|mother|father|mum|mom|dad|parent|grandmother|grandfather|"
    r"daughter|son|survivor|veteran|person of colou?r)s?"
)
_IDENTITY_FR = (
    r"(?:musulman|musulmane|juif|juive|chretien|chretienne|catholique|hindou|hindoue|sikh|"
    r"bouddhiste|athee|noir|noire|arabe|asiatique|africain|africaine|rom|tzigane|immigre|"
    r"immigree|migrant|migrante|refugie|refugiee|exile|exilee|demandeu(?:r|se) d'asile|gay|gai|"
    r"lesbienne|bisexuel|bisexuelle|trans|transgenre|queer|non-binaire|handicape|handicapee|"
    r"femme|homme|mere|pere|parent|grand-mere|grand-pere|fille|fils|survivant|survivante)s?"
)
_AS_IDENTITY_RE = re.compile(rf"\bas (?:an? )?(?:{_W} ){{0,2}}{_IDENTITY_EN}\b")
_EN_TANT_QUE_RE = re.compile(rf"\ben tant qu(?:e |')(?:{_W} ){{0,2}}{_IDENTITY_FR}\b")
_IDENTITY_RE = re.compile(
    r"\bspeaking as\b"
    rf"|\b(?:i am|i'm|im|i was|i've been|i have been|we are|we're)(?: (?:also|myself|proudly|"
    rf"a|an|proud))* (?:{_W} )?{_IDENTITY_EN}\b"
    r"|\bas someone who (?:grew up|was born|fled|came|arrived|lived|survived)\b"
    r"|\bmy (?:family|parents|grandparents|mother|father|mum|mom|dad) (?:fled|came here|arrived|"
    r"migrated|emigrated|immigrated)\b"
    rf"|\bwe {_IDENTITY_EN}\b"
    rf"|\b(?:je suis|j'etais|j'ai ete|nous sommes|nous etions)(?: (?:moi-meme|aussi|fier|fiere|"
    rf"une?|des))* (?:{_W} )?{_IDENTITY_FR}\b"
    r"|\bma famille a fui\b|\bmes (?:parents|grands-parents) (?:ont fui|sont arrives|ont emigre)\b"
    rf"|\bnous,? (?:les )?{_IDENTITY_FR}\b"
)
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?\n:;\"«(]\s*)$")
_FIRST_PERSON_AFTER_RE = re.compile(r",?\s*(?:i|we|i'm|we're|je|j'|nous)\b")
_FIRST_PERSON_FR_RE = re.compile(r"\b(?:je|j'|nous|moi)\b|j'")


def _check_identity(ctx: _Ctx) -> list[Finding]:
    text = ctx.folded.text
    spans = [m.span() for m in _IDENTITY_RE.finditer(text)]
    for m in _AS_IDENTITY_RE.finditer(text):
        # "As a Muslim mother, I…" claims an identity; "we see him as a father" does not.
        if _SENTENCE_START_RE.search(text, 0, m.start()) or _FIRST_PERSON_AFTER_RE.match(text, m.end()):
            spans.append(m.span())
    for m in _EN_TANT_QUE_RE.finditer(text):
        sentence = _sentence_around(text, m.start(), m.end())
        if _SENTENCE_START_RE.search(text, 0, m.start()) or _FIRST_PERSON_FR_RE.search(sentence):
            spans.append(m.span())
    return [Finding("authenticity.identity_claim", WARNING, *ctx.folded.span(s, e)) for s, e in _merge(spans)]


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(p, 0, start) for p in ".!?\n")
    rights = [i for i in (text.find(p, end) for p in ".!?\n") if i != -1]
    return text[left + 1 : min(rights, default=len(text))]


_PLACEHOLDER_RE = re.compile(
    r"\[[A-Z][A-Z0-9 _\-/]*\]"
    r"|\[(?i:insert|add|your|link|source|url|name|lien|nom|ajouter)\b[^\]\n]*\]"
    r"|\b(?:TODO|TBD|FIXME|XXX+)\b"
    r"|\{\{|\}\}|\{[a-z_][a-z0-9_]*\}"
    r"|(?i:<insert\b[^>\n]*>?|lorem ipsum)"
)


def _check_placeholders(ctx: _Ctx) -> list[Finding]:
    findings = []
    for m in _PLACEHOLDER_RE.finditer(ctx.text):
        token = m.group()
        findings.append(
            Finding("placeholder.unfilled", ERROR, m.start(), m.end(), params=(("token", token),))
        )
    return findings


# Readability: Flesch reading ease (English) and its Kandel & Moles adaptation (French, 1958).
_SENTENCE_RE = re.compile(r"[^.!?…\n]+[.!?…]*")
_READ_WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*")
_EN_SILENT_END_RE = re.compile(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$")
_EN_VOWELS_RE = re.compile(r"[aeiouy]{1,2}")
_FR_VOWELS_RE = re.compile(r"[aeiouyàâäéèêëîïôöùûüÿœæ]+")


def _syllables_en(word: str) -> int:
    word = word.lower()
    if len(word) <= 3:
        return 1
    word = _EN_SILENT_END_RE.sub(lambda m: m.group()[0], word)
    return max(1, len(_EN_VOWELS_RE.findall(word.removeprefix("y"))))


def _syllables_fr(word: str) -> int:
    word = word.lower().replace("’", "'").split("'")[-1]
    count = len(_FR_VOWELS_RE.findall(word))
    # A final unaccented -e / -es is silent in French ("France", "femmes").
    if len(word) > 3 and re.search(r"[^aeiouyàâäéèêëîïôöùûüÿ](?:e|es)$", word):
        count -= 1
    return max(1, count)


def _check_readability(ctx: _Ctx) -> list[Finding]:
    if ctx.language not in ("en", "fr"):
        return []
    text = _blank_out(ctx.text, ctx.urls + [(s, e) for s, e, _u, _d in find_mentions(ctx.text)])
    text = _blank_out(text, find_hashtags(text))
    sentences = []
    for m in _SENTENCE_RE.finditer(text):
        words = _READ_WORD_RE.findall(m.group())
        if words:
            sentences.append((m.start(), m.end(), words))
    all_words = [w for _s, _e, ws in sentences for w in ws]
    if len(all_words) < _READABILITY_MIN_WORDS:
        return []
    findings = []
    for start, end, words in sentences:
        if len(words) > _MAX_SENTENCE_WORDS:
            span = _strip_span(ctx.text, start, end)
            findings.append(Finding("readability.hard", WARNING, *span, "sentence", (("n", len(words)),)))
    score = _reading_ease(ctx.language, all_words, len(sentences))
    if score < _READABILITY_MIN_SCORE:
        span = _strip_span(ctx.text, 0, len(ctx.text))
        findings.append(Finding("readability.hard", WARNING, *span, "text", (("score", round(score)),)))
    return findings


def reading_ease(text: str, language: str) -> float:
    """Flesch reading ease (Kandel & Moles in French) of a text; higher reads more easily."""
    language = _language(language)
    plain = _blank_out(text, find_urls(text) + [(s, e) for s, e, _u, _d in find_mentions(text)])
    plain = _blank_out(plain, find_hashtags(plain))
    sentences = [w for m in _SENTENCE_RE.finditer(plain) if (w := _READ_WORD_RE.findall(m.group()))]
    words = [w for ws in sentences for w in ws]
    if not words:
        return 0.0
    return _reading_ease("fr" if language == "fr" else "en", words, len(sentences))


def _reading_ease(language: str, words: list[str], sentences: int) -> float:
    if language == "fr":
        syllables = sum(_syllables_fr(w) for w in words)
        return 207 - 1.015 * len(words) / sentences - 73.6 * syllables / len(words)
    syllables = sum(_syllables_en(w) for w in words)
    return 206.835 - 1.015 * len(words) / sentences - 84.6 * syllables / len(words)


def _blank_out(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Replace spans with spaces, keeping offsets (links and handles are not words)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_CHECKS = (
    _check_placeholders,
    _check_tone,
    _check_lexicon,
    _check_hashtags,
    _check_evidence_overlap,
    _check_evidence_links,
    _check_mentions,
    _check_claims,
    _check_stereotype,
    _check_patterns,
    _check_identity,
    _check_readability,
)
