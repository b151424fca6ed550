"""The QA report's corrections section: what people corrected, the corrections this release
could not apply (stale, orphan), and how many values still deserve a human look."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from flows.corrections.queue import review_rows
from flows.report.charts import esc

HELD = ("stale", "orphan")  # corrections this release does not apply: listed one by one
WHY_HELD = {"stale": "the machine now reads something else than when it was corrected: not "
                     "applied; check it and correct again (`missions correct`) to confirm",
            "orphan": "its document or measure is no longer in the release"}


def _text(value: Any) -> str:
    return "NULL" if value is None else str(value)


def corrections_section(frames: Mapping[str, pd.DataFrame],
                        corrections: Sequence[Mapping[str, Any]],
                        names: Mapping[str, str]) -> str:
    """Counts of corrections by state, each stale or orphan one, and the review queue's size."""
    try:
        queue = len(review_rows(frames))
    except KeyError:  # tables of an older schema
        queue = 0
    states = Counter(c["state"] for c in corrections)
    parts = ['<h2 id="corrections">Corrections and review</h2><p class="meta">']
    if corrections:
        parts.append(", ".join(f"{n} {esc(s)}" for s, n in sorted(states.items())))
        parts.append(" correction(s), kept in <code>corrections/</code> beside the release · ")
    parts.append(f"{queue} value(s) deserve a human look: <code>missions review</code> lists "
                 "them as a file to fill in</p>")
    held = [c for c in corrections if c["state"] in HELD]
    if held:
        parts.append("<table><tr><th>document</th><th>where</th><th>field</th><th>machine read "
                     "then</th><th>corrected to</th><th>machine reads now</th><th>state</th>"
                     "<th>by, when</th></tr>")
        for c in held:
            where = (f"measure {c['label'] or '#' + str(c['position'])}" if c["target"] == "measure"
                     else "letter") + f", page {c['page']}"
            parts.append(
                f"<tr class=warn><td>{esc(names.get(c['doc_id'], c['source_name']))}</td>"
                f"<td>{esc(where)}</td><td>{esc(c['field'])}</td>"
                f"<td>{esc(_text(c['machine_value']))}</td><td>{esc(_text(c['value']))}</td>"
                f"<td>{esc(_text(c['machine_now']))}</td>"
                f'<td><span class="bad" title="{esc(WHY_HELD[c["state"]])}">{esc(c["state"])}'
                f"</span></td><td>{esc(c['corrected_by'])}, {esc(c['corrected_at'])}</td></tr>")
        parts.append("</table>")
    return "".join(parts)
