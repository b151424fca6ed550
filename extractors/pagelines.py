"""A page's lines as the rules read them (`PageLine`), and what a line is to the measures: junk,
a title's start or its going on, a summary, a legend's entry."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractors.numbering import EXPLICIT_STYLES, is_glyph, read_number
from extractors.rules import INFINITIVE, matches
from extractors.spelling import is_known_word
from models.records import BBox, Line, Word

if TYPE_CHECKING:
    from spacy.tokens import Doc

# A title never ends on one of these: a line that does is continued by the next one.
OPEN_ENDINGS = {"de", "des", "du", "d'", "l'", "la", "le", "les", "un", "une", "à", "au", "aux",
                "en", "et", "ou", "pour", "par", "sur", "dans", "avec", "entre", "vers", "sans",
                "chez", "sous", "qui", "que", "dont", "leur", "leurs", "son", "sa", "ses", "notre",
                "nos", "votre", "vos", "ce", "cette", "ces", "tout", "tous", "toute", "toutes"}
_WORDLIKE = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'\-]*$")
CAPITAL_INFINITIVE = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]{2,}(er|ir|re|oir)$")
_VOWELS = set("aeiouyàâäéèêëîïôöùûüœ")
_NUMBER_LINE = re.compile(r"^\d{2,4}[,;]?$")


@dataclass(frozen=True)
class PageLine:
    """A normalised line with its page and its parsed doc."""

    page: int
    line: Line
    doc: Doc
    method: str


def reads_on(pl: PageLine) -> bool:
    """A short line that can carry on an open title: it opens in lowercase or with a number and
    holds a known word or a number (`d'ici & 2025`, `2025`), unlike `o vhw`."""
    text = pl.line.text.strip()
    if not (text[:1].islower() or text[:1].isdigit()):
        return False
    tokens = [t.strip(",.;:«»") for t in text.split()]
    words = [re.sub(r"^\w{1,5}'", "", t) for t in tokens if any(c.isalpha() for c in t)]
    if any(not is_known_word(w) for w in words if len(w) >= 2):
        return False
    if read_number(pl.doc) is not None:
        return False
    return (any(_NUMBER_LINE.match(t) for t in tokens) or any("'" in t for t in tokens)
            or any(len(w) >= 4 for w in words))


def is_full(pl: PageLine, widths: dict[int, int]) -> bool:
    """A line of legacy text as long as the page's long lines: wrapped, so the title goes on."""
    return pl.line.bbox is None and len(pl.line.text) >= 0.85 * widths.get(pl.page, 0)


def _wordlike(token: str, conf: float | None) -> bool:
    """A token that reads as a word: known to the French word list, or a plain lowercase word."""
    token = re.sub(r"^(?:[lLdDnNsScCjJmMtT]|[qQ]u|[jJ]usqu|[lL]orsqu|[pP]uisqu)'", "",
                   token.strip(",.;:«»\"()'"))
    if len(token) < 4 or not _WORDLIKE.match(token):
        return False
    if is_known_word(token):
        return True
    return token.islower() and bool(_VOWELS & set(token)) and (conf is None or conf >= 70)


def is_junk(pl: PageLine) -> bool:
    """Lines left by icons and graphics (`o vhw`, `BIR00000 ROCONDO`) or a strip's numbers read
    as a line (`1 2 3 M4 M5 M6…`), never glued onto titles nor taken for a measure."""
    text = pl.line.text.strip()
    if sum(c.isalpha() for c in text) < 3:
        return True
    confs = {w.text: w.conf for w in pl.line.words}
    if any(_wordlike(t, confs.get(t)) for t in text.split()):
        return False
    numbered = read_number(pl.doc)
    title = pl.line.text[numbered.offset:].split() if numbered is not None else []
    if numbered is not None and numbered.style in EXPLICIT_STYLES and title and sum(
            c.isalpha() for c in title[0]) >= 3:
        return False  # « n° 9 Clariñier la »: a measure's number and title, however misread
        # (not « M2 M3 M4 … », a strip's numbers read as a line)
    words = [re.sub(r"^\w{1,5}'", "", t.strip(",.;:«»")) for t in text.split()]
    words = [w for w in words if any(c.isalpha() for c in w)]
    if len(words) >= 2 and all(is_known_word(w) for w in words) and any(
            w.lower() in OPEN_ENDINGS for w in words):
        return False  # `de vie`, `à tous`: short words, but French
    if sum(c.isalpha() for c in text) < 0.5 * sum(c.isalnum() for c in text):
        return True  # no word, mostly digits: a strip's numbers (`6 7 M8 M9 M10M11`), a scale
    return len(text) < 30


def enclose(boxes: list[BBox]) -> BBox | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def centred_in(word: Word, box: BBox) -> bool:
    """Whether a word's middle lies within a box (a word printed on a mark, a pill)."""
    if word.bbox is None:
        return False
    cx, cy = (word.bbox[0] + word.bbox[2]) / 2, (word.bbox[1] + word.bbox[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _lead(pl: PageLine) -> int:
    """Index of a line's first token after a table rule's or a mark's glyphs (`|`, `©`)."""
    k = 0
    while k < min(2, len(pl.doc) - 1) and is_glyph(pl.doc[k].text) and not pl.doc[k].is_title:
        k += 1
    return k


def without_glyphs(pl: PageLine) -> str:
    k = _lead(pl)
    return pl.line.text[pl.doc[k].idx:] if k else pl.line.text


def is_title_verb(word: str) -> bool:
    """A capitalised infinitive that is a French word (`Faciliter`, not `Claire`): how titles open."""
    return bool(CAPITAL_INFINITIVE.match(word)) and is_known_word(word)


def starts_like_title(pl: PageLine) -> bool:
    """A line opening with a capitalised infinitive (`Faciliter …`), as measure titles do; a
    line of one or two words (a narrow column) only after a break, with a verb's ending
    (`Rendre`, not `Claire`, `Ministère`)."""
    first = pl.doc[_lead(pl)].text if len(pl.doc) else ""
    if not is_title_verb(first):
        return False
    return len(pl.doc) - _lead(pl) >= 3 or (pl.line.para_break and bool(re.match(INFINITIVE, first.lower())))


def is_summary(doc: Doc) -> bool:
    """Two statuses or more on a line (« Très satisfaisant » is one, not two)."""
    found = matches("status-label.v1", doc)
    statuses = {label for label, s, e in found
                if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for _l, s2, e2 in found)}
    return len(statuses) >= 2


def is_legend_entry(doc: Doc) -> bool:
    """A short line that opens with a status label (« Retard expliqué », « Rythme
    satisfaisant », « En retard (expliqué) »): a legend's entry, never a title's next line."""
    text = doc.text.lstrip(" |[]■●•-–—")
    if not text[:1].isupper() or len(doc) > 6:
        return False
    return any(s <= 2 for _label, s, _e in matches("status-label.v1", doc))


def stands_across(doc: Doc) -> bool:
    """A line that belongs to no column: a legend row or a summary (two statuses or more)."""
    return is_summary(doc)


def ends_open(text: str) -> bool:
    """A line that cannot end a title: it ends on a comma, hyphen, apostrophe or a word such as
    « de », « pour », « les »."""
    text = text.rstrip()
    if text[-1:] in ",'-«":
        return True
    last = text.rsplit(" ", 1)[-1].lower()
    return last in OPEN_ENDINGS or last.endswith("'")


_GLUED_LABELS = re.compile(r"^(?:[A-Z]\d{1,3}){2,}$")  # « O1O2O3 »: marks drawn over each other
_LABEL = re.compile(r"[A-Z]\d{1,3}")


def split_labels(word: Word) -> list[Word]:
    """A text layer's word of labels run together (their marks overlap, so the PDF's letters
    touch: « O1O2O3O4 »), as one word per label, the box shared out by characters; any other
    word as it is (digits alone run together cannot be told apart: « 123 » stays)."""
    text = word.text.strip()
    if word.bbox is None or not _GLUED_LABELS.match(text):
        return [word]
    x0, y0, x1, y1 = word.bbox
    per_char = (x1 - x0) / len(text)
    return [Word(m.group(0), (x0 + per_char * m.start(), y0, x0 + per_char * m.end(), y1),
                 word.conf) for m in _LABEL.finditer(text)]
