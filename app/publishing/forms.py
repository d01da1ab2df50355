"""Publishing forms: schedule, partner answers, manual posting, pause."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional, ValidationError


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ScheduleForm(FlaskForm):
    """Choose channels and a time (in the person's organisation's time zone) or the next free slot."""

    channel_ids = MultiCheckboxField(_l("Channels"), coerce=int)
    mode = RadioField(
        _l("When"),
        choices=[("next", _l("The next free slot of each channel")), ("at", _l("At this time"))],
        default="next",
    )
    at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def validate_channel_ids(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one channel."))

    def validate_at(self, field: DateTimeLocalField) -> None:
        if self.mode.data == "at" and not field.data:
            raise ValidationError(_l("Give the date and time, or choose the next free slot."))


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Why you decline"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("The campaign team reads this to adapt the plan."),
    )


class MarkPostedForm(FlaskForm):
    url = StringField(
        _l("Address of the published post"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("Paste the link to the post on the platform, starting with https://."),
    )


class PauseForm(FlaskForm):
    reason = TextAreaField(_l("Reason (shown in the audit trail)"), validators=[Optional(), Length(max=2000)])
