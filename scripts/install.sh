#!/usr/bin/env bash
# Install everything the course needs, on Debian/Ubuntu: the system packages
# (bubblewrap for the grading sandbox; util-linux's setpriv, unshare and prlimit,
# with which a root grader runs student code under a uid of its own; chromium for
# the rendered-book check) and a virtual environment .venv with the pinned Python
# packages. No account is created: a root grader gives each job the unnamed uid
# $ZTH_SANDBOX_UID (default 1900000000) + slot (see autograder/sandbox.py).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs="bubblewrap util-linux chromium chromium-driver"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "install.sh: please install these system packages:$missing (sudo apt-get install$missing)" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -r requirements.txt 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip install -q --no-deps -e . 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import torch, nbgrader, jupyter_book, autograder; print('installed: torch', torch.__version__)"
.venv/bin/python - <<'PY'
from autograder import sandbox
why = sandbox.available()
if why is None:
    print("grading isolation: bubblewrap" + (" (as root: each job under its own uid)" if sandbox.is_root() else ""))
elif sandbox.privsep_available() is None:
    print(f"grading isolation: privilege separation (bubblewrap cannot start: {why})")
else:
    print(f"grading isolation: NONE available ({why}); `grade` will refuse to run")
PY
