"""French words known, and one word repaired against them: accents, OCR confusions, glued words.

The words are pyspellchecker's French list; a word is changed only into a known word, and only
when exactly one candidate exists."""
from __future__ import annotations

from functools import lru_cache

from extractors.folding import strip_accents

GLUED_MIN_FREQUENCY = 1000  # the word left after a glued article must be a common one


@lru_cache(maxsize=1)
def _spellchecker_dictionary() -> dict[str, int]:
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="fr", distance=1).word_frequency.dictionary)


@lru_cache(maxsize=1)
def french_words() -> frozenset[str]:
    """Known French word forms (pyspellchecker's French frequency list)."""
    return frozenset(_spellchecker_dictionary())


@lru_cache(maxsize=1)
def _accent_index() -> dict[str, str | None]:
    index: dict[str, str | None] = {}
    for word in french_words():
        key = strip_accents(word)
        index[key] = None if key in index and index[key] != word else word
    return index


@lru_cache(maxsize=1)
def ocr_confusions() -> dict[str, list[str]]:
    from extractors.rules import VOCABULARIES

    return VOCABULARIES["ocr-confusions.v1"]()


def is_known_word(word: str) -> bool:
    return word.casefold() in french_words()


def recase(known: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return known.upper()
    return known[:1].upper() + known[1:] if like[:1].isupper() else known


def repair_accents(word: str) -> str:
    """An unknown word whose accent-free form matches exactly one known word takes its accents."""
    if len(word) < 4 or is_known_word(word) or not word[1:].islower():
        return word
    known = _accent_index().get(strip_accents(word.casefold()))
    if not known or known == word.casefold():
        return word
    return recase(known, word)


def known_form(word: str) -> str | None:
    """The known word this lowercase string is, directly or once its accents are repaired."""
    if word in french_words():
        return word
    return _accent_index().get(strip_accents(word)) or None


def _confusion_candidates(lower: str) -> set[str]:
    found: set[str] = set()
    for sub in ocr_confusions()["SUBSTITUTIONS"]:
        bad, good = sub.split(">")
        bad, good = bad.lower(), good.lower()
        start = lower.find(bad)
        while start >= 0:
            known = known_form(lower[:start] + good + lower[start + len(bad):])
            if known:
                found.add(known)
            start = lower.find(bad, start + 1)
    return found


def repair_confusion(word: str) -> str:
    """An unknown word that one OCR substitution (`c`→`e`, `rn`→`m`, `1`→`i`…) turns into exactly
    one known word becomes that word: `Sccrétaire`, `octohre`, `rernises`, `févr1er`."""
    if len(word) < 4 or (word.isupper() and len(word) > 1) or not word[1:].replace("1", "").replace(
            "0", "").islower() or known_form(word.lower()):
        return word
    candidates = _confusion_candidates(word.lower())
    return recase(candidates.pop(), word) if len(candidates) == 1 else word


def split_glued(word: str) -> str:
    """An unknown word that is a short word glued onto a common one: `Lamission` → `La mission`."""
    if len(word) < 6 or not word[1:].islower() or known_form(word.lower()):
        return word
    freq = _spellchecker_dictionary()
    splits = []
    for first in ocr_confusions()["GLUED_FIRST"]:
        rest = word[len(first):]
        if word.lower().startswith(first) and len(rest) >= 4 and freq.get(rest, 0) >= \
                GLUED_MIN_FREQUENCY:
            splits.append(f"{word[:len(first)]} {rest}")
    return splits[0] if len(splits) == 1 else word


def repair_word(word: str) -> tuple[str, str | None]:
    """(repaired word, rule) for one word; the rule is None when the word is left as it is."""
    if not any(c.isdigit() for c in word):
        fixed = repair_accents(word)
        if fixed != word:
            return fixed, "accents.v2"
    fixed = repair_confusion(word)
    if fixed != word:
        return fixed, "ocr-confusion.v1"
    fixed = split_glued(word)
    if fixed != word:
        return fixed, "glued-words.v1"
    return word, None
