"""The message center: deviants answer our comments, strangers write, the feed pages and stacks.

Requests go through the in-process transport (and, for determinism, real HTTP too).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from photomanager.sandbox import ManualClock, Reactions, Sandbox, VelocityFilter
from photomanager.sandbox.adapters import SandboxServer, SandboxTransport
from photomanager.sandbox.world.messages import KNOWN_TYPES

BASE = "https://www.deviantart.com"
API = "/api/v1/oauth2"
DELAY = 600.0
START = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
ENGAGING = (
    "I love how you painted the light in {title}. Did you use a reference for the "
    "reflections? The colours feel warm and alive, and your brushwork is so confident."
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _authors_apart(sandbox: Sandbox, n: int) -> list[str]:
    """`n` commentable deviations, each by a different author."""
    chosen: dict[str, str] = {}
    for deviationid in sandbox.deviation_ids(commentable=True):
        author = sandbox.deviation(deviationid)["author"]["userid"]
        if author != sandbox.artist.userid:
            chosen.setdefault(author, deviationid)
        if len(chosen) == n:
            break
    return list(chosen.values())


def _post(api: httpx.Client, deviationid: str, body: str = "Nice!", **form: str) -> Any:
    answer = api.post(f"/comments/post/deviation/{deviationid}", data={"body": body, **form})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _all_pages(api: httpx.Client, **params: str) -> list[list[dict[str, Any]]]:
    """Every page of messages/feed, following the cursor to the end."""
    pages = []
    cursor: str | None = None
    while True:
        query = dict(params)
        if cursor is not None:
            query["cursor"] = cursor
        body = api.get("/messages/feed", params=query).json()
        pages.append(body["results"])
        if not body["has_more"]:
            return pages
        cursor = body["cursor"]


def _flat(api: httpx.Client, **params: str) -> list[dict[str, Any]]:
    return [m for page in _all_pages(api, **params) for m in page]


@pytest.fixture
def certain(sandbox: Sandbox) -> Reactions:
    """Every reaction happens DELAY seconds after our comment; no strangers."""
    sandbox.reactions = Reactions.certain(delay_s=DELAY)
    return sandbox.reactions


@dataclass(frozen=True)
class World:
    """The sandbox (its reactions set by the fixture), its clock, and the artist's API client."""

    sandbox: Sandbox
    clock: ManualClock
    api: httpx.Client

    def comment_and_wait(self, body: str = "Nice!") -> tuple[str, str]:
        """Comment under one deviant's work, then let DELAY pass: (deviationid, commentid)."""
        deviationid = _authors_apart(self.sandbox, 1)[0]
        commentid = _post(self.api, deviationid, body)["commentid"]
        self.clock.advance(DELAY)
        return deviationid, commentid


@pytest.fixture
def world(
    sandbox: Sandbox, sandbox_clock: ManualClock, user_api: httpx.Client, certain: Reactions
) -> World:
    """Every reaction comes DELAY seconds after our comment (see `certain`)."""
    return World(sandbox, sandbox_clock, user_api)


class TestScope:
    def test_a_token_without_message_gets_insufficient_scope(
        self, sandbox: Sandbox, sandbox_transport: httpx.BaseTransport
    ) -> None:
        """A grant without `message` is refused on every message endpoint, naming the scope."""
        token = sandbox.issue_user_token("basic browse comment.post user").access_token
        with httpx.Client(
            transport=sandbox_transport, base_url=BASE + API, headers=bearer(token)
        ) as api:
            answers = [
                api.get("/messages/feed"),
                api.get("/messages/feedback", params={"type": "replies"}),
                api.get("/messages/feedback/some-stack"),
            ]
            still_posts = api.post(
                f"/comments/post/deviation/{_authors_apart(sandbox, 1)[0]}", data={"body": "x"}
            )
        assert [(a.status_code, a.json()["error"], a.json()["scope"]) for a in answers] == [
            (403, "insufficient_scope", "message")
        ] * 3
        assert still_posts.status_code == 200

    def test_a_client_token_is_refused(self, app_api: httpx.Client) -> None:
        """The inbox is the artist's: a client-credentials token gets DeviantArt's 401."""
        assert app_api.get("/messages/feed").status_code == 401

    def test_the_default_scope_reads_an_empty_inbox(self, user_api: httpx.Client) -> None:
        """Demo and test logins carry `message`; a new inbox is one empty last page."""
        assert user_api.get("/messages/feed").json() == {
            "cursor": None,
            "has_more": False,
            "results": [],
        }


class TestReactions:
    def test_reactions_come_after_the_delay_and_only_then(self, world: World) -> None:
        """Nothing before DELAY seconds; then a reply, a watch, a fave and a comment back."""
        _post(world.api, _authors_apart(world.sandbox, 1)[0])
        world.clock.advance(DELAY - 1)
        assert _flat(world.api, stack="false") == []
        world.clock.advance(1)
        types = sorted(m["type"] for m in _flat(world.api, stack="false"))
        assert types == [
            "feedback.comment",
            "feedback.favourite",
            "feedback.reply",
            "feedback.watch",
        ]

    def test_the_delay_fault_brings_them_sooner(self, world: World) -> None:
        """`faults.reaction_delay_s` (2, 3): everything 2 to 3 s after our comment, not DELAY."""
        world.sandbox.faults.reaction_delay_s = (2.0, 3.0)
        posted = world.clock.now()
        _post(world.api, _authors_apart(world.sandbox, 1)[0])
        world.clock.advance(1.9)
        assert _flat(world.api, stack="false") == []
        world.clock.advance(1.1)
        world.sandbox.catch_up()
        delays = sorted((r.at - posted).total_seconds() for r in world.sandbox.ledger.reactions())
        assert len(delays) == 4
        assert 2.0 <= delays[0] <= delays[-1] <= 3.0

    def test_the_reply_is_a_comment_under_ours(self, world: World) -> None:
        """The reply is stored with parentid = our commentid; the message points at both."""
        deviationid, ours = world.comment_and_wait("Lovely!")
        author = world.sandbox.deviation(deviationid)["author"]
        [message] = [m for m in _flat(world.api) if m["type"] == "feedback.reply"]
        under = world.api.get(f"/comments/deviation/{deviationid}", params={"commentid": ours})
        [reply] = under.json()["thread"]
        assert (reply["parentid"], reply["user"]["userid"]) == (ours, author["userid"])
        assert message["comment"] == reply
        assert message["subject"]["comment"]["commentid"] == ours
        assert message["subject"]["comment"]["replies"] == 1
        assert message["subject"]["deviation"]["deviationid"] == deviationid
        assert message["originator"] == author

    def test_replies_stay_out_of_the_top_level_read_back(self, world: World) -> None:
        """Without maxdepth the thread is top level; maxdepth=1 puts the reply after ours."""
        deviationid, ours = world.comment_and_wait()
        top = world.api.get(f"/comments/deviation/{deviationid}").json()["thread"]
        deep = world.api.get(f"/comments/deviation/{deviationid}", params={"maxdepth": 1}).json()
        assert [c["parentid"] for c in top] == [None] * len(top)
        ids = [c["commentid"] for c in deep["thread"]]
        assert deep["thread"][ids.index(ours) + 1]["parentid"] == ours
        assert deep["total"] == len(top)

    def test_watch_fave_and_comment_back_have_their_shapes(self, world: World) -> None:
        """watch: originator and subject.profile; fave and comment: one of the artist's own."""
        sandbox = world.sandbox
        deviationid, _ = world.comment_and_wait()
        author = sandbox.deviation(deviationid)["author"]
        by_type = {m["type"]: m for m in _flat(world.api)}
        watch, fave, back = (by_type[f"feedback.{t}"] for t in ("watch", "favourite", "comment"))
        assert watch["subject"] == {
            "profile": sandbox.deviation(sandbox.gallery_ids()[0])["author"]
        }
        assert "comment" not in watch
        assert {fave["originator"]["userid"], back["originator"]["userid"]} == {author["userid"]}
        gallery = set(sandbox.gallery_ids())
        assert fave["subject"]["deviation"]["deviationid"] in gallery
        assert back["subject"]["deviation"]["deviationid"] in gallery
        thread = world.api.get(
            f"/comments/deviation/{back['subject']['deviation']['deviationid']}"
        ).json()["thread"]
        assert back["comment"]["commentid"] in {c["commentid"] for c in thread}

    def test_a_fave_counts_on_the_gallery_deviation(self, world: World) -> None:
        """The faved deviation's stats.favourites grows by one."""
        sandbox = world.sandbox
        before = {i: sandbox.deviation(i)["stats"]["favourites"] for i in sandbox.gallery_ids()}
        world.comment_and_wait()
        sandbox.catch_up()  # no request since the clock moved
        [fave] = [r for r in sandbox.ledger.reactions() if r.type == "feedback.favourite"]
        after = {i: sandbox.deviation(i)["stats"]["favourites"] for i in sandbox.gallery_ids()}
        assert fave.deviationid is not None
        assert {i: after[i] - before[i] for i in after if after[i] != before[i]} == {
            fave.deviationid: 1
        }

    def test_a_deviant_watches_once(self, world: World) -> None:
        """Two comments under one author's work earn two replies but one watch."""
        sandbox = world.sandbox
        by_author: dict[str, list[str]] = {}
        for deviationid in sandbox.deviation_ids(commentable=True):
            by_author.setdefault(sandbox.deviation(deviationid)["author"]["userid"], []).append(
                deviationid
            )
        pair = next(ids[:2] for a, ids in by_author.items() if len(ids) >= 2)
        for deviationid in pair:
            _post(world.api, deviationid)
        world.clock.advance(DELAY)
        kinds = Counter(m["type"] for m in _flat(world.api, stack="false"))
        assert (kinds["feedback.reply"], kinds["feedback.watch"]) == (2, 1)

    def test_off_and_scale_zero_keep_the_inbox_silent(
        self, sandbox: Sandbox, sandbox_clock: ManualClock, user_api: httpx.Client
    ) -> None:
        """Reactions.off() and faults.reaction_scale = 0 each silence every deviant."""
        first, second = _authors_apart(sandbox, 2)
        sandbox.reactions = Reactions.off()
        _post(user_api, first, ENGAGING.format(title=sandbox.deviation(first)["title"]))
        sandbox.reactions = Reactions.certain(delay_s=DELAY)
        sandbox.faults.reaction_scale = 0.0
        _post(user_api, second, "Hello?")
        sandbox_clock.advance(DELAY * 5)
        assert _flat(user_api) == []
        assert sandbox.ledger.reactions() == []

    def test_the_text_of_a_comment_changes_what_it_earns(
        self, sandbox: Sandbox, sandbox_clock: ManualClock, user_api: httpx.Client
    ) -> None:
        """With the default model, engaging comments earn far more than "Nice!"."""
        sandbox.reactions = Reactions(noise_per_hour=0.0)
        targets = _authors_apart(sandbox, 60)
        short, engaging = [], []
        for i, deviationid in enumerate(targets):
            if i % 2:
                title = sandbox.deviation(deviationid)["title"]
                engaging.append(_post(user_api, deviationid, ENGAGING.format(title=title)))
            else:
                short.append(_post(user_api, deviationid, "Nice!"))
            sandbox_clock.advance(20)
        sandbox_clock.advance(3600)
        sandbox.catch_up()

        def earned(comments: list[Any]) -> int:
            return sum(
                len(sandbox.ledger.reactions(trigger_commentid=c["commentid"])) for c in comments
            )

        assert len(engaging) == len(short) == 30
        assert earned(engaging) >= 30
        assert earned(engaging) >= 4 * earned(short)

    def test_the_artist_answers_a_reply_once(self, world: World) -> None:
        """A reply under the deviant's reply lands under it, in the ledger, and is no duplicate."""
        sandbox = world.sandbox
        deviationid, _ = world.comment_and_wait()
        [message] = [m for m in _flat(world.api) if m["type"] == "feedback.reply"]
        theirs = message["comment"]["commentid"]
        answer = _post(world.api, deviationid, "Thank you 🌸 <b>!</b>", commentid=theirs)
        under = world.api.get(f"/comments/deviation/{deviationid}", params={"commentid": theirs})
        assert answer["parentid"] == theirs
        assert [c["commentid"] for c in under.json()["thread"]] == [answer["commentid"]]
        assert [c.commentid for c in sandbox.ledger.replies()] == [answer["commentid"]]
        assert (sandbox.ledger.duplicates(), sandbox.ledger.duplicate_replies()) == ([], [])
        assert len(sandbox.ledger.reactions()) == 4  # our answer earns nothing more

    def test_a_deleted_deviation_gets_no_reply_and_orphans_its_messages(self, world: World) -> None:
        """No reply under a deviation deleted before it was due; later deletion orphans one."""
        gone, kept = _authors_apart(world.sandbox, 2)
        _post(world.api, gone)
        _post(world.api, kept)
        world.sandbox.delete_deviation(gone)
        world.clock.advance(DELAY)
        replies = [m for m in _flat(world.api, stack="false") if m["type"] == "feedback.reply"]
        assert [m["subject"]["deviation"]["deviationid"] for m in replies] == [kept]
        assert replies[0]["orphaned"] is False
        world.sandbox.delete_deviation(kept)
        [reply] = [m for m in _flat(world.api, stack="false") if m["type"] == "feedback.reply"]
        assert reply["orphaned"] is True

    def test_a_reply_to_an_unknown_comment_is_refused(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """Reading replies under a comment that is not there is a 400 naming commentid."""
        deviationid = _authors_apart(sandbox, 1)[0]
        answer = user_api.get(
            f"/comments/deviation/{deviationid}",
            params={"commentid": "00000000-0000-4000-8000-000000000000"},
        )
        assert (answer.status_code, list(answer.json()["error_details"])) == (400, ["commentid"])


@pytest.fixture
def busy_inbox(
    sandbox: Sandbox, sandbox_clock: ManualClock, user_api: httpx.Client, certain: Reactions
) -> list[str]:
    """Eight comments a minute apart, all reactions in: returns our commentids."""
    ours = []
    for deviationid in _authors_apart(sandbox, 8):
        ours.append(_post(user_api, deviationid)["commentid"])
        sandbox_clock.advance(60)
    sandbox_clock.advance(DELAY)
    return ours


class TestFeed:
    def test_paging_reaches_every_message_once_newest_first(
        self, sandbox: Sandbox, user_api: httpx.Client, busy_inbox: list[str]
    ) -> None:
        """stack=false pages of 10 follow the cursor to the end: the ledger, newest first."""
        pages = _all_pages(user_api, stack="false")
        messages = [m for page in pages for m in page]
        ledger = sandbox.ledger.reactions()
        assert [len(p) for p in pages[:-1]] == [10] * (len(pages) - 1)
        assert len(pages) >= 3
        assert [m["messageid"] for m in messages] == [r.messageid for r in reversed(ledger)]
        assert [m["type"] for m in messages] == [r.type for r in reversed(ledger)]
        stamps = [m["ts"] for m in messages]
        assert stamps == sorted(stamps, reverse=True)

    def test_the_ledger_names_what_earned_each_message(
        self, sandbox: Sandbox, user_api: httpx.Client, busy_inbox: list[str]
    ) -> None:
        """Every reaction is credited to one of our comments, by the deviant it was under."""
        messages = {m["messageid"]: m for m in _flat(user_api, stack="false")}
        for reaction in sandbox.ledger.reactions():
            assert reaction.trigger_commentid in busy_inbox
            message = messages[reaction.messageid]
            assert message["originator"]["username"] == reaction.originator
            if reaction.type == "feedback.reply":
                assert message["comment"]["parentid"] == reaction.trigger_commentid
        replies = [r for r in sandbox.ledger.reactions() if r.type == "feedback.reply"]
        assert sorted(r.trigger_commentid or "" for r in replies) == sorted(busy_inbox)

    def test_ts_is_deviantart_s_format(self, user_api: httpx.Client, busy_inbox: list[str]) -> None:
        """ts is ISO 8601 to the second with a numeric offset, like comment times."""
        ts = _flat(user_api)[0]["ts"]
        assert datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S%z").tzinfo is not None

    def test_stacks_by_default_and_each_message_without(
        self, user_api: httpx.Client, busy_inbox: list[str]
    ) -> None:
        """Eight watches are one stack of 8 (the newest's ts); stacks add up to every message."""
        stacked = _flat(user_api)
        single = _flat(user_api, stack="false")
        [watches] = [m for m in stacked if m["type"] == "feedback.watch"]
        newest_watch = next(m for m in single if m["type"] == "feedback.watch")
        assert watches["stack_count"] == 8
        assert (watches["messageid"], watches["ts"]) == (
            newest_watch["messageid"],
            newest_watch["ts"],
        )
        assert sum(m["stack_count"] for m in stacked) == len(single)
        assert {m["stackid"] for m in single} == {None}

    def test_a_stack_expands_newest_first(
        self, user_api: httpx.Client, busy_inbox: list[str]
    ) -> None:
        """messages/feedback/{stackid} pages the stack's own messages, limit at most 50."""
        [watches] = [m for m in _flat(user_api) if m["type"] == "feedback.watch"]
        single = [
            m["messageid"] for m in _flat(user_api, stack="false") if m["type"] == "feedback.watch"
        ]
        url = f"/messages/feedback/{watches['stackid']}"
        first = user_api.get(url, params={"limit": 5}).json()
        rest = user_api.get(url, params={"limit": 5, "offset": first["next_offset"]}).json()
        expanded = [m["messageid"] for m in first["results"] + rest["results"]]
        assert (first["has_more"], rest["has_more"]) == (True, False)
        assert expanded == single
        assert user_api.get(url, params={"limit": 51}).status_code == 400
        assert user_api.get("/messages/feedback/no-such-stack").status_code == 400

    def test_feedback_by_kind(self, user_api: httpx.Client, busy_inbox: list[str]) -> None:
        """type=replies lists the replies only; an unknown kind is a 400 naming type."""
        replies = user_api.get(
            "/messages/feedback", params={"type": "replies", "stack": "false", "limit": 50}
        ).json()
        assert [m["type"] for m in replies["results"]] == ["feedback.reply"] * 8
        bad = user_api.get("/messages/feedback", params={"type": "everything"})
        assert (bad.status_code, list(bad.json()["error_details"])) == (400, ["type"])

    def test_a_bad_cursor_is_refused(self, user_api: httpx.Client) -> None:
        """A cursor the site never issued is a 400 naming cursor."""
        answer = user_api.get("/messages/feed", params={"cursor": "not-ours"})
        assert (answer.status_code, list(answer.json()["error_details"])) == (400, ["cursor"])

    def test_messages_are_new_until_shown(
        self, user_api: httpx.Client, busy_inbox: list[str]
    ) -> None:
        """is_new is true the first time a message is served, false afterwards."""
        first = user_api.get("/messages/feed", params={"stack": "false"}).json()["results"]
        again = user_api.get("/messages/feed", params={"stack": "false"}).json()["results"]
        assert {m["is_new"] for m in first} == {True}
        assert {m["is_new"] for m in again} == {False}

    def test_new_messages_come_on_top_of_a_kept_cursor(
        self,
        sandbox: Sandbox,
        sandbox_clock: ManualClock,
        user_api: httpx.Client,
        busy_inbox: list[str],
    ) -> None:
        """A cursor keeps leading to older messages while new ones arrive at the top."""
        first = user_api.get("/messages/feed", params={"stack": "false"}).json()
        _post(user_api, _authors_apart(sandbox, 9)[-1])
        sandbox_clock.advance(DELAY)
        older = user_api.get(
            "/messages/feed", params={"stack": "false", "cursor": first["cursor"]}
        ).json()
        top = user_api.get("/messages/feed", params={"stack": "false"}).json()
        seen = {m["messageid"] for m in first["results"]}
        assert not seen & {m["messageid"] for m in older["results"]}
        assert top["results"][0]["ts"] > first["results"][0]["ts"]

    def test_messages_spend_the_user_budget(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """The velocity filter counts message reads like any call of the user token."""
        sandbox.faults.rate_limit = VelocityFilter(user_limit=3, user_window_s=60)
        codes = [user_api.get("/messages/feed").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]


class TestStrangers:
    @pytest.fixture
    def noisy(self, sandbox: Sandbox, sandbox_clock: ManualClock, user_api: httpx.Client) -> World:
        """A lively inbox: two messages a minute from strangers, odd ones often."""
        sandbox.reactions = Reactions(
            noise_per_hour=120.0, noise_unknown_share=0.2, noise_empty_subject_share=0.2
        )
        return World(sandbox, sandbox_clock, user_api)

    def test_noise_holds_unknown_types_and_an_empty_subject(self, noisy: World) -> None:
        """Strangers' messages include a type we do not know and a `subject` of `[]`."""
        for _ in range(6):
            noisy.clock.advance(500)
            noisy.api.get("/placebo")
        messages = _flat(noisy.api, stack="false")
        assert len(messages) >= 100
        assert {m["type"] for m in messages} - set(KNOWN_TYPES)
        empty = [m for m in messages if m["subject"] == []]
        assert empty
        assert {m["type"] for m in empty} == {"feedback.comment"}
        assert all("commentid" in m["comment"] for m in empty)
        assert {r.trigger_commentid for r in noisy.sandbox.ledger.reactions()} == {None}

    def test_strangers_are_people_we_never_commented_on(self, noisy: World) -> None:
        """After we commented on 40 authors' work, no noise comes from any of them."""
        sandbox = noisy.sandbox
        commented = set()
        for deviationid in _authors_apart(sandbox, 40):
            commented.add(sandbox.deviation(deviationid)["author"]["username"])
            _post(noisy.api, deviationid)
        noisy.clock.advance(3000)
        sandbox.catch_up()
        strangers = {
            r.originator for r in sandbox.ledger.reactions() if r.trigger_commentid is None
        }
        earned = {r.originator for r in sandbox.ledger.reactions() if r.trigger_commentid}
        assert strangers
        assert not strangers & commented
        assert earned <= commented


class TestGallery:
    def test_the_artist_owns_a_gallery_outside_the_feeds(self, sandbox: Sandbox) -> None:
        """Twelve deviations by the artist, readable by id, in no browse feed."""
        gallery = sandbox.gallery_ids()
        assert len(gallery) == 12
        assert {sandbox.deviation(i)["author"]["userid"] for i in gallery} == {
            sandbox.artist.userid
        }
        assert not set(gallery) & set(sandbox.deviation_ids(feed="home"))
        assert sandbox.metadata(gallery[0])["deviationid"] == gallery[0]


def _script(api: httpx.Client, sandbox: Sandbox, clock: ManualClock) -> list[dict[str, Any]]:
    for deviationid in _authors_apart(sandbox, 6):
        title = sandbox.deviation(deviationid)["title"]
        _post(api, deviationid, ENGAGING.format(title=title))
        clock.advance(90)
    clock.advance(2400)  # within the access token's hour
    return _flat(api, stack="false")


class TestDeterminism:
    def test_the_same_seed_gives_the_same_inbox_in_process_and_over_http(self) -> None:
        """Twin sandboxes, one served over real HTTP, produce the same messages."""
        inboxes = []
        for served in (False, True):
            clock = ManualClock(START)
            sandbox = Sandbox.seeded(seed=3, deviations=300, clock=clock)
            headers = bearer(sandbox.issue_user_token().access_token)
            if served:
                with (
                    SandboxServer(sandbox) as base_url,
                    httpx.Client(base_url=base_url + API, headers=headers) as api,
                ):
                    inboxes.append(_script(api, sandbox, clock))
            else:
                with httpx.Client(
                    transport=SandboxTransport(sandbox), base_url=BASE + API, headers=headers
                ) as api:
                    inboxes.append(_script(api, sandbox, clock))
        assert inboxes[0]
        assert inboxes[0] == inboxes[1]

    def test_another_seed_gives_another_inbox(self) -> None:
        """A different seed draws different reactions."""
        found = []
        for seed in (3, 4):
            clock = ManualClock(START)
            sandbox = Sandbox.seeded(seed=seed, deviations=300, clock=clock)
            headers = bearer(sandbox.issue_user_token().access_token)
            with httpx.Client(
                transport=SandboxTransport(sandbox), base_url=BASE + API, headers=headers
            ) as api:
                found.append([m["messageid"] for m in _script(api, sandbox, clock)])
        assert found[0] != found[1]
