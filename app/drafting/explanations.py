"""Why and how the offline drafter wrote or left a text: codes + parameters, in the reader's language.

The drafter returns an Explanation (app.drafting.schemas); provenance stores it as
{"code": ..., "params": {...}} and the editor and notices render it here at display time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from app.campaigns.strategies import STRATEGIES


def _(s: str) -> str:
    """Mark a msgid for Babel; it is translated when rendered."""
    return s


EXPLANATIONS: dict[str, str] = {
    "offline.template": _(
        "Written from a built-in template for the strategy “{strategy}”, because no language model is "
        "connected: edit it before submitting."
    ),
    "offline.translate_needs_model": _(
        "Translation needs a language model, so the text is unchanged. Translate it by "
        "hand, or ask an admin to connect a model."
    ),
    "offline.already_fits": _("The text already fits in {limit} characters."),
    "offline.shortened": _(
        "Shortened offline to {limit} characters by dropping whole sentences; check that it still reads well."
    ),
    "offline.only_shortens": _(
        "Offline mode can only shorten text, so it is unchanged. Edit it by hand, or ask an "
        "admin to connect a model for this kind of revision."
    ),
}
# What the offline drafter stored before explanations had codes (kept readable for old versions).
OLD_TEMPLATE_PREFIX = "Offline template. "


def explain(explanation: Mapping[str, Any] | None) -> str:
    """An explanation's words in the current language; empty for none or an unknown code."""
    if not explanation or explanation.get("code") not in EXPLANATIONS:
        return ""
    values = dict(explanation.get("params") or {})
    strategy = STRATEGIES.get(str(values.get("strategy", "")))
    if strategy is not None:
        values["strategy"] = gettext(strategy.label)
    template = EXPLANATIONS[str(explanation["code"])]
    for words in (gettext(template), template):  # a translation that lost a field: the English words
        try:
            return words.format(**values)
        except (KeyError, IndexError, ValueError):
            continue
    return ""


def rationale_text(provenance: Mapping[str, Any], strategy: str) -> str:
    """The drafter's rationale line: an explanation rendered, an old offline line, or the model's words."""
    if provenance.get("explanation"):
        return explain(provenance["explanation"])
    rationale = str(provenance.get("rationale") or "")
    if provenance.get("provider") == "offline" and rationale.startswith(OLD_TEMPLATE_PREFIX):
        return explain({"code": "offline.template", "params": {"strategy": strategy}})
    return gettext(rationale) if provenance.get("provider") == "offline" and rationale else rationale
