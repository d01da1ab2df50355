"""Audit actions: one enum in one tense, words for each in both languages, old rows still readable."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.services import record
from app.common.audit_actions import RENAMED, AuditAction, current_name, stored_names
from app.common.labels import label
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
# Past participles that do not end in -ed, and the words that may follow one ("signed in").
IRREGULAR = {"found", "held", "reset", "reread"}
PARTICLES = {"in", "out", "everywhere"}


def test_every_action_has_words_in_english_and_french(app):
    missing = []
    for action in AuditAction:
        with force_locale("en"):
            english = label(action, "audit_action")
        with force_locale("fr"):
            french = label(action, "audit_action")
        fallback = action.replace("_", " ").replace(".", " · ")  # what label() shows for an unknown code
        if english == fallback or french in (fallback, english):
            missing.append(action.value)
    assert not missing, f"label these in app/common/labels.py and French: {missing}"


@pytest.mark.parametrize("action", list(AuditAction))
def test_every_action_is_named_object_dot_past_participle(action):
    assert re.fullmatch(r"[a-z_]+\.[a-z_]+", action)
    words = action.split(".")[1].split("_")
    while words[-1] in PARTICLES:
        words.pop()
    verb = words[-1]
    assert verb.endswith("ed") or verb in IRREGULAR, f"{action} is not in the past participle"


def test_old_names_map_to_actions_and_are_not_reused():
    assert set(RENAMED).isdisjoint(set(AuditAction))
    assert current_name("campaign.create") == AuditAction.CAMPAIGN_CREATED
    assert set(stored_names(AuditAction.POST_MOVED)) == {"post.moved", "post.move"}
    assert stored_names("something.else") == ["something.else"]


def test_record_refuses_a_bare_string(app):
    with pytest.raises(TypeError):
        record("campaign.created", actor=None)  # type: ignore[arg-type]
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_the_type_checker_refuses_a_bare_string(tmp_path):
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from app.audit.services import record\n"
        "from app.common.audit_actions import AuditAction\n"
        "record(AuditAction.CAMPAIGN_CREATED, actor=None)\n"
        'record("campaign.created", actor=None)\n'
    )
    sources = [str(ROOT / "app" / "audit" / "services.py"), str(ROOT / "app" / "common" / "audit_actions.py")]
    # In a process of its own: mypy raises the garbage collector's threshold for its whole process.
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "cache"), "--follow-imports", "skip", str(snippet), *sources],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    out, status = checked.stdout, checked.returncode
    assert status == 1 and out.count("error:") == 1
    assert 'snippet.py:4: error: Argument 1 to "record" has incompatible type "str"' in out


def test_every_call_site_passes_an_action_not_a_string():
    """The checker types `record`; this also catches a literal slipped in where mypy is not run."""
    literals = []
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in ("record", "_audit")
                and node.args
            ):
                first = node.args[0]
                parts = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                literals += [
                    f"{path.relative_to(ROOT)}:{node.lineno}"
                    for part in parts
                    if isinstance(part, ast.Constant | ast.JoinedStr)
                ]
    assert not literals


def _old_row(action: str, org) -> None:
    """A row written before the rename: the trail is append-only, so it keeps its old name."""
    db.session.add(AuditEvent(action=action, organisation=org, details={"title": "Old campaign"}))
    db.session.commit()


def test_an_old_name_row_reads_as_its_action_and_is_found_by_its_filter(client, auth, admin, org):
    _old_row("campaign.create", org)
    record(AuditAction.CAMPAIGN_CREATED, actor=admin, details={"title": "New campaign"})
    _old_row("campaign.update", org)
    db.session.commit()
    auth.login(admin)

    page = client.get("/admin/audit/?action=campaign.created").get_data(as_text=True)
    assert "Old campaign" in page and "New campaign" in page
    assert page.count("<td>Campaign created</td>") == 2
    assert "<td>Campaign edited</td>" not in page
    # One choice in the filter for the old and the new name, selected.
    assert page.count(">Campaign created</option>") == 1
    assert '<option value="campaign.created" selected>' in page
    assert 'value="campaign.create"' not in page

    french = client.get("/admin/audit/?action=campaign.created", headers={"Accept-Language": "fr"})
    assert french.get_data(as_text=True).count("<td>Campagne créée</td>") == 2


def test_a_link_with_an_old_name_still_filters(client, auth, admin, org):
    _old_row("post.move", org)
    record(AuditAction.CAMPAIGN_CREATED, actor=admin, details={"title": "Not a move"})
    db.session.commit()
    auth.login(admin)
    page = client.get("/admin/audit/?action=post.move").get_data(as_text=True)
    assert "<td>Post moved to another slot</td>" in page and "Not a move" not in page
