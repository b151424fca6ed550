"""Page layout repairs on OCR lines: list numbers that tesseract read as a column of their own."""
from __future__ import annotations

import re

from models.records import Line, Word

# A list number as OCR leaves it in its own column: `7.`, `12)`, `19:`, `k5.` (a `1` misread),
# or a bare `Tr.` where the digits were lost (kept as a lost number).
_LONE_NUMBER = re.compile(r"^[A-Za-z]{0,2}(\d{1,3})?[.),:;]?[a-z°]?$")


def _center_y(bbox: tuple[float, float, float, float]) -> float:
    return (bbox[1] + bbox[3]) / 2


def attach_hanging_numbers(lines: list[Line], page_width: float) -> list[Line]:
    """Glue each lone `7.` line onto the text line level with it just to its right.

    When list numbers hang in their own column, tesseract reads them as a separate block
    (`1.`, `2.`, … then the titles). Each lone number goes back to the start of the line it
    stands level with; a number with no such line stays where it is.
    """
    numbers = [i for i, ln in enumerate(lines)
               if ln.bbox is not None and len(ln.words) == 1 and len(ln.text) <= 4
               and _LONE_NUMBER.match(ln.text) and (any(c.isdigit() for c in ln.text)
                                                    or ln.text.endswith((".", ":")))]
    if not numbers:
        return lines
    taken: dict[int, int] = {}  # text line index -> number line index
    for i in numbers:
        nb = lines[i].bbox
        assert nb is not None
        height = nb[3] - nb[1]
        best, best_dx = None, 0.2 * page_width
        for j, ln in enumerate(lines):
            if j == i or j in taken or ln.bbox is None or j in numbers:
                continue
            dx = ln.bbox[0] - nb[2]
            if 0 <= dx < best_dx and abs(_center_y(ln.bbox) - _center_y(nb)) <= 0.6 * max(
                    height, ln.bbox[3] - ln.bbox[1]):
                best, best_dx = j, dx
        if best is not None:
            taken[best] = i
    out: list[Line] = []
    glued = set(taken.values())
    for j, ln in enumerate(lines):
        if j in glued:
            continue
        if j in taken:
            num = lines[taken[j]]
            digits = _LONE_NUMBER.match(num.text).group(1) or ""  # type: ignore[union-attr]
            word = Word(text=f"{digits}.", bbox=num.words[0].bbox, conf=num.words[0].conf)
            bbox = (min(num.bbox[0], ln.bbox[0]), min(num.bbox[1], ln.bbox[1]),  # type: ignore[index]
                    max(num.bbox[2], ln.bbox[2]), max(num.bbox[3], ln.bbox[3]))  # type: ignore[index]
            words = (word, *ln.words)
            conf = sum(w.conf or 0 for w in words) / len(words)
            ln = Line(text=" ".join(w.text for w in words), bbox=bbox, conf=round(conf, 2),
                      para_break=ln.para_break, words=words)
        out.append(ln)
    return out
