"""Shared fixtures: the databases (SQLite and PostgreSQL), the sandbox, the app, the services."""

from __future__ import annotations

import pytest

# Under xdist (`scripts/test.sh` runs `-n auto --dist loadgroup`) the multi-process trials run
# on one worker, one after another: each starts its own processes (up to 8 workers and a
# PostgreSQL) and sizes its timeouts for the machine's cores, so two of them side by side would
# starve each other, while the other worker goes through the rest of the suite.
RELIABILITY_GROUP = "reliability"

pytest_plugins = [
    "fixtures.database",
    "fixtures.sandbox",
    "fixtures.app",
    "fixtures.services",
]


@pytest.fixture(autouse=True)
def private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own data dir: nothing is written to (or chmod-ed in) the checkout."""
    monkeypatch.setenv("PHOTOMANAGER_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put every `slow` test in the one xdist group (a no-op without `--dist loadgroup`)."""
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(pytest.mark.xdist_group(RELIABILITY_GROUP))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under `--dist loadgroup`, fail a grouped test that xdist did not put in its group.

    xdist groups tests by a suffix its collection hook writes into their node ids. Without it
    (a group mark added after that hook ran, or a pytest that no longer reads the suffix:
    pytest 9.2, pytest-dev/pytest-xdist#1386) the run goes on with no group at all, the
    multi-process trials side by side; both happened here. Say so instead of running that way.
    """
    if (
        getattr(item.config.option, "loadgroup", False)
        and item.get_closest_marker("xdist_group") is not None
        and "@" not in item.nodeid
    ):
        pytest.fail(
            "--dist loadgroup put this test in no group: its group mark came after xdist's "
            "hook, or this pytest and pytest-xdist do not work together "
            "(pytest-dev/pytest-xdist#1386; see the pin in pyproject.toml)",
            pytrace=False,
        )
