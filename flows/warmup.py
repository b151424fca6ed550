"""Loading what every document needs, once, beside other work (Prefect's server boot, OCR)."""
from __future__ import annotations

import threading

_thread: threading.Thread | None = None


def warm_up_extractors() -> None:
    """Load the tokenizer, the matchers, the French word list with its accent index, and the
    date parser's French data."""
    from extractors.letters import parse_french_date
    from extractors.normalise import repair_accents
    from extractors.rules import RULES, matcher, nlp

    nlp()
    for name in RULES:
        matcher(name)
    repair_accents("eleve")  # builds the word list and its index of unaccented forms
    parse_french_date("1 janvier 2000")


def warm_up_in_background() -> None:
    """Start `warm_up_extractors` in a thread; `ready()` waits for it (its caches are not
    built twice: the first extraction waits instead of loading them itself)."""
    global _thread
    if _thread is None:
        _thread = threading.Thread(target=warm_up_extractors, name="warm-up", daemon=True)
        _thread.start()


def ready() -> None:
    """Return once a warm-up begun in the background is done (at once when none was begun)."""
    if _thread is not None:
        _thread.join()
