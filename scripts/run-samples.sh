#!/usr/bin/env bash
# Sets everything up, then ingests samples/ into output/ (the README's run command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/missions ingest samples/ --out output/ "$@"
