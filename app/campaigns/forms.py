"""Campaign forms: they keep what was typed and say what to fix."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.campaigns.models import CampaignMode, CampaignStatus
from app.campaigns.services import is_http_url
from app.campaigns.strategies import STRATEGIES
from app.platforms import PLATFORM_CHOICES

LANGUAGE_CHOICES = [("en", _l("English")), ("fr", _l("French"))]
STRATEGY_CHOICES = [(key, _l(strategy.label)) for key, strategy in STRATEGIES.items()]
MODE_CHOICES = [
    (CampaignMode.BROADCAST.value, _l("Broadcast: posts on partner timelines")),
    (CampaignMode.REPLY.value, _l("Reply: answers to public posts, posted by hand")),
]
STATUS_LABELS = {
    CampaignStatus.PLANNING: _l("Planning"),
    CampaignStatus.ACTIVE: _l("Active"),
    CampaignStatus.PAUSED: _l("Paused"),
    CampaignStatus.COMPLETED: _l("Completed"),
    CampaignStatus.ARCHIVED: _l("Archived"),
}


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    goal = TextAreaField(
        _l("Goal"),
        validators=[Length(max=4000)],
        description=_l("What should change for the audience after this campaign?"),
    )
    audience = TextAreaField(
        _l("Audience"),
        validators=[Length(max=2000)],
        description=_l(
            "Leave empty for the movable middle: people who see the hate but have not taken a side."
        ),
    )
    mode = SelectField(_l("Mode"), choices=MODE_CHOICES, default=CampaignMode.BROADCAST.value)
    strategies = MultiCheckboxField(
        _l("Strategies allowed"),
        choices=STRATEGY_CHOICES,
        description=_l("Leave all unticked to allow every strategy the trend's severity permits."),
    )
    tone_notes = TextAreaField(_l("Tone notes"), validators=[Length(max=2000)])
    languages = MultiCheckboxField(_l("Languages"), choices=LANGUAGE_CHOICES, default=["en"])
    platforms = MultiCheckboxField(_l("Target platforms"), choices=PLATFORM_CHOICES, default=["mastodon"])
    hashtags = StringField(
        _l("Campaign hashtags"),
        validators=[Length(max=500)],
        description=_l("Your own supportive tags, separated by spaces, in CamelCase, e.g. #NeighboursFirst."),
    )
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    trend_ids = MultiCheckboxField(_l("Trends it answers"), coerce=int, choices=[])
    partner_ids = MultiCheckboxField(_l("Partner organisations taking part"), coerce=int, choices=[])
    requires_partner_approval = BooleanField(_l("Every partner's lead must approve each message too"))

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date must be on or after the start date."))

    def validate_languages(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one language."))

    def validate_platforms(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one platform."))


class KnowledgeForm(FlaskForm):
    text = TextAreaField(
        _l("Fact"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("One vetted fact, written as you would let the drafter use it."),
    )
    source_url = URLField(
        _l("Source URL"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("Where a reader can check it, starting with https://."),
    )
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="en")

    def validate_source_url(self, field: URLField) -> None:
        if not is_http_url(field.data):
            raise ValidationError(_l("Give a web address starting with http:// or https://."))


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[(s.value, label) for s, label in STATUS_LABELS.items()])
