#!/usr/bin/env bash
# Refresh uv.lock after pyproject.toml changed: new and changed requirements are resolved
# from PyPI, every other package keeps the version it has in the lock. Extra arguments go to
# `uv lock`, e.g. `scripts/lock.sh --upgrade` (everything to the newest allowed) or
# `scripts/lock.sh --upgrade-package fastapi`.
set -euo pipefail
cd "$(dirname "$0")/.."

# A merge that touched the lock on both sides leaves conflict markers, which uv cannot read:
# start again from the lock of HEAD (a whole, valid one) and let uv add what the merged
# pyproject.toml asks for.
if grep -q '^<<<<<<< ' uv.lock 2>/dev/null; then
  echo "uv.lock has merge conflicts: re-resolving from the lock of HEAD" >&2
  git show HEAD:uv.lock > uv.lock
fi

scripts/uv.sh lock "$@"
scripts/uv.sh lock --check --offline
