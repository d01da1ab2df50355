"""The form for counts typed in by a person (webhook and manual channels, or a correction)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.outcomes.services import MAX_COUNT

_RANGE = NumberRange(min=0, max=MAX_COUNT, message=_l("Enter a whole number from 0 to 1,000,000,000."))


class EngagementForm(FlaskForm):
    likes = IntegerField(_l("Likes or favourites"), validators=[InputRequired(), _RANGE])
    reposts = IntegerField(_l("Reposts, boosts or shares"), validators=[InputRequired(), _RANGE])
    replies = IntegerField(_l("Replies or comments"), validators=[InputRequired(), _RANGE])
    quotes = IntegerField(
        _l("Quotes (leave empty if the platform has none)"), validators=[Optional(), _RANGE]
    )
