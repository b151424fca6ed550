"""One normalisation step for OCR text before matching; every repair is recorded.

Repairs run in a fixed order, each under a versioned rule name (recorded in `Repair.rule`):
typography (quotes, apostrophes, ligatures, spaces), `hyphenation` (a word split at a line end,
across lines), `elision-l` (`I'`/`1'`/`|'` → `l'`), `stray-space` (`stra tégiques`), word repairs
(`accents`, `ocr-confusion`, `glued-words`: extractors/spelling.py) and context repairs
(`elision-l` for a bare `'`, `a-grave`, `la-ou`) whose contexts are spaCy patterns in
extractors/rules.py; words graphics left at a line's ends go first (extractors/edgejunk.py). A
repair is made only where French leaves one reading: a word is changed only into a word of
pyspellchecker's French list, and only when exactly one candidate exists.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from extractors.edgejunk import drop_edge_junk
from extractors.folding import fold
from extractors.pagelines import enclose, is_title_verb
from extractors.spelling import is_known_word, known_form, ocr_confusions, recase, repair_word
from models.records import BBox, Line, Page, Repair, Word

# fold and is_known_word are passed on (extractors/legend.py imports fold from here); their
# homes: extractors/folding.py, extractors/spelling.py
__all__ = ["Repair", "fold", "is_known_word", "join_hyphenation", "normalise_line",
           "normalise_page", "normalise_text"]

CHAR_MAP = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "\ufb01": "fi", "\ufb02": "fl", "\ufb00": "ff", "\ufb03": "ffi", "\ufb04": "ffl",
    "\u2010": "-", "\u2011": "-", "\u00ad": "",
}
_CHAR_RE = re.compile("|".join(map(re.escape, CHAR_MAP)))
# `I'` or `|'` or `1'` read for the elided article `l'` before a letter.
_ELISION_RE = re.compile(r"(?<![\w'])[I|1]'(?=([A-Za-zÀ-ÿ]+))")
# A word as OCR leaves it: letters, possibly with digits read for letters (`févr1er`, `avri1`).
_OCR_WORD_RE = re.compile(r"(?<![\w])[A-Za-zÀ-ÖØ-öø-ÿœ][A-Za-zÀ-ÖØ-öø-ÿœ0-9]*(?![\w])")
_SPACES_RE = re.compile(r"[ \t]{2,}")
_TOKEN_RE = re.compile(r"[^\s]+")
_ALPHA_RE = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿœ]+$")
NORMALISE_VERSION = "normalise.v8"  # part of pipeline_version: bump when a repair changes
# (v6: a dot standing alone between two words of a scanned line is a speck, dropped; v7: an
# infinitive opening a paragraph with « i » or « l » for its capital I)
# (v5: the apostrophe titles and letters are published with; a run's label prefix by majority;
# a number read out of order kept as printed, measures put in printed order)
# (v2: words read off a coloured mark are dropped, glued guillemets are spaced; v3: text layers
# are not word-repaired; v4: a lone `<`/`>` between words is a misread guillemet)


# -- line-level repairs: edits (start, end, replacement, rule) on a line's text ----------------

Edit = tuple[int, int, str, str]
STRAY_DOTS = (".", "·", "•")  # a word of one of these, between two words: a speck read as a dot


def _stray_space_edits(text: str) -> list[Edit]:
    """`stra tégiques` → `stratégiques`: the joined word is known and the parts are not both words."""
    edits: list[Edit] = []
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN_RE.finditer(text)]
    for (s1, e1, a), (s2, e2, b) in itertools.pairwise(tokens):
        prefix = a[:a.rindex("'") + 1] if "'" in a else ""
        a, core_b = a[len(prefix):], b.rstrip(",.;:»)!?\"")
        e2 -= len(b) - len(core_b)
        b = core_b
        if s2 != e1 + 1 or not (_ALPHA_RE.match(a) and _ALPHA_RE.match(b)):
            continue
        if text[e2:e2 + 1] == "'" or (edits and edits[-1][1] > s1):
            continue
        if len(b) < 2 or len(a + b) < 5 or not (b.islower() or (a + b).isupper()):
            continue
        if is_known_word(a) and is_known_word(b):
            continue
        if a.isupper() and len(a) <= 3 and not b.isupper():
            continue  # an acronym before a word
        joined = known_form((a + b).lower())
        if joined and (joined == (a + b).lower() or known_form(b.lower()) is None):
            fixed = recase(joined, a) if not (a + b).isupper() else joined.upper()
            edits.append((s1, e2, prefix + fixed, "stray-space.v1"))
    return edits


_GLUED_GUILLEMET_RE = re.compile(r"«(?=[^\s»])|(?<=[^\s«])»")
# `<` or `<<` read for « before a word, `>` or `>>` for » after one: French text has no other use
# for a lone angle bracket between words.
_MISREAD_GUILLEMET_RE = re.compile(r"(?:(?<=\s)|^)<<?(?=\s[^\W\d_])|(?<=[^\W\d_]\s)>>?(?=\s|$)")


def _guillemet_edits(text: str) -> list[Edit]:
    """`«mondes »` → `« mondes »`: French guillemets stand apart from the words they quote
    (the space is the first thing OCR loses beside them)."""
    return [(m.start(), m.end(), "« " if m.group(0) == "«" else " »", "guillemets.v1")
            for m in _GLUED_GUILLEMET_RE.finditer(text)] + [
        (m.start(), m.end(), "«" if m.group(0)[0] == "<" else "»", "guillemets-misread.v1")
        for m in _MISREAD_GUILLEMET_RE.finditer(text)]


def _context_edits(text: str) -> list[Edit]:
    """Elision, `à` and `là où` repairs where the pattern leaves one French reading."""
    from extractors.rules import AVOIR_SUBJECTS, ELISION_AFTER, matches, nlp

    doc = nlp().make_doc(text)
    skip = set(ocr_confusions()["NOT_INFINITIVE_AFTER_ELISION"])
    edits: list[Edit] = []
    for label, s, e in matches("repair-context.v1", doc):
        if label == "ELISION_L":
            quote, nxt = doc[s + 1], doc[e - 1]
            word = nxt.text.lower()
            if doc[s].lower_ not in ELISION_AFTER and not is_known_word(doc[s].text):
                continue
            if (word in skip or nxt.text.endswith("'") or re.search(r"(er|ir)$", word)
                    or not known_form(word)):
                continue
            edits.append((quote.idx, quote.idx + 1, "l'", "elision-l.v2"))
        elif label.startswith("A_GRAVE"):
            tok = next(t for t in doc[s:e] if t.text in ("&", "a"))
            prev = doc[tok.i - 1] if tok.i > 0 else None
            if tok.text == "a" and prev is not None and prev.lower_ in AVOIR_SUBJECTS:
                continue
            if tok.text == "&" and prev is not None and len(prev.text) == 1 and prev.is_upper:
                continue  # `R & D`
            if label == "A_GRAVE_INFINITIVE" and not is_known_word(doc[e - 1].text):
                continue
            edits.append((tok.idx, tok.idx + len(tok.text), "à", "a-grave.v1"))
        elif label == "LA_OU":
            first, second = doc[s].lower_, doc[s + 1].lower_
            if first in ("la", "là") and second in ("ou", "où") and (first, second) != ("la", "où"):
                continue  # `la ou les`, `là ou ailleurs`: real French
            edits.append((doc[s].idx, doc[s + 1].idx + len(doc[s + 1].text), "là où", "la-ou.v1"))
    return edits


def _apply(text: str, edits: list[Edit], repairs: list[Repair]) -> str:
    done: list[Edit] = []
    for edit in sorted(edits, key=lambda x: x[0]):
        if done and edit[0] < done[-1][1]:
            continue  # overlapping: the first one wins
        done.append(edit)
    for start, end, new, rule in reversed(done):
        repairs.append(Repair(rule, text[start:end], new))
        text = text[:start] + new + text[end:]
    return text


def _typography(text: str, repairs: list[Repair]) -> str:
    out = unicodedata.normalize("NFC", text)
    mapped = _CHAR_RE.sub(lambda m: CHAR_MAP[m.group(0)], out)
    if mapped != out:
        repairs.append(Repair("typography.v2", out, mapped))
    return mapped


def _word_level(text: str, repairs: list[Repair]) -> str:
    def elide(m: re.Match[str]) -> str:
        repairs.append(Repair("elision-l.v2", m.group(0) + m.group(1), "l'" + m.group(1)))
        return "l'"

    text = _ELISION_RE.sub(elide, text)
    for _ in range(3):  # `stra té giques` takes two joins
        joined = _apply(text, _stray_space_edits(text), repairs)
        if joined == text:
            break
        text = joined

    def fix_word(m: re.Match[str]) -> str:
        fixed, rule = repair_word(m.group(0))
        if rule:
            repairs.append(Repair(rule, m.group(0), fixed))
        return fixed

    return _OCR_WORD_RE.sub(fix_word, text)


def normalise_text(text: str) -> tuple[str, tuple[Repair, ...]]:
    """Normalise one piece of OCR text; returns the text and the repairs made."""
    repairs: list[Repair] = []
    out = _word_level(_typography(text, repairs), repairs)
    out = _apply(out, _context_edits(out) + _guillemet_edits(out), repairs)
    out = _SPACES_RE.sub(" ", out).strip()
    return out, tuple(repairs)


def _merge_words(words: list[Word]) -> Word:
    confs = [w.conf for w in words if w.conf is not None]
    return Word(text=" ".join(w.text for w in words),
                bbox=enclose([w.bbox for w in words if w.bbox is not None]),
                conf=min(confs) if confs else None)


def _edit_words(words: list[Word], edits: list[Edit], repairs: list[Repair]) -> list[Word]:
    """Apply line-level edits to boxed words: an edit inside one word changes its text; an edit
    across words (`stra tégiques`, `1a ot`) rewrites those words, merged when the count changes."""
    out = list(words)
    for start, end, new, rule in sorted(edits, key=lambda x: -x[0]):
        pos, spans = 0, []
        for i, w in enumerate(out):
            spans.append((i, pos, pos + len(w.text)))
            pos += len(w.text) + 1
        hit = [(i, a, b) for i, a, b in spans if a < end and b > start]
        if not hit:
            continue
        first, last = hit[0][0], hit[-1][0]
        seg_start = hit[0][1]
        segment = " ".join(w.text for w in out[first:last + 1])
        rewritten = segment[:start - seg_start] + new + segment[end - seg_start:]
        repairs.append(Repair(rule, segment[start - seg_start:end - seg_start], new))
        parts = rewritten.split(" ")
        group = out[first:last + 1]
        if len(parts) == len(group):
            replaced = [replace(w, text=t) for w, t in zip(group, parts, strict=True)]
        else:
            replaced = [replace(_merge_words(group), text=rewritten)]
        out[first:last + 1] = replaced
    return out


def _capital_i(word: str) -> str | None:
    """« inciter », « lnscrire » opening a paragraph: OCR's reading of « Inciter », « Inscrire »
    (a capital I is a bar, read as i or l once no table rule stands beside it); the capitalised
    infinitive when it is a known word, else None."""
    capital = "I" + word[1:]
    return capital if word[:1] in ("i", "l") and is_title_verb(capital) else None


def normalise_line(line: Line, marks: Sequence[BBox] = ()) -> tuple[Line, tuple[Repair, ...]]:
    """A line with normalised text (word by word when it has words, keeping boxes aligned);
    `marks`: the boxes of the page's coloured regions (words read off them are dropped)."""
    if line.words:
        words: list[Word] = []
        repairs: list[Repair] = []
        kept, dropped = drop_edge_junk(list(line.words), marks)
        if dropped:
            repairs.append(Repair("mark-junk.v2", " ".join(w.text for w in dropped), ""))
        specks = [k for k, w in enumerate(kept) if w.text in STRAY_DOTS and k < len(kept) - 1]
        if specks:  # French sets no space before a full stop, nor a line after one: a dot
            # between words or before a line's first is a speck (« . semaine l'état des »)
            repairs.append(Repair("stray-dot.v2", " ".join(kept[k].text for k in specks), ""))
            kept = [w for k, w in enumerate(kept) if k not in specks]
        for w in kept:
            text = _word_level(_typography(w.text, repairs), repairs)
            text = _SPACES_RE.sub(" ", text).strip()
            if text:
                words.append(Word(text=text, bbox=w.bbox, conf=w.conf))
        if line.para_break and words and (capital := _capital_i(words[0].text)):
            repairs.append(Repair("capital-i.v1", words[0].text, capital))
            words[0] = replace(words[0], text=capital)
        joined = " ".join(w.text for w in words)
        edits = _stray_space_edits(joined) + _context_edits(joined) + _guillemet_edits(joined)
        words = _edit_words(words, edits, repairs)
        text = " ".join(w.text for w in words)
        bbox = enclose([w.bbox for w in words if w.bbox is not None]) or line.bbox
        return Line(text=text, bbox=bbox, conf=line.conf, para_break=line.para_break,
                    words=tuple(words), raw_text=line.raw_text or line.text), tuple(repairs)
    text, reps = normalise_text(line.text)
    return Line(text=text, bbox=line.bbox, conf=line.conf, para_break=line.para_break,
                raw_text=line.raw_text or line.text), reps


_HYPHEN_END = re.compile(r"([A-Za-zÀ-ÖØ-öø-ÿœ]+)-$")
_LOWER_START = re.compile(r"^([a-zà-öø-ÿœ]+)(.*)$", re.DOTALL)


def join_hyphenation(lines: list[Line]) -> tuple[list[Line], list[Repair]]:
    """A word split at a line end (`straté-` / `giques …`) is put back whole on the first line:
    without the hyphen when the joined word is known, with it (`socio-économiques`) otherwise."""
    out = list(lines)
    repairs: list[Repair] = []
    for i in range(len(out) - 1):
        cur, nxt = out[i], out[i + 1]
        m = _HYPHEN_END.search(cur.text.rstrip())
        n = _LOWER_START.match(nxt.text.lstrip())
        if not m or not n or (cur.words and not nxt.words) or (nxt.words and not cur.words):
            continue
        head, tail = m.group(1), n.group(1)
        plain = known_form((head + tail).lower())
        joined = head + tail if plain and not is_known_word(f"{head}-{tail}") else f"{head}-{tail}"
        repairs.append(Repair("hyphenation.v1", f"{head}- {tail}", joined))
        rest = n.group(2).lstrip()
        new_cur = cur.text.rstrip()[:m.start()] + joined
        if cur.words:
            words = list(cur.words)
            words[-1] = replace(words[-1], text=words[-1].text[:-(len(head) + 1)] + joined)
            nwords = list(nxt.words)
            first = nwords[0].text[len(tail):]
            nwords = ([replace(nwords[0], text=first)] if first else []) + nwords[1:]
            out[i] = replace(cur, text=new_cur, words=tuple(words), raw_text=cur.raw_text or cur.text)
            out[i + 1] = replace(nxt, text=" ".join(w.text for w in nwords), words=tuple(nwords),
                                 raw_text=nxt.raw_text or nxt.text)
        else:
            out[i] = replace(cur, text=new_cur, raw_text=cur.raw_text or cur.text)
            out[i + 1] = replace(nxt, text=rest, raw_text=nxt.raw_text or nxt.text)
    return out, repairs


def normalise_page(page: Page) -> tuple[Page, tuple[Repair, ...]]:
    """Every line of the page normalised (raw text kept in `Line.raw_text`), repairs recorded
    with the page number. A born-digital text layer only gets typography and its words split at
    line ends joined: word repairs are for OCR'd and legacy text."""
    repairs: list[Repair] = []
    typed = []
    for line in page.lines:
        text = _typography(line.text, repairs)
        words = tuple(replace(w, text=_CHAR_RE.sub(lambda m: CHAR_MAP[m.group(0)],
                                                   unicodedata.normalize("NFC", w.text)))
                      for w in line.words)
        typed.append(replace(line, text=text, words=words, raw_text=line.raw_text or line.text))
    joined, reps = join_hyphenation(typed)
    repairs.extend(reps)
    if page.method == "text-layer":  # what its author wrote: no word of it is repaired
        kept = [replace(ln, text=_SPACES_RE.sub(" ", ln.text).strip()) for ln in joined]
        return (replace(page, lines=tuple(ln for ln in kept if ln.text)),
                tuple(replace(r, page=page.page) for r in repairs))
    lines: list[Line] = []
    marks = [r.bbox for r in page.regions]
    for line in joined:
        new, reps = normalise_line(line, marks)
        repairs.extend(reps)
        if new.text:
            lines.append(new)
    return replace(page, lines=tuple(lines)), tuple(replace(r, page=page.page) for r in repairs)
