"""Use cases, grouped by capability.

- `posting/`: the comment worker (claim, render, post, record), its loop, reconciliation.
- `collecting/`: feeds, filters, the collector and its runs.
- `account/`: connecting an account, tokens and their refresh, who we are.
- Top level: the ports both sides need (`ports.py`) and the artist's admin services
  (settings, templates, queue, review, logs, status).
"""
