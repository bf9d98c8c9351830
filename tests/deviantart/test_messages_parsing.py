"""The message center parsed defensively: odd shapes become messages, never exceptions."""

from __future__ import annotations

import json
from typing import Any

from photomanager.deviantart.messages_parsing import parse_message, parse_message_page
from photomanager.domain.inbox import MessageKind

DEVIATION = "0E6D1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B"


def reply(messageid: str = "M1", **extra: Any) -> dict[str, Any]:
    """A `feedback.reply` as DeviantArt sends it (a reply under our comment)."""
    return {
        "messageid": messageid,
        "type": "feedback.reply",
        "orphaned": False,
        "ts": "2026-12-01T12:00:05-0800",
        "stackid": None,
        "is_new": True,
        "originator": {"userid": "u-fan", "username": "fan", "usericon": "", "type": "regular"},
        "subject": {
            "comment": {"commentid": "c-ours", "body": "Lovely work!"},
            "deviation": {
                "deviationid": DEVIATION.lower(),
                "title": "Dragon",
                "url": "https://www.deviantart.com/x/art/1",
            },
        },
        "comment": {"commentid": "r-1", "parentid": "c-ours", "body": "<b>Thanks!</b>\x00"},
        **extra,
    }


class TestOneMessage:
    def test_a_reply_keeps_its_comment_parent_and_deviation(self) -> None:
        """Reply id, parent, subject comment, our deviation and the reply's text."""
        message = parse_message(reply())

        assert message is not None
        assert message.kind is MessageKind.REPLY
        assert (message.commentid, message.parentid) == ("R-1", "C-OURS")
        assert message.subject_commentid == "C-OURS"
        assert message.deviationid == DEVIATION
        assert message.body == "<b>Thanks!</b>"  # NUL dropped; the markup stays text
        assert message.originator_username == "fan"
        assert message.ts is not None
        assert message.ts.utcoffset() is not None
        assert message.raw is None

    def test_an_unknown_type_is_kept_with_its_raw_json(self) -> None:
        """feedback.badge_given: a message of kind other, its JSON kept whole."""
        item = {"messageid": "M2", "type": "feedback.badge_given", "ts": "2026-12-01T12:00:00Z"}

        message = parse_message(item)

        assert message is not None
        assert message.kind is MessageKind.OTHER
        assert json.loads(message.raw or "") == item

    def test_an_empty_list_as_subject_is_no_subject(self) -> None:
        """`subject: []` (#114) parses as an empty subject, not an error."""
        item = {
            "messageid": "M3",
            "type": "feedback.watch",
            "ts": "2026-12-01T12:00:00Z",
            "originator": {"userid": "u", "username": "fan"},
            "subject": [],
        }

        message = parse_message(item)

        assert message is not None
        assert message.kind is MessageKind.WATCH
        assert message.deviationid is None
        assert message.raw is None

    def test_missing_fields_keep_the_raw_json(self) -> None:
        """A reply without comment or time: stored, with the JSON we could not read."""
        item = {"messageid": "M4", "type": "feedback.reply", "subject": [], "comment": None}

        message = parse_message(item)

        assert message is not None
        assert message.ts is None
        assert message.raw is not None

    def test_no_messageid_no_message(self) -> None:
        """Without a key it cannot be stored once: skipped."""
        assert parse_message({"type": "feedback.watch"}) is None
        assert parse_message(["not", "an", "object"]) is None

    def test_a_hostile_url_is_not_kept(self) -> None:
        """Only web links survive: a javascript: URL never reaches a page."""
        item = reply()
        item["subject"]["deviation"]["url"] = "javascript:alert(1)"

        message = parse_message(item)

        assert message is not None
        assert message.deviation_url is None


class TestPages:
    def test_a_feed_page_gives_its_cursor_and_messages(self) -> None:
        """`{cursor, has_more, results}`: every message, the cursor to older ones."""
        page = parse_message_page(
            {"cursor": "abc", "has_more": True, "results": [reply("M1"), reply("M2")]}
        )

        assert [m.messageid for m in page.messages] == ["M1", "M2"]
        assert (page.cursor, page.has_more) == ("abc", True)

    def test_a_stack_is_set_aside_to_be_expanded(self) -> None:
        """An item standing for 5 messages (stackid, stack_count) is a stack, not a message."""
        stack = {
            "messageid": "S1",
            "type": "feedback.watch",
            "stackid": "stack-1",
            "stack_count": 5,
            "ts": "2026-12-01T12:00:00Z",
            "originator": {"username": "fan"},
        }

        page = parse_message_page({"cursor": None, "has_more": False, "results": [stack]})

        assert page.messages == ()
        assert page.stacks == (("stack-1", 5),)

    def test_garbage_results_give_an_empty_page(self) -> None:
        """`results` that is not a list, odd items: an empty page, no exception."""
        assert parse_message_page({"results": {"x": 1}}).messages == ()
        page = parse_message_page({"results": [None, 3, "x", reply("M9")], "has_more": "yes"})
        assert [m.messageid for m in page.messages] == ["M9"]
        assert page.has_more is False

    def test_a_message_twice_on_a_page_parses_twice(self) -> None:
        """Duplicates are storage's business (messageid is the key): the parser keeps both."""
        page = parse_message_page({"results": [reply("M1"), reply("M1")]})

        assert [m.messageid for m in page.messages] == ["M1", "M1"]
