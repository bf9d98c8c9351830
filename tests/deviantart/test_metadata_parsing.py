"""`deviation/metadata`: DeviantArt's shapes read defensively, descriptions made plain text."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from photomanager.config import Settings
from photomanager.deviantart import DeviantArtApiClient, DeviantArtHttpClient
from photomanager.deviantart.api import MAX_METADATA_IDS
from photomanager.deviantart.html_text import MAX_DESCRIPTION, html_to_text
from photomanager.deviantart.parsing import parse_metadata_list
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import TokenKind

ID = "0B2C8E8C-1A52-4E7C-9D2A-6B1F3E2D4C5A"


class TestHtmlToText:
    def test_markup_goes_and_entities_are_decoded(self) -> None:
        """Tags are dropped, entities decoded, breaks kept as lines."""
        html = "Ink &amp; <b>watercolor</b><br />on paper&nbsp;&mdash; <a href='x'>shop</a>"
        assert html_to_text(html) == "Ink & watercolor\non paper — shop"

    def test_scripts_and_styles_leave_no_text(self) -> None:
        """Hostile markup leaves nothing of its code behind."""
        html = "Hi<script>alert('x')</script><style>p{}</style> there"
        assert html_to_text(html) == "Hi there"

    def test_text_is_bounded(self) -> None:
        """An essay is cut to the bound."""
        assert len(html_to_text("word " * 10_000)) == MAX_DESCRIPTION


class TestParseMetadata:
    def test_documented_shape(self) -> None:
        """Tags by name (lower case, once), the description as text, comment rights."""
        data = {
            "metadata": [
                {
                    "deviationid": ID.lower(),
                    "description": "Evening <i>study</i>",
                    "tags": [
                        {"tag_name": "Watercolor", "sponsored": False, "sponsor": ""},
                        {"tag_name": "watercolor", "sponsored": False, "sponsor": ""},
                        {"tag_name": "bad tag!", "sponsored": False, "sponsor": ""},
                        "not an object",
                    ],
                    "allows_comments": True,
                    "can_post_comment": False,
                    "is_mature": False,
                },
                {"no": "id"},
            ]
        }
        [entry] = parse_metadata_list(data)
        assert entry.deviationid == ID
        assert entry.tags == ("watercolor",)
        assert entry.description == "Evening study"
        assert entry.can_post_comment is False

    def test_missing_list_is_empty(self) -> None:
        """An answer without `metadata` holds nothing."""
        assert parse_metadata_list({"status": "success"}) == []


class TestMetadataRequest:
    def _client(self, seen: list[httpx.Request]) -> DeviantArtApiClient:
        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json={"metadata": []})

        class Tokens:
            def get_token(self, kind: TokenKind) -> str:
                return "t"

            def refresh_token(self, kind: TokenKind, rejected: str) -> str:
                return "t"

        http = DeviantArtHttpClient(tokens=Tokens(), transport=httpx.MockTransport(handler))
        return DeviantArtApiClient(http)

    def test_ids_go_as_repeated_parameters(self) -> None:
        """deviationids[] is repeated once per id, upper case, each id once."""
        seen: list[httpx.Request] = []
        other = ID.replace("0B2C", "1B2C")
        self._client(seen).deviation_metadata([ID.lower(), other, ID])
        [request] = seen
        assert request.url.path.endswith("/deviation/metadata")
        assert request.url.params.get_list("deviationids[]") == [ID, other]

    def test_more_than_50_ids_are_refused_before_any_request(self) -> None:
        """The caller splits: 51 ids is a programming error, not a request."""
        seen: list[httpx.Request] = []
        ids = [f"{n:08X}-1A52-4E7C-9D2A-6B1F3E2D4C5A" for n in range(MAX_METADATA_IDS + 1)]
        with pytest.raises(InvalidInput):
            self._client(seen).deviation_metadata(ids)
        assert seen == []


class TestConfiguredGlobalFeed:
    def test_the_default_is_the_home_feed(self) -> None:
        """The global feed is DeviantArt's home feed unless configured otherwise."""
        assert Settings().da_global_feed_path == "browse/home"

    def test_a_removed_endpoint_is_refused_at_start_up(self) -> None:
        """PHOTOMANAGER_DA_GLOBAL_FEED_PATH=browse/newest stops the start with the replacement."""
        with pytest.raises(ValidationError, match="use browse/home instead"):
            Settings(da_global_feed_path="browse/newest")
