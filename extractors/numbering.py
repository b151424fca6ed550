"""Measure numbers: read as printed (`7.`, `Mesure 7 —`, `S1`), labels, and sequences settled."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from extractors.rules import DIGIT_CONFUSIONS, M_CONFUSIONS, dimension_headings, matches

if TYPE_CHECKING:
    from spacy.tokens import Doc

NUMBERING = "numbering.v4"
SEQUENCES_VERSION = "sequences.v4"  # part of pipeline_version: how runs and lost numbers settle
EXPLICIT_STYLES = {"NUM_MESURE", "NUM_N", "NUM_M"}  # styles that say "measure" by themselves
# When several numbering patterns match at a line's start, the most specific reading wins.
STYLE_PRIORITY = ("NUM_MESURE", "NUM_N", "NUM_M", "NUM_PREFIX", "NUM_GLUED", "NUM_DOT",
                  "NUM_COMMA", "NUM_MANGLED", "NUM_BARE", "NUM_LOST")
_MISREAD = "[0-9" + re.escape("".join(M_CONFUSIONS)) + "]"  # digits, and what OCR reads for them
_MANGLED_NUMBER = re.compile(rf"^(?:[Mm]esures?\s+|[nN][°º]\s*|no\s+|(M)(?={_MISREAD}))?"
                             rf"({_MISREAD}{{1,3}})")
_PREFIXED = re.compile(r"^([A-Z])(\d{1,3})")


@dataclass(frozen=True)
class NumberRead:
    """A measure number at the start of a line, as printed."""

    style: str  # the numbering pattern's label
    number: int | None  # None when the number was lost
    soft: bool  # digits were misread (`l4.`): a candidate that neighbours must confirm
    offset: int  # where the title starts in the line's text
    prefix: str = ""  # a letter printed before the digits (`M7`, `S1`): part of the label


@dataclass(frozen=True)
class Printed:
    """What one measure's line shows of its number, and where the measure stands."""

    number: int | None
    prefix: str
    soft: bool
    section: int  # index of the heading the measure stands under
    cap: int | None = None  # how many measures that heading announces (« 3 mesures … »)


@dataclass(frozen=True)
class Settled:
    """A measure's number once its sequence is read: as printed, or inferred, or None."""

    number: int | None
    label: str | None
    inferred: bool  # not legible as printed (lost, misread out of sequence, or never printed)
    run: int = 0  # which sequence of the document it belongs to (see `sequences`)


def is_glyph(token: str) -> bool:
    """A bullet or a status mark read as text before a number: `©`, `■`, `œ`, `ee`."""
    return not any(c.isdigit() for c in token) and token not in ".)" and (
        not any(c.isalnum() for c in token) or (len(token) <= 2 and token.lower() not in (
            "à", "a", "le", "la", "l'", "d'", "de", "du", "en", "un", "au", "ne")))


def read_number(doc: Doc) -> NumberRead | None:
    """The measure number at the start of a line (or after a bullet's or a mark's glyphs:
    `©`, `■`, `ee`), or None when the line has none."""
    found = [(label, s, e) for label, s, e in matches(NUMBERING, doc)
             if s <= 2 and all(is_glyph(t.text) for t in doc[:s])]
    if found:
        first = min(s for _l, s, _e in found)
        found = [f for f in found if f[1] == first]
    if not found:
        return None
    label, start, end = min(found, key=lambda t: (STYLE_PRIORITY.index(t[0]), -t[2]))
    span = doc[start:end]
    if label == "NUM_LOST":
        return NumberRead(label, None, False, doc[end - 1].idx if doc[end - 1].is_alpha
                          else span.end_char)
    if label == "NUM_COMMA":
        return NumberRead(label, int(doc[start].text), False, doc[start + 2].idx)
    if label == "NUM_GLUED":
        m = re.match(r"^(\d{1,3})[.)]", span.text)
        assert m is not None
        return NumberRead(label, int(m.group(1)), False, span.start_char + m.end())
    if label == "NUM_MANGLED":
        return _read_mangled(span.text, span.start_char, span[-1].is_title and len(span) > 1,
                             span[-1].idx)
    if label in ("NUM_PREFIX", "NUM_M"):
        m = _PREFIXED.match(span.text)
        assert m is not None
        rest = span.text[m.end():]
        glued = len(rest) > 1 and rest[0] in ".)" and rest[1].isalpha()
        offset = span.start_char + m.end() + 1 if glued else span.end_char
        return NumberRead(label, int(m.group(2)), False, offset, prefix=m.group(1))
    if label == "NUM_BARE" and any(s <= end - 1 for _l, s, _e in [
            *matches("section-heading.v2", doc), *dimension_headings(doc),
            *matches("status-label.v1", doc)]):
        return None  # « 7 Mesures politiques », « 3 Outils pour agir », « 1 Satisfaisant »
    if label == "NUM_BARE":  # the title is the match's last token (glyphs may stand between)
        return NumberRead(label, int(doc[start].text), False, doc[end - 1].idx)
    digits = re.search(r"\d{1,3}", span.text)
    if digits is None:
        return None
    glued = span.text[digits.end():digits.end() + 1]  # `N° 1Élargir`: the title starts there
    offset = span.start_char + digits.end() if glued.isalpha() or glued == "«" else span.end_char
    return NumberRead(label, int(digits.group(0)), False, offset)


def _read_mangled(text: str, start_char: int, titled: bool, last_idx: int) -> NumberRead | None:
    """`l4.`, `I5.`, `2l.`, `S.`, `Ml1`: digits OCR misread, as a candidate (`soft`)."""
    m = _MANGLED_NUMBER.match(text)
    if m is None:
        return None
    confusions = M_CONFUSIONS if m.group(1) else DIGIT_CONFUSIONS  # `A` for 4 after `M` only
    digits = "".join(confusions.get(c, c) for c in m.group(2))
    if not digits.isdigit() or int(digits) == 0:
        return NumberRead("NUM_LOST", None, False, m.end())
    rest = text[m.end():]
    glued = re.match(r"^[.)]", rest) and len(rest) > 1 and rest[1].isalpha()
    offset = start_char + m.end() + (1 if glued else 0)
    if titled and not glued:
        offset = last_idx
    return NumberRead("NUM_MANGLED", int(digits), True, offset, prefix=m.group(1) or "")


# -- sequences: each run of numbers (per dimension when numbering restarts, per prefix) --------

def _firm(p: Printed) -> int | None:
    return p.number if p.number is not None and not p.soft else None


def _restarts(printed: list[Printed], start: int, last: int | None) -> bool:
    """Whether the section starting at `start` numbers its measures afresh (1–3 then 1–2):
    one of its first two legible numbers puts its start at 1, or both put it at the same
    place at or below the run's last number — unless more of its first three legible numbers
    go on from the run's last (« ·, 2), 10., 11. » after « 7. »: « 9) » misread « 2) »)."""
    firm = _legible_numbers(printed, start)[:3]
    if not firm or last is None:
        return False
    begins = [n - k for k, n in firm]
    if sum(b > last for b in begins) > sum(b == 1 for b in begins):
        return False
    begins = begins[:2]
    return 1 in begins or (len(begins) == 2 and begins[0] == begins[1] and 1 <= begins[0] <= last)


def sequences(printed: list[Printed]) -> list[list[int]]:
    """The measures split into runs of one numbering: a run ends where a section numbers its
    measures afresh, or where the letter before the numbers changes (O1, O2, then S1)."""
    runs: list[list[int]] = []
    prefix = ""
    last: int | None = None
    restarted = False  # a section numbered its measures afresh: the document numbers by section
    for i, p in enumerate(printed):
        new_section = i > 0 and p.section != printed[i - 1].section
        own = p.prefix or next((q.prefix for q in printed[i:] if q.section == p.section
                                and q.prefix), "") if new_section else p.prefix
        restarts = new_section and _restarts(printed, i, last)
        restarted = restarted or restarts
        if not runs or (own and prefix and own != prefix) or restarts or (
                new_section and restarted and not _legible_numbers(printed, i)):
            # (a section whose every number was lost, after sections that restart at 1,
            # restarts too: counting on across it published 3-6 for its 1-4)
            runs.append([])
            last = None
        runs[-1].append(i)
        prefix = own or prefix
        last = _firm(p) if _firm(p) is not None else last
    return runs


def _legible_numbers(printed: list[Printed], start: int) -> list[tuple[int, int]]:
    """(place in the section, number) of each legible number of the section starting at
    `start`."""
    section = printed[start].section
    return [(k, n) for k, p in enumerate(printed[start:]) if p.section == section
            and (n := _firm(p)) is not None]


def _settle_run(run: list[Printed]) -> list[tuple[int | None, bool]]:
    """(number, inferred) per measure of one run: a misread number (`l4.`) stands when its
    neighbours confirm it; a run whose measures print each number from its first to its last
    once stands as printed, in whatever order it was read (columns read across); else the
    longest sequence of numbers that rise from measure to measure stands, and a number out of
    it or lost is inferred from its neighbours — between two numbers of the sequence only where
    the measures between them fill the gap exactly (`38.` read among 7 and 9 is 8; a line read
    as a measure or a measure lost would shift every guess), at a run's end from the one
    neighbour (within its section when the numbering restarts by section). A legible
    number out of the sequence that no gap places stands as printed where the sequence leaves
    it room (« 6. » read between « 5. » and « 9. »), and is no number where its neighbours
    contradict it (« 15 » read between « 3 » and « 5 »: columns read across, a measure lost);
    a run with no legible number keeps None."""
    n = len(run)
    firm = [_firm(p) for p in run]
    for i, p in enumerate(run):  # a misread number that fits between its neighbours is kept
        if not p.soft or p.number is None:
            continue
        prev = next((f + (i - j) for j in range(i - 1, -1, -1) if (f := firm[j]) is not None),
                    None)
        nxt = next((f - (j - i) for j in range(i + 1, n) if (f := firm[j]) is not None), None)
        if (prev is None or prev == p.number) and (nxt is None or nxt == p.number) and (
                prev is not None or nxt is not None or (i == 0 and p.number == 1)):
            firm[i] = p.number
    if all(f is not None for f in firm) and len(set(firm)) == n and (
            max(firm) - min(firm) == n - 1):  # type: ignore[type-var, operator]
        return [(f, False) for f in firm]
    kept = _in_sequence(firm)
    printed = Counter(f for f in firm if f is not None)
    restarting = _restarts_by_section(run, firm)
    out: list[tuple[int | None, bool]] = []
    for i, f in enumerate(firm):
        if i in kept:
            out.append((f, False))
            continue
        before = max((k for k in kept if k < i), default=None)
        after = min((k for k in kept if k > i), default=None)
        low = None if before is None else firm[before]
        high = None if after is None else firm[after]
        guess = None
        if low is not None and high is not None:
            if high - low == after - before:  # type: ignore[operator]
                guess = low + i - before  # type: ignore[operator]
        # a number lost at a run's end: its neighbour on one side places it — in its own
        # section only when the numbering restarts by section
        elif f is None and low is not None and not (
                restarting and run[i].section != run[before].section):  # type: ignore[index]
            guess = low + i - before  # type: ignore[operator]
        elif f is None and high is not None and not (
                restarting and run[i].section != run[after].section):  # type: ignore[index]
            guess = high - (after - i)  # type: ignore[operator]
        if guess is not None and guess >= 1:
            out.append((guess, True))
        elif f is not None and printed[f] == 1 and (low is None or low < f) and (
                high is None or f < high):
            out.append((f, False))
        else:
            out.append((None, True))
    numbers = Counter(m for m, _inf in out if m is not None)
    # a number inferred that another measure of the run prints, or infers too, is no number
    return [(None, True) if inferred and m is not None and (numbers[m] > 1 or m in printed)
            else (m, inferred) for m, inferred in out]


def _restarts_by_section(run: list[Printed], firm: list[int | None]) -> bool:
    """Whether a section after the run's first starts its numbers at 1 (its first legible
    number minus the measures before it in the section): numbering by section, though the
    first section's numbers were all lost and the run was not cut."""
    first: dict[int, int] = {}
    for i, p in enumerate(run):
        first.setdefault(p.section, i)
    for i, (p, f) in enumerate(zip(run, firm, strict=True)):
        if f is not None and p.section != run[0].section and f - (i - first[p.section]) == 1:
            return True
    return False


def _in_sequence(numbers: list[int | None]) -> set[int]:
    """Indices of the longest chain of numbers that rise from measure to measure; among equally
    long chains, the one whose numbers best fit their places (a step of one a measure: « 44 »
    read for « 4 » among 3 and 5 fits worse than 5), then the one that starts lowest. A step
    may be larger than the measures between (a measure whose title was lost — not more numbers
    than the run has measures) or smaller (a line read as a measure that is none: « 14. », a
    stray line, « 15. »)."""
    idx = [i for i, n in enumerate(numbers) if n is not None]
    # i -> (length, -misfit, -start, previous)
    best: dict[int, tuple[int, int, int, int | None]] = {}
    for k, i in enumerate(idx):
        n_i = numbers[i] or 0
        length, misfit, start, prev = 1, 0, -n_i + i, None
        for j in idx[:k]:
            n_j = numbers[j] or 0
            # a step that skips more numbers than the run has measures is a misread
            # (« O5 » read « 95 » after « O4 »), not measures lost
            if n_i > n_j and (n_i - n_j) - (i - j) <= len(numbers):
                cand = (best[j][0] + 1, best[j][1] - abs((n_i - n_j) - (i - j)), best[j][2])
                if cand > (length, misfit, start):
                    length, misfit, start, prev = *cand, j
        best[i] = (length, misfit, start, prev)
    if not best:
        return set()
    end: int | None = max(best, key=lambda i: best[i][:3])
    chain: set[int] = set()
    while end is not None:
        chain.add(end)
        end = best[end][3]
    return chain


def settle_numbers(printed: list[Printed]) -> list[Settled]:
    """Each measure's number and label: as printed where legible and in sequence; inferred
    from its neighbours in its own run where lost; None where nothing was printed to go by."""
    out: list[Settled | None] = [None] * len(printed)
    firm = [_firm(p) for p in printed]
    # every number from the first to the last printed once, one style: one run, read in
    # whatever order (two columns read across, the right one's first measure before the
    # left one's heading), not runs cut at its sections
    whole = (bool(firm) and None not in firm and len(set(firm)) == len(firm)
             and max(firm) - min(firm) == len(firm) - 1  # type: ignore[type-var, operator]
             and len({p.prefix for p in printed}) == 1)
    runs = [list(range(len(printed)))] if whole else sequences(printed)
    for k, run in enumerate(runs):
        items = [printed[i] for i in run]
        cap = items[0].cap if len({p.section for p in items}) == 1 else None
        if len(runs) > 1 and cap is not None:
            # a section numbered from 1 that announces its count prints no number beyond it
            # (« 5. » read for « 3. » in « 3 mesures opérationnelles »): that one is a misread
            items = [replace(p, number=None, soft=False)
                     if p.number is not None and p.number > cap else p for p in items]
        # the prefix most of the run prints (« Z0) » read for « 20) » among « 19) » gives none)
        printed_prefixes = Counter(p.prefix for p in items if p.number is not None)
        prefix = printed_prefixes.most_common(1)[0][0] if printed_prefixes else ""
        for i, (number, inferred) in zip(run, _settle_run(items), strict=True):
            p = printed[i]
            label = None if number is None else f"{p.prefix if not inferred else prefix}{number}"
            out[i] = Settled(number, label, inferred or p.number is None, k)
    return [s for s in out if s is not None]


def printed_order(settled: list[Settled]) -> list[int]:
    """Indices of the measures in their printed order: a run whose every measure has its own
    number, read out of order (columns read in the wrong order, « 6. » between « 1. » and
    « 2. »), is put in the order of its numbers; any other run keeps its reading order."""
    runs: dict[int, list[int]] = {}
    for i, s in enumerate(settled):
        runs.setdefault(s.run, []).append(i)
    order: list[int] = []
    for members in runs.values():
        numbers = [settled[i].number for i in members]
        if None not in numbers and len(set(numbers)) == len(numbers):
            members = sorted(members, key=lambda i: settled[i].number or 0)
        order += members
    return order
