"""Decision forms: each names the version the reviewer saw, so a decision never lands on other text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length


class _VersionForm(FlaskForm):
    version_id = HiddenField()

    def shown_version(self) -> int | None:
        """The version id the reviewer had in front of them."""
        try:
            return int(self.version_id.data)
        except (TypeError, ValueError):
            return None


class ApproveForm(_VersionForm):
    override_reason = TextAreaField(
        _l("Why the warnings are fine"),
        validators=[Length(max=2000)],
        description=_l("Required when the checks raised warnings. Errors can't be overridden."),
    )
    humor_acknowledged = BooleanField(
        _l(
            "I checked the humour is aimed at the idea, never at a person or group, and reads well across "
            "cultures."
        )
    )


class ChangesForm(_VersionForm):
    comment = TextAreaField(
        _l("What should change"),
        validators=[DataRequired(message=_l("Write what should change.")), Length(max=5000)],
    )


class RejectForm(_VersionForm):
    comment = TextAreaField(
        _l("Why it is rejected"),
        validators=[DataRequired(message=_l("Write why the message is rejected.")), Length(max=5000)],
    )


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Comment"), validators=[DataRequired(message=_l("Write a comment first.")), Length(max=5000)]
    )
