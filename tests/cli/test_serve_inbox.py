"""`serve --sandbox` end to end: the inbox and outcomes answer from the real server process."""

from __future__ import annotations

import time

import httpx

from cli.test_serve import served_demo  # noqa: F401  (the fixture)

PREFIX = "/api/deviation-comments"
JSON = {"Content-Type": "application/json"}
POLL_TIMEOUT_S = 30


class TestInboxInTheDemo:
    def test_a_refresh_reads_the_sandboxs_message_center(self, served_demo: str) -> None:  # noqa: F811
        """Connected with the message scope; a refresh is 202 and the status says it ran."""
        with httpx.Client(base_url=served_demo, trust_env=False, timeout=10) as http:
            before = http.get(f"{PREFIX}/status").json()["inbox"]
            started = http.post(f"{PREFIX}/outcomes/refresh", headers=JSON)
            deadline = time.monotonic() + POLL_TIMEOUT_S
            poll = before["last_poll"]
            while time.monotonic() < deadline and poll["finished_at"] is None:
                time.sleep(0.5)
                poll = http.get(f"{PREFIX}/status").json()["inbox"]["last_poll"]
            outcomes = http.get(f"{PREFIX}/outcomes", params={"group_by": "week"})
            inbox = http.get(f"{PREFIX}/inbox", params={"kind": "all"})
            missing = http.post(f"{PREFIX}/inbox/999999/reply", json={"body": "hi"})

        assert before["reconnect_to_read_replies"] is False
        assert started.status_code == 202
        assert started.json()["by"] in ("worker", "background")
        assert poll["finished_at"] is not None
        assert poll["error"] is None
        assert outcomes.status_code == 200
        assert outcomes.json()["totals"]["comments"] == 0  # nothing posted yet
        assert inbox.status_code == 200
        assert inbox.json()["unread"] == 0  # no comment of ours yet: no reply
        assert missing.status_code == 404
