#!/usr/bin/env bash
# Set everything up (venv from uv.lock, PostgreSQL binaries, Chromium) and run the whole suite:
# ruff (lint + format), mypy, import-linter, then pytest on SQLite and PostgreSQL, on every core
# (pytest-xdist, one worker more than cores; each has its own PostgreSQL server, databases and ports; the
# multi-process trials share one worker). Extra arguments go to pytest (`-n 0`: one process).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --dev
scripts/install-postgres.sh
scripts/install-browser.sh

step() { printf '\n== %s\n' "$*"; }
step "ruff check";       .venv/bin/ruff check src tests benchmarks
step "ruff format";      .venv/bin/ruff format --check src tests benchmarks
step "mypy";             .venv/bin/mypy
step "import-linter";    .venv/bin/lint-imports
# One worker more than cores: every worker spends part of its time waiting on a subprocess,
# a server or the browser, which the extra one fills (11 min 16 s -> see the README).
step "pytest";           .venv/bin/pytest --numprocesses "$(( $(nproc) + 1 ))" --dist loadgroup "$@"
