#!/usr/bin/env bash
# Install Hustings into .venv and run `hustings demo` on the embedded SQLite store.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
.venv/bin/pip install --quiet --disable-pip-version-check -e . 2> >(grep -v "is ignored: it is neither" >&2)
exec .venv/bin/hustings demo "$@"
