"""Words graphics leave at a line's ends (rules, coloured marks read as text), told from text."""
from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from extractors.spelling import is_known_word
from models.records import BBox, Word

_WORD_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿœ]+")


def _is_mark_junk(words: list[Word]) -> bool:
    """A run of words that graphics left (`El`, `| |`, `EF`): no known word of 3+ letters."""
    text = " ".join(w.text for w in words)
    letters = sum(c.isalpha() for c in text)
    has_word = any(len(t) >= 3 and is_known_word(t) for t in _WORD_RE.findall(text))
    return letters <= 4 and not has_word


MARK_WORD_CONF = 60.0  # an OCR word on a coloured mark read with less confidence is the mark


def _on_a_mark(words: list[Word], marks: Sequence[BBox]) -> bool:
    """Words read off a coloured mark: OCR words of doubtful confidence whose boxes lie mostly
    (80 %) inside a solid colour region (a square read as « pus », a known word, so
    `_is_mark_junk` keeps it). Text printed on a coloured cell reads confidently, or comes from
    a text layer (no confidence): it stays."""
    def inside(box: BBox) -> bool:
        area = max(1e-6, (box[2] - box[0]) * (box[3] - box[1]))
        return any(max(0.0, min(box[2], m[2]) - max(box[0], m[0]))
                   * max(0.0, min(box[3], m[3]) - max(box[1], m[1])) >= 0.8 * area for m in marks)

    return bool(marks) and all(w.bbox is not None and w.conf is not None
                               and w.conf < MARK_WORD_CONF and inside(w.bbox) for w in words)


def drop_edge_junk(words: list[Word], marks: Sequence[BBox] = ()) -> tuple[list[Word], list[Word]]:
    """Split at wide gaps; drop leading and trailing segments that are graphics, not text: runs
    with no known word (`El`, `| |`) and runs read off a coloured mark of the page (`marks`)."""
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
    def junk(segment: list[Word]) -> bool:
        return _is_mark_junk(segment) or _on_a_mark(segment, marks)

    while len(segments) > 1 and junk(segments[-1]):
        dropped = segments.pop() + dropped
    while len(segments) > 1 and junk(segments[0]) and not any(
            c.isdigit() for w in segments[0] for c in w.text):  # `2.` before a tab stays
        dropped = segments.pop(0) + dropped
    return [w for seg in segments for w in seg], dropped
