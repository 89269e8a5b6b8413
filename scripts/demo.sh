#!/usr/bin/env bash
# Install Hustings into .venv and run `hustings demo` on the embedded SQLite store.
# Each step says what it is doing: installing the dependencies takes a few minutes the
# first time, and a silent terminal for that long looks like a hang.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*" >&2; }
step "Creating .venv (Python virtual environment)"
source scripts/venv.sh
step "Installing Hustings and its dependencies into .venv (a few minutes the first time)"
# One line a package ("Collecting …"), not pip's wall of text; pip's own failure still fails.
.venv/bin/pip install --disable-pip-version-check -e . \
    2> >(grep -v "is ignored: it is neither" >&2) |
    { grep --line-buffered -E "^(Collecting|Successfully installed)" >&2 || true; }
step "Running hustings demo: simulate a campaign ending now, import it, audit it"
exec .venv/bin/hustings demo "$@"
