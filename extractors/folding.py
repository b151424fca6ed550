"""Text folding, written once: the accent-, case- and spacing-free forms words are compared in."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES_RE = re.compile(r"[ \t]{2,}")
# Typographic quotes and the no-break space as their plain forms: titles compared across reports
# (the apostrophe published is the document's own, `’` in one report and `'` in the next).
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_TYPED_APOSTROPHE = str.maketrans({"’": "'"})


def strip_accents(text: str, *, recompose: bool = True) -> str:
    """The text without its combining marks (decomposed, marks dropped, recomposed unless
    `recompose` is false); each character's bare form is worked out once (the French word list
    alone is 140,000 words)."""
    if text.isascii():
        return text
    bare = "".join(map(_bare, text))
    return unicodedata.normalize("NFC", bare) if recompose else bare


@lru_cache(maxsize=4096)
def _bare(char: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))


def fold(text: str, *, quotes: bool = False, typed: bool = False) -> str:
    """Case- and accent-insensitive form of `text`, for comparisons.

    By default (text the extractors read): combining marks dropped, casefolded, runs of spaces
    and tabs made one space and the ends stripped. `quotes`: typographic quotes and apostrophes
    are the plain ones and a no-break space a space first (titles compared across reports).
    `typed`: the form what a person types into `missions query` and `missions correct` is
    matched in, as it always was: only `’` is made `'`, spacing is kept as typed (« a  b » is
    looked for with its two spaces) and the letters are left decomposed.
    """
    if typed:
        return strip_accents(text.translate(_TYPED_APOSTROPHE), recompose=False).casefold()
    if quotes:
        text = text.translate(_QUOTES)
    return _SPACES_RE.sub(" ", strip_accents(text).casefold()).strip()
