"""The `missions` command of this checkout: puts the checkout (models/, extractors/, flows/) on
the path of this process and of every process it starts, then runs flows.cli.

This is the distribution's only installed module (`pip install -e .` maps it here), so the
environment gains no top-level `models`, `extractors` or `flows` that other code would find.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def run() -> None:
    """`.venv/bin/missions`: flows.cli.run with the checkout on the path (its readers, servers
    and Dask workers are other Python processes: they get it through PYTHONPATH)."""
    root = str(CHECKOUT)
    if not (CHECKOUT / "flows" / "cli.py").is_file():
        sys.exit(f"missions: no checkout at {root}: install it with `pip install -e` from the "
                 "repository (bash scripts/setup.sh)")
    sys.path.insert(0, root)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [root, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)])
    from flows.cli import run as cli

    cli()


if __name__ == "__main__":
    run()
