#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite (the README's test command; CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# pytest-xdist: one worker per core, a test file per worker at a time (its fixtures made once)
exec .venv/bin/python -m pytest -n "${MISSIONS_TEST_WORKERS:-auto}" --dist loadfile "$@"
