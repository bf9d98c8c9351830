"""uv.lock matches pyproject.toml: a requirement added or changed without `scripts/lock.sh` fails.

Two checks, both offline: uv's own (`uv lock --check --offline`, the pinned uv of
`scripts/uv.sh`), and a plain comparison of pyproject's requirements with the ones the lock
recorded for photomanager itself, which names what differs. Each is shown to fail on a copy
of the two files with one dependency added.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / "scripts" / "uv.sh"
ADDED = "six>=1.16"

# (extra or "" for the runtime requirements, name, extras, specifier)
Declared = tuple[str, str, tuple[str, ...], str]


def declared_in_pyproject(pyproject: Path) -> set[Declared]:
    """Every requirement pyproject.toml declares, runtime and per extra."""
    project = tomllib.loads(pyproject.read_text())["project"]
    groups = {"": project.get("dependencies", []), **project.get("optional-dependencies", {})}
    found: set[Declared] = set()
    for extra, requirements in groups.items():
        for text in requirements:
            req = Requirement(text)
            found.add(
                (extra, canonicalize_name(req.name), tuple(sorted(req.extras)), str(req.specifier))
            )
    return found


def recorded_in_lock(lock: Path, project: str = "photomanager") -> set[Declared]:
    """The requirements of `project` as uv recorded them when it last resolved the lock."""
    packages = tomllib.loads(lock.read_text())["package"]
    (root,) = (p for p in packages if p["name"] == project)
    found: set[Declared] = set()
    for entry in root["metadata"]["requires-dist"]:
        marker = entry.get("marker", "")
        extra = marker.split("extra == '", 1)[1].split("'", 1)[0] if "extra == '" in marker else ""
        specifier = str(Requirement(f"x{entry.get('specifier', '')}").specifier)
        found.add(
            (
                extra,
                canonicalize_name(entry["name"]),
                tuple(sorted(entry.get("extras", []))),
                specifier,
            )
        )
    return found


def uv_lock_check(project_dir: Path) -> subprocess.CompletedProcess[str]:
    """`uv lock --check --offline` on `project_dir`: never writes, never reaches the network."""
    return subprocess.run(
        [str(UV), "lock", "--check", "--offline", "--project", str(project_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    """A copy of pyproject.toml and uv.lock with one dependency added to pyproject only."""
    shutil.copy(ROOT / "uv.lock", tmp_path / "uv.lock")
    text = (ROOT / "pyproject.toml").read_text()
    marker = "dependencies = [\n"
    assert marker in text
    (tmp_path / "pyproject.toml").write_text(text.replace(marker, f'{marker}    "{ADDED}",\n', 1))
    return tmp_path


class TestLockMatchesPyproject:
    def test_uv_finds_the_lock_up_to_date(self) -> None:
        """The pinned uv accepts uv.lock for this pyproject.toml without resolving anew."""
        result = uv_lock_check(ROOT)

        assert result.returncode == 0, result.stderr

    def test_every_declared_requirement_is_the_one_locked(self) -> None:
        """pyproject's runtime and dev requirements are exactly those the lock was made for."""
        declared = declared_in_pyproject(ROOT / "pyproject.toml")
        recorded = recorded_in_lock(ROOT / "uv.lock")

        assert declared - recorded == set(), "declared but not locked: run scripts/lock.sh"
        assert recorded - declared == set(), "locked but no longer declared: run scripts/lock.sh"


class TestAnAddedDependencyIsCaught:
    def test_uv_refuses_the_lock(self, drifted: Path) -> None:
        """With a dependency added to pyproject only, `uv lock --check` fails, lock untouched."""
        before = (drifted / "uv.lock").read_bytes()

        result = uv_lock_check(drifted)

        assert result.returncode != 0
        # Offline, uv either sees the lock is stale or cannot resolve the new requirement
        # from its cache: both mean the lock no longer covers pyproject.toml.
        assert "needs to be updated" in result.stderr or "six" in result.stderr, result.stderr
        assert (drifted / "uv.lock").read_bytes() == before

    def test_the_comparison_names_it(self, drifted: Path) -> None:
        """The plain comparison reports the added requirement, and only it."""
        declared = declared_in_pyproject(drifted / "pyproject.toml")
        recorded = recorded_in_lock(drifted / "uv.lock")

        assert declared - recorded == {("", "six", (), ">=1.16")}
        assert recorded - declared == set()
