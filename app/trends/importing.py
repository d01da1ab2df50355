"""Import trends from monitoring exports (CSV or JSON), in two shapes.

- "trend": one row per trend; columns map to trend fields.
- "post": one row per detected post (date, platform, url, text, language, country, engagement, matched
  keyword, narrative); rows are grouped into trends by the narrative or keyword column. Posts become
  evidence, their keywords and hashtags the trend's signals, their per-day counts the observations.

Reading and checking are pure (`read_table`, `plan_import`); `apply_import` writes, each row or group in
its own savepoint so nothing is half-written, and the caller commits once. Re-importing the same file
changes nothing: trends are found by external id (or title + source), evidence by its dedupe key, and
observations are set per (day, source), never added to.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Organisation, User
from app.audit.services import record
from app.common.audit_actions import AuditAction
from app.common.time import as_utc
from app.extensions import db
from app.trends import services
from app.trends.models import ImportMapping, Trend
from app.trends.validation import URL, clean_list, clean_trend, parse_date, parse_datetime, split_list

SHAPES = ("trend", "post")
MODES = ("all-valid", "none-if-errors")
GROUP_BY = ("narrative", "keyword")

TREND_TARGETS: dict[str, Any] = {
    "title": _l("Title"),
    "external_id": _l("External id"),
    "summary": _l("Summary"),
    "severity": _l("Severity (1–4)"),
    "status": _l("Status"),
    "target_groups": _l("Target groups"),
    "platforms": _l("Platforms"),
    "languages": _l("Languages"),
    "regions": _l("Regions"),
    "keywords": _l("Keywords"),
    "hashtags": _l("Hashtags"),
    "coded_terms": _l("Coded terms"),
    "never_repeat_terms": _l("Terms never to repeat"),
    "narrative_tags": _l("Narrative tags"),
    "hallmarks": _l("Hallmarks"),
    "trigger_event": _l("Trigger event"),
    "recommended_action": _l("Recommended action"),
    "first_seen_at": _l("First seen"),
    "last_seen_at": _l("Last seen"),
    "source": _l("Source"),
    "observed_on": _l("Count date"),
    "count": _l("Count that day"),
}
POST_TARGETS: dict[str, Any] = {
    "date": _l("Date"),
    "text": _l("Post text"),
    "url": _l("Post link"),
    "platform": _l("Platform"),
    "language": _l("Language"),
    "country": _l("Country"),
    "engagement": _l("Engagement"),
    "keyword": _l("Matched keyword"),
    "narrative": _l("Narrative"),
    "hashtags": _l("Hashtags"),
    "author_kind": _l("Author kind"),
    "author": _l("Author handle"),
    "post_id": _l("Post id"),
}
REQUIRED = {"trend": ("title",), "post": ("date",)}
SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("titre", "title", "trend", "name", "trend title", "narrative title"),
    "external_id": ("external id", "external_id", "id", "trend id", "trend_id", "uid"),
    "summary": ("résumé", "summary", "description", "narrative summary"),
    "severity": ("gravité", "severity", "risk", "level"),
    "status": ("status", "state"),
    "target_groups": ("target groups", "target_groups", "targets", "target"),
    "platforms": ("platforms", "platform"),
    "languages": ("langues", "languages", "language", "lang"),
    "regions": ("pays", "regions", "region", "countries", "country"),
    "keywords": ("mots-clés", "keywords", "keyword", "terms"),
    "hashtags": ("hashtags", "hashtag", "tags"),
    "coded_terms": ("coded terms", "coded_terms", "dog whistles"),
    "never_repeat_terms": ("never repeat", "never_repeat_terms", "slurs"),
    "narrative_tags": ("narrative tags", "narrative_tags", "themes", "topics"),
    "hallmarks": ("hallmarks",),
    "trigger_event": ("trigger", "trigger event", "trigger_event"),
    "recommended_action": ("recommended action", "recommended_action", "action"),
    "first_seen_at": ("first seen", "first_seen", "first_seen_at", "start"),
    "last_seen_at": ("last seen", "last_seen", "last_seen_at", "end"),
    "source": ("source", "tool"),
    "observed_on": ("count date", "observed_on", "observed on"),
    "count": ("count", "volume", "posts"),
    "date": ("date", "created_at", "created", "timestamp", "published", "published_at", "time", "datetime"),
    "text": ("text", "content", "message", "body", "post", "post text"),
    "url": ("url", "link", "permalink", "post url", "post_url"),
    "platform": ("platform", "network", "site", "source platform"),
    "language": ("language", "lang", "locale"),
    "country": ("country", "region", "location", "country code"),
    "engagement": ("engagement", "interactions", "reach", "likes"),
    "keyword": ("matched keyword", "matched_keyword", "keyword", "term", "matched term", "query"),
    "narrative": ("narrative", "topic", "cluster", "theme"),
    "author_kind": ("author kind", "author_type"),
    "author": ("author", "handle", "username", "user"),
    "post_id": ("post id", "post_id", "id"),
}
HASHTAG = re.compile(r"(?<![\w#])#(\w{2,60})", re.UNICODE)


def NOT_A_TABLE() -> str:  # noqa: N802  (a message, built per request for its language)
    return _(
        "No columns found: this does not look like a CSV file. Separate the columns with commas or "
        "semicolons, with the column names on the first line."
    )


class ImportFileError(ValueError):
    """The file cannot be read at all (too large, not CSV/JSON, no columns), with a message for people."""


@dataclass
class Table:
    """A file's columns and its data rows as (row number, {column: value})."""

    format: str
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    delimiter: str | None = None


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportOptions:
    shape: str = "trend"
    mapping: dict[str, str] = field(default_factory=dict)  # target → column
    group_by: str = "narrative"
    mode: str = "all-valid"
    source: str = "import"


@dataclass
class TrendPlan:
    """One trend the import will create or update, and the rows it comes from."""

    key: tuple[str, str]  # ("external_id", value) or ("title", value)
    data: dict[str, Any]
    rows: list[int]
    existing_id: int | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[date, int] = field(default_factory=dict)


@dataclass
class ImportPlan:
    options: ImportOptions
    total_rows: int
    errors: list[RowError]
    trends: list[TrendPlan]
    ignored_columns: list[str] = field(default_factory=list)  # in the file, mapped to nothing: not imported

    @property
    def error_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors if error.row})

    @property
    def file_errors(self) -> list[RowError]:
        return [error for error in self.errors if not error.row]

    @property
    def valid_rows(self) -> int:
        return self.total_rows - len(self.error_rows)

    @property
    def new_count(self) -> int:
        return sum(1 for plan in self.trends if plan.existing_id is None)


@dataclass
class ImportResult:
    plan: ImportPlan
    imported: bool
    created: int = 0
    updated: int = 0
    evidence_added: int = 0
    observations_set: int = 0
    trend_ids: list[int] = field(default_factory=list)


# Reading -----------------------------------------------------------------------------------------


MAX_COLUMNS = 200  # far more than any monitoring export; each column is offered in the mapping form
SNIFF_CHARS = 64 * 1024


def read_table(data: bytes, filename: str = "", *, max_bytes: int) -> Table:
    """Parse CSV (comma, semicolon or tab; UTF-8 with or without BOM) or JSON into rows."""
    if len(data) > max_bytes:
        raise ImportFileError(
            _(
                "The file is %(size)s; the limit is %(limit)s. Split it into smaller files.",
                size=_human_size(len(data)),
                limit=_human_size(max_bytes),
            )
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if b"\x00" in data[:8192]:
        raise ImportFileError(
            _("This is not a CSV or JSON file. Export the data as CSV or JSON and try again.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The file is not UTF-8 text. Export it as CSV (UTF-8) or JSON.")) from None
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or stripped[:1] in ("[", "{"):
        return _read_json(stripped)
    return _read_csv(text)


def _human_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def _read_json(text: str) -> Table:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _("The JSON is not valid (line %(line)d): %(msg)s", line=error.lineno, msg=error.msg)
        ) from None
    if isinstance(payload, dict):
        lists = [
            value
            for key, value in payload.items()
            if key in ("trends", "posts", "items", "data", "results") and isinstance(value, list)
        ]
        payload = lists[0] if lists else [payload]
    if not isinstance(payload, list):
        raise ImportFileError(
            _("The JSON must be a list of objects, or an object with a “trends” or “posts” list.")
        )
    columns: dict[str, None] = {}
    rows = []
    for number, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            rows.append((number, {"__error__": _("This entry is not an object.")}))
            continue
        for key in item:
            columns.setdefault(str(key), None)
        _refuse_too_many_columns(len(columns))
        rows.append((number, {str(k): v for k, v in item.items()}))
    if not columns:
        raise ImportFileError(_("The JSON holds no objects to import."))
    return Table(format="json", columns=list(columns), rows=rows)


def _sniff_delimiter(text: str) -> str | None:
    # The first 50 lines, and no more than SNIFF_CHARS of them: a header of 200,000 names stays cheap.
    sample = "\n".join(line for line in text[:SNIFF_CHARS].splitlines()[:50] if line.strip())
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else None


def _read_csv(text: str) -> Table:
    delimiter = _sniff_delimiter(text)
    if delimiter is None:
        raise ImportFileError(
            _(
                "No columns found: this does not look like a CSV file. Separate the columns with "
                "commas or semicolons, with the column names on the first line."
            )
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as error:
        raise ImportFileError(_("The CSV could not be read: %(msg)s", msg=str(error))) from None
    position = next((i for i, rec in enumerate(records) if any(cell.strip() for cell in rec)), None)
    if position is None:
        raise ImportFileError(_("The file is empty."))
    header = _unique_columns(records[position])
    if len(header) < 2:
        raise ImportFileError(
            _(
                "Only one column found. Put the column names on the first line, separated by "
                "commas or semicolons."
            )
        )
    rows: list[tuple[int, dict[str, Any]]] = []
    widths: list[int] = []
    for index, record_ in enumerate(records[position + 1 :], start=position + 2):
        if not any(cell.strip() for cell in record_):
            continue  # an empty line
        row: dict[str, Any] = {
            name: (record_[i] if i < len(record_) else "") for i, name in enumerate(header)
        }
        extra = [cell for cell in record_[len(header) :] if cell.strip()]
        if extra:
            row["__error__"] = _(
                "This row has %(n)d cells but the header has %(m)d columns; check the delimiters and quotes.",
                n=len(record_),
                m=len(header),
            )
        rows.append((index, row))
        widths.append(len(record_))
    if widths and sum(1 for width in widths if width == len(header)) * 2 < len(widths):
        raise ImportFileError(NOT_A_TABLE())
    return Table(format="csv", columns=header, rows=rows, delimiter=delimiter)


def _unique_columns(cells: list[str]) -> list[str]:
    """Column names made unique (a set, so linear in the number of columns), after the column cap."""
    _refuse_too_many_columns(len(cells))
    names: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells, start=1):
        name = cell.strip() or f"column {index}"
        while name in seen:
            name = f"{name} ({index})"
        seen.add(name)
        names.append(name)
    return names


def _refuse_too_many_columns(count: int) -> None:
    if count > MAX_COLUMNS:
        raise ImportFileError(
            _(
                "The file has %(n)d columns; at most %(max)d can be imported. Remove the columns you "
                "do not need and try again.",
                n=count,
                max=MAX_COLUMNS,
            )
        )


# Mapping -----------------------------------------------------------------------------------------


def targets(shape: str) -> dict[str, Any]:
    return TREND_TARGETS if shape == "trend" else POST_TARGETS


def guess_shape(columns: list[str]) -> str:
    """Post-level when the file has post columns (text or url) and no trend title column."""
    lowered = {c.strip().lower() for c in columns}
    has_title = bool(lowered & set(SYNONYMS["title"]) - {"name"})
    has_post = bool(lowered & (set(SYNONYMS["text"]) | set(SYNONYMS["url"])))
    return "post" if has_post and not has_title else "trend"


def suggest_mapping(
    columns: list[str], shape: str, remembered: dict[str, str] | None = None
) -> dict[str, str]:
    """A mapping target → column: the remembered one where its columns exist, else by column names."""
    lowered = {c.strip().lower(): c for c in columns}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for target in targets(shape):
        column = (remembered or {}).get(target)
        if column in columns:
            mapping[target] = column
            used.add(column)
    for target in targets(shape):
        if target in mapping or (remembered and target in remembered and not remembered[target]):
            continue
        for name in (target, *SYNONYMS.get(target, ())):
            column = lowered.get(name)
            if column and column not in used:
                mapping[target] = column
                used.add(column)
                break
    return mapping


def remembered_mapping(organisation: Organisation, shape: str) -> dict[str, str] | None:
    stored = db.session.scalar(
        select(ImportMapping).where(
            ImportMapping.organisation_id == organisation.id, ImportMapping.shape == shape
        )
    )
    return dict(stored.mapping) if stored else None


def remember_mapping(organisation: Organisation, shape: str, mapping: dict[str, str], group_by: str) -> None:
    """Keep the organisation's mapping for next time (one per shape)."""
    stored = db.session.scalar(
        select(ImportMapping).where(
            ImportMapping.organisation_id == organisation.id, ImportMapping.shape == shape
        )
    )
    value = {**{target: mapping.get(target, "") for target in targets(shape)}, "__group_by__": group_by}
    if stored is None:
        db.session.add(ImportMapping(organisation_id=organisation.id, shape=shape, mapping=value))
    else:
        stored.mapping = value


# Checking ----------------------------------------------------------------------------------------


def plan_import(organisation: Organisation, table: Table, options: ImportOptions) -> ImportPlan:
    """Check every row against the mapping and group them into trends; writes nothing."""
    errors = _mapping_errors(table, options)
    ignored = [column for column in table.columns if column not in options.mapping.values()]
    if errors:
        return ImportPlan(
            options=options, total_rows=len(table.rows), errors=errors, trends=[], ignored_columns=ignored
        )
    planner = _plan_trend_rows if options.shape == "trend" else _plan_post_rows
    plans, row_errors = planner(table, options)
    _find_existing(organisation, plans)
    return ImportPlan(
        options=options, total_rows=len(table.rows), errors=row_errors, trends=plans, ignored_columns=ignored
    )


def _mapping_errors(table: Table, options: ImportOptions) -> list[RowError]:
    errors = []
    if options.shape not in SHAPES:
        return [RowError(0, "", _("Choose the file's shape: one row per trend or one row per post."))]
    for target in REQUIRED[options.shape]:
        if not options.mapping.get(target):
            errors.append(RowError(0, target, _("Choose the column that holds “%(target)s”.", target=target)))
    if options.shape == "post":
        if not options.mapping.get("text") and not options.mapping.get("url"):
            errors.append(RowError(0, "text", _("Choose the column with the post text or link.")))
        if not options.mapping.get(options.group_by):
            errors.append(
                RowError(
                    0,
                    options.group_by,
                    _("Choose the column to group posts by (narrative or matched keyword)."),
                )
            )
    for column in options.mapping.values():
        if column and column not in table.columns:
            errors.append(RowError(0, column, _("The file has no column “%(column)s”.", column=column)))
    return errors


def _value(row: dict[str, Any], mapping: dict[str, str], target: str) -> Any:
    column = mapping.get(target)
    value = row.get(column) if column else None
    return value.strip() if isinstance(value, str) else value


def _plan_trend_rows(table: Table, options: ImportOptions) -> tuple[list[TrendPlan], list[RowError]]:
    plans: dict[tuple[str, str], TrendPlan] = {}
    errors: list[RowError] = []
    fields = [t for t in TREND_TARGETS if t not in ("observed_on", "count") and options.mapping.get(t)]
    for number, row in table.rows:
        if "__error__" in row:
            errors.append(RowError(number, "", row["__error__"]))
            continue
        raw = {target: _value(row, options.mapping, target) for target in fields}
        raw = {k: v for k, v in raw.items() if v not in (None, "") or k == "title"}
        raw.setdefault("source", options.source)
        cleaned, problems = clean_trend(raw)
        count_day, count = _row_count(row, options.mapping, problems)
        if problems:
            errors.extend(
                RowError(number, _column_for(options.mapping, key), message)
                for key, message in problems.items()
            )
            continue
        external = cleaned.get("external_id")
        key = ("external_id", external) if external else ("title", cleaned["title"].casefold())
        if key in plans:
            errors.append(
                RowError(
                    number,
                    _column_for(options.mapping, key[0]),
                    _("Row %(first)d already describes this trend.", first=plans[key].rows[0]),
                )
            )
            continue
        plan = TrendPlan(key=key, data=cleaned, rows=[number])
        if count_day is not None:
            plan.counts[count_day] = count
        plans[key] = plan
    return list(plans.values()), errors


def _row_count(
    row: dict[str, Any], mapping: dict[str, str], problems: dict[str, str]
) -> tuple[date | None, int]:
    day_raw, count_raw = _value(row, mapping, "observed_on"), _value(row, mapping, "count")
    if day_raw in (None, "") and count_raw in (None, ""):
        return None, 0
    try:
        day = parse_date(day_raw)
    except ValueError as error:
        problems["observed_on"] = str(error)
        return None, 0
    count, message = _count(count_raw)
    if message or day is None:
        problems["count" if message else "observed_on"] = message or _("Give the day of the count.")
        return None, 0
    return day, count


def _count(value: Any) -> tuple[int, str | None]:
    text = str(value if value is not None else "").replace(" ", "").replace("\u00a0", "")
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        return 0, _("“%(value)s” is not a whole number of 0 or more.", value=str(value)[:40])
    return int(text), None


def _column_for(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key.split(".")[0]) or key


def _plan_post_rows(table: Table, options: ImportOptions) -> tuple[list[TrendPlan], list[RowError]]:
    plans: dict[tuple[str, str], TrendPlan] = {}
    errors: list[RowError] = []
    for number, row in table.rows:
        if "__error__" in row:
            errors.append(RowError(number, "", row["__error__"]))
            continue
        post, problems = _check_post(row, options)
        if problems:
            errors.extend(
                RowError(number, options.mapping.get(target) or target, message)
                for target, message in problems.items()
            )
            continue
        group = post["group"]
        key = ("external_id", f"{options.group_by}:{group.casefold()}")
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = TrendPlan(
                key=key, data={"title": group[:200], "source": options.source, "external_id": key[1]}, rows=[]
            )
        plan.rows.append(number)
        plan.posts.append(post)
        plan.counts[post["day"]] = plan.counts.get(post["day"], 0) + 1
    for plan in plans.values():
        plan.data.update(_signals(plan.posts, options.group_by))
    return list(plans.values()), errors


def _check_post(row: dict[str, Any], options: ImportOptions) -> tuple[dict[str, Any], dict[str, str]]:
    mapping, problems = options.mapping, {}
    post: dict[str, Any] = {}
    try:
        moment = parse_datetime(_value(row, mapping, "date"))
    except ValueError as error:
        problems["date"] = str(error)
        moment = None
    if moment is None and "date" not in problems:
        problems["date"] = _("The date is empty.")
    post["captured_at"], post["day"] = moment, moment.date() if moment else None
    post["text"] = str(_value(row, mapping, "text") or "")
    post["url"] = str(_value(row, mapping, "url") or "") or None
    if not post["text"] and not post["url"]:
        problems["text"] = _("The post has neither text nor link.")
    elif mapping.get("text") and not post["text"].strip():
        problems["text"] = _("The post text is empty: evidence needs the words that were posted.")
    if post["url"] and not URL.match(post["url"]):
        problems["url"] = _("“%(value)s” is not an http(s) link.", value=post["url"][:60])
    for target, field_name in (("platform", "platforms"), ("language", "languages"), ("country", "regions")):
        value = _value(row, mapping, target)
        items, message = clean_list(field_name, str(value)) if value not in (None, "") else ([], None)
        if message:
            problems[target] = message
        post[target] = items[0] if items else None
    engagement = _value(row, mapping, "engagement")
    if engagement not in (None, ""):
        post["engagement"], message = _count(engagement)
        if message:
            problems["engagement"] = message
    else:
        post["engagement"] = None
    post["keyword"] = str(_value(row, mapping, "keyword") or "")
    post["hashtags"] = split_list(_value(row, mapping, "hashtags")) + HASHTAG.findall(post["text"])
    post["author_kind"] = str(_value(row, mapping, "author_kind") or "")[:32] or None
    post["author"] = str(_value(row, mapping, "author") or "")[:200] or None
    group = str(_value(row, mapping, options.group_by) or "").strip()
    if not group:
        problems[options.group_by] = _("Empty: the post cannot be grouped into a trend.")
    post["group"] = group
    return post, problems


def _signals(posts: list[dict[str, Any]], group_by: str) -> dict[str, Any]:
    """A trend's signals from its posts: keywords, hashtags, platforms, languages, regions, dates."""

    def most_common(values: list[str]) -> list[str]:
        return [value for value, _n in Counter(v for v in values if v).most_common(50)]

    keywords = most_common([p["keyword"] for p in posts]) if group_by != "keyword" else [posts[0]["group"]]
    hashtags, _error = clean_list(
        "hashtags", most_common([h.lstrip("#") for p in posts for h in p["hashtags"]])
    )
    moments = [p["captured_at"] for p in posts]
    return {
        "keywords": keywords,
        "hashtags": hashtags[:50],
        "platforms": most_common([p["platform"] for p in posts]),
        "languages": most_common([p["language"] for p in posts]),
        "regions": most_common([p["country"] for p in posts]),
        "first_seen_at": min(moments),
        "last_seen_at": max(moments),
    }


def _find_existing(organisation: Organisation, plans: list[TrendPlan]) -> None:
    for plan in plans:
        kind, value = plan.key
        source = plan.data.get("source", "import")
        query = select(Trend.id).where(Trend.organisation_id == organisation.id)
        if kind == "external_id":
            query = query.where(Trend.external_id == value, Trend.source == source)
        else:
            query = query.where(func.lower(Trend.title) == plan.data["title"].lower(), Trend.source == source)
        plan.existing_id = db.session.scalar(query.order_by(Trend.id).limit(1))


# Writing -----------------------------------------------------------------------------------------


def apply_import(
    organisation: Organisation, plan: ImportPlan, *, actor: User | None, via: str = "web", filename: str = ""
) -> ImportResult:
    """Write the plan: "none-if-errors" writes nothing when any row is wrong; each trend in a savepoint."""
    result = ImportResult(plan=plan, imported=False)
    if plan.file_errors or (plan.errors and plan.options.mode == "none-if-errors") or not plan.trends:
        return result
    strict = plan.options.mode == "none-if-errors"
    for trend_plan in plan.trends:
        savepoint = db.session.begin_nested()
        try:
            _write_trend(organisation, trend_plan, plan.options, actor, result)
            savepoint.commit()
        except (services.TrendError, IntegrityError, ValueError) as error:
            savepoint.rollback()
            if strict:
                raise
            plan.errors.extend(
                RowError(row, "", _("Not saved: %(reason)s", reason=str(error)[:200]))
                for row in trend_plan.rows
            )
    result.imported = bool(result.trend_ids)
    if result.imported:
        record(
            AuditAction.TREND_IMPORTED,
            actor=actor,
            organisation=organisation,
            details={
                "file": filename[:200],
                "shape": plan.options.shape,
                "mode": plan.options.mode,
                "rows": plan.total_rows,
                "rows_with_errors": len(plan.error_rows),
                "created": result.created,
                "updated": result.updated,
                "evidence_added": result.evidence_added,
                "observations_set": result.observations_set,
                "via": via,
            },
        )
    return result


def _write_trend(
    organisation: Organisation,
    trend_plan: TrendPlan,
    options: ImportOptions,
    actor: User | None,
    result: ImportResult,
) -> None:
    via = "import"
    data = dict(trend_plan.data)
    trend = db.session.get(Trend, trend_plan.existing_id) if trend_plan.existing_id else None
    if trend is None:
        trend = services.create_trend(organisation, data, actor=actor, via=via, owner=actor)
        result.created += 1
    else:
        if options.shape == "post":
            data = _merged_signals(trend, data)
        services.update_trend(trend, data, actor=actor, via=via)
        result.updated += 1
    for post in trend_plan.posts:
        _evidence, created = services.upsert_evidence(
            trend,
            services.EvidenceInput(
                excerpt=post["text"],
                url=post["url"],
                platform=post["platform"],
                captured_at=post["captured_at"],
                author_kind=post["author_kind"],
                author_handle=post["author"],
                engagement=post["engagement"],
                language=post["language"],
                region=post["country"],
            ),
        )
        result.evidence_added += int(created)
    for day, count in sorted(trend_plan.counts.items()):
        services.set_observation(trend, day, count, trend.source or options.source)
        result.observations_set += 1
    db.session.flush()
    result.trend_ids.append(trend.id)


def _merged_signals(trend: Trend, data: dict[str, Any]) -> dict[str, Any]:
    """Post-level re-imports add to a trend's signals and widen its seen dates; they never remove."""
    merged = {key: value for key, value in data.items() if key not in ("title",)}
    for name in ("keywords", "hashtags", "platforms", "languages", "regions"):
        merged[name] = list(dict.fromkeys([*(getattr(trend, name) or []), *data.get(name, [])]))
    first, last = as_utc(trend.first_seen_at), as_utc(trend.last_seen_at)
    if first and data.get("first_seen_at") and first < data["first_seen_at"]:
        merged["first_seen_at"] = first
    if last and data.get("last_seen_at") and last > data["last_seen_at"]:
        merged["last_seen_at"] = last
    return merged
