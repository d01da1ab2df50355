"""The SMTP sink stores what smtplib sends."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from tests.fakes.smtp import FakeSMTP


def test_smtplib_delivers_into_the_sink():
    message = EmailMessage()
    message["From"] = "noreply@counterpoint.test"
    message["To"] = "lead@partner.test"
    message["Subject"] = "Post approved"
    message.set_content("Your post is scheduled.\n.\nA line that starts with a dot.")
    with FakeSMTP() as sink, smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
        client.login("mailer", "pw")
        client.send_message(message)

    [mail] = sink.messages
    assert mail.rcpt_to == ["lead@partner.test"]
    assert mail.auth_user == "mailer"
    assert mail.message["Subject"] == "Post approved"
    assert ".\nA line that starts with a dot." in mail.message.get_content()
