"""Pure validation of trend fields, shared by the form, the API and the importer.

`clean_trend(data, partial=False)` returns `(cleaned, errors)`: cleaned values ready for the model
and `{field: message}` for everything wrong. Lists may be given as lists or comma-separated text.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from babel import Locale
from flask_babel import gettext as _

from app.common import limits
from app.common.bounds import in_date_range
from app.trends.models import HALLMARKS, RABAT_FACTORS, RecommendedAction, TrendStatus

LIST_FIELDS = (
    "narrative_tags",
    "target_groups",
    "platforms",
    "languages",
    "regions",
    "keywords",
    "hashtags",
    "coded_terms",
    "never_repeat_terms",
)
TEXT_FIELDS = limits.TREND_TEXT_MAX
MAX_LIST_ITEMS = limits.TREND_LIST_ITEMS_MAX
MAX_ITEM_LENGTH = limits.TREND_ITEM_MAX
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
REGION_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
GROUP = re.compile(r"^[A-Z0-9][A-Z0-9+_ -]{0,39}$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


def split_list(value: Any) -> list[str]:
    """A list from a list or comma/semicolon/newline-separated text; blanks and duplicates dropped."""
    if value is None:
        return []
    items = value if isinstance(value, list) else re.split(r"[,;\n]", str(value))
    seen: dict[str, None] = {}
    for item in items:
        text = str(item).strip() if item is not None else ""
        if text:
            seen.setdefault(text, None)
    return list(seen)


def _known_language(tag: str) -> bool:
    """The tag's primary subtag is a language CLDR knows (so "xx-notalang" is refused)."""
    primary = tag.split("-")[0]
    return primary in Locale("en").languages or primary in ("und", "mul")


def _language_tag(tag: str) -> str:
    """fr_be → fr-BE: primary language lower-case, 2-letter region upper-case."""
    first, *rest = tag.replace("_", "-").split("-")
    return "-".join([first.lower(), *(part.upper() if len(part) == 2 else part for part in rest)])


def _normalise(field: str, items: list[str]) -> tuple[list[str], str | None]:
    if field == "target_groups":
        items = [item.upper() for item in items]
        bad = [i for i in items if not GROUP.match(i)]
        return items, (
            _("Use group names such as MIGRANTS or LGBT+ (not “%(value)s”).", value=bad[0]) if bad else None
        )
    if field == "platforms":
        items = [item.lower() for item in items]
        bad = [i for i in items if not SLUG.match(i)]
        return items, (
            _("Use platform keys such as x, mastodon, telegram (not “%(value)s”).", value=bad[0])
            if bad
            else None
        )
    if field == "languages":
        items = [item.replace("_", "-") for item in items]
        items = [_language_tag(item) for item in items]
        bad = [i for i in items if not LANGUAGE_TAG.match(i) or not _known_language(i)]
        return items, (
            _("Use BCP-47 language tags such as en, fr or fr-BE (not “%(value)s”).", value=bad[0])
            if bad
            else None
        )
    if field == "regions":
        items = [item.upper() for item in items]
        bad = [i for i in items if not REGION_CODE.match(i)]
        return items, (
            _("Use ISO 3166 codes such as FR or BE (not “%(value)s”).", value=bad[0]) if bad else None
        )
    if field == "hashtags":
        items = [item if item.startswith("#") else f"#{item}" for item in items]
        bad = [i for i in items if len(i) < 2 or " " in i]
        return items, (_("A hashtag has no spaces (not “%(value)s”).", value=bad[0]) if bad else None)
    return items, None


def clean_list(field: str, value: Any) -> tuple[list[str], str | None]:
    """Validate one list field."""
    if value is not None and not isinstance(value, list | str):
        return [], _("Must be a list of strings.")
    if isinstance(value, list) and any(not isinstance(v, str) for v in value):
        return [], _("Must be a list of strings.")
    items = split_list(value)
    if len(items) > MAX_LIST_ITEMS:
        return items, _("At most %(n)d entries.", n=MAX_LIST_ITEMS)
    if any(len(item) > MAX_ITEM_LENGTH for item in items):
        return items, _("Each entry is at most %(n)d characters.", n=MAX_ITEM_LENGTH)
    items, error = _normalise(field, items)
    if field in ("hashtags", "target_groups", "platforms", "languages", "regions"):
        items = list(dict.fromkeys(items))
    return items, error


def parse_date(value: Any) -> date | None:
    """A date from ISO (2024-03-01, with or without time) or day/month/year (01/03/2024); None if blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return _within_years(datetime.strptime(text, fmt), text).date()
        except DateOutOfRange:
            raise
        except ValueError:
            continue
    parsed = parse_datetime(text)
    return parsed.date() if parsed else None


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO 8601 or a date in any accepted format; raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in DATE_FORMATS:
            for suffix in ("", " %H:%M", " %H:%M:%S"):
                try:
                    parsed = datetime.strptime(text, fmt + suffix)
                    break
                except ValueError:
                    continue
            else:
                continue
            break
        else:
            raise ValueError(
                _("“%(value)s” is not a date: use 2024-03-01 or 01/03/2024.", value=text[:40])
            ) from None
    _within_years(parsed, text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class DateOutOfRange(ValueError):
    """A real date, but outside the years the app accepts."""


def _within_years(parsed: datetime, text: str) -> datetime:
    """Refuse dates the app cannot compute with (9999-12-31T23:59:59-01:00 overflows in UTC)."""
    if not in_date_range(parsed.date()):
        raise DateOutOfRange(
            _("“%(value)s” is outside the years this app accepts (1900 to 2200).", value=text[:40])
        )
    return parsed


def _clean_int(value: Any, low: int, high: int) -> tuple[int | None, str | None]:
    if isinstance(value, bool):
        return None, _("Must be a whole number from %(low)d to %(high)d.", low=low, high=high)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return None, _("Must be a whole number from %(low)d to %(high)d.", low=low, high=high)
    if not low <= number <= high:
        return None, _("Must be from %(low)d to %(high)d.", low=low, high=high)
    return number, None


def clean_rabat(value: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The six Rabat factors: {factor: {"score": 0-2, "note": str}}."""
    if value in (None, ""):
        return {}, {}
    if not isinstance(value, dict):
        return {}, {"rabat": _("Must be an object keyed by factor.")}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for factor, entry in value.items():
        if factor not in RABAT_FACTORS:
            errors[f"rabat.{factor}"] = _(
                "Unknown factor; use one of %(values)s.", values=", ".join(RABAT_FACTORS)
            )
            continue
        if isinstance(entry, int | str) and not isinstance(entry, bool):
            entry = {"score": entry}
        if not isinstance(entry, dict):
            errors[f"rabat.{factor}"] = _("Must be an object with score and note.")
            continue
        score, error = (
            (None, None) if entry.get("score") in (None, "") else _clean_int(entry.get("score"), 0, 2)
        )
        if error:
            errors[f"rabat.{factor}.score"] = error
        note = str(entry.get("note") or "").strip()
        if len(note) > 1000:
            errors[f"rabat.{factor}.note"] = _("At most %(n)d characters.", n=1000)
        if score is not None or note:
            cleaned[factor] = {"score": score, "note": note}
    return cleaned, errors


def clean_fact_checks(value: Any) -> tuple[list[dict[str, str]], str | None]:
    """[{claim, url}] with http(s) URLs."""
    if value in (None, ""):
        return [], None
    if not isinstance(value, list) or any(not isinstance(v, dict) for v in value):
        return [], _("Must be a list of {claim, url}.")
    cleaned = []
    for entry in value:
        claim, url = str(entry.get("claim") or "").strip(), str(entry.get("url") or "").strip()
        if not claim and not url:
            continue
        if url and not URL.match(url):
            return [], _("“%(value)s” is not an http(s) link.", value=url[:60])
        cleaned.append({"claim": claim[:1000], "url": url[:2000]})
    return cleaned, None


def clean_trend(data: dict[str, Any], *, partial: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate trend fields; with `partial`, only the fields given (PATCH)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "title" in data or not partial:
        title = str(data.get("title") or "").strip()
        if not title:
            errors["title"] = _("A title is required.")
        elif len(title) > 200:
            errors["title"] = _("At most %(n)d characters.", n=200)
        cleaned["title"] = title
    for field, limit in TEXT_FIELDS.items():
        if field in data:
            value = data[field]
            if value is not None and not isinstance(value, str | int):
                errors[field] = _("Must be text.")
                continue
            text = "" if value is None else str(value).strip()
            if len(text) > limit:
                errors[field] = _("At most %(n)d characters.", n=limit)
            cleaned[field] = text if field != "external_id" else (text or None)
    for field in LIST_FIELDS:
        if field in data:
            cleaned[field], error = clean_list(field, data[field])
            if error:
                errors[field] = error
    if "severity" in data or not partial:
        cleaned["severity"], error = _clean_int(data.get("severity", 1) or 1, 1, 4)
        if error:
            errors["severity"] = error
    if "status" in data:
        try:
            cleaned["status"] = TrendStatus(str(data["status"]).strip().lower())
        except ValueError:
            errors["status"] = _("Use one of %(values)s.", values=", ".join(s.value for s in TrendStatus))
    if "recommended_action" in data:
        action = str(data["recommended_action"] or "counter").strip().lower().replace("-", "_")
        try:
            cleaned["recommended_action"] = RecommendedAction(action)
        except ValueError:
            errors["recommended_action"] = _(
                "Use one of %(values)s.", values=", ".join(a.value for a in RecommendedAction)
            )
    if "hallmarks" in data:
        hallmarks, error = clean_list("hallmarks", data["hallmarks"])
        hallmarks = [h.lower().replace(" ", "_").replace("-", "_") for h in hallmarks]
        unknown = [h for h in hallmarks if h not in HALLMARKS]
        if error or unknown:
            errors["hallmarks"] = error or _(
                "Unknown hallmark “%(value)s”; use %(values)s.", value=unknown[0], values=", ".join(HALLMARKS)
            )
        cleaned["hallmarks"] = hallmarks
    if "rabat" in data:
        cleaned["rabat"], rabat_errors = clean_rabat(data["rabat"])
        errors.update(rabat_errors)
    if "fact_checks" in data:
        cleaned["fact_checks"], error = clean_fact_checks(data["fact_checks"])
        if error:
            errors["fact_checks"] = error
    for field in ("first_seen_at", "last_seen_at"):
        if field in data:
            try:
                cleaned[field] = parse_datetime(data[field])
            except ValueError as error:
                errors[field] = str(error)
    first, last = cleaned.get("first_seen_at"), cleaned.get("last_seen_at")
    if first and last and first > last:
        errors["last_seen_at"] = _("Last seen cannot be before first seen.")
    return cleaned, errors
