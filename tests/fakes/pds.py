"""A REAL Bluesky PDS (@atproto/pds from the npm registry) on 127.0.0.1, with an in-memory PLC.

Installed by tests/pds/install.sh into ~/.cache/counterpoint-pds (outside the clone) with Node 22
from the npm registry when the machine's Node is older; installed on first use when absent.
A lossy proxy (tests.fakes.http) sits in front of it to lose answers after the PDS acted.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.http import FakeService, RecordedRequest, Reply

HERE = Path(__file__).resolve().parents[1] / "pds"
HOME = Path(os.environ.get("CP_PDS_HOME", Path.home() / ".cache" / "counterpoint-pds"))
INSTALL_TIMEOUT = 1200
START_TIMEOUT = 90


class PdsUnavailable(Exception):
    """The PDS cannot be installed here (npm registry unreachable)."""


def ensure_installed() -> Path:
    """The Node binary that runs the PDS; installs both when absent."""
    if not (HOME / "ready").exists():
        if shutil.which("npm") is None:
            raise PdsUnavailable("npm is not installed on this machine")
        if not _npm_reachable():
            raise PdsUnavailable("the npm registry cannot be reached")
        done = subprocess.run(
            ["bash", str(HERE / "install.sh")], capture_output=True, text=True, timeout=INSTALL_TIMEOUT
        )
        if done.returncode != 0:
            raise RuntimeError(f"PDS install failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return Path((HOME / "node_path").read_text().strip())


def _npm_reachable() -> bool:
    try:
        done = subprocess.run(["npm", "ping"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


class RealPds:
    """One PDS process with its own data directory, stopped on exit."""

    def __init__(self, node: Path) -> None:
        self.node = node
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None
        self._data = tempfile.mkdtemp(prefix="cp-pds-")
        self.admin_password = "admin-" + os.urandom(6).hex()

    def __enter__(self) -> RealPds:
        shutil.copy(HERE / "run.mjs", HOME / "pds" / "run.mjs")
        port = _free_port()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            "CP_PDS_PORT": str(port),
            "CP_PDS_DATA": self._data,
            "CP_PDS_ADMIN_PASSWORD": self.admin_password,
        }
        self._proc = subprocess.Popen(
            [str(self.node), "run.mjs"],
            cwd=HOME / "pds",
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.url = self._wait_ready()
        return self

    def _wait_ready(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        lines: list[str] = []
        found: list[str] = []

        def read() -> None:
            assert self._proc is not None and self._proc.stdout is not None
            for line in self._proc.stdout:
                lines.append(line)
                if line.startswith("READY "):
                    found.append(line)
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        if not found:
            self.__exit__()
            raise RuntimeError("the PDS did not start:\n" + "".join(lines[-40:]))
        return json.loads(found[0][6:])["pds"]

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        shutil.rmtree(self._data, ignore_errors=True)

    def xrpc(self, method: str, nsid: str, token: str | None = None, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        resp = httpx.request(method, f"{self.url}/xrpc/{nsid}", headers=headers, timeout=30, **kwargs)
        resp.raise_for_status()
        return resp.json() if resp.content else {}

    def create_account(self, handle: str) -> tuple[dict[str, Any], str]:
        """A new account and an app password for it: (session, app_password)."""
        session = self.xrpc(
            "POST",
            "com.atproto.server.createAccount",
            json={"handle": handle, "email": f"{handle}@example.org", "password": "account-pass-" + handle},
        )
        app = self.xrpc(
            "POST",
            "com.atproto.server.createAppPassword",
            session["accessJwt"],
            json={"name": "counterpoint"},
        )
        return session, app["password"]

    def records(self, did: str) -> list[dict[str, Any]]:
        """Every post record of an account."""
        data = self.xrpc(
            "GET",
            "com.atproto.repo.listRecords",
            params={"repo": did, "collection": "app.bsky.feed.post", "limit": 100},
        )
        return data["records"]


class LossyProxy(FakeService):
    """Forwards to a real server; a scripted call is forwarded, then its answer is lost."""

    def __init__(self, upstream: str) -> None:
        super().__init__()
        self.upstream = upstream

    def handle(self, request: RecordedRequest) -> Reply:
        target = request.path.rsplit("/", 1)[-1]
        scripted = self.next_script(target)
        headers = {k: v for k, v in request.headers.items() if k in ("authorization", "content-type")}
        resp = httpx.request(
            request.method,
            f"{self.upstream}{request.path}",
            params=request.query,
            content=request.body,
            headers=headers,
            timeout=30,
        )
        if scripted is not None and scripted.behaviour == "lose_answer":
            return Reply(drop=True)
        passed = {k: v for k, v in resp.headers.items() if k.lower().startswith("ratelimit")}
        return Reply(
            status=resp.status_code,
            body=resp.content,
            headers={"Content-Type": resp.headers.get("content-type", "application/json"), **passed},
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
