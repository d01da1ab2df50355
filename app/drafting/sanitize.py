"""Turn untrusted text into inert, length-capped data for a prompt (DOMAIN.md rule 15)."""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS_MARKER = " […]"

# Invisible characters used to hide instructions or reorder text: zero-width marks, bidi
# embeddings/overrides (U+202A–202E) and isolates (U+2066–2069), the tags block
# (U+E0000–E007F), word joiners, the BOM, and the interlinear annotation marks.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f]"
)
# C0 and C1 controls except the newline (tabs become spaces before this runs), lone
# surrogates (they cannot be encoded to send) and the two non-characters.
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_MANY_SPACES = re.compile(r"[ \u00a0]{2,}")

# The data blocks in prompts are delimited by <tag> ... </tag>: angle brackets (and their
# look-alikes) inside the data become single guillemets so the data can never open or close a block.
_DELIMITERS = str.maketrans(
    {
        "<": "‹",
        ">": "›",
        "\uff1c": "‹",
        "\uff1e": "›",
        "\ufe64": "‹",
        "\ufe65": "›",
        "\u2329": "‹",
        "\u232a": "›",
        "\u3008": "‹",
        "\u3009": "›",
    }
)


def clean_text(text: str) -> str:
    """NFC-normalise and remove invisible and control characters, keeping newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n").replace("\t", " ")
    text = _INVISIBLE.sub("", text)
    text = _CONTROLS.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _MANY_SPACES.sub(" ", text)
    return _MANY_BLANK_LINES.sub("\n\n", text).strip()


def as_data_block(text: str, *, max_chars: int) -> str:
    """Return text cleaned, delimiter-safe and at most max_chars long, for use inside a data block."""
    if max_chars <= len(ELLIPSIS_MARKER):
        raise ValueError(f"max_chars must be greater than {len(ELLIPSIS_MARKER)}")
    text = clean_text(text).translate(_DELIMITERS)
    if len(text) > max_chars:
        text = text[: max_chars - len(ELLIPSIS_MARKER)].rstrip() + ELLIPSIS_MARKER
    return text
