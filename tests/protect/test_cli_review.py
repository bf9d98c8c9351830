"""`photomanager review list|approve|skip|approve-all` on the same services as the page."""

from __future__ import annotations

from typer.testing import CliRunner

from photomanager.bootstrap import Container
from photomanager.cli import app
from photomanager.domain.models import QueueStatus
from photomanager.sandbox import Sandbox
from protect.test_api_review import park, status_of


def run(container: Container, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["review", *args], obj=container)
    return result.exit_code, result.stdout, result.stderr


class TestReviewCli:
    def test_list_shows_parked_comments(self, container: Container, sandbox: Sandbox) -> None:
        """review list prints each parked deviation id."""
        ids = park(container, sandbox, 2)
        code, out, _ = run(container, "list")
        assert code == 0
        assert all(d in out for d in ids)

    def test_list_says_when_nothing_awaits(self, container: Container) -> None:
        """An empty review list says so."""
        assert run(container, "list")[1].strip() == "nothing awaits review"

    def test_approve_with_body(self, container: Container, sandbox: Sandbox) -> None:
        """review approve ID --body stores the edited text and makes the row pending."""
        [deviationid] = park(container, sandbox, 1)
        code, out, _ = run(container, "approve", deviationid, "--body", "So good!")
        assert code == 0
        assert "So good!" in out
        assert status_of(container, deviationid) is QueueStatus.PENDING

    def test_skip(self, container: Container, sandbox: Sandbox) -> None:
        """review skip ID makes the row skipped."""
        [deviationid] = park(container, sandbox, 1)
        assert run(container, "skip", deviationid)[0] == 0
        assert status_of(container, deviationid) is QueueStatus.SKIPPED

    def test_unknown_id_fails_with_one_line(self, container: Container) -> None:
        """Approving a row not awaiting review exits 1 with the reason."""
        code, _, err = run(container, "approve", "nope")
        assert code == 1
        assert "not awaiting review" in err

    def test_approve_all(self, container: Container, sandbox: Sandbox) -> None:
        """review approve-all --yes approves every listed parked row."""
        ids = park(container, sandbox, 2)
        code, out, _ = run(container, "approve-all", "--yes")
        assert code == 0
        assert "2 comment(s) approved" in out
        assert {status_of(container, d) for d in ids} == {QueueStatus.PENDING}
