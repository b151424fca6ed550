"""Which status a mark's colour shows: the nearest legend swatch in ΔE2000, one ink one status."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab

from models.records import ColourRegion

MAX_DELTA_E = 10.0  # CIEDE2000 from a mark to its swatch beyond which it is no match
MIN_MARGIN = 6.0  # the second-nearest swatch must be at least this much farther
SAME_INK = 4.0  # ΔE2000 under which marks are one colour (one status's ink, scanned)
TWO_INKS = 3 * SAME_INK  # ΔE2000 between two inks beyond which they are not one status's
# A photo's marks stand in another light than its legend (a shade, a lamp's fall-off): the
# swatches are lit again by a factor on their linear RGB, tried over this range, …
LIGHTS = tuple(float(v) for v in np.geomspace(0.3, 1.7, 31))
LIGHT_FIT = 0.7  # … and the one that explains the marks best is taken when it does so this
LIGHT_GAIN = 2  # much better than the printed light, reads this many more marks, of two
LIGHT_CLOSE = 1.15  # statuses at least, and no light explaining them within this factor as
# well reads a mark otherwise


@dataclass(frozen=True)
class MarkClass:
    """How one mark compares with the legend: nearest status, its ΔE and the runner-up's."""

    status: str | None  # None when too far from every swatch or between two of them
    delta_e: float
    runner_up: float
    confidence: float
    reason: str | None  # None when read; too-far | ambiguous


def delta_e(lab1: Sequence[float], lab2: Sequence[float]) -> float:
    """CIEDE2000 colour difference of two CIELAB colours."""
    return float(deltaE_ciede2000(np.asarray(lab1, dtype=np.float64),
                                  np.asarray(lab2, dtype=np.float64)))


def classify_mark(mark: ColourRegion, swatches: dict[str, ColourRegion]) -> MarkClass:
    """The status whose swatch is nearest in ΔE2000, when near enough and clearly nearest."""
    dists = sorted((delta_e(mark.lab, sw.lab), status) for status, sw in swatches.items())
    d1, status = dists[0]
    return _judged(status, d1, dists[1][0] if len(dists) > 1 else float("inf"))


def _judged(status: str, d1: float, d2: float) -> MarkClass:
    """A mark `d1` from its nearest swatch's colour (`status`'s), `d2` from the next one's:
    read when near enough and clearly nearest."""
    confidence = round(0.5 + 0.5 * (1 - d1 / d2), 3) if d2 > 0 else 0.0
    if d1 > MAX_DELTA_E:
        return MarkClass(None, d1, d2, 0.0, "too-far")
    if d2 - d1 < MIN_MARGIN:
        return MarkClass(None, d1, d2, 0.0, "ambiguous")
    return MarkClass(status, d1, d2, confidence, None)


def _inks(marks: Sequence[ColourRegion]) -> list[int]:
    """Each mark's ink: marks whose colours lie within SAME_INK of each other (transitively)
    are one ink, the same status printed and scanned."""
    parent = list(range(len(marks)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a in range(len(marks)):
        for b in range(a + 1, len(marks)):
            if delta_e(marks[a].lab, marks[b].lab) < SAME_INK:
                parent[root(b)] = root(a)
    return [root(k) for k in range(len(marks))]


def classify_marks(marks: Sequence[ColourRegion], swatches: dict[str, ColourRegion]
                   ) -> list[MarkClass]:
    """Each mark's status by its swatch, seen in the marks' light (`in_page_light`: a photo's
    shade), checked against the other marks of its page: marks of one ink (one colour, printed
    and scanned) are one status, so a mark is not read when its ink reads two ways, nor when
    another ink stands clearly nearer its swatch than its own does (a status missing from the
    legend, one shade off)."""
    if not swatches or not marks:
        return [MarkClass(None, float("inf"), float("inf"), 0.0, "too-far") for _m in marks]
    swatches, doubtful = in_page_light(marks, swatches)
    classes = [MarkClass(None, c.delta_e, c.runner_up, 0.0, "ambiguous") if k in doubtful else c
               for k, c in enumerate(classify_mark(m, swatches) for m in marks)]
    inks = _inks(marks)
    groups: dict[int, list[int]] = {}
    for k, ink in enumerate(inks):
        groups.setdefault(ink, []).append(k)
    centres = {ink: np.median([marks[k].lab for k in ks], axis=0) for ink, ks in groups.items()}
    to_swatch = {(ink, s): delta_e(c, sw.lab) for ink, c in centres.items()
                 for s, sw in swatches.items()}
    nearest = {s: min(centres, key=lambda ink, s=s: to_swatch[ink, s]) for s in swatches}
    read_as: dict[str, set[int]] = {}
    for k, cls in enumerate(classes):
        if cls.status is not None:
            read_as.setdefault(cls.status, set()).add(inks[k])
    out = []
    for k, cls in enumerate(classes):
        ink, status = inks[k], cls.status
        if status is not None:
            mixed = len({classes[j].status for j in groups[ink]}) > 1
            other = to_swatch[ink, status] > to_swatch[nearest[status], status] + SAME_INK
            # one status, one ink: two inks well apart read as one status are two statuses
            # (a photographed page's shade darkens a pale green towards the dark one's swatch)
            twice = any(delta_e(centres[ink], centres[o]) > TWO_INKS for o in read_as[status])
            if mixed or other or twice:
                cls = MarkClass(None, cls.delta_e, cls.runner_up, 0.0, "ambiguous")
        out.append(cls)
    return out


def _lit(labs: np.ndarray, factors: Sequence[float]) -> np.ndarray:
    """CIELAB colours (n, 3) seen in each of `factors` times the light (their linear RGB scaled,
    then clipped): (len(factors), n, 3)."""
    rgb = lab2rgb(labs[None].astype(np.float64))[0]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    lit = np.clip(linear[None] * np.asarray(factors, dtype=np.float64)[:, None, None], 0.0, 1.0)
    srgb = np.where(lit <= 0.0031308, lit * 12.92, 1.055 * lit ** (1 / 2.4) - 0.055)
    return rgb2lab(srgb)


def _fit(marks: np.ndarray, swatches: np.ndarray, names: Sequence[str]
         ) -> tuple[float, list[str | None]]:
    """How well swatch colours (s, 3) explain mark colours (m, 3) — the sum of each mark's ΔE
    to its nearest swatch, at most MAX_DELTA_E: a blob of no status colour costs the same in
    any light — and what each mark reads as (`classify_mark`'s rule; `names` sorted, as its
    ties are)."""
    dist = deltaE_ciede2000(marks[:, None, :], swatches[None, :, :])
    order = np.argsort(dist, axis=1, kind="stable")
    rows = np.arange(len(marks))
    d1 = dist[rows, order[:, 0]]
    d2 = dist[rows, order[:, 1]] if len(names) > 1 else np.full(len(marks), np.inf)
    return (float(np.minimum(d1, MAX_DELTA_E).sum()),
            [_judged(names[order[k, 0]], float(d1[k]), float(d2[k])).status
             for k in range(len(marks))])


def in_page_light(marks: Sequence[ColourRegion], swatches: dict[str, ColourRegion]
                  ) -> tuple[dict[str, ColourRegion], set[int]]:
    """The swatches as the marks' light shows them, and the marks whose status the light leaves
    in doubt. The light (a factor of LIGHTS) that explains the marks best is taken when it does
    so clearly better than the printed light (LIGHT_FIT of its cost), reads LIGHT_GAIN more
    marks, of two statuses at least, and no light explaining them about as well reads any of
    them otherwise (a palette of one hue's shades, one light off, reads each status's marks as
    the next one's: such a page keeps its own). When it explains them clearly better but is not
    taken, a mark it reads otherwise than the printed light does is in doubt."""
    names = sorted(swatches)
    inks = np.asarray([m.lab for m in marks], dtype=np.float64)
    printed = np.asarray([swatches[s].lab for s in names], dtype=np.float64)
    cost, reads = _fit(inks, printed, names)
    lit = _lit(printed, LIGHTS)
    tried = [(*_fit(inks, labs, names), k) for k, labs in enumerate(lit)]
    best_cost, best_reads, best = min(tried, key=lambda t: t[0])
    if best_cost > LIGHT_FIT * cost:
        return swatches, set()
    doubtful = {k for k, (a, b) in enumerate(zip(reads, best_reads, strict=True))
                if a is not None and a != b}
    if (sum(r is not None for r in best_reads) < sum(r is not None for r in reads) + LIGHT_GAIN
            or len({r for r in best_reads if r is not None}) < 2):
        return swatches, doubtful
    for other_cost, other, _k in tried:
        if other_cost <= LIGHT_CLOSE * best_cost and any(
                a is not None and b is not None and a != b
                for a, b in zip(best_reads, other, strict=True)):
            return swatches, doubtful
    return {s: replace(swatches[s], lab=tuple(float(v) for v in lit[best][i]))
            for i, s in enumerate(names)}, set()
