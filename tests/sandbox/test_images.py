"""The sandbox's image host: feeds point at a generated picture per deviation, served as SVG."""

from __future__ import annotations

import httpx

from photomanager.sandbox import Sandbox
from photomanager.sandbox.endpoints.images import THUMB_WIDTHS

API = "/api/v1/oauth2"


class TestSandboxImages:
    def test_feeds_carry_thumbs_and_a_preview_on_the_sandbox_origin(
        self, sandbox: Sandbox, sandbox_server: str
    ) -> None:
        """Every deviation of a feed page has thumbs (small first) and a preview, served here."""
        token = sandbox.issue_user_token().access_token
        with httpx.Client(base_url=sandbox_server) as client:
            page = client.get(
                f"{API}/browse/home",
                params={"limit": 5},
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            assert page["results"]
            for item in page["results"]:
                widths = [thumb["width"] for thumb in item["thumbs"]]
                assert widths == list(THUMB_WIDTHS)
                assert item["preview"]["src"].startswith(f"{sandbox_server}/sandbox/images/")
                picture = client.get(item["thumbs"][0]["src"])
                assert picture.status_code == 200
                assert picture.headers["content-type"] == "image/svg+xml"
                assert picture.text.startswith("<svg ")
                assert item["deviationid"] not in picture.text  # colours only, no text

    def test_the_picture_is_the_same_every_time_and_differs_per_deviation(
        self, sandbox: Sandbox, sandbox_server: str
    ) -> None:
        """Deterministic per id; two deviations get two pictures; nothing else is served."""
        first, second = sandbox.deviation_ids()[:2]
        with httpx.Client(base_url=sandbox_server) as client:
            one = client.get(f"/sandbox/images/{first}-150.svg").text
            assert client.get(f"/sandbox/images/{first}-150.svg").text == one
            assert client.get(f"/sandbox/images/{second}-150.svg").text != one
            assert client.get("/sandbox/images/../../etc/passwd").status_code == 404
            assert client.get("/sandbox/images/x-150.svg").status_code == 404

    def test_image_requests_are_not_api_requests(
        self, sandbox: Sandbox, sandbox_server: str
    ) -> None:
        """The ledger counts API calls only: loading thumbnails spends no request budget."""
        before = len(sandbox.ledger.requests())
        (deviationid,) = sandbox.deviation_ids()[:1]
        httpx.get(f"{sandbox_server}/sandbox/images/{deviationid}-300.svg")
        assert len(sandbox.ledger.requests()) == before
