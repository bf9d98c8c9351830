"""Posting a comment: claim a queued row, render, post, record, reconcile; the worker loop."""
