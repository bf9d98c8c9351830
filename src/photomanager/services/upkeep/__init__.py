"""The queue kept tidy, by the artist and by time.

- `queue`: list, remove, clear, reset failed, settle unknown rows;
- `review`: approve, edit or skip comments held for review;
- `housekeeping`: expired rows and old log entries pruned in small batches;
- `maintenance`: the guards of `db backup|restore`.

Nothing here sends a request to DeviantArt.
"""
