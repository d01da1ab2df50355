"""Forms for the token admin page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What will use it, e.g. “monitoring script”."),
    )
