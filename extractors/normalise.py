"""One normalisation step for OCR text before matching; every repair is recorded."""
from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from models.records import Line, Page, Word


@dataclass(frozen=True)
class Repair:
    rule: str
    before: str
    after: str


CHAR_MAP = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "\ufb01": "fi", "\ufb02": "fl", "\ufb00": "ff", "\ufb03": "ffi", "\ufb04": "ffl",
    "\u2010": "-", "\u2011": "-", "\u00ad": "",
}
_CHAR_RE = re.compile("|".join(map(re.escape, CHAR_MAP)))
# `I'` or `|'` or `1'` read for the elided article `l'` before a letter.
_ELISION_RE = re.compile(r"(?<![\w'])[I|1]'(?=[A-Za-zÀ-ÿ])")
_WORD_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+")
_SPACES_RE = re.compile(r"[ \t]{2,}")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for comparisons."""
    return _SPACES_RE.sub(" ", strip_accents(text).casefold()).strip()


@lru_cache(maxsize=1)
def french_words() -> frozenset[str]:
    """Known French word forms (pyspellchecker's French frequency list)."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="fr", distance=1).word_frequency.dictionary)


@lru_cache(maxsize=1)
def _accent_index() -> dict[str, str | None]:
    index: dict[str, str | None] = {}
    for word in french_words():
        key = strip_accents(word)
        index[key] = None if key in index and index[key] != word else word
    return index


def is_known_word(word: str) -> bool:
    return word.casefold() in french_words()


def repair_accents(word: str) -> str:
    """An unknown word whose accent-free form matches exactly one known word takes its accents."""
    if len(word) < 4 or is_known_word(word) or not word[1:].islower():
        return word
    known = _accent_index().get(strip_accents(word.casefold()))
    if not known or known == word.casefold():
        return word
    return known.capitalize() if word[0].isupper() else known


def normalise_text(text: str) -> tuple[str, tuple[Repair, ...]]:
    """Normalise one piece of OCR text; returns the text and the repairs made."""
    repairs: list[Repair] = []
    out = unicodedata.normalize("NFC", text)
    mapped = _CHAR_RE.sub(lambda m: CHAR_MAP[m.group(0)], out)
    if mapped != out:
        repairs.append(Repair("typography.v1", out, mapped))
    out = mapped
    elided = _ELISION_RE.sub("l'", out)
    if elided != out:
        repairs.append(Repair("elision-l.v1", out, elided))
    out = elided

    def fix_word(m: re.Match[str]) -> str:
        word = m.group(0)
        fixed = repair_accents(word)
        if fixed != word:
            repairs.append(Repair("accents.v1", word, fixed))
        return fixed

    out = _WORD_RE.sub(fix_word, out)
    out = _SPACES_RE.sub(" ", out).strip()
    return out, tuple(repairs)


def _is_mark_junk(words: list[Word]) -> bool:
    """A run of words that graphics left (`El`, `| |`, `EF`): no known word of 3+ letters."""
    text = " ".join(w.text for w in words)
    letters = sum(c.isalpha() for c in text)
    has_word = any(len(t) >= 3 and is_known_word(t) for t in _WORD_RE.findall(text))
    return letters <= 4 and not has_word


def drop_edge_junk(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """Split at wide gaps; drop leading and trailing segments that are graphics, not text."""
    boxed = [w for w in words if w.bbox is not None]
    if len(boxed) != len(words) or len(words) < 2:
        return words, []
    heights = sorted(w.bbox[3] - w.bbox[1] for w in words)  # type: ignore[index]
    gap_limit = 1.5 * heights[len(heights) // 2]
    segments: list[list[Word]] = [[words[0]]]
    for prev, w in itertools.pairwise(words):
        if w.bbox[0] - prev.bbox[2] > gap_limit:  # type: ignore[index]
            segments.append([])
        segments[-1].append(w)
    dropped: list[Word] = []
    while len(segments) > 1 and _is_mark_junk(segments[-1]):
        dropped = segments.pop() + dropped
    while len(segments) > 1 and _is_mark_junk(segments[0]) and not any(
            c.isdigit() for w in segments[0] for c in w.text):  # `2.` before a tab stays
        dropped = segments.pop(0) + dropped
    return [w for seg in segments for w in seg], dropped


def normalise_line(line: Line) -> tuple[Line, tuple[Repair, ...]]:
    """A line with normalised text (word by word when it has words, keeping boxes aligned)."""
    if line.words:
        words: list[Word] = []
        repairs: list[Repair] = []
        kept, dropped = drop_edge_junk(list(line.words))
        if dropped:
            repairs.append(Repair("mark-junk.v1", " ".join(w.text for w in dropped), ""))
        for w in kept:
            text, reps = normalise_text(w.text)
            repairs.extend(reps)
            if text:
                words.append(Word(text=text, bbox=w.bbox, conf=w.conf))
        text = " ".join(w.text for w in words)
        boxes = [w.bbox for w in words if w.bbox is not None]
        bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes)) if boxes else line.bbox
        return Line(text=text, bbox=bbox, conf=line.conf, para_break=line.para_break,
                    words=tuple(words), raw_text=line.text), tuple(repairs)
    text, reps = normalise_text(line.text)
    return Line(text=text, bbox=line.bbox, conf=line.conf, para_break=line.para_break,
                raw_text=line.text), reps


def normalise_page(page: Page) -> tuple[Page, tuple[Repair, ...]]:
    lines: list[Line] = []
    repairs: list[Repair] = []
    for line in page.lines:
        new, reps = normalise_line(line)
        repairs.extend(reps)
        if new.text:
            lines.append(new)
    return Page(page=page.page, method=page.method, lines=tuple(lines), width_px=page.width_px,
                height_px=page.height_px, dpi=page.dpi, mean_confidence=page.mean_confidence,
                skew_degrees=page.skew_degrees, rotation=page.rotation, error=page.error), tuple(repairs)
