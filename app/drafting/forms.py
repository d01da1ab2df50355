"""Drafting forms: ask for drafts, edit, revise, adapt, translate, comment, check a text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.campaigns.forms import LANGUAGE_CHOICES, MultiCheckboxField
from app.platforms import PLATFORM_CHOICES

MAX_TEXT = 5000


class DraftForm(FlaskForm):
    trend_id = SelectField(_l("Trend to answer"), coerce=int, validators=[DataRequired()])
    strategies = MultiCheckboxField(
        _l("Strategies"),
        choices=[],
        description=_l("Leave all unticked to spread the drafts over every allowed strategy."),
    )
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    platforms = MultiCheckboxField(_l("Platforms"), choices=[], validators=[DataRequired()])
    count = IntegerField(_l("How many drafts"), default=3, validators=[DataRequired(), NumberRange(1, 10)])


class EditForm(FlaskForm):
    text = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=MAX_TEXT)])


class ReviseForm(FlaskForm):
    preset = SelectField(
        _l("Make it"),
        choices=[("", _l("as instructed below")), ("warmer", _l("warmer")), ("shorter", _l("shorter"))],
        validators=[Optional()],
    )
    instruction = StringField(
        _l("Instruction"),
        validators=[Length(max=500)],
        description=_l("For example: “start with the fact”, “less formal”."),
    )


class AdaptForm(FlaskForm):
    platform = SelectField(_l("Platform"), choices=PLATFORM_CHOICES)


class TranslateForm(FlaskForm):
    target_language = SelectField(_l("Into"), choices=LANGUAGE_CHOICES)


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=4000)])


class ChecksForm(FlaskForm):
    text = TextAreaField(_l("Text to check"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    platforms = MultiCheckboxField(
        _l("Platforms"), choices=PLATFORM_CHOICES, default=["mastodon"], validators=[DataRequired()]
    )
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    trend_id = SelectField(_l("Trend (optional)"), coerce=int, choices=[], validators=[Optional()])


MESSAGE_STATUS_LABELS = {
    "draft": _l("Draft"),
    "in_review": _l("In review"),
    "changes_requested": _l("Changes requested"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "archived": _l("Archived"),
}
