"""Template-based starting points when no model is connected: deterministic and honest about it."""

from __future__ import annotations

import hashlib
import random
import re
import time

from app.campaigns.strategies import _, allowed_strategies
from app.drafting.llm import (
    DraftOutcome,
    DraftRequest,
    KnowledgeItem,
    Provenance,
    RewriteRequest,
    effective_strategies,
)
from app.drafting.schemas import Candidate, Explanation, Rewrite
from app.drafting.variety import NEAR_DUPLICATE, shingles, similarity

TEMPLATES_VERSION = 2
# A longer fact would crowd out the message; a human picks or shortens it instead.
MAX_FACT_CHARS = 400
MAX_HASHTAGS = 5
# Strategies that cannot be written without a vetted fact: never with a placeholder instead.
FACT_STRATEGIES = frozenset({"facts"})

# Openings, written in each language (not translated), so drafts of a batch do not all start alike.
# The empty opening lets the template speak first. Facts drafts lead with the fact instead.
OPENINGS: dict[str, tuple[str, ...]] = {
    "en": (
        "",
        "A moment before you share:",
        "Worth a second look.",
        "Let's take a breath.",
        "Here is another way to see it.",
        "Something to keep in mind.",
    ),
    "fr": (
        "",
        "Avant de partager, un instant :",
        "Ça vaut la peine d'y regarder de plus près.",
        "Prenons le temps d'en parler.",
        "Voici une autre façon de voir les choses.",
        "Gardons ceci en tête.",
    ),
}

OFFLINE_NOTICE = _(
    "No language model is connected, so these drafts come from built-in templates: treat them "
    "as starting points and edit them. To draft with a model, an admin sets OPENAI_API_KEY "
    "(and OPENAI_BASE_URL for a self-hosted OpenAI-compatible server) and COUNTERPOINT_LLM_MODEL."
)

# Humanising phrases for the people targeted: "our neighbours", never the trend's own words.
GROUP_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "MIGRANTS": "our neighbours who moved here",
        "MUSLIMS": "our Muslim neighbours",
        "JEWS": "our Jewish neighbours",
        "LGBT+": "our LGBT+ neighbours",
        "POC": "our neighbours of colour",
        "WOMEN": "the women around us",
        "DISABLED": "our disabled neighbours",
        "ROMA": "our Roma neighbours",
        "": "our neighbours",
    },
    "fr": {
        "MIGRANTS": "nos voisins venus d'ailleurs",
        "MUSLIMS": "nos voisins musulmans",
        "JEWS": "nos voisins juifs",
        "LGBT+": "nos voisins LGBT+",
        "POC": "nos voisins de toutes origines",
        "WOMEN": "les femmes qui nous entourent",
        "DISABLED": "nos voisins en situation de handicap",
        "ROMA": "nos voisins roms",
        "": "nos voisins",
    },
}

# Templates per language and strategy. {group} is a humanising phrase ({Group} capitalised);
# {fact} and {source} come from the knowledge list. No invented anecdotes or identity claims.
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "facts": (
            (
                "Fact: {fact}\nSource: {source}\n\nYou may see posts saying otherwise about {group}. "
                "That claim is misleading: it takes a few stories and ignores the full picture. "
                "The facts are clear and worth sharing."
            ),
            (
                "Here is what the evidence shows: {fact} ({source}). A misleading claim about {group} "
                "is going around. It leaves out most of the facts. Check the source before you share."
            ),
            (
                "{fact} ({source})\n\nA post about {group} says the opposite? Careful: that claim "
                "is misleading, because it blames a whole group for a few stories. Share what the "
                "source says."
            ),
        ),
        "question": (
            (
                "When we hear sweeping claims about {group}, it helps to ask: what do we actually "
                "know about the people we meet every day? What do we share with them?"
            ),
            (
                "What would change if we judged people by what they do, not by a label? "
                "Think about {group}. What hopes do we have in common?"
            ),
        ),
        "hypocrisy": (
            (
                "A claim that blames a whole group for the acts of a few would never be accepted "
                "if it were aimed at our own families. The same fairness applies to {group}."
            ),
            (
                "We all ask to be judged as individuals. A message that judges {group} as one block "
                "asks for a fairness it refuses to give."
            ),
        ),
        "empathy_affiliation": (
            (
                "{Group} get up early, take children to school, worry about rent and cheer for the "
                "local team. Before sharing a post about them, picture the people behind it."
            ),
            (
                "Behind every post about {group} are real people with families, jobs and plans. "
                "Try to see the day through their eyes: what would you want others to know?"
            ),
        ),
        "denouncing": (
            (
                "Posts that target {group} are harmful: they blame a whole group and make it easier "
                "to treat people unfairly. We can debate any policy without targeting people."
            ),
            (
                "This kind of message is not an opinion about a policy. It singles out {group} and "
                "spreads fear. That is harmful, and we can say so calmly."
            ),
        ),
        "consequences": (
            (
                "Posts that target {group} do not stay online. They make people feel unsafe on the "
                "bus, at school and at work, and they make neighbours trust each other less."
            ),
            (
                "Words shape how we treat each other. When {group} are targeted online, families "
                "feel it offline: in shops, in schools, in how safe they feel at home."
            ),
        ),
        "humor": (
            (
                "Blaming one group for everything is a bit like blaming the umbrella for the rain: "
                "easy, but it keeps nobody dry. Let's talk about what actually helps all of us."
            ),
            (
                "If one group really caused every problem, fixing the world would be very simple. "
                "Sadly, real life needs real answers. Let's look for them together."
            ),
        ),
        "alternative": (
            (
                "Good neighbours look out for each other. {Group} and everyone else here share the "
                "same hopes: safe streets, good schools and a fair chance. That is what holds a "
                "community together."
            ),
            (
                "A strong community is built by everyone who lives in it. Shared hopes, shared work "
                "and a kind word go further than fear. Let's keep building it together."
            ),
            (
                "On our street, the baker, the nurse and the bus driver all know each other by name. "
                "{Group} are part of that. Towns stay strong when everyone gets a fair chance."
            ),
            (
                "What makes a place feel like home? People who say hello, help with the shopping "
                "and turn up when it matters. That is the town we want, with {group} in it."
            ),
        ),
    },
    "fr": {
        "facts": (
            (
                "Fait : {fact}\nSource : {source}\n\nCertains messages affirment le contraire au sujet "
                "de {group}. C'est trompeur : on prend quelques histoires et on oublie le reste. "
                "Les faits sont clairs et méritent d'être partagés."
            ),
            (
                "Voici ce que montrent les données : {fact} ({source}). Une affirmation trompeuse "
                "circule au sujet de {group}. Elle oublie l'essentiel. Vérifiez la source avant "
                "de partager."
            ),
            (
                "{fact} ({source})\n\nUn message sur {group} affirme le contraire ? Attention, "
                "c'est trompeur : il accuse tout un groupe à partir de quelques histoires. "
                "Partageons plutôt ce que dit la source."
            ),
        ),
        "question": (
            (
                "Quand on entend des généralités sur {group}, posons-nous une question : que "
                "savons-nous vraiment des personnes que nous croisons chaque jour ? Qu'avons-nous "
                "en commun ?"
            ),
            (
                "Et si on jugeait les gens sur ce qu'ils font, pas sur une étiquette ? Pensons à "
                "{group}. Quels espoirs partageons-nous ?"
            ),
        ),
        "hypocrisy": (
            (
                "Accuser tout un groupe pour les actes de quelques-uns, personne ne l'accepterait "
                "pour sa propre famille. La même justice vaut pour {group}."
            ),
            (
                "Nous demandons tous à être jugés comme des personnes. Un message qui juge {group} "
                "en bloc réclame une justice qu'il refuse aux autres."
            ),
        ),
        "empathy_affiliation": (
            (
                "{Group}, ce sont des gens qui se lèvent tôt, emmènent les enfants à l'école, "
                "s'inquiètent pour le loyer. Avant de partager un message, pensons aux personnes "
                "derrière."
            ),
            (
                "Derrière chaque message sur {group}, il y a des familles, des emplois, des projets. "
                "Mettons-nous à leur place : que voudrions-nous que les autres sachent ?"
            ),
        ),
        "denouncing": (
            (
                "Les messages qui visent {group} font du mal : ils accusent tout un groupe et "
                "rendent l'injustice plus facile. On peut débattre de tout sans viser des personnes."
            ),
            (
                "Ce type de message n'est pas un avis sur une politique. Il cible {group} et répand "
                "la peur. C'est nuisible, et on peut le dire calmement."
            ),
        ),
        "consequences": (
            (
                "Les messages qui visent {group} ne restent pas en ligne. Ils font peur dans le bus, "
                "à l'école, au travail, et ils abîment la confiance entre voisins."
            ),
            (
                "Les mots changent notre façon de nous traiter. Quand on vise {group} en ligne, "
                "les familles le ressentent dans la rue, à l'école, chez elles."
            ),
        ),
        "humor": (
            (
                "Accuser un seul groupe de tout, c'est comme accuser le parapluie de la pluie : "
                "facile, mais ça ne protège personne. Parlons plutôt de ce qui aide vraiment."
            ),
            (
                "Si un seul groupe causait tous nos problèmes, tout serait si simple à régler. "
                "Hélas, la vraie vie demande de vraies réponses. Cherchons-les ensemble."
            ),
        ),
        "alternative": (
            (
                "De bons voisins veillent les uns sur les autres. {Group} et tous les habitants "
                "d'ici partagent les mêmes espoirs : des rues sûres, de bonnes écoles, une chance "
                "équitable. C'est ça, une communauté."
            ),
            (
                "Une communauté solide se construit avec tous ceux qui y vivent. Des espoirs "
                "partagés et un mot gentil vont plus loin que la peur. Continuons ensemble."
            ),
            (
                "Dans notre rue, la boulangère, l'infirmier et le chauffeur de bus se connaissent "
                "par leur prénom. {Group} en font partie. Une ville tient debout quand chacun a sa "
                "chance."
            ),
            (
                "Qu'est-ce qui fait qu'on se sent chez soi ? Des gens qui disent bonjour, qui donnent "
                "un coup de main et qui sont là quand il le faut. C'est la ville que nous voulons, "
                "avec {group}."
            ),
        ),
    },
}

_SENTENCE_END = re.compile(r"((?<=[.!?…])[ \t]+|\s*\n\s*)")
_FRENCH_CONTRACTIONS = ((re.compile(r"\bde les\b"), "des"), (re.compile(r"\bà les\b"), "aux"))
_URL = re.compile(r"https?://\S+")


def _seed(*parts: object) -> int:
    """A stable seed from the inputs, so the same request gives the same drafts."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _strategies_without_facts(req: DraftRequest) -> tuple[list[str], tuple[str, ...]]:
    """Without a usable fact: the requested strategies that need none, else any allowed that needs none."""
    requested = effective_strategies(req)
    skipped = tuple(k for k in requested if k in FACT_STRATEGIES)
    kept = [k for k in requested if k not in FACT_STRATEGIES]
    if not kept:
        allowed = allowed_strategies(req.trend.severity, req.campaign.mode)
        kept = [k for k in allowed if k not in FACT_STRATEGIES]
    return kept, skipped


def _with_opening(lead: str, text: str) -> str:
    """Put an opening before a template; after a colon the sentence goes on in lower case."""
    if not lead:
        return text
    if lead.endswith(":") and not re.match(r"I\b", text):
        text = text[:1].lower() + text[1:]
    return f"{lead} {text}"


def _has_term(text: str, terms: tuple[str, ...]) -> bool:
    folded = text.casefold()
    return any(term.strip() and term.strip().casefold() in folded for term in terms)


def _base_language(language: str) -> str:
    code = language.split("-")[0].lower()
    return code if code in TEMPLATES else "en"


def _group_phrase(language: str, groups: tuple[str, ...], lexicon: tuple[str, ...]) -> str:
    """A humanising phrase for the one group targeted, else a general 'our neighbours'."""
    phrases = GROUP_PHRASES[language]
    known = [g.upper() for g in groups if g.upper() in phrases]
    phrase = phrases[known[0]] if len(known) == 1 else phrases[""]
    return phrases[""] if _has_term(phrase, lexicon) else phrase


def _hashtag_line(campaign_tags: tuple[str, ...], trend_tags: tuple[str, ...]) -> str:
    """Campaign hashtags, never the hate campaign's own (DOMAIN.md rule 3)."""
    banned = {t.lstrip("#").casefold() for t in trend_tags}
    tags = [t.lstrip("#") for t in campaign_tags if t.strip("# ")]
    kept = [t for t in dict.fromkeys(tags) if t.casefold() not in banned]
    return " ".join(f"#{t}" for t in kept[:MAX_HASHTAGS])


def _with_period(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _contract_french(text: str) -> str:
    """Apply French contractions a filled phrase may need ("de les femmes" → "des femmes")."""
    for pattern, replacement in _FRENCH_CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def fit_to_limit(text: str, limit: int, *, cut: bool = True) -> str:
    """Drop whole sentences (keeping the first, any with a URL, and hashtags if room) to fit.

    When even the kept sentences are too long, cut at a word with an ellipsis, unless cut=False.
    """
    if len(text) <= limit:
        return text
    body, _sep, tags = text.partition("\n\n#")
    tags = f"#{tags}" if _sep else ""
    parts = _SENTENCE_END.split(body.strip())
    sentences, separators = parts[0::2], [*parts[1::2], ""]
    keep = [i == 0 or bool(_URL.search(s)) for i, s in enumerate(sentences)]

    def joined(flags: list[bool]) -> str:
        # Each kept sentence keeps the separator that followed it, so line breaks survive.
        pieces = [
            piece
            for sentence, sep, kept in zip(sentences, separators, flags, strict=True)
            if kept
            for piece in (sentence, sep)
        ]
        return "".join(pieces[:-1])

    for i in range(len(sentences)):
        trial = [k or j == i for j, k in enumerate(keep)]
        if len(joined(trial)) <= limit:
            keep = trial
    result = joined(keep)
    if tags and len(result) + 2 + len(tags) <= limit:
        result = f"{result}\n\n{tags}"
    if cut and len(result) > limit:
        cut_text = result[: limit - 1].rsplit(" ", 1)[0]
        result = cut_text.rstrip(" ,;:") + "…"
    return result


class OfflineDrafter:
    """Drafts from built-in templates when no model is configured."""

    def draft(self, req: DraftRequest) -> DraftOutcome:
        """Compose deterministic, distinct starting points: never a copy of an existing message."""
        started = time.monotonic()
        language = _base_language(req.language)
        facts = [
            k
            for k in req.knowledge
            if len(k.text) <= MAX_FACT_CHARS and not _has_term(k.text, req.trend.lexicon)
        ]
        strategies, skipped = _strategies_without_facts(req) if not facts else (effective_strategies(req), ())
        rng = random.Random(_seed(req))  # noqa: S311  # nosec B311: reproducible template choice, not security
        offsets = {key: rng.randrange(len(TEMPLATES[language][key])) for key in strategies}
        opening_offset = rng.randrange(len(OPENINGS[language]))
        tags = _hashtag_line(req.campaign.hashtags, req.trend.hashtags)
        taken = [shingles(text) for text in req.existing]
        candidates = []
        for index in range(req.count):
            key = strategies[index % len(strategies)]
            round_ = index // len(strategies)
            fact = facts[(round_ + offsets[key]) % len(facts)] if facts and key in FACT_STRATEGIES else None
            text = self._distinct_text(
                req, language, key, offsets[key] + round_, opening_offset + index, fact, taken
            )
            if text is None:
                continue  # every wording of this strategy is already in use
            taken.append(shingles(text))
            candidates.append(self._candidate(req, language, key, text, tags, fact))
        return DraftOutcome(
            candidates=candidates,
            provenance=self._provenance(req, started, strategies, language),
            is_offline=True,
            notice=OFFLINE_NOTICE,
            skipped_for_facts=skipped,
            shortfall=req.count - len(candidates),
        )

    @staticmethod
    def _candidate(
        req: DraftRequest, language: str, key: str, text: str, tags: str, fact: KnowledgeItem | None
    ) -> Candidate:
        if tags:
            text = f"{text}\n\n{tags}"
        variants = {p: fit_to_limit(text, n) for p, n in req.platforms if len(text) > n}
        return Candidate(
            strategy=key,
            language=language,
            text=text,
            variants=variants,
            explanation=Explanation(code="offline.template", params={"strategy": key}),
            facts_used=[fact.source_url] if fact else [],
            fact_ids=[fact.id] if fact else [],
        )

    @staticmethod
    def _provenance(req: DraftRequest, started: float, strategies: list[str], language: str) -> Provenance:
        return Provenance(
            provider="offline",
            model=None,
            prompt_name="offline",
            prompt_version=TEMPLATES_VERSION,
            prompt_sha256=hashlib.sha256(repr(req).encode("utf-8")).hexdigest(),
            parameters={
                "count": req.count,
                "strategies": strategies,
                "language": language,
            },
            prompt_tokens=None,
            completion_tokens=None,
            latency_ms=round((time.monotonic() - started) * 1000),
            structured_mode="offline",
        )

    def _distinct_text(
        self,
        req: DraftRequest,
        language: str,
        key: str,
        start: int,
        opening: int,
        fact: KnowledgeItem | None,
        taken: list[frozenset[tuple[str, ...]]],
    ) -> str | None:
        """The first wording (template, then opening) that repeats neither the batch nor the campaign."""
        openings = OPENINGS[language] if key not in FACT_STRATEGIES else ("",)
        for shift in range(len(openings)):
            lead = openings[(opening + shift) % len(openings)]
            for text in self._compose(req, language, key, start, fact):
                text = _with_opening(lead, text)
                mine = shingles(text)
                if not any(similarity(mine, other) >= NEAR_DUPLICATE for other in taken):
                    return text
        return None

    @staticmethod
    def _compose(
        req: DraftRequest,
        language: str,
        key: str,
        start: int,
        fact: KnowledgeItem | None,
    ) -> list[str]:
        """Every template of the strategy (from a seeded start) filled in, minus those using a lexicon term."""
        group = _group_phrase(language, req.trend.target_groups, req.trend.lexicon)
        values = {
            "group": group,
            "Group": group[:1].upper() + group[1:],
            "fact": _with_period(fact.text) if fact else "",
            "source": fact.source_url if fact else "",
        }
        options = TEMPLATES[language][key]
        texts = [options[(start + i) % len(options)].format(**values) for i in range(len(options))]
        if language == "fr":
            texts = [_contract_french(t) for t in texts]
        return [t for t in texts if not _has_term(t, req.trend.lexicon)]

    def rewrite(self, req: RewriteRequest) -> tuple[Rewrite, Provenance]:
        """Shorten or fit to a platform offline; say plainly what needs a model."""
        started = time.monotonic()
        text, explanation = self._rewrite_text(req)
        provenance = Provenance(
            provider="offline",
            model=None,
            prompt_name=f"offline-{req.kind}",
            prompt_version=TEMPLATES_VERSION,
            prompt_sha256=hashlib.sha256(repr(req).encode("utf-8")).hexdigest(),
            parameters={"kind": req.kind, "preset": req.preset, "limit": req.limit},
            prompt_tokens=None,
            completion_tokens=None,
            latency_ms=round((time.monotonic() - started) * 1000),
            structured_mode="offline",
        )
        return Rewrite(text=text, explanation=explanation), provenance

    @staticmethod
    def _rewrite_text(req: RewriteRequest) -> tuple[str, Explanation]:
        """The rewritten text and why (app.drafting.explanations words it in the reader's language)."""
        if req.kind == "translate":
            return req.text, Explanation(code="offline.translate_needs_model")
        if req.kind == "adapt" or req.preset == "shorter":
            limit = req.limit or max(40, len(req.text) * 2 // 3)
            # Without a platform limit, "shorter" drops sentences but never cuts one in half.
            fitted = fit_to_limit(req.text, limit, cut=req.limit is not None)
            if fitted == req.text:
                return req.text, Explanation(code="offline.already_fits", params={"limit": limit})
            return fitted, Explanation(code="offline.shortened", params={"limit": limit})
        return req.text, Explanation(code="offline.only_shortens")
