"""The French words the extractors share, spelled once: month names and number words; and the
glyphs OCR reads a table's ruled lines as."""
from __future__ import annotations

MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre")  # in order: month i is [i - 1]
_UNACCENTED = {"février": "fevrier", "août": "aout", "décembre": "decembre"}
# Each month as written, then without its accents (as typed or OCR'd), in the calendar's order.
MONTHS = tuple(spelling for name in MONTH_NAMES
               for spelling in (name, *([_UNACCENTED[name]] if name in _UNACCENTED else [])))
MONTH_NUMBER = {spelling: i for i, name in enumerate(MONTH_NAMES, start=1)
                for spelling in (name, _UNACCENTED.get(name, name))}
MONTH_ALTERNATIVES = "|".join(MONTHS)  # a regex alternation of every spelling

NUMBER_WORDS = {
    "aucun": 0, "aucune": 0, "zéro": 0, "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3,
    "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11,
    "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "dix-sept": 17,
    "dix-huit": 18, "dix-neuf": 19, "vingt": 20, "vingt-et-un": 21, "vingt-deux": 22,
    "vingt-trois": 23, "vingt-quatre": 24, "vingt-cinq": 25, "trente": 30,
}
# A regex alternation of the number words, the longest first (« dix-huit » before « dix »).
NUMBER_WORD_ALTERNATIVES = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))

# What OCR reads a stretch of a table's rule as (a cell's border beside a word, a row's underline).
RULE_GLYPHS = "|[]{}_—–-=~"
# ... and an upright rule alone, which OCR may also read as a letter or a stroke: only a glyph
# standing alone beyond a table's side is taken for one, never a letter inside a word or a cell.
UPRIGHT_RULE_GLYPHS = RULE_GLYPHS + "!lI"
