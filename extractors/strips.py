"""Numbered strips of status marks: rows of marks, and each mark tied to a measure by the
number printed by it, with the strip's own order as a second witness."""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from models.records import DIGIT_PLACES, ColourRegion, DigitReading


def is_compact(region: ColourRegion) -> bool:
    """A disc, a square or a pill (about twice as wide as high), as numbered marks are; not a
    table cell or a bar."""
    w, h = region.bbox[2] - region.bbox[0], region.bbox[3] - region.bbox[1]
    return max(w, h) <= 2.3 * min(w, h)


def height(region: ColourRegion) -> float:
    return region.bbox[3] - region.bbox[1]


def mark_rows(regions: Sequence[ColourRegion], indices: Sequence[int] | None = None
              ) -> list[list[int]]:
    """Rows of compact marks of about one size standing level with each other, each sorted left
    to right, rows top to bottom: indices into `regions`. A row may hold one mark. Level is
    judged mark by mark along the row (each with the one before it), so a row drawn on a page
    photographed at a slant, or left a little skewed, is still one row."""
    keys = [k for k in (range(len(regions)) if indices is None else indices)
            if is_compact(regions[k])]
    rows: list[list[int]] = []
    for k in sorted(keys, key=lambda k: (regions[k].center[0], regions[k].center[1])):
        r = regions[k]
        fits = []
        for row in rows:
            last = regions[row[-1]]
            dx, dy = r.center[0] - last.center[0], abs(r.center[1] - last.center[1])
            size = max(height(last), last.bbox[2] - last.bbox[0])
            steps = [regions[b].center[0] - regions[a].center[0] for a, b in itertools.pairwise(row)]
            reach = max(4.5 * size, 3.2 * float(np.median(steps)) if steps else 0.0)
            if (0 < dx <= reach and dy <= 0.5 * height(last)
                    and 0.6 <= height(r) / height(last) <= 1.65):
                fits.append((dy, dx, row))
        if fits:
            min(fits, key=lambda f: (f[0], f[1]))[2].append(k)
        else:
            rows.append([k])
    return sorted(rows, key=lambda row: (np.mean([regions[j].center[1] for j in row]),
                                         regions[row[0]].center[0]))


def spans(regions: Sequence[ColourRegion], row: list[int]
           ) -> dict[int, tuple[float, float, float]]:
    """Each mark's span across the page: (left, right, centre)."""
    return {k: (regions[k].bbox[0], regions[k].bbox[2], regions[k].center[0]) for k in row}


# -- tying a strip's marks to measures ---------------------------------------------------------

MIN_DIGIT_CONF = 75.0  # a number read by a mark with less confidence is no evidence (« 3 » read
# « 5 » at 70 happens on a clean 200-dpi strip; the order between read neighbours places it)
BESIDE = ("left", "right")  # the places beside a mark, level with it
SEEN_CONF = 50.0  # a number read this surely by a second mark makes the first no anchor
ORDER_CONF = 0.85  # how sure a tie is that rests on the strip's order between two read numbers
LONE_CONF = 85.0  # a mark standing alone is tied by its number only when read this surely
COUNT_CONF = 0.75  # how sure a tie is that rests on a strip holding one mark per measure


@dataclass(frozen=True)
class StripTie:
    """A mark of a strip tied to a measure: by the number read by it, or by its place in the
    strip between two marks whose numbers were read."""

    mark: int  # index into the marks given
    measure: int  # index into the measures given
    conf: float  # 0-1
    how: str  # digits | order | count


def strips_of(marks: Sequence[ColourRegion]) -> list[list[int]]:
    """The marks' rows gathered into strips (a row, or rows of about one size close under one
    another), each in reading order: left to right, row by row."""
    rows = [row for row in mark_rows(marks)]
    strips: list[list[list[int]]] = []
    for row in rows:
        h = float(np.median([height(marks[k]) for k in row]))
        top = min(marks[k].bbox[1] for k in row)
        if strips:
            last = strips[-1][-1]
            lh = float(np.median([height(marks[k]) for k in last]))
            bottom = max(marks[k].bbox[3] for k in last)
            overlap = (min(max(marks[k].bbox[2] for k in row), max(marks[k].bbox[2] for k in last))
                       - max(min(marks[k].bbox[0] for k in row), min(marks[k].bbox[0] for k in last)))
            if 0 <= top - bottom <= 4 * max(h, lh) and 0.6 <= h / lh <= 1.65 and overlap > 0:
                strips[-1].append(row)
                continue
        strips.append([row])
    return [[k for row in strip for k in row] for strip in strips]


LOOKALIKE = {"O": "0", "S": "5"}  # a label letter tesseract may have read for a digit


def with_labels(marks: Sequence[ColourRegion], prefixes: set[str]) -> list[ColourRegion]:
    """The marks' readings as the document's measures print their numbers: a letter before the
    digits that some measure's label opens with (`M7`, `S1`) is that label's; a letter no label
    has is a digit tesseract read as a letter when it looks like one (S1 → 51, O7 → 07), and
    else the reading is no number of this document."""
    def number(r: DigitReading) -> DigitReading | None:
        if not r.prefix or r.prefix in prefixes:
            return r
        digits = int(LOOKALIKE[r.prefix] + str(r.number)) if r.prefix in LOOKALIKE else 1000
        return replace(r, number=digits, prefix="") if digits <= 999 else None

    return [replace(m, readings=tuple(r for r in map(number, m.readings) if r is not None))
            if m.readings else m for m in marks]


UNKNOWN_LABEL = 10_000  # a label read by a mark that no measure of the document prints


def keyed_by_label(marks: Sequence[ColourRegion], labels: Sequence[str | None]
                   ) -> list[ColourRegion] | None:
    """Numbering by dimension (O1-O7, S1-S7, P1-P7): a number names a measure only with its
    letter, so the marks and the measures are keyed by label instead: the i-th measure is
    i + 1, a mark reading « S3 » is the key of the measure labelled S3 (one printing no label
    of the document is a number no measure has, which still stops the order; digits read
    without their letter name no measure and are dropped). None when the labels are not all
    lettered and distinct, or their numbers do not repeat and the strip prints no letter: the
    numbers are the keys."""
    if not labels or any(not lb or not lb.rstrip("0123456789") or lb[-1:] not in "0123456789"
                         for lb in labels) or len(set(labels)) < len(labels):
        return None
    if (len({lb.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for lb in labels}) == len(labels)
            and not any(r.prefix for m in marks for r in m.readings)):
        return None  # M1-M21 and a strip printing « 7 »: the numbers alone name the measures
    key = {lb: i + 1 for i, lb in enumerate(labels)}

    def keyed(r: DigitReading) -> DigitReading | None:
        if not r.prefix:
            return None
        found = key.get(f"{r.prefix}{r.number}")
        number = found if found is not None else UNKNOWN_LABEL + 1000 * ord(r.prefix[0]) + r.number
        return replace(r, number=number, prefix="")

    return [replace(m, readings=tuple(x for x in map(keyed, m.readings) if x is not None))
            for m in marks]


def _digits(mark: ColourRegion, place: str) -> tuple[int, float] | None:
    for r in mark.readings:
        if r.place == place:
            return r.number, r.conf
    return None


def _chain(pairs: list[tuple[int, int]]) -> int:
    """Length of the longest run of pairs increasing in both members."""
    best = [1] * len(pairs)
    for b in range(len(pairs)):
        for a in range(b):
            if pairs[a][0] < pairs[b][0] and pairs[a][1] < pairs[b][1]:
                best[b] = max(best[b], best[a] + 1)
    return max(best, default=0)


def _essential(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The pairs in every longest increasing run: numbers the strip's order confirms. A read
    number that breaks the order, or that could stand in two places, is left out."""
    length = _chain(pairs)
    return sorted(p for k, p in enumerate(pairs) if _chain(pairs[:k] + pairs[k + 1:]) < length)


def _restarts(numbers: Sequence[int | None], read: Sequence[int]) -> bool:
    """Numbering that restarts (1-3, then 1-2): a number printed twice, by the measures or in
    the strip. A number then names a measure only with the order's help."""
    printed = [n for n in numbers if n is not None]
    return len(set(printed)) < len(printed) or len(set(read)) < len(read)


def _until_a_mark_too_many(chain: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The run of ties up to the first place where more marks than measures stand between two
    ties: there, the strip shows measures the document's list lacks (or its numbers restarted),
    and which measure a later mark is cannot be told by a number printed twice."""
    for n, ((i1, j1), (i2, j2)) in enumerate(itertools.pairwise(chain), start=1):
        if i2 - i1 > j2 - j1:
            return chain[:n]
    return chain


Place = tuple[int, tuple[float, float, float, float] | None]  # a measure's page and box


def _follows(a: Place, b: Place) -> bool:
    """Measure b stands after measure a in reading order, by where they stand: a later page,
    lower in the same column, or in a column to the right."""
    if a[0] != b[0]:
        return b[0] > a[0]
    if a[1] is None or b[1] is None:
        return True  # no box to tell by (legacy text): its order is the reading order
    (ax0, ay0, ax1, _ay1), (bx0, by0, bx1, _by1) = a[1], b[1]
    if min(ax1, bx1) - max(ax0, bx0) > 0:
        return by0 > ay0
    return bx0 >= ax1


def confirmed_inferred(numbers: Sequence[int | None], inferred: Sequence[int | None],
                       places: Sequence[Place]) -> list[int | None]:
    """The inferred numbers that the printed ones confirm: a run of measures whose numbers were
    lost, standing between two measures that print theirs (or after the list's start), as many
    as the numbers between those two, and standing in reading order on the page (`places`;
    1, ?, ?, 4 with the two ? read from above 1 is a page read out of order). Numbers inferred
    after the last printed one, or in a run that fails any of these, are guesses, and a mark
    tied to a guess is a guess too: those are None."""
    out: list[int | None] = [None] * len(inferred)
    j = 0
    while j < len(inferred):
        if numbers[j] is not None or inferred[j] is None:
            j += 1
            continue
        end = j
        while end + 1 < len(inferred) and numbers[end + 1] is None and inferred[end + 1] is not None:
            end += 1
        lower = numbers[j - 1] if j > 0 else 0
        upper = numbers[end + 1] if end + 1 < len(numbers) else None
        run = list(range(j, end + 1))
        fits = (lower is not None and upper is not None
                and [inferred[i] for i in run] == list(range(lower + 1, upper)))
        ordered = all(_follows(places[i], places[i + 1])
                      for i in range(max(0, j - 1), min(end + 1, len(places) - 1)))
        if fits and ordered:
            for i in run:
                out[i] = inferred[i]
        j = end + 1
    return out


SLOT_TOLERANCE = 0.25  # how far (in pitches) a step between marks may be from a whole number


def slots(marks: Sequence[ColourRegion], strip: Sequence[int]) -> list[int]:
    """Each mark's place in its strip counted in the strip's pitch, so that a mark left out (a
    measure without status: an empty ring, or nothing) leaves its place empty: « ● ● ○ ● » is
    0, 1, 3. Rows continue one another, each as wide as the widest. The marks' own order
    (0, 1, 2, …) when the steps between marks are no whole number of one pitch (marks not
    set on a grid), or the strip is not its rows read in order."""
    rows = mark_rows(marks, strip)
    plain = list(range(len(strip)))
    if [k for row in rows for k in row] != list(strip):
        return plain
    steps = [marks[b].center[0] - marks[a].center[0] for row in rows
             for a, b in itertools.pairwise(row)]
    if not steps or min(steps) <= 0:
        return plain
    pitch = float(np.median([x for x in steps if x <= 1.4 * min(steps)]))

    def whole(x: float) -> int | None:
        q = x / pitch
        return round(q) if abs(q - round(q)) <= SLOT_TOLERANCE else None

    left = min(marks[row[0]].center[0] for row in rows)
    placed: list[list[int]] = []
    for row in rows:
        at = whole(marks[row[0]].center[0] - left)
        places = [at]
        for a, b in itertools.pairwise(row):
            step = whole(marks[b].center[0] - marks[a].center[0])
            places.append(None if step is None or step < 1 or places[-1] is None
                          else places[-1] + step)
        if any(x is None for x in places):
            return plain
        placed.append([x for x in places if x is not None])
    width = max(row[-1] + 1 for row in placed)
    return [r * width + x for r, row in enumerate(placed) for x in row]


def tie_strip(marks: Sequence[ColourRegion], strip: Sequence[int], numbers: Sequence[int | None],
              place: str, inferred: Sequence[int | None] = ()) -> list[StripTie]:
    """The strip's marks tied to measures by the numbers read at `place`, with the strip's
    order as a second witness. `numbers`: the numbers the measures print, in document order
    (None where a measure's number was not read); `inferred`: the numbers inferred for those
    that their printed neighbours confirm (`confirmed_inferred`), None for the others.

    - a read number ties its mark when the ties run in document order and another read number
      of the strip stands exactly as far from it in the strip as in the document (9 and 12 three
      marks apart); a lone mark (no strip) needs a number read with LONE_CONF;
    - a mark read badly or not at all between two such marks ties to the measure between them,
      when as many measures as marks stand between them and that measure's place is known (it
      prints its number, or its neighbours confirm the number inferred for it);
    - a mark beyond the first or last of them ties to the measure the order puts there only when
      the number read by it is the number inferred for that measure (the measure list lost its
      printed number; the strip prints it, the order places it: two witnesses);
    - a confidently read number that the order contradicts ties nothing."""
    at = dict(zip(slots(marks, strip), strip, strict=True))  # slot → mark
    read = {i: _digits(marks[k], place) for i, k in at.items()}
    sure = {i: d for i, d in read.items() if d is not None and d[1] >= MIN_DIGIT_CONF}
    # A number read on more marks than measures print it (restarted numbering, measures not
    # found, a number printed between two marks read beside both) names no measure for sure:
    # it is no anchor — however doubtfully read its second reading was.
    seen = [d[0] for d in read.values() if d is not None and d[1] >= SEEN_CONF]
    # ... and so does a number read by another mark of the strip beside it, when this place is
    # over, under or in the marks (or the other way round): numbers printed beside the marks of
    # one row stand over the marks of the row below it, set half a step along
    family = BESIDE if place in BESIDE else tuple(p for p in DIGIT_PLACES if p not in BESIDE)
    crossed = {r.number for k in strip for r in marks[k].readings
               if r.place not in family and r.conf >= SEEN_CONF}
    pairs = [(i, j) for i, (n, _c) in sure.items() for j, m in enumerate(numbers)
             if m == n and seen.count(n) <= numbers.count(n) and n not in crossed]
    chain = _essential(pairs)
    if _restarts(numbers, seen):
        chain = _until_a_mark_too_many(chain)
    offsets = [j - i for i, j in chain]
    if len(strip) == 1:
        chain = [(i, j) for i, j in chain if sure[i][1] >= LONE_CONF]
    else:
        chain = [(i, j) for i, j in chain if offsets.count(j - i) >= 2]

    def conf(i: int) -> float:
        return round(min(1.0, sure[i][1] / 100), 3)

    def named(i: int, j: int) -> bool:
        """The number read by mark i is measure j's, printed or inferred."""
        expected = numbers[j] if numbers[j] is not None else (inferred[j] if inferred else None)
        return expected is not None and sure[i][0] == expected

    def known(j: int) -> bool:
        """Measure j's place in the document is confirmed: it prints its number, or the
        number inferred for it is confirmed by its neighbours (`confirmed_inferred`)."""
        return numbers[j] is not None or bool(inferred) and inferred[j] is not None

    anchors = dict(chain)
    for (i1, j1), (i2, j2) in itertools.pairwise(chain):
        if i2 - i1 == j2 - j1:  # a number read twice in the strip, or inferred: placed by order
            anchors.update({i: j1 + i - i1 for i in range(i1 + 1, i2)
                            if i in sure and named(i, j1 + i - i1)})
    if chain and len(strip) > 1:
        (first_i, first_j), (last_i, last_j) = chain[0], chain[-1]
        for i in sorted((i for i in at if i < first_i), reverse=True):
            if i in sure and 0 <= i + first_j - first_i and named(i, i + first_j - first_i):
                anchors[i] = i + first_j - first_i
        for i in sorted(i for i in at if i > last_i):
            if i in sure and i + last_j - last_i < len(numbers) and named(i, i + last_j - last_i):
                anchors[i] = i + last_j - last_i
    ties = [StripTie(at[i], j, conf(i), "digits") for i, j in sorted(anchors.items())]
    for (i1, j1), (i2, j2) in itertools.pairwise(sorted(anchors.items())):
        if i2 - i1 == j2 - j1:
            ties.extend(StripTie(at[i], j1 + i - i1, ORDER_CONF, "order")
                        for i in range(i1 + 1, i2) if i in at and i not in sure
                        and known(j1 + i - i1))
            # a mark read (surely) and not where the order puts it ties nothing
    return ties


def tie_by_count(marks: Sequence[ColourRegion], strip: Sequence[int],
                 numbers: Sequence[int | None], ties: Sequence[StripTie] = ()) -> list[StripTie]:
    """A strip of exactly as many marks as there are measures (the document's, or its page's),
    numbered as printed or as confirmed by printed neighbours in one run (1 to N; 16 to 21 on a
    slide) or in runs that restart at 1 (1-2, 1-12, 1-4; two marks at least read their own
    number then): mark i is measure i, for the marks `ties` (those the numbers read tied) leave —
    when every one of those ties agrees (mark i, measure i) and the numbers read by the marks
    do not say otherwise.

    A number read by a mark that says another number (read surely; or, when no number tied a
    mark, doubtfully and not a part of the expected one) leaves that mark untied. It stops the
    whole strip unless the strip's order is confirmed twice as often as it is contradicted:
    marks whose own number was read surely where the count puts it, and the ties. Not counted
    against the order: a number that another mark reads more surely in its own place (printed
    once, it was misread here: « 3 » read by the marks of 3 and of 5), and a number read at
    another place than the confirmed ones (a neighbour's number read beside a disc). A number
    one off the expected one, read over, under or in a mark, is the sign of a strip shifted by
    a mark (one missing, another too many): it stops the strip whatever else agrees."""
    n = len(numbers)
    if (len(strip) != n or n < 3 or any(x is None for x in numbers) or numbers[0] < 1
            or any(b not in (a + 1, 1) for a, b in itertools.pairwise(numbers))):
        return []
    own = [int(x) for x in numbers if x is not None]  # the number each mark should print
    if any(t.measure != strip.index(t.mark) for t in ties):
        return []
    least = MIN_DIGIT_CONF if ties else 50.0

    def against(r: DigitReading, expected: int) -> bool:
        """A reading that says another number: read surely, or doubtfully and not a part of
        the expected one (« 1 » read at 54 by the mark of 16 lost a digit, it says no 1)."""
        return r.number != expected and r.conf >= least and (
            r.conf >= MIN_DIGIT_CONF or str(r.number) not in str(expected))

    readings = [(i, r) for i, k in enumerate(strip) for r in marks[k].readings]
    agreeing = [(i, r) for i, r in readings if r.number == own[i] and r.conf >= MIN_DIGIT_CONF]
    confirmed = {i for i, _r in agreeing} | {strip.index(t.mark) for t in ties}
    places = {r.place for _i, r in agreeing}
    surest = {r.number: r.conf for _i, r in agreeing}
    contrary = [(i, r) for i, r in readings if against(r, own[i])]
    contradicted = {i for i, _r in contrary}
    counted = {i for i, r in contrary if not (r.number in surest and surest[r.number] > r.conf)
               and (not places or r.place in places)}
    if any(abs(r.number - own[i]) == 1 and r.conf >= MIN_DIGIT_CONF
           and r.place not in BESIDE and (not places or r.place in places) for i, r in readings):
        return []
    if 2 * len(counted) > len(confirmed) or (1 in own[1:] and len(confirmed) < 2):
        return []  # (numbering that restarts is a count confirmed by two numbers read at least)
    done = {t.mark for t in ties}
    return [StripTie(k, i, COUNT_CONF, "count") for i, k in enumerate(strip)
            if k not in done and i not in contradicted]


def shared_readings(marks: Sequence[ColourRegion], strip: Sequence[int]) -> set[tuple[int, str]]:
    """The (mark, place) readings of a strip of two rows or more that are one printed number
    read twice: the number under a mark is the number over the mark right below it in the next
    row (the line of numbers between two rows is the upper row's or the lower row's, not both)."""
    out: set[tuple[int, str]] = set()
    for a in strip:
        for b in strip:
            ra, rb = marks[a], marks[b]
            h = max(height(ra), height(rb))
            if not (abs(ra.center[0] - rb.center[0]) <= 0.5 * h
                    and 0 < rb.bbox[1] - ra.bbox[3] <= 4 * h):
                continue
            under = {r.number for r in ra.readings if r.place == "below"}
            over = {r.number for r in rb.readings if r.place == "above"}
            if under & over:
                out |= {(a, "below"), (b, "above")}
    return out


def _own(place: str, ties: Sequence[StripTie], shared: set[tuple[int, str]]) -> int:
    """The ties by a number read at `place` that no other place's reading holds too."""
    return sum(t.how == "digits" and (t.mark, place) not in shared for t in ties)


def _rivals(best: Sequence[StripTie], other: Sequence[StripTie], best_own: int, other_own: int
            ) -> bool:
    """Two readings of one strip, nearly as well confirmed (by numbers they do not share),
    that tie a mark two ways."""
    if not best_own or other_own < 0.75 * best_own:
        return False
    mine = {t.mark: t.measure for t in best}
    return any(t.mark in mine and mine[t.mark] != t.measure for t in other)


def _ends_against(marks: Sequence[ColourRegion], strip: Sequence[int], place: str) -> bool:
    """Numbers read beside the marks (`left`, `right`) that a row's ends contradict. Printed
    between marks spaced evenly (« 1 ● 2 ● 3 ● »), each number stands as near the mark before it
    as the one after: read on either side, both run in order, one shifted by a mark. The row's
    ends tell which: a number before its first mark and none after its last says the numbers
    precede their marks (never `right`), and the other way round (never `left`)."""
    if place not in BESIDE:
        return False
    other = "right" if place == "left" else "left"
    for row in mark_rows(marks, strip):
        # read `left`, the row's first mark has its number before it; `right`, the last after it
        own_end, other_end = (row[0], row[-1]) if place == "left" else (row[-1], row[0])
        if _digits(marks[other_end], other) is not None and _digits(marks[own_end], place) is None:
            return True
    return False


def tie_strips(marks: Sequence[ColourRegion], numbers: Sequence[int | None],
               inferred: Sequence[int | None] = ()) -> list[StripTie]:
    """Every strip's ties, each strip read at the place (inside, above, below its marks) whose
    numbers the order confirms most (a line of numbers between two rows, read as under one row
    and over the next, counts for neither place), else by its count (`tie_by_count`) when it is the page's
    only strip of as many marks as there are measures; a measure claimed by two marks keeps
    neither."""
    ties: list[StripTie] = []
    strips = strips_of(marks)
    known = [n if n is not None else (inferred[j] if inferred else None)
             for j, n in enumerate(numbers)]
    for strip in strips:
        shared = shared_readings(marks, strip)
        options = sorted(((_own(place, found, shared), sum(x.how == "digits" for x in found), found)
                          for place in DIGIT_PLACES if not _ends_against(marks, strip, place)
                          for found in [tie_strip(marks, strip, numbers, place, inferred)]),
                         key=lambda o: (-o[0], -o[1]))
        (best_own, _n, best), (other_own, _m, runner_up) = options[0], options[1]
        if _rivals(best, runner_up, best_own, other_own):
            continue  # read at two places, two ways: which is the strip's cannot be told
        if sum(len(other) == len(numbers) for other in strips) == 1:  # the one strip of N
            best = [*best, *tie_by_count(marks, strip, known, best)]
        ties.extend(best)
    claims: dict[int, list[StripTie]] = {}
    for t in ties:
        claims.setdefault(t.measure, []).append(t)
    return [v[0] for v in claims.values() if len(v) == 1]
