#!/usr/bin/env bash
# Set everything up and start photomanager on http://127.0.0.1:8000 (SQLite in ./data).
# Extra arguments go to `photomanager serve`, e.g. `--sandbox` for the demo mode.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/photomanager serve "$@"
