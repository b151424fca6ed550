"""Where missions keeps what outlives a run outside the release folder."""
from __future__ import annotations

import os
from pathlib import Path


def user_cache() -> Path:
    """The per-user cache folder: `$XDG_CACHE_HOME/missions`, else `~/.cache/missions`
    (Prefect's home, the serialised tokenizer rules)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "missions"
