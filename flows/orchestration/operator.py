"""What a nightly run tells its operator: a WARNING line per quarantine naming the file and the
reason, a Prefect table artifact of every entry's outcome, and the run's final state — Failed,
named « Quarantined », when this run quarantined something new (the rest is still published)."""
from __future__ import annotations

import logging
from typing import Any

from flows.pipeline.run import RunSummary

ARTIFACT_KEY = "missions-nightly-inputs"
QUARANTINED_STATE = "Quarantined"


def outcome_rows(summary: RunSummary) -> list[dict[str, str]]:
    """One row per entry the run accounted for (new, unchanged, quarantined — new or earlier —,
    duplicate, skipped, gone), for the artifact table."""
    earlier = set(summary.earlier)
    rows = [{"file": n, "outcome": "new", "reason": ""} for n in summary.new]
    rows += [{"file": n, "outcome": "quarantined (earlier run)" if n in earlier else
              "quarantined (new)", "reason": why} for n, why in summary.quarantined]
    rows += [{"file": n, "outcome": "unchanged", "reason": ""} for n in summary.unchanged]
    rows += [{"file": n, "outcome": "duplicate", "reason": f"same bytes as {first}"}
             for n, first in summary.duplicates]
    rows += [{"file": n, "outcome": "skipped", "reason": note} for n, note in summary.notes]
    rows += [{"file": n, "outcome": f"left the release ({why})", "reason": ""}
             for n, why in sorted(summary.left.items())]
    return rows


def tell_operator(summary: RunSummary, inbox: str, out: str, logger: Any) -> Any:
    """Log each quarantine (WARNING), publish the artifact, and return the flow's result: its
    counts, or a Failed state named « Quarantined » listing what this run quarantined anew."""
    from prefect.artifacts import create_table_artifact
    from prefect.states import Failed

    earlier = set(summary.earlier)
    for name, why in summary.quarantined:
        since = " (since an earlier run)" if name in earlier else ""
        logger.warning("quarantined%s: %s: %s", since, name, why)
    for name, note in summary.notes:
        logger.info("skipped: %s: %s", name, note)
    logger.info("nightly ingest of %s: %s", inbox, summary.line())
    try:
        create_table_artifact(outcome_rows(summary), key=ARTIFACT_KEY,
                              description=f"missions nightly ingest of {inbox}: {summary.line()}")
    except Exception:  # the run's outcome stands without its artifact
        logging.getLogger("missions").warning("the run's artifact could not be created",
                                              exc_info=True)
    counts = {"new": len(summary.new), "unchanged": len(summary.unchanged),
              "quarantined": len(summary.quarantined),
              "new_quarantines": len(summary.new_quarantines()),
              "pages_read": summary.pages_read}
    fresh = summary.new_quarantines()
    if fresh:
        names = ", ".join(n for n, _ in fresh[:5]) + (" …" if len(fresh) > 5 else "")
        return Failed(name=QUARANTINED_STATE, data=counts, message=(
            f"{len(fresh)} input(s) quarantined by this run: {names}. The other inputs were "
            f"published in {out}; see documents.error or the run's WARNING lines, fix or remove "
            "the files, and the next run reads them again."))
    return counts
