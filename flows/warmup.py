"""Loading what every document needs, once, beside other work (Prefect's server boot, OCR)."""
from __future__ import annotations

import threading

_thread: threading.Thread | None = None


def warm_up_extractors() -> None:
    """Load the tokenizer, the matchers and the French word list."""
    from extractors.normalise import french_words
    from extractors.rules import RULES, matcher, nlp

    nlp()
    for name in RULES:
        matcher(name)
    french_words()


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
