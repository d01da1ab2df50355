"""The French catalogue covers every string marked for translation, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "app" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _marked_strings() -> set[str]:
    found: set[str] = set()
    for pattern, method in (("app/**.py", "python"), ("templates/**.html", "jinja2")):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map=[(pattern, method)], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_marked_string_has_a_french_translation():
    catalogue = read_po(CATALOGUE.open("rb"), locale="fr")
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalogue
        if m.id and m.string and (not isinstance(m.string, tuple) or all(m.string))
    }
    missing = sorted(_marked_strings() - translated)
    assert not missing, f"Run `make extract-messages` and translate: {missing[:20]}"


def test_translations_keep_their_placeholders():
    catalogue = read_po(CATALOGUE.open("rb"), locale="fr")
    broken = []
    for message in catalogue:
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(source))
        if isinstance(message.id, tuple):
            expected |= set(PLACEHOLDER.findall(message.id[1]))
        broken += [
            source for target in targets if target and not set(PLACEHOLDER.findall(target)) <= expected
        ]
    assert not broken, broken[:10]
