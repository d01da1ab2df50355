"""Keep secret URL parts (calendar-feed and import tokens) out of access logs.

Calendar apps must fetch the feed by a URL holding its token, so the token cannot leave the URL:
it is redacted wherever a request line is logged (the development server's log here, gunicorn's
access log through gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re

_SECRET_PARTS = re.compile(r"(/publishing/calendar/)[^/?\s\"]+(\.ics)|(/trends/import/)[^/?\s\"]+")


def redact(text: str) -> str:
    """The text with every calendar-feed and import token replaced by [redacted]."""
    return _SECRET_PARTS.sub(lambda m: f"{m[1]}[redacted]{m[2]}" if m[1] else f"{m[3]}[redacted]", text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts tokens from a record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install() -> None:
    """Redact the development server's request log (werkzeug)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
