"""Use cases, grouped by capability.

- `posting/`: the comment worker (claim, render, post, record), its loop, reconciliation.
- `collecting/`: feeds, the collector and its runs.
- `screening/`: which deviations may be commented on (filters, metadata), shared by both.
- `upkeep/`: the queue kept tidy (queue admin, review, housekeeping, backup/restore guards).
- `reporting/`: what the artist reads (status, skip reasons, the log and its CSV).
- `account/`: connecting an account, tokens and their refresh, who we are.
- Top level, what cuts across: the ports (`ports.py`), the artist's settings and templates,
  and the worker's desired state and heartbeats (`worker_control.py`).
"""
