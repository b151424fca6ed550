"""Start-up in parallel: Prefect's embedded server boots while the extractors load their rules."""
from __future__ import annotations

import os
import threading


class ServerBoot:
    """Starts Prefect's embedded API server in a background thread, unless PREFECT_API_URL is set.

    The server takes seconds to boot; loading spaCy, the word list and the rules takes seconds
    too. Doing both at once hides most of one behind the other. `wait()` must be called before
    the first flow run (the server object is not safe to start twice concurrently).
    """

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ServerBoot:
        if os.environ.get("PREFECT_API_URL"):
            return self
        self._thread = threading.Thread(target=self._boot, name="prefect-server-boot", daemon=True)
        self._thread.start()
        return self

    def _boot(self) -> None:
        try:
            from prefect.server.api.server import SubprocessASGIServer

            SubprocessASGIServer().start()
        except BaseException as exc:  # noqa: BLE001 (the flow call reports the same failure)
            self.error = exc

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def warm_up_extractors() -> None:
    """Load what every document needs once: the tokenizer, the matchers, the French word list."""
    from extractors.normalise import french_words
    from extractors.rules import RULES, matcher, nlp

    nlp()
    for name in RULES:
        matcher(name)
    french_words()
    import dateparser  # noqa: F401  (its first import costs about a second)
