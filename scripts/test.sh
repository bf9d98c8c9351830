#!/usr/bin/env bash
# Set everything up (venv from uv.lock, PostgreSQL binaries, Chromium) and run the whole suite:
# ruff (lint + format), mypy, import-linter, then pytest on SQLite and PostgreSQL, on every core
# (pytest-xdist; each worker has its own PostgreSQL server, databases and ports; the
# multi-process trials share one worker). Extra arguments go to pytest (`-n 0`: one process).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --dev
scripts/install-postgres.sh
scripts/install-browser.sh

# Temporary files in memory where the machine has a tmpfs (unless TMPDIR is set): every
# PostgreSQL test copies a template database, and on disk that copy waits on I/O (150-230 ms a
# test here, 16 ms in memory); the SQLite files and the PostgreSQL servers' data follow.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    TMPDIR="$(mktemp -d /dev/shm/photomanager-tests.XXXXXX)"
    chmod 755 "$TMPDIR"  # the PostgreSQL service user (under root) makes its data dir inside
    export TMPDIR
    trap 'rm -rf "$TMPDIR"' EXIT
fi

# Our own modules compiled once too: the tests start hundreds of Python processes (workers killed
# at crash points, `serve`, the CLI), and PYTHONDONTWRITEBYTECODE would have each compile them.
.venv/bin/python -m compileall -q src tests benchmarks > /dev/null

step() { printf '\n== %s\n' "$*"; }
step "ruff check";       .venv/bin/ruff check src tests benchmarks
step "ruff format";      .venv/bin/ruff format --check src tests benchmarks
step "mypy";             .venv/bin/mypy
step "import-linter";    .venv/bin/lint-imports
step "pytest";           .venv/bin/pytest --numprocesses auto --dist loadgroup "$@"
