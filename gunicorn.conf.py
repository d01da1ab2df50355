"""gunicorn settings read automatically from the working directory: redact tokens in access logs."""

from gunicorn.glogging import Logger

from app.web.logredact import redact


class RedactingLogger(Logger):
    """gunicorn's logger, with calendar-feed and import tokens removed from every access-log atom."""

    def atoms(self, resp, req, environ, request_time):
        return {
            key: redact(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }


logger_class = RedactingLogger
