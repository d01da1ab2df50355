"""A minimal threaded SMTP sink on 127.0.0.1 that smtplib can talk to; it stores every message."""

from __future__ import annotations

import base64
import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Self


@dataclass
class ReceivedMail:
    """One message as the sink received it."""

    mail_from: str
    rcpt_to: list[str]
    data: bytes
    auth_user: str | None = None
    message: EmailMessage = field(init=False)

    def __post_init__(self) -> None:
        # Parse with plain newlines: the wire format's CRLF would leak into get_content().
        unix = self.data.replace(b"\r\n", b"\n")
        self.message = message_from_bytes(unix, policy=policy.default)  # type: ignore[assignment]


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, sink: FakeSMTP) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.sink = sink


class _Handler(socketserver.StreamRequestHandler):
    """Speaks EHLO/HELO, AUTH PLAIN/LOGIN (any password), MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    server: _Server

    def handle(self) -> None:
        self._reply("220 fake-smtp ESMTP ready")
        self._reset()
        self.auth_user: str | None = None
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            command, _, argument = line.decode("utf-8", "replace").strip().partition(" ")
            if not self._dispatch(command.upper(), argument):
                return

    def _dispatch(self, command: str, argument: str) -> bool:
        if command == "EHLO":
            self._reply("250-fake-smtp\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN LOGIN")
        elif command == "HELO":
            self._reply("250 fake-smtp")
        elif command == "AUTH":
            self._auth(argument)
        elif command == "MAIL":
            self.mail_from = _address(argument)
            self._reply("250 OK")
        elif command == "RCPT":
            self.rcpt_to.append(_address(argument))
            self._reply("250 OK")
        elif command == "DATA":
            self._data()
        elif command == "RSET":
            self._reset()
            self._reply("250 OK")
        elif command == "NOOP":
            self._reply("250 OK")
        elif command == "QUIT":
            self._reply("221 Bye")
            return False
        else:
            self._reply("502 Command not implemented")
        return True

    def _auth(self, argument: str) -> None:
        mechanism, _, initial = argument.partition(" ")
        if mechanism.upper() == "PLAIN":
            if not initial:
                self._reply("334 ")
                initial = self.rfile.readline().decode().strip()
            parts = base64.b64decode(initial).split(b"\0")
            self.auth_user = parts[1].decode() if len(parts) > 1 else None
        elif mechanism.upper() == "LOGIN":
            self._reply("334 VXNlcm5hbWU6")
            self.auth_user = base64.b64decode(self.rfile.readline().strip()).decode()
            self._reply("334 UGFzc3dvcmQ6")
            self.rfile.readline()
        else:
            self._reply("504 Unrecognized authentication type")
            return
        self._reply("235 Authentication successful")

    def _data(self) -> None:
        if not self.rcpt_to:
            self._reply("503 Need RCPT first")
            return
        self._reply("354 End data with <CR><LF>.<CR><LF>")
        lines = []
        while True:
            line = self.rfile.readline()
            if not line or line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        self.server.sink.store(
            ReceivedMail(self.mail_from, list(self.rcpt_to), b"".join(lines), self.auth_user)
        )
        self._reset()
        self._reply("250 OK: queued")

    def _reset(self) -> None:
        self.mail_from = ""
        self.rcpt_to: list[str] = []

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


def _address(argument: str) -> str:
    """The address inside `FROM:<a@b>` or `TO:<a@b>`, without ESMTP parameters."""
    _, _, rest = argument.partition(":")
    return rest.strip().split(" ")[0].strip("<>")


class FakeSMTP:
    """Use as `with FakeSMTP() as smtp: smtplib.SMTP(smtp.host, smtp.port)`."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    def store(self, mail: ReceivedMail) -> None:
        """Keep a received message."""
        with self._lock:
            self.messages.append(mail)

    def __enter__(self) -> Self:
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
