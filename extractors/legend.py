"""A page's status legend, found by its structure: coloured swatches, each with a short status
label beside it, the label matched to a status tolerant of OCR damage."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz

from extractors.normalise import fold
from extractors.pagelines import enclose
from extractors.strips import mark_rows
from models.records import STATUSES, BBox, ColourRegion, LegendEntry, Page, Word

# The labels a legend gives each status, folded (no accents, lower case): what OCR damage is
# measured against. The first is the family's own wording.
LABEL_FORMS: dict[str, tuple[str, ...]] = {
    "tres_satisfaisant": ("tres satisfaisant", "tres satisfaisante", "tres bon avancement"),
    "satisfaisant": ("satisfaisant", "satisfaisante", "bon avancement", "en bonne voie"),
    "retard_explique": ("retard explique", "en retard explique", "retard justifie", "en retard"),
    "remis_en_cause": ("remis en cause", "remise en cause", "remis en question",
                       "remise en question"),
}
# Words a legend may print before its label (« Avancement très satisfaisant », « Niveau : … »)
LEAD_WORDS = ("avancement", "niveau", "statut", "etat", "situation", "rythme", "au", "mesure",
              "mesures")
ELIDED = ("d", "l", "de", "du", "des", "la", "le", "les")  # « d'avancement »: no status word
MIN_SCORE = 80.0  # a label is read as a status when this similar (rapidfuzz, 0-100) …
MIN_MARGIN = 8.0  # … and this much more similar to it than to any other status
MAX_LABEL_WORDS = 5  # a longer run of words beside a blob is prose, not a legend label
MAX_SWATCH_MM = 15.0
_PUNCT = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Swatch:
    """One legend entry: the status, its label as printed and where, and its coloured blob."""

    status: str
    label: str
    label_bbox: BBox
    region: ColourRegion
    score: float  # how sure the label reading is (0-100)

    def entry(self, page: int) -> LegendEntry:
        colour = "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in self.region.rgb)
        return LegendEntry(page=page, status=self.status, label=self.label, bbox=self.label_bbox,
                           colour=colour)


OPEN_END = ("en", "de", "des", "du", "a", "au", "aux", "la", "le", "les", "et", "ou", "pour")


def label_status(text: str) -> tuple[str | None, float]:
    """The status a legend label names, and how sure (0-100); None when it names none clearly
    (« Pemis en cause » → remis_en_cause; « s satisfaisant » → None: très or not?)."""
    tokens = _PUNCT.sub(" ", fold(text)).split()
    while len(tokens) > 1 and (tokens[0] in LEAD_WORDS or not any(c.isalpha() for c in tokens[0])):
        tokens = tokens[1:]  # « Avancement … », and a rule or a glyph read as a digit (« 7 »)
    folded = " ".join(tokens)
    if not folded or (len(tokens) > 1 and tokens[-1] in OPEN_END):
        return None, 0.0  # a label never stops on « en », « de »: words cut from a sentence
    if all(t in LEAD_WORDS or t in ELIDED for t in tokens):
        return None, 0.0  # « Avancement », « Niveau d'avancement » name no status
    scores = sorted(((score, status) for status, score in _status_scores(folded).items()),
                    reverse=True)
    (best, status), (second, _other) = scores[0], scores[1]
    if best >= MIN_SCORE and best - second >= MIN_MARGIN:
        return status, best
    return None, best


def _status_scores(folded: str) -> dict[str, float]:
    """How like each status's forms a folded label is (0-100)."""
    return {status: max(_similarity(folded, form) for form in forms)
            for status, forms in LABEL_FORMS.items()}


def _similarity(label: str, form: str) -> float:
    """rapidfuzz ratio, or the ratio of the label's start when it goes on (« Remis en cause /
    abandonné »), a little less sure."""
    score = fuzz.ratio(label, form)
    if len(label) > len(form) + 2:
        score = max(score, 0.95 * fuzz.ratio(label[:len(form) + 1].rstrip(), form))
    return float(score)


def _height(box: BBox) -> float:
    return box[3] - box[1]


SHORT_WORDS = {"a", "à", "au", "de", "du", "en", "et", "la", "le", "un"}


LABEL_MARKS = {"/", "-", "–", "—", "&"}  # a label's own signs (« Remis en cause / abandonné »)


def swatch_read_as_text(text: str) -> bool:
    """A token that is a swatch read by OCR (« [IR », « MR », « © »), not a word of a label:
    at most three characters, none a lower-case letter, not a short French word in capitals
    nor a sign labels print between their words."""
    return (len(text) <= 3 and not any(c.islower() for c in text)
            and text.lower() not in SHORT_WORDS and text not in LABEL_MARKS)


def on_blob(word: BBox, blob: BBox) -> bool:
    """The word lies mostly on the blob: the swatch itself read as text (« Il », « À »)."""
    overlap = min(word[2], blob[2]) - max(word[0], blob[0])
    return overlap >= 0.5 * max(1.0, word[2] - word[0])


def stacked_with(region: ColourRegion, blobs: Sequence[ColourRegion]) -> list[float]:
    """The centre heights of the other blobs in the region's column (overlapping it across by
    more than half the narrower one): a legend's swatches one under another."""
    x0, _y0, x1, _y1 = region.bbox
    return [b.center[1] for b in blobs if b is not region
            and min(x1, b.bbox[2]) - max(x0, b.bbox[0]) > 0.5 * min(x1 - x0, b.bbox[2] - b.bbox[0])]


_GLYPHS = "@©®°*#[](){}|!=+<>-—–•·.,:;'’\"«»"  # what a swatch is read as


def label_words(region: ColourRegion, words: Sequence[Word], blobs: Sequence[ColourRegion],
                side: str) -> list[Word] | None:
    """The words beside a blob on its band (right of it, or left), up to a wide gap, another
    blob (or a word read off one: a swatch read as « CE] ») or MAX_LABEL_WORDS; None when they
    run on (prose) or there are none."""
    x0, y0, x1, y1 = region.bbox
    h = y1 - y0
    cy = (y0 + y1) / 2
    # blobs stacked with this one (a legend in a column): a word level with two of them is
    # the nearer one's label
    stacked = [c for c in stacked_with(region, blobs) if abs(c - cy) < 2.5 * h]

    def mine(wy: float) -> bool:
        return all(abs(wy - cy) <= abs(wy - by) for by in stacked)

    def off_the_swatch(w: Word) -> Word:
        """A word OCR read from the swatch on into its label (« @Remisencause »): its label's
        part, from the swatch's edge; any other word as it is."""
        if w.bbox is None or not w.text:
            return w
        if side == "right" and w.bbox[0] < x1 - 0.3 * h < x1 + h < w.bbox[2] \
                and not w.text[0].isalnum() and (text := w.text.lstrip(_GLYPHS)):
            return replace(w, text=text, bbox=(x1, w.bbox[1], w.bbox[2], w.bbox[3]))
        if side == "left" and w.bbox[0] < x0 - h < x0 + 0.3 * h < w.bbox[2] \
                and not w.text[-1].isalnum() and (text := w.text.rstrip(_GLYPHS)):
            return replace(w, text=text, bbox=(w.bbox[0], w.bbox[1], x0, w.bbox[3]))
        return w

    words = [off_the_swatch(w) for w in words]
    band = [w for w in words if w.bbox is not None
            and y0 - 0.6 * h <= (w.bbox[1] + w.bbox[3]) / 2 <= y1 + 0.6 * h
            and mine((w.bbox[1] + w.bbox[3]) / 2)
            and not on_blob(w.bbox, region.bbox)]
    if side == "right":
        ordered = sorted((w for w in band if w.bbox[0] >= x1 - 0.3 * h), key=lambda w: w.bbox[0])
        edge = x1
    else:
        ordered = sorted((w for w in band if w.bbox[2] <= x0 + 0.3 * h), key=lambda w: -w.bbox[2])
        edge = x0
    others = [b.bbox for b in blobs if b is not region
              and min(y1, b.bbox[3]) - max(y0, b.bbox[1]) > 0.3 * h]
    taken: list[Word] = []
    for w in ordered:
        if taken and min(w.bbox[3], taken[-1].bbox[3]) - max(w.bbox[1], taken[-1].bbox[1]) \
                < 0.5 * min(_height(w.bbox), _height(taken[-1].bbox)):
            continue  # a word of the line above or below (the legend's heading), not this one
        if taken and swatch_read_as_text(w.text):
            break  # the next entry's swatch, of no colour (a black or grey one), read as text
        near = w.bbox[0] if side == "right" else w.bbox[2]
        limit = 3.5 * h if not taken else 1.2 * max(_height(w.bbox), h)
        span = (min(edge, near), max(edge, near))
        level = [b.bbox for b in blobs if b is not region and min(w.bbox[3], b.bbox[3])
                 - max(w.bbox[1], b.bbox[1]) > 0.3 * _height(w.bbox)]
        if abs(near - edge) > limit or any(
                b[0] < span[1] and b[2] > span[0] or b[0] < w.bbox[2] and b[2] > w.bbox[0]
                for b in others) or any(b[0] < span[1] and b[2] > span[0] for b in level):
            break  # a gap, or another blob before the word or under it (level with the blob
            # or with the word: a mark beside a legend, half a line lower, is not its entry)
        taken.append(w)
        edge = w.bbox[2] if side == "right" else w.bbox[0]
        if len(taken) > MAX_LABEL_WORDS:
            return None  # the words go on: a sentence, not a label
    if side == "left":
        taken.reverse()
    return taken or None


def swatch_sized(region: ColourRegion, dpi: float) -> bool:
    w, h = region.bbox[2] - region.bbox[0], region.bbox[3] - region.bbox[1]
    return max(w, h) <= MAX_SWATCH_MM * dpi / 25.4


def wrapped_labels(region: ColourRegion, band: Sequence[Word], words: Sequence[Word],
                   blobs: Sequence[ColourRegion], side: str) -> list[list[Word]]:
    """The label beside a blob read with the lines wrapped above and below its band (a narrow
    legend column prints « Avancement / très / satisfaisant »): each run of up to three lines
    that holds the band, every line starting where the band's label starts (within a line
    height), each at most 2.2 line heights from the next, and nearer this blob than any other
    blob stacked with it."""
    heights = sorted(_height(w.bbox) for w in band if w.bbox is not None)
    if not heights:
        return []
    lh = heights[len(heights) // 2]
    start = min(w.bbox[0] for w in band) if side == "right" else max(w.bbox[2] for w in band)
    x0, y0, x1, y1 = region.bbox
    h, cy = y1 - y0, region.center[1]
    stacked = stacked_with(region, blobs)

    def row_at(y: float) -> list[Word] | None:
        if any(abs(y - by) < abs(y - cy) for by in stacked):
            return None  # nearer another swatch: its label
        level = [w for w in words if w.bbox is not None and w not in band
                 and abs((w.bbox[1] + w.bbox[3]) / 2 - y) <= 0.45 * lh
                 and (w.bbox[0] >= x1 - 0.3 * h if side == "right" else w.bbox[2] <= x0 + 0.3 * h)]
        if side == "right":
            first = [w for w in level if abs(w.bbox[0] - start) <= lh]
            row = sorted(first, key=lambda w: w.bbox[0])[:1]
            for w in sorted(level, key=lambda w: w.bbox[0]):
                if row and w is not row[-1] and 0 <= w.bbox[0] - row[-1].bbox[2] <= 1.2 * lh:
                    row.append(w)
        else:
            first = [w for w in level if abs(w.bbox[2] - start) <= lh]
            row = sorted(first, key=lambda w: -w.bbox[2])[:1]
            for w in sorted(level, key=lambda w: -w.bbox[2]):
                if row and w is not row[-1] and 0 <= row[-1].bbox[0] - w.bbox[2] <= 1.2 * lh:
                    row.append(w)
            row.reverse()
        return row or None

    def next_row(y: float, step: int) -> tuple[float, list[Word] | None]:
        """The nearest line of words within 2.2 line heights above (step -1) or below (+1)."""
        ys = sorted(((w.bbox[1] + w.bbox[3]) / 2 for w in words if w.bbox is not None
                     and w not in band and 0.6 * lh <= step * ((w.bbox[1] + w.bbox[3]) / 2 - y)
                     <= 2.2 * lh), key=lambda v: abs(v - y))
        return (ys[0], row_at(ys[0])) if ys else (y, None)

    band_y = float(np.median([(w.bbox[1] + w.bbox[3]) / 2 for w in band if w.bbox is not None]))
    rows_up: list[list[Word] | None] = []
    rows_down: list[list[Word] | None] = []
    for rows, step in ((rows_up, -1), (rows_down, 1)):
        y = band_y
        for _ in range(2):
            y, row = next_row(y, step)
            rows.append(row)
            if row is None:
                break
    out: list[list[Word]] = []
    for up in range(3):
        for down in range(3 - up):
            ups, downs = rows_up[:up], rows_down[:down]
            if (up or down) and all(ups) and all(downs):
                out.append([w for r in reversed(ups) for w in r or []] + list(band)
                           + [w for r in downs for w in r or []])
    return out


def _wrapped_status(region: ColourRegion, band: list[Word], words: Sequence[Word],
                    blobs: Sequence[ColourRegion], side: str
                    ) -> tuple[str | None, float, list[Word]]:
    """The status the blob's label names, read on its band and with its wrapped lines: the band
    alone when the lines add nothing; None when the band names one status and the band with its
    lines another (« Très / satisfaisant » beside a swatch level with « satisfaisant »)."""
    status, score = label_status(" ".join(x.text for x in band))
    best: tuple[str | None, float, list[Word]] = (status, score, band)
    for label in wrapped_labels(region, band, words, blobs, side):
        if len(label) > MAX_LABEL_WORDS:
            continue
        again, again_score = label_status(" ".join(x.text for x in label))
        if again is None:
            continue
        if status is not None and again != status:
            return None, 0.0, band
        if again_score > best[1]:
            best = (again, again_score, label)
    return best


def _swatch(region: ColourRegion, words: Sequence[Word], blobs: Sequence[ColourRegion],
            side: str) -> Swatch | None:
    """The legend entry this blob is, read from the words on `side` of it (with the lines its
    label wraps onto) — and from the label read again enlarged by the reader (`region.label`),
    which must not name another status."""
    band = label_words(region, words, blobs, side)
    if not band:
        return _unread_swatch(region, side)
    status, score, label = _wrapped_status(region, band, words, blobs, side)
    text = " ".join(x.text for x in label)
    if region.label(side):
        again, again_score = label_status(region.label(side) or "")
        if status is None or (again == status and again_score > score):
            status, score, text = again, again_score, region.label(side) or text
        elif again is not None and again != status:
            return None  # two readings of the label, two statuses
    if status is None:
        return None
    boxes = [x.bbox for x in label if x.bbox is not None]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
           max(b[2] for b in boxes), max(b[3] for b in boxes))
    return Swatch(status, text, box, region, score)


def _unread_swatch(region: ColourRegion, side: str) -> Swatch | None:
    """A swatch whose label the page's OCR missed, read by the reader on its own beside it; its
    box is where that text stands, about half a swatch height a character."""
    text = region.label(side)
    status, score = label_status(text or "")
    if status is None or text is None:
        return None
    x0, y0, x1, y1 = region.bbox
    width = 0.55 * (y1 - y0) * len(text)
    box = (x1 + 0.2 * (y1 - y0), y0, x1 + 0.2 * (y1 - y0) + width, y1) if side == "right" \
        else (x0 - 0.2 * (y1 - y0) - width, y0, x0 - 0.2 * (y1 - y0), y1)
    return Swatch(status, text, box, region, score)


def find_legend(page: Page, measure_boxes: Sequence[BBox] = ()) -> list[Swatch]:
    """The page's legend: each status whose label stands beside exactly one coloured blob, the
    labels all on one side of their swatches.

    A blob with a status label beside it on a measure's own band is that measure's status
    written out (a table cell), not a legend entry; a status found beside two blobs keeps
    neither (which one is the legend's cannot be told)."""
    if not page.regions:
        return []
    words = [w for ln in page.lines for w in ln.words]
    blobs = [r for r in page.regions if swatch_sized(r, float(page.dpi or 72))]
    sides = {side: [s for r in blobs if (s := _swatch(r, words, page.regions, side)) is not None]
             for side in ("right", "left")}
    # A legend prints its labels on one side of its swatches: the side more of them read on
    # (in a row, « ● Très satisfaisant ● Satisfaisant », a label also stands left of the next
    # swatch: it is not that swatch's).
    found = _one_side(sides["right"], sides["left"])
    if found is None:
        return []
    line_h = sorted(_height(b) for b in measure_boxes)[len(measure_boxes) // 2] if measure_boxes \
        else 0.0

    def on_measure(s: Swatch) -> bool:
        cy = s.region.center[1]
        return any(b[1] - 0.3 * line_h <= cy <= b[3] + 0.3 * line_h and b[0] <= s.label_bbox[0]
                   <= b[2] for b in measure_boxes)

    out: list[Swatch] = []
    for status in STATUSES:
        mine = [s for s in found if s.status == status]
        if len(mine) > 1:
            mine = [s for s in mine if not on_measure(s)]
        if len(mine) == 1:
            out.append(mine[0])
    out = _alike(out)
    if len(out) == len(STATUSES) - 1:
        out.extend(_last_entry(out, blobs, words, page.regions))
    return out if len(out) >= 2 else []


LAST_SCORE = 70.0  # the one label left unread of a legend is its missing status this similar
LAST_PIECE = 80.0  # … or a piece of it this similar, of LAST_PIECE_LETTERS letters at least
LAST_PIECE_LETTERS = 4  # (« sait »: the rest of « Satisfaisant » lost in the scan's blur)


def _last_entry(found: list[Swatch], blobs: Sequence[ColourRegion], words: Sequence[Word],
                regions: Sequence[ColourRegion]) -> list[Swatch]:
    """A legend read but for one entry (« Satstarsant », 78 like « satisfaisant »): the one
    swatch lined up with the others, about their size, whose label, read on their side, is
    more like the missing status than like any other, or reads as a piece of it (« sait »), is
    that status's — the set of four labels is evidence the lone misread label cannot give.
    A label that is no piece of it (« Sans objet », « En cours ») names no status."""
    missing = next(s for s in STATUSES if s not in {f.status for f in found})
    side = "right" if found[0].label_bbox[0] >= found[0].region.bbox[2] else "left"
    members = legend_members(found, regions)
    taken = {id(f.region) for f in found}
    out = []
    for r in blobs:
        if id(r) in taken or not any(r is m for m in members):
            continue
        band = label_words(r, words, regions, side)
        texts = [t for t in (r.label(side), " ".join(w.text for w in band or [])) if t]
        for text in texts:
            folded = " ".join(_PUNCT.sub(" ", fold(text)).split())
            scores = _status_scores(folded)
            piece = max((fuzz.partial_ratio(folded, form) for form in LABEL_FORMS[missing]
                         if len(folded) <= len(form)), default=0.0)  # a piece: no longer
            if (max(scores, key=scores.__getitem__) == missing and scores[missing] >= LAST_SCORE
                    or piece >= LAST_PIECE
                    and sum(c.isalpha() for c in folded) >= LAST_PIECE_LETTERS):
                box = enclose([w.bbox for w in band or [] if w.bbox is not None]) or r.bbox
                out.append(Swatch(missing, text, box, r, max(scores[missing], piece)))
                break
    return out if len(out) == 1 else []


def _gap(s: Swatch, side: str) -> float:
    x0, _y0, x1, _y1 = s.region.bbox
    return s.label_bbox[0] - x1 if side == "right" else x0 - s.label_bbox[2]


def _one_side(right: list[Swatch], left: list[Swatch]) -> list[Swatch] | None:
    """The side the legend's labels stand on. Read on both sides, a row of swatches can pair
    each label with either neighbour: when the two readings give a swatch two statuses, the
    side with clearly more entries wins, else the side whose labels stand clearly nearer their
    swatches; None when neither is clear (no legend beats a legend read one swatch off)."""
    mine = {id(s.region): s.status for s in right}
    clash = any(id(s.region) in mine and mine[id(s.region)] != s.status for s in left)
    if not clash or abs(len(right) - len(left)) >= 2 or min(len(right), len(left)) < 2:
        return left if len(left) > len(right) else right
    near_r = float(np.median([_gap(s, "right") for s in right]))
    near_l = float(np.median([_gap(s, "left") for s in left]))
    if near_r <= 0.6 * near_l:
        return right
    if near_l <= 0.6 * near_r:
        return left
    return None


def _alike(found: list[Swatch]) -> list[Swatch]:
    """The entries whose swatches are about one size (a legend draws them alike): a blob of
    another size beside words that read as a label (a speck in a sentence) is left out."""
    if len(found) < 3:
        return found
    sizes = [max(s.region.bbox[2] - s.region.bbox[0], _height(s.region.bbox)) for s in found]
    middle = float(np.median(sizes))
    return [s for s, size in zip(found, sizes, strict=True) if 0.6 <= size / middle <= 1.65]


def legend_members(swatches: Sequence[Swatch], regions: Sequence[ColourRegion]) -> list[ColourRegion]:
    """The blobs that belong to the legend: its swatches, and the blobs lined up with them (in
    their column or their row, about their size, within two steps of them) whose label was not
    read — a legend entry, never a status mark. A blob of a row of three marks or more that holds
    no swatch is a strip's mark, wherever it stands."""
    found = [s.region for s in swatches]
    if len(found) < 2:
        return found
    strip = {k for row in mark_rows(regions) if len(row) >= 3
             and not any(regions[k] in found for k in row) for k in row}
    h = float(np.median([r.bbox[3] - r.bbox[1] for r in found]))
    xs, ys = [r.center[0] for r in found], [r.center[1] for r in found]
    column = max(xs) - min(xs) <= 0.6 * h
    row = max(ys) - min(ys) <= 0.6 * h
    along, across = (ys, xs) if column else (xs, ys)
    step = (max(along) - min(along)) / (len(found) - 1) if len(found) > 1 else h
    out = list(found)
    for k, r in enumerate(regions):
        if (r in out or k in strip or not (column or row)
                or not 0.6 <= (r.bbox[3] - r.bbox[1]) / h <= 1.65):
            continue
        a, c = (r.center[1], r.center[0]) if column else (r.center[0], r.center[1])
        if (abs(c - float(np.median(across))) <= 0.6 * h
                and min(along) - 2.2 * step <= a <= max(along) + 2.2 * step):
            out.append(r)
    return out
