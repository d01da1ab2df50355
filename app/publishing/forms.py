"""Publishing forms: schedule, partner answers, manual posting, pause."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.common.bounds import WithinYears


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class _TimeChoice(FlaskForm):
    """The next free slot, or a given time in the person's organisation's time zone."""

    at = DateTimeLocalField(
        _l("Date and time"), format="%Y-%m-%dT%H:%M", validators=[Optional(), WithinYears()]
    )

    def validate(self, extra_validators=None) -> bool:
        # Not an inline validator: Optional() stops the chain on an empty field before it would run.
        valid = super().validate(extra_validators)
        if self.mode.data == "at" and not self.at.data and not self.at.errors:
            self.at.errors = [*self.at.errors, _l("Give the date and time, or choose the next free slot.")]
            return False
        return valid


class ScheduleForm(_TimeChoice):
    """Choose channels and a time, or the next free slot of each channel."""

    channel_ids = MultiCheckboxField(_l("Channels"), coerce=int)
    mode = RadioField(
        _l("When"),
        choices=[("next", _l("The next free slot of each channel")), ("at", _l("At this time"))],
        default="next",
    )

    def validate_channel_ids(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one channel."))


class RescheduleForm(_TimeChoice):
    """A new time for a cancelled, never-sent post."""

    mode = RadioField(
        _l("When"),
        choices=[("next", _l("The next free slot of the channel")), ("at", _l("At this time"))],
        default="next",
    )


class MoveForm(FlaskForm):
    """The calendar's "move to…": a new time for a queued post, in the organisation's time zone."""

    at = DateTimeLocalField(_l("Move to"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Why you decline"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("The campaign team reads this to adapt the plan."),
    )


class MarkPostedForm(FlaskForm):
    url = StringField(
        _l("Address of the published post"),
        validators=[
            DataRequired(),
            Length(max=1000),
            Regexp(
                r"^https?://[^\s/]+",
                message=_l("Paste the link to the post on the platform, starting with https://."),
            ),
        ],
        description=_l("Paste the link to the post on the platform, starting with https://."),
    )


class PauseForm(FlaskForm):
    reason = TextAreaField(_l("Reason (shown in the audit trail)"), validators=[Optional(), Length(max=2000)])
