#!/usr/bin/env bash
# Installs what `missions` needs on a Debian machine: tesseract with French data (apt),
# then a virtual environment in .venv with the package and its test tools, at the versions of
# scripts/constraints.txt (the suite's OCR recordings are keyed by pixels). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
apt_packages=()
command -v tesseract >/dev/null 2>&1 || apt_packages+=(tesseract-ocr)
if ! tesseract --list-langs 2>/dev/null | grep -qx fra; then apt_packages+=(tesseract-ocr-fra); fi
# osd: orientation detection, for pages scanned sideways or upside down
if ! tesseract --list-langs 2>/dev/null | grep -qx osd; then apt_packages+=(tesseract-ocr-osd); fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then apt_packages+=(python3-venv); fi
# chromium: the tests load the release's report.html in a headless browser
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
# Liberation fonts: the stress set (bench/stress) draws with them, as reports often do
[ -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || apt_packages+=(fonts-liberation)
if [ "${#apt_packages[@]}" -gt 0 ]; then
  echo "setup: installing ${apt_packages[*]} with apt-get" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${apt_packages[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.missions-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ scripts/constraints.txt -nt "$stamp" ]; then
  echo "setup: installing Python packages into .venv" >&2
  if ! { .venv/bin/python -m pip install -q --upgrade pip &&
         .venv/bin/python -m pip install -q -c scripts/constraints.txt -e '.[dev]'; } >.venv/pip.log 2>&1; then
    cat .venv/pip.log >&2
    echo "setup: pip install failed (log above, also in .venv/pip.log)" >&2
    exit 1
  fi
  touch "$stamp"
fi
