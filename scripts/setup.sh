#!/usr/bin/env bash
# Create .venv and install photomanager into it from uv.lock (with the dev tools when given
# --dev): exactly the versions and files (hashes) the lock names, photomanager itself editable.
# Idempotent: syncs again only when uv.lock or pyproject.toml changed. Refresh the lock
# with scripts/lock.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    python="$candidate"; break
  fi
done
[ -n "$python" ] || { echo "photomanager needs Python 3.11 or newer" >&2; exit 1; }

mode="runtime"; extras=()
if [ "${1:-}" = "--dev" ]; then mode="dev"; extras=(--extra dev); fi

stamp=".venv/.photomanager-lock"
sums="$(cat uv.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
# The dev install holds the runtime one: start.sh after test.sh changes nothing.
if [ "$have" = "$mode $sums" ] || [ "$have" = "dev $sums" ]; then
  exit 0
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
echo "Installing photomanager ($mode) into .venv from uv.lock ..."
# --frozen: install the lock as it is (tests/test_lock.py fails when it lags pyproject.toml).
# Exact: a package the lock no longer names leaves .venv. --compile-bytecode: where
# PYTHONDONTWRITEBYTECODE is set (as on this machine) nothing is cached, and every process
# compiled FastAPI, pydantic, SQLAlchemy... again: 3.1 s to import the app instead of 1.7 s.
UV_PROJECT_ENVIRONMENT=.venv scripts/uv.sh sync --frozen --quiet --compile-bytecode \
  --python .venv/bin/python "${extras[@]}"
echo "$mode $sums" > "$stamp"
