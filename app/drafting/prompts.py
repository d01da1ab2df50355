"""Render the versioned prompt templates in prompts/ (Jinja, plain text, never HTML)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.drafting.sanitize import as_data_block

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
PROMPT_NAMES = ("system", "draft", "revise", "adapt", "translate", "repair", "review")

LANGUAGE_NAMES = {"en": "English", "fr": "French"}

_HEADER = re.compile(r"\A\{#\s*name:\s*(?P<name>[a-z_]+)\s+version:\s*(?P<version>\d+)\s*#\}")


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered prompt with the name, version and hash an AI draft records."""

    name: str
    version: int
    text: str
    sha256: str


def _data(value: Any, max_chars: int) -> str:
    """Jinja filter: untrusted text as an inert, capped data string."""
    return "" if value is None else as_data_block(str(value), max_chars=max_chars)


def _language_name(code: str) -> str:
    """Jinja filter: a language code as an English name the model understands."""
    return LANGUAGE_NAMES.get(code.split("-")[0].lower(), code)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """Build the Jinja environment once: plain text, strict about missing variables."""
    # Untrusted text reaches a prompt only through the `data` filter (sanitize.as_data_block).
    env = Environment(
        loader=FileSystemLoader(PROMPTS_DIR),
        autoescape=False,  # noqa: S701  # nosec B701: plain-text prompts, never HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["data"] = _data
    env.filters["language_name"] = _language_name
    return env


@cache
def prompt_version(name: str) -> int:
    """Read the version declared in a template's header comment."""
    source = (PROMPTS_DIR / f"{name}.j2").read_text(encoding="utf-8")
    match = _HEADER.match(source)
    if match is None or match["name"] != name:
        raise ValueError(f"prompts/{name}.j2 must start with '{{# name: {name}  version: N #}}'")
    return int(match["version"])


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a text, as recorded with each AI draft."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render(name: str, **context: Any) -> RenderedPrompt:
    """Render prompts/<name>.j2 with the given context."""
    if name not in PROMPT_NAMES:
        raise ValueError(f"unknown prompt {name!r}; expected one of {PROMPT_NAMES}")
    version = prompt_version(name)
    text = _environment().get_template(f"{name}.j2").render(**context).strip() + "\n"
    return RenderedPrompt(name=name, version=version, text=text, sha256=sha256_text(text))
