"""The review queue: every value of a release that deserves a human look, one row each, with
where the QA report shows it and empty columns for the person's value."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from flows.corrections.overlay import STALE, as_text, plain
from flows.corrections.store import LETTER, MEASURE

REVIEW_COLUMNS = ("doc_id", "source_name", "page", "target", "measure", "position", "field",
                  "reason", "machine_value", "crop", "value", "why", "by")
TO_FILL = ("value", "why", "by")  # left empty by `review`, filled in by a person
LOW_CONFIDENCE = 0.8  # as the QA report
UNKEYED = ("no-legend", "legend-without-colour")  # no colour could be read on the page
LETTER_FIELDS = ("place", "date", "sender_org", "sender_role", "recipient", "subject",
                 "salutation")


def crop_of(doc_id: str, position: Any = None) -> str:
    """Where the QA report shows the row beside the crop of its page."""
    if position is None:
        return f"report.html#doc-{doc_id[:12]}"
    return f"report.html#m-{doc_id[:12]}-{position}"


def review_rows(frames: Mapping[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """One row per value to look at, in document and reading order; the columns to fill in
    (`value`, `why`, `by`) empty. `frames`: the release as published (corrections applied)."""
    docs = {d["doc_id"]: d for d in frames["documents"].to_dict("records")}
    legend_pages = set(zip(frames["legend"]["doc_id"], frames["legend"]["page"], strict=True))
    out: list[dict[str, Any]] = []

    def add(doc_id: str, page: Any, target: str, measure: Any, position: Any, field: str,
            reason: str, machine: Any) -> None:
        out.append({"doc_id": doc_id, "source_name": docs.get(doc_id, {}).get("source_name"),
                    "page": plain(page), "target": target, "measure": measure,
                    "position": plain(position), "field": field, "reason": reason,
                    "machine_value": as_text(machine),
                    "crop": crop_of(doc_id, plain(position) if target == MEASURE else None),
                    **dict.fromkeys(TO_FILL, "")})

    for m in frames["measures"].to_dict("records"):
        d, done = m["doc_id"], set((as_text(m["corrected_fields"]) or "").split(","))
        name = as_text(m["label"]) or as_text(m["number"]) or f"#{m['position']}"
        marks = plain(docs.get(d, {}).get("marks_seen")) or 0
        reason = as_text(m["status_reason"])
        if plain(m["status"]) is None and "status" not in done and (
                (d, m["page"]) in legend_pages or marks) and reason not in UNKEYED:
            add(d, m["page"], MEASURE, name, m["position"], "status",
                f"status not read ({reason or 'no reason'})", None)
        if plain(m["number_inferred"]) and "number" not in done:
            add(d, m["page"], MEASURE, name, m["position"], "number",
                "number inferred from its neighbours", m["number"])
        conf = plain(m["confidence"])
        if conf is not None and conf < LOW_CONFIDENCE:
            field = "status" if plain(m["status"]) is not None else "title"
            if field not in done:
                add(d, m["page"], MEASURE, name, m["position"], field,
                    f"low confidence {conf:.2f}", m[field])
    for c in frames["status_checks"].to_dict("records"):
        if plain(c["agrees"]) == 0:
            add(c["doc_id"], c["page"], "document", None, None, "status",
                f"the document states {c['stated_count']} {c['status']}, {c['read_count']} read "
                f"({c['unread_count']} not read): correct the measures' statuses", None)
    for lt in frames["letters"].to_dict("records"):
        done = set((as_text(lt["corrected_fields"]) or "").split(","))
        for field in LETTER_FIELDS:
            if plain(lt[field]) is None and field not in done:
                add(lt["doc_id"], lt["page"], LETTER, "letter", None, field, "not read", None)
    for c in frames["corrections"].to_dict("records"):
        if c["state"] == STALE:
            add(c["doc_id"], c["page"], c["target"], as_text(c["label"]) or c["target"],
                c["position"], c["field"],
                f"stale correction: {as_text(c['value'])!r} was given when the machine read "
                f"{as_text(c['machine_value'])!r}; it now reads {as_text(c['machine_now'])!r}",
                c["machine_now"])
    order = {d: str(v["source_name"]) for d, v in docs.items()}
    out.sort(key=lambda r: (order.get(r["doc_id"], ""), r["page"] or 0, r["position"] or 0))
    return out
