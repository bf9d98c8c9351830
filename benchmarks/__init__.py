"""Benchmarks: photomanager at a million rows, on SQLite and PostgreSQL.

Run with `python -m benchmarks` (or `python benchmarks/run.py`); see
`benchmarks/RESULTS.md` for the command, the targets and the last results.
Never run by the test suite (one `--quick` smoke test aside).
"""

from __future__ import annotations
