"""What each Mastodon-API server software does differently: the one capability table.

Read from the server at test-connection and daily (software and version from nodeinfo or
/api/v{2,1}/instance), stored on the channel, and used by the connector (look before re-send,
how a bad token is answered) and by the editor and schedule page (how length is counted).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerCapabilities:
    """How one server software behaves where Mastodon-API servers differ."""

    software: str
    honours_idempotency_key: bool
    # "mastodon": URL = 23, @user@domain counts as @user, graphemes; "raw": code points;
    # "strict": the larger of the two (software we do not know).
    length_rule: str
    # Statuses a revoked or unknown token is answered with.
    bad_token_statuses: tuple[int, ...]
    trailing_slash_routes: bool
    # Which real server behaves this way, and where that was confirmed.
    source: str


MASTODON = ServerCapabilities(
    software="mastodon",
    honours_idempotency_key=True,
    length_rule="mastodon",
    bad_token_statuses=(401,),
    trailing_slash_routes=True,
    source="Mastodon 4.x: Idempotency-Key kept about an hour, StatusLengthValidator, Rails routes.",
)

TAKAHE = ServerCapabilities(
    software="takahe",
    honours_idempotency_key=False,
    length_rule="raw",
    bad_token_statuses=(400,),
    trailing_slash_routes=False,
    source=(
        "Takahē 0.11: api/middleware.py answers an unknown token 400 text/html 'Invalid Bearer token'; "
        "api/views/statuses.py compares len(status) and says 400 'Status is too long'; "
        "api/urls.py has no trailing-slash routes; no Idempotency-Key handling."
    ),
)

# Software we have not checked: look before every re-send, count by the stricter rule,
# read any 4xx that may concern the token as possible credential trouble.
UNKNOWN = ServerCapabilities(
    software="unknown",
    honours_idempotency_key=False,
    length_rule="strict",
    bad_token_statuses=(400, 401, 403, 422),
    trailing_slash_routes=False,
    source="Safe choice for software not in this table (e.g. GoToSocial, Pleroma, Akkoma until checked).",
)

CAPABILITIES: dict[str, ServerCapabilities] = {
    "mastodon": MASTODON,
    # Forks that keep Mastodon's code paths for posting.
    "hometown": MASTODON,
    "glitchsoc": MASTODON,
    "takahe": TAKAHE,
}

LENGTH_RULES = ("mastodon", "raw", "strict")


def capabilities_for(software: str | None) -> ServerCapabilities:
    """The capabilities of a software name as nodeinfo spells it; unknown names get the safe choice."""
    key = (software or "").strip().lower().replace("-", "").replace("_", "").replace("ē", "e")
    return CAPABILITIES.get(key, UNKNOWN)
