"""Channel forms: credentials are write-only inputs, never rendered back."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.channels.connectors import CONNECTOR_SPECS
from app.channels.scheduling import WindowSyntaxError, parse_windows
from app.common.time import is_valid_zone

PLATFORM_CHOICES = [(platform, spec.label) for platform, spec in CONNECTOR_SPECS.items()]


class ChannelForm(FlaskForm):
    """Settings of a channel; on a new channel also its platform and credentials."""

    platform = SelectField(_l("Platform"), choices=PLATFORM_CHOICES)
    display_name = StringField(_l("Name people see"), validators=[DataRequired(), Length(max=200)])
    handle = StringField(
        _l("Handle"),
        validators=[Optional(), Length(max=200)],
        description=_l("The account's handle, such as name.bsky.social (Bluesky needs it)."),
    )
    server_url = StringField(
        _l("Server address"),
        validators=[Optional(), Length(max=500)],
        description=_l("Mastodon: the instance, such as https://mastodon.social."),
    )
    webhook_url = StringField(
        _l("Webhook URL"),
        validators=[Optional(), Length(max=500)],
        description=_l("Webhook channels: the https:// address that receives signed posts."),
    )
    chat_id = StringField(
        _l("Telegram chat"),
        validators=[Optional(), Length(max=100)],
        description=_l("@channelusername or the numeric id, such as -1001234567890."),
    )
    secret = PasswordField(
        _l("Access token, app password, bot token or signing secret"),
        validators=[Optional(), Length(max=4000)],
        description=_l(
            "Stored encrypted and never shown again. Webhooks: left empty, a signing secret is generated."
        ),
    )
    time_zone = StringField(_l("Time zone"), default="UTC", validators=[DataRequired(), Length(max=64)])
    posting_windows = TextAreaField(
        _l("Posting windows"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "One line per day group, in the channel's time zone, such as "
            '"mon-fri 09:00-12:00 14:00-18:00". Empty: any time.'
        ),
    )
    min_spacing_minutes = IntegerField(
        _l("Minimum minutes between posts"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=10_080)],
    )
    daily_cap = IntegerField(_l("Most posts per day"), validators=[Optional(), NumberRange(min=1, max=1000)])
    char_limit_override = IntegerField(
        _l("Character limit override"),
        validators=[Optional(), NumberRange(min=1, max=100_000)],
        description=_l("Leave empty to use the limit the server publishes (Mastodon) or the platform's."),
    )
    is_paused = BooleanField(_l("Paused: publish nothing on this channel"))
    is_individual_account = BooleanField(
        _l("This is an individual person's account (warned before use on hostile trends)")
    )

    def validate_time_zone(self, field: StringField) -> None:
        if not is_valid_zone(field.data or ""):
            raise ValidationError(_l("Use a time zone name such as Europe/Paris or UTC."))

    def validate_posting_windows(self, field: TextAreaField) -> None:
        try:
            parse_windows(field.data or "")
        except WindowSyntaxError as error:
            raise ValidationError(str(error)) from None


class CredentialsForm(FlaskForm):
    """Replace credentials: the person re-enters their own password first."""

    secret = PasswordField(
        _l("New access token, app password, bot token or signing secret"),
        validators=[Optional(), Length(max=4000)],
    )
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=1024)],
        description=_l("We ask again before anyone changes a channel's credentials."),
    )
