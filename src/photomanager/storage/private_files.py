"""The SQLite file holds the OAuth tokens: it and its data directory are private.

The database file is created 0600 before SQLite opens it (SQLite gives its
`-wal` and `-shm` files the same mode) and tightened if an older run left it
readable; the data directory is 0700. Other locations named in a database URL
are the user's choice: only the file itself is tightened there.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed and make it 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)
    return path


def private_sqlite_file(url: str) -> None:
    """For a SQLite file URL: create its directory, and the file 0600 (others: nothing)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    database = Path(parsed.database)
    if not database.parent.exists():
        private_dir(database.parent)
    fd = os.open(database, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    os.close(fd)
    os.chmod(database, PRIVATE_FILE)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            os.chmod(companion, PRIVATE_FILE)
