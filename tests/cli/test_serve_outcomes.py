"""`serve --sandbox` as a black box: what the comments earned equals the sandbox's own ledger.

One real `serve --sandbox` process: its worker posts a few dozen comments from two
templates, its fake DeviantArt's deviants react (livelier and sooner than in the plain
demo: `--faults reactions=4,reactdelay=2`), a refresh reads the message center, and the
outcomes per template must be what the fake site says each template's comments earned.
The truth comes from the fake site itself (`GET /sandbox/ledger`, which only the sandbox
serves), and which template wrote a comment from the text the fake site received, so
nothing here reads the product's own records to check the product.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from cli.test_serve import demo_process
from fixtures.sandbox import OUTCOME_FIELD
from photomanager.cli.demo import read_demo_state

# The module's tests share one demo process (the fixture below): keep them on one xdist worker.
pytestmark = pytest.mark.xdist_group("serve_outcomes")

PREFIX = "/api/deviation-comments"
JSON = {"Content-Type": "application/json"}
COMMENTS = 24  # the hourly cap stops the worker there, at one comment a second
REACT_DELAY_S = 2.0  # a reaction comes 2 s after its comment: after our recorded send time
FAULTS = f"nolimit,reactions=4,reactdelay={REACT_DELAY_S:g}"
POST_TIMEOUT_S = 90.0
POLL_TIMEOUT_S = 30.0
MAX_POLLS = 10

TERSE = "{Nice|Cool|Neat|Great|Lovely|Sweet|Fine} {work|piece|art|job|one}{!|.|!!}"
CHATTY_MARK = "How long did you work on it?"
CHATTY = (
    "{{title}} is wonderful: I love how you built the light in {{title}}, your colours feel "
    f"alive and your composition pulls me right in. {CHATTY_MARK}"
)
FIELDS = ("replies", "watch_backs", "fave_backs", "comment_backs")
ANSWER = "Thank you, glad you like it!"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Demo:
    """The running demo: its app, its fake DeviantArt, the two templates' ids by title."""

    app: str
    site: str
    templates: dict[str, int]

    def ledger(self) -> dict[str, Any]:
        """What the fake DeviantArt did so far (comments posted, deviants' reactions)."""
        response = httpx.get(f"{self.site}/sandbox/ledger", trust_env=False, timeout=10)
        assert response.status_code == 200, response.text
        ledger: dict[str, Any] = response.json()
        return ledger


def wait_for(check: Callable[[], T | None], timeout_s: float, what: str) -> T:
    """The first truthy answer of `check`, asked every 0.2 s for at most `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def template_of(body: str) -> str:
    """Which template wrote a comment, from the text DeviantArt received."""
    return "Chatty" if CHATTY_MARK in body else "Terse"


def top_level(ledger: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in ledger["comments"] if c["parentid"] is None]


def configure(http: httpx.Client) -> dict[str, int]:
    """Fast pacing, the hourly cap as the stop, no review, no polls of its own; two
    templates instead of the starters. Returns the templates' ids by title."""
    settings = http.put(
        f"{PREFIX}/settings",
        json={
            "min_interval_s": 1,
            "max_interval_s": 1,
            "max_per_hour": COMMENTS,
            "review_sources": [],
            "inbox_poll_minutes": 0,  # only the refreshes below read the message center
        },
    )
    assert settings.status_code == 200, settings.text
    for starter in http.get(f"{PREFIX}/messages").json():
        off = http.put(f"{PREFIX}/messages/{starter['message_id']}", json={"is_active": False})
        assert off.status_code == 200, off.text
    ids = {}
    for title, body in (("Terse", TERSE), ("Chatty", CHATTY)):
        created = http.post(f"{PREFIX}/messages", json={"title": title, "body": body})
        assert created.status_code == 201, created.text
        ids[title] = created.json()["message_id"]
    return ids


def post_comments(http: httpx.Client, demo: Demo) -> None:
    """Collect the watch feed, let the worker post COMMENTS comments, stop it."""
    started = http.post(f"{PREFIX}/collect/watch-feed", json={"pages": 1})
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    run = wait_for(
        lambda: (r := http.get(f"{PREFIX}/collect/{run_id}").json())["finished_at"] and r,
        POLL_TIMEOUT_S,
        "the collect run",
    )
    assert run["new"] > COMMENTS, run
    worker = http.post(f"{PREFIX}/worker/start", json={"confirm_unreviewed": True})
    assert worker.status_code == 200, worker.text
    wait_for(lambda: len(top_level(demo.ledger())) >= COMMENTS, POST_TIMEOUT_S, "the comments")
    stopped = http.post(f"{PREFIX}/worker/stop", headers=JSON)
    assert stopped.status_code == 200, stopped.text
    time.sleep(REACT_DELAY_S + 0.5)  # every reaction to the last comment is due


def read_the_message_center(http: httpx.Client) -> None:
    """Refresh until a poll says it read down to the end (a poll reads three pages at most,
    and keeps its place for the next one: `catching_up`)."""
    for _ in range(MAX_POLLS):
        before = http.get(f"{PREFIX}/status").json()["inbox"]["last_poll"]["finished_at"]
        refresh = http.post(f"{PREFIX}/outcomes/refresh", headers=JSON)
        assert refresh.status_code == 202, refresh.text
        poll = wait_for(partial(_poll_after, http, before), POLL_TIMEOUT_S, "a poll")
        assert poll["error"] is None, poll
        if not poll["catching_up"]:
            return
    raise AssertionError(f"the message center was not read to the end in {MAX_POLLS} polls")


def _poll_after(http: httpx.Client, finished_at: str | None) -> dict[str, Any] | None:
    """The last poll, once one finished after `finished_at`."""
    poll: dict[str, Any] = http.get(f"{PREFIX}/status").json()["inbox"]["last_poll"]
    done = poll["finished_at"] is not None and poll["finished_at"] != finished_at
    return poll if done else None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A demo whose worker posted COMMENTS comments, and whose inbox was read since."""
    data_dir: Path = tmp_path_factory.mktemp("demo")
    with (
        demo_process(data_dir, "--faults", FAULTS) as app,
        httpx.Client(base_url=app, trust_env=False, timeout=30) as http,
    ):
        state = read_demo_state(data_dir)
        assert state is not None
        running = Demo(app=app, site=state.base_url, templates=configure(http))
        post_comments(http, running)
        read_the_message_center(http)
        yield running


class TestOutcomesThroughServe:
    def test_outcomes_per_template_equal_the_sandboxs_ledger(self, demo: Demo) -> None:
        """Per template: the comments the site received and exactly what they earned there."""
        ledger = demo.ledger()
        written_by = {c["commentid"]: template_of(c["body"]) for c in top_level(ledger)}
        truth: dict[str, Counter[str]] = {title: Counter() for title in demo.templates}
        for reaction in ledger["reactions"]:
            title = written_by.get(reaction["trigger_commentid"])
            if title is not None and reaction["type"] in OUTCOME_FIELD:
                truth[title][OUTCOME_FIELD[reaction["type"]]] += 1

        with httpx.Client(base_url=demo.app, trust_env=False, timeout=10) as http:
            body = http.get(f"{PREFIX}/outcomes", params={"group_by": "template"}).json()

        groups = {g["key"]: g for g in body["groups"] if g["comments"]}
        assert len(written_by) == COMMENTS
        assert set(groups) == {str(i) for i in demo.templates.values()}
        sent = Counter(written_by.values())
        for title, template_id in demo.templates.items():
            group = groups[str(template_id)]
            assert group["label"] == title
            assert group["comments"] == sent[title], title
            assert sum(truth[title].values()) > 0, title  # the deviants reacted to both
            for field in FIELDS:
                assert group[field] == truth[title][field], (title, field)
        # The deviants tell the templates apart, so crediting the wrong comment shows.
        assert sum(truth["Chatty"].values()) > sum(truth["Terse"].values())
        assert body["totals"]["comments"] == COMMENTS
        assert body["last_poll"]["error"] is None

    def test_an_answer_from_the_inbox_lands_once_under_the_deviants_reply(self, demo: Demo) -> None:
        """Every reply is in the inbox; answered once, ours is one comment under that reply."""
        with httpx.Client(base_url=demo.app, trust_env=False, timeout=30) as http:
            inbox = http.get(f"{PREFIX}/inbox", params={"status": "all", "limit": 100}).json()
            item = inbox["items"][0]
            answered = http.post(f"{PREFIX}/inbox/{item['id']}/reply", json={"body": ANSWER})
            again = http.post(f"{PREFIX}/inbox/{item['id']}/reply", json={"body": "Thanks!"})

        ledger = demo.ledger()
        ours = {c["commentid"] for c in top_level(ledger)}
        replies = {
            r["commentid"]: r
            for r in ledger["reactions"]
            if r["type"] == "feedback.reply" and r["trigger_commentid"] in ours
        }
        assert {i["reply_commentid"].upper() for i in inbox["items"]} == {
            c.upper() for c in replies
        }
        deviants_reply = replies[item["reply_commentid"].upper()]
        assert deviants_reply["trigger_commentid"] == item["our_commentid"].upper()
        assert deviants_reply["deviationid"] == item["deviationid"].upper()
        assert answered.status_code == 200, answered.text
        assert answered.json()["status"] == "answered"
        assert again.status_code == 409
        assert again.json()["error"] == "already_answered"
        answers = [c for c in ledger["comments"] if c["parentid"] is not None]
        assert [(c["deviationid"], c["parentid"], c["body"]) for c in answers] == [
            (deviants_reply["deviationid"], deviants_reply["commentid"], ANSWER)
        ]
