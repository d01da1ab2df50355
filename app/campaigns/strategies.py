"""The counter-speech strategies the drafter offers, and the severity gate (DOMAIN.md)."""

from __future__ import annotations

from dataclasses import dataclass


def _(text: str) -> str:
    """Mark a label for translation."""
    # Identity for now: the lead wires this to flask_babel.lazy_gettext when the app is assembled,
    # so this module stays importable without Flask.
    return text


BROADCAST = "broadcast"
REPLY = "reply"
MODES = (BROADCAST, REPLY)

# Rabat Plan of Action six-part test: 4 is incitement with likely harm (DOMAIN.md rule 11).
HIGHEST_SEVERITY = 4


@dataclass(frozen=True)
class Strategy:
    """One counter-speech strategy: what it is called and how to write it."""

    key: str
    label: str
    guidance: str
    broadcast_ok: bool
    needs_ack: bool


STRATEGIES: dict[str, Strategy] = {
    s.key: s
    for s in (
        Strategy(
            key="facts",
            label=_("Correct the misperception"),
            guidance=(
                "Lead with the accurate fact and its source URL from the knowledge list. "
                "Mention the myth at most once, after a warning that it is misleading, "
                "then repeat the fact (Debunking Handbook 2020: fact, myth, fallacy, fact)."
            ),
            broadcast_ok=True,
            needs_ack=False,
        ),
        Strategy(
            key="question",
            label=_("Ask a genuine question"),
            guidance=(
                "Ask open, sincere questions that invite the reader to reflect. "
                "Never a rhetorical put-down and never sarcastic."
            ),
            broadcast_ok=True,
            needs_ack=False,
        ),
        Strategy(
            key="hypocrisy",
            label=_("Point out a contradiction"),
            guidance=(
                "Show the inconsistency inside the claim itself, calmly. "
                "Talk about the claim, never about the speaker's character."
            ),
            # It has to point at a specific claim, which on a timeline means restating it.
            broadcast_ok=False,
            needs_ack=False,
        ),
        Strategy(
            key="empathy_affiliation",
            label=_("Empathy and perspective-taking"),
            guidance=(
                "Humanise the people targeted: everyday lives, shared hopes, common ground. "
                "Invite the reader to take their perspective. Never invent an identity or a "
                "personal story the messenger does not have (Hangartner et al., PNAS 2021)."
            ),
            broadcast_ok=True,
            needs_ack=False,
        ),
        Strategy(
            key="denouncing",
            label=_("Name the content as harmful"),
            guidance=(
                "Say plainly that the statement is harmful and why. "
                "Label the statement, never the person who made it."
            ),
            # Denouncing needs a concrete statement to point at; on a timeline it amplifies it.
            broadcast_ok=False,
            needs_ack=False,
        ),
        Strategy(
            key="consequences",
            label=_("Describe the harm to people"),
            guidance=(
                "Describe how this kind of content hurts real communities and neighbours. "
                "Never threaten anyone's job, safety or legal status."
            ),
            broadcast_ok=True,
            needs_ack=False,
        ),
        Strategy(
            key="humor",
            label=_("Light, kind humour"),
            guidance=(
                "Gentle, kind humour aimed at the idea, never at a person or a group. "
                "Keep it warm; if in doubt, leave the joke out."
            ),
            broadcast_ok=True,
            # Humour misreads across cultures: a reviewer must acknowledge it explicitly.
            needs_ack=True,
        ),
        Strategy(
            key="alternative",
            label=_("Positive, alternative story"),
            guidance=(
                "Tell a standalone story of shared values and everyday cooperation. "
                "Never restate or answer the hateful claim."
            ),
            broadcast_ok=True,
            needs_ack=False,
        ),
    )
}


def allowed_strategies(severity: int, mode: str) -> list[str]:
    """Return the strategy keys the drafter may offer for a trend severity and campaign mode."""
    if not 1 <= severity <= HIGHEST_SEVERITY:
        raise ValueError(f"severity must be between 1 and {HIGHEST_SEVERITY}, got {severity!r}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if severity == HIGHEST_SEVERITY:
        # Severity gate (rule 11): incitement goes to reporting; only a standalone alternative
        # narrative is offered, and no replies at all.
        return ["alternative"] if mode == BROADCAST else []
    if mode == REPLY:
        # Reply drafts answer one public post; they are never auto-posted as a reply to an
        # individual (a human posts them by hand), so every strategy may be drafted.
        return list(STRATEGIES)
    return [key for key, s in STRATEGIES.items() if s.broadcast_ok]
