"""Which status a mark's colour shows: the nearest legend swatch in ΔE2000, one ink one status."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from skimage.color import deltaE_ciede2000

from models.records import ColourRegion

MAX_DELTA_E = 10.0  # CIEDE2000 from a mark to its swatch beyond which it is no match
MIN_MARGIN = 6.0  # the second-nearest swatch must be at least this much farther
SAME_INK = 4.0  # ΔE2000 under which marks are one colour (one status's ink, scanned)
TWO_INKS = 3 * SAME_INK  # ΔE2000 between two inks beyond which they are not one status's


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
    d2 = dists[1][0] if len(dists) > 1 else float("inf")
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
    """Each mark's status by its swatch, checked against the other marks of its page: marks of
    one ink (one colour, printed and scanned) are one status, so a mark is not read when its
    ink reads two ways, nor when another ink stands clearly nearer its swatch than its own does
    (a status missing from the legend, one shade off)."""
    if not swatches or not marks:
        return [MarkClass(None, float("inf"), float("inf"), 0.0, "too-far") for _m in marks]
    classes = [classify_mark(m, swatches) for m in marks]
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
