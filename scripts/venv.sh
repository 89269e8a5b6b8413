# Create (or reuse) .venv; source this file. On Debian, `python3 -m venv` needs the
# python3-venv package, which a fresh machine may lack: install it then (sudo when not root).
source scripts/apt.sh
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || apt_install python3-venv
python3 -m venv .venv
