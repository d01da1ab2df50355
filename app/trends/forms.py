"""Trend, evidence, observation and status forms. List fields are comma-separated text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.common import limits
from app.common.bounds import WithinYears
from app.trends.models import HALLMARKS, RABAT_FACTORS, TARGET_GROUPS, Evidence, RecommendedAction, Trend

SEVERITY_CHOICES = [
    ("1", _l("1 · offensive")),
    ("2", _l("2 · hostile")),
    ("3", _l("3 · dehumanising")),
    ("4", _l("4 · incitement")),
]
RABAT_LABELS = {
    "context": _l("Context"),
    "speaker": _l("Speaker"),
    "intent": _l("Intent"),
    "content_form": _l("Content and form"),
    "extent": _l("Extent"),
    "likelihood": _l("Likelihood and imminence"),
}
HALLMARK_LABELS = {
    "dehumanisation": _l("Dehumanisation"),
    "accusation_in_a_mirror": _l("Accusation in a mirror"),
    "threat_to_group_purity": _l("Threat to group purity"),
    "attack_on_women_and_girls": _l("Attack on women and girls"),
    "questioning_in_group_loyalty": _l("Questioning in-group loyalty"),
}
ACTION_LABELS = {
    RecommendedAction.COUNTER: _l("Counter"),
    RecommendedAction.ALTERNATIVE: _l("Alternative narrative"),
    RecommendedAction.REPORT_ONLY: _l("Report only"),
    RecommendedAction.NO_ENGAGEMENT: _l("No engagement"),
}
STATUS_LABELS = {
    "new": _l("New"),
    "monitoring": _l("Monitoring"),
    "responding": _l("Responding"),
    "escalated": _l("Escalated"),
    "closed": _l("Closed"),
}
AUTHOR_KINDS = [
    ("unknown", _l("Unknown")),
    ("individual", _l("Individual")),
    ("organisation", _l("Organisation")),
    ("media", _l("Media")),
    ("political", _l("Political figure")),
    ("bot", _l("Automated account")),
]
LIST_FIELD_NAMES = (
    "narrative_tags",
    "platforms",
    "languages",
    "regions",
    "keywords",
    "hashtags",
    "coded_terms",
    "never_repeat_terms",
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _list_field(label: Any, hint: Any) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=5000)], description=hint)


class TrendForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=limits.TREND_TITLE_MAX)])
    summary = TextAreaField(
        _l("Neutral summary"),
        validators=[Length(max=limits.TREND_TEXT_MAX["summary"])],
        description=_l("Paraphrase the narrative in neutral words; never quote it."),
    )
    narrative_tags = _list_field(_l("Narrative tags"), _l("Comma-separated, e.g. economics, crime, culture."))
    target_groups = MultiCheckboxField(_l("Target groups"), choices=[(g, g) for g in TARGET_GROUPS])
    platforms = _list_field(_l("Platforms"), _l("Comma-separated keys, e.g. x, mastodon, telegram."))
    languages = _list_field(_l("Languages"), _l("BCP-47 tags, e.g. en, fr, fr-BE."))
    regions = _list_field(_l("Regions"), _l("ISO 3166 codes, e.g. FR, BE."))
    keywords = _list_field(_l("Keywords"), _l("Comma-separated words monitoring matched."))
    hashtags = _list_field(
        _l("Hashtags"), _l("The campaign's own hashtags; never reused in counter-messages.")
    )
    coded_terms = _list_field(_l("Coded terms"), _l("Dog whistles: words with a hidden hateful meaning."))
    never_repeat_terms = _list_field(
        _l("Terms never to repeat"), _l("Slurs and phrases no message may contain.")
    )
    severity = SelectField(_l("Severity"), choices=SEVERITY_CHOICES, default="1")
    hallmarks = MultiCheckboxField(
        _l("Dangerous Speech hallmarks"), choices=[(h, HALLMARK_LABELS[h]) for h in HALLMARKS]
    )
    trigger_event = TextAreaField(
        _l("Trigger event"), validators=[Length(max=limits.TREND_TEXT_MAX["trigger_event"])]
    )
    recommended_action = SelectField(
        _l("Recommended action"), choices=[(a.value, label) for a, label in ACTION_LABELS.items()]
    )
    source = StringField(
        _l("Source"),
        default="manual",
        validators=[Length(max=limits.TREND_TEXT_MAX["source"])],
        description=_l("The monitoring tool, or “manual”."),
    )
    owner_id = SelectField(_l("Owner"), coerce=int, default=0)
    first_seen_on = DateField(_l("First seen"), validators=[Optional(), WithinYears()])
    last_seen_on = DateField(_l("Last seen"), validators=[Optional(), WithinYears()])
    fact_checks = TextAreaField(
        _l("Misinformation claims and fact-checks"),
        validators=[Length(max=10000)],
        description=_l("One per line: claim | https://fact-check.example/…"),
    )

    def validate_last_seen_on(self, field: DateField) -> None:
        if field.data and self.first_seen_on.data and field.data < self.first_seen_on.data:
            raise ValidationError(_l("Last seen cannot be before first seen."))

    def rabat_fields(self) -> list[tuple[str, Any, Any, Any]]:
        """(factor, label, score field, note field) for the template."""
        return [
            (f, RABAT_LABELS[f], self[f"rabat_{f}_score"], self[f"rabat_{f}_note"]) for f in RABAT_FACTORS
        ]

    def to_data(self) -> dict[str, Any]:
        """The fields as the trend services expect them."""
        data: dict[str, Any] = {name: self[name].data or "" for name in LIST_FIELD_NAMES}
        data.update(
            title=self.title.data,
            summary=self.summary.data or "",
            target_groups=self.target_groups.data,
            severity=self.severity.data,
            hallmarks=self.hallmarks.data,
            trigger_event=self.trigger_event.data or "",
            recommended_action=self.recommended_action.data,
            source=self.source.data or "manual",
            first_seen_at=_at_midnight(self.first_seen_on.data),
            last_seen_at=_at_midnight(self.last_seen_on.data),
            rabat={
                f: {"score": self[f"rabat_{f}_score"].data or None, "note": self[f"rabat_{f}_note"].data}
                for f in RABAT_FACTORS
            },
            fact_checks=_parse_fact_checks(self.fact_checks.data or ""),
        )
        return data

    def fill_from(self, trend: Trend) -> None:
        """Show a trend's values (GET of the edit page)."""
        for name in LIST_FIELD_NAMES:
            self[name].data = ", ".join(getattr(trend, name) or [])
        self.title.data, self.summary.data = trend.title, trend.summary
        self.target_groups.data = list(trend.target_groups or [])
        self.severity.data = str(trend.severity)
        self.hallmarks.data = list(trend.hallmarks or [])
        self.trigger_event.data, self.recommended_action.data = trend.trigger_event, trend.recommended_action
        self.source.data, self.owner_id.data = trend.source, trend.owner_id or 0
        self.first_seen_on.data = trend.first_seen_at.date() if trend.first_seen_at else None
        self.last_seen_on.data = trend.last_seen_at.date() if trend.last_seen_at else None
        for factor in RABAT_FACTORS:
            entry = (trend.rabat or {}).get(factor) or {}
            score = entry.get("score")
            self[f"rabat_{factor}_score"].data = "" if score is None else str(score)
            self[f"rabat_{factor}_note"].data = entry.get("note", "")
        self.fact_checks.data = "\n".join(
            f"{fc.get('claim', '')} | {fc.get('url', '')}" for fc in trend.fact_checks or []
        )


for _factor in RABAT_FACTORS:
    setattr(
        TrendForm,
        f"rabat_{_factor}_score",
        SelectField(_l("Score"), choices=[("", "–"), ("0", "0"), ("1", "1"), ("2", "2")], default=""),
    )
    setattr(
        TrendForm,
        f"rabat_{_factor}_note",
        StringField(_l("Note"), validators=[Length(max=limits.RABAT_NOTE_MAX)]),
    )


def _at_midnight(day) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def _parse_fact_checks(text: str) -> list[dict[str, str]]:
    entries = []
    for line in text.splitlines():
        if not line.strip():
            continue
        claim, _sep, url = line.rpartition("|") if "|" in line else (line, "", "")
        entries.append({"claim": claim.strip(), "url": url.strip()})
    return entries


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=[])


class EvidenceForm(FlaskForm):
    excerpt = TextAreaField(
        _l("Excerpt"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("A short excerpt; it stays behind a content warning."),
    )
    url = URLField(_l("Link to the post"), validators=[Optional(), Length(max=2000)])
    platform = StringField(_l("Platform"), validators=[Optional(), Length(max=32)])
    captured_on = DateField(_l("Captured on"), validators=[Optional(), WithinYears()])
    author_kind = SelectField(_l("Author"), choices=AUTHOR_KINDS, default="unknown")
    engagement = IntegerField(
        _l("Engagement"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l("Likes, shares and replies together, if known."),
    )

    def validate_url(self, field: URLField) -> None:
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_l("Use a link starting with http:// or https://."))

    def fill_from(self, evidence: Evidence) -> None:
        """Show an evidence post's values (GET of its edit page)."""
        self.excerpt.data, self.url.data, self.platform.data = (
            evidence.excerpt,
            evidence.url,
            evidence.platform,
        )
        self.captured_on.data = evidence.captured_at.date() if evidence.captured_at else None
        self.author_kind.data = evidence.author_kind or "unknown"
        self.engagement.data = evidence.engagement


class ObservationForm(FlaskForm):
    observed_on = DateField(_l("Day"), validators=[DataRequired(), WithinYears()])
    count = IntegerField(
        _l("Posts detected"),
        validators=[
            InputRequired(message=_l("Give a count.")),
            NumberRange(min=0, max=limits.OBSERVATION_COUNT_MAX),
        ],
    )
    source = StringField(
        _l("Source"), default="manual", validators=[Length(max=limits.TREND_TEXT_MAX["source"])]
    )


class ObservationCorrectionForm(FlaskForm):
    count = IntegerField(
        _l("Posts detected"),
        validators=[
            InputRequired(message=_l("Give a count.")),
            NumberRange(min=0, max=limits.OBSERVATION_COUNT_MAX),
        ],
    )
