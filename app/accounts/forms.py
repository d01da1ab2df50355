"""Sign-in and account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.accounts.models import Role
from app.common.time import is_valid_zone


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(), Length(max=12)],
        description=_l("Six digits. A new code appears every 30 seconds."),
    )


class ReauthForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1024)])


class DisableMfaForm(CodeForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1024)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=12, max=1024)],
        description=_l("At least 12 characters. A few unrelated words make a strong password."),
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
    )


ROLE_CHOICES = [
    (Role.STAFF.value, _l("Staff")),
    (Role.LEAD.value, _l("Coalition lead")),
    (Role.ADMIN.value, _l("Admin")),
]


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(min=12, max=1024)],
        description=_l("At least 12 characters. Share it with the person privately."),
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("Lower-case letters, digits and hyphens, e.g. partner-ngo."),
    )
    time_zone = StringField(_l("Time zone"), default="Europe/Paris", validators=[DataRequired()])
    default_language = SelectField(_l("Default language"), choices=[("en", "English"), ("fr", "Français")])

    def validate_time_zone(self, field: StringField) -> None:
        if not is_valid_zone(field.data or ""):
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Use a time zone name such as Europe/Paris or UTC."))
