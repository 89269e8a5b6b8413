#!/usr/bin/env bash
# Install Hustings into .venv and run `hustings demo` on the embedded SQLite store.
# Each step says what it is doing: installing the dependencies takes a few minutes the
# first time, and a silent terminal for that long looks like a hang.
set -euo pipefail

step() { printf '\n==> %s\n' "$*" >&2; }

# pip's output, cut to one line a package ("Collecting …", "Installing collected packages",
# "Successfully installed …"), with a dot for every other line and for every few seconds
# pip says nothing (building and installing wheels is long and quiet): never a silent minute.
pip_progress() {
    local every="${HUSTINGS_PROGRESS_EVERY:-5}" line status
    while true; do
        if IFS= read -r -t "$every" line; then
            case "$line" in
                Collecting* | Installing* | Successfully*) printf '\n  %s ' "$line" >&2 ;;
                *) printf '.' >&2 ;;
            esac
        else
            status=$?
            ((status > 128)) || break # end of pip's output, not a pause
            printf '.' >&2
        fi
    done
    printf '\n' >&2
}

main() {
    cd "$(dirname "$0")/.."
    step "1/3 Creating .venv (Python virtual environment)"
    source scripts/venv.sh
    step "2/3 Installing Hustings and its dependencies into .venv (a few minutes the first time)"
    # pip's own failure still fails the script (pipefail); its warnings about ignored
    # requirements for other Pythons are left out.
    .venv/bin/pip install --disable-pip-version-check -e . \
        2> >(grep -v "is ignored: it is neither" >&2) | pip_progress
    step "3/3 Running hustings demo: simulate a campaign ending now, import it, audit it"
    exec .venv/bin/hustings demo "$@"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
