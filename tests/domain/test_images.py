"""Which thumbnail URLs may be kept and shown: DeviantArt's image host over https only."""

from __future__ import annotations

import pytest

from photomanager.deviantart.parsing import parse_deviation
from photomanager.domain.images import (
    DEVIANTART_IMAGE_ORIGIN,
    DEVIANTART_IMAGE_ORIGINS,
    allowed_image_url,
)

DA = DEVIANTART_IMAGE_ORIGIN
SANDBOX = "http://127.0.0.1:8123"
DEVIATIONID = "0A1B2C3D-0000-4000-8000-000000000001"


def deviation(**fields: object) -> dict[str, object]:
    """A minimal deviation object with `fields` added."""
    return {"deviationid": DEVIATIONID, "title": "t", "author": {"username": "a"}, **fields}


def thumb(src: str, width: int) -> dict[str, object]:
    return {"src": src, "width": width, "height": width, "transparency": False}


class TestAllowedImageUrl:
    def test_deviantart_image_host_over_https_passes(self) -> None:
        """A real-looking wixmp URL with a query is kept as it is."""
        url = f"{DA}/f/abc/def.jpg/v1/fit/w_150,h_150/x.jpg?token=eyJ0"
        assert allowed_image_url(url, DEVIANTART_IMAGE_ORIGINS) == url

    @pytest.mark.parametrize(
        "url",
        [
            "javascript:alert(1)",
            "data:image/svg+xml,<svg onload=alert(1)>",
            DA.replace("https:", "http:") + "/f/x.jpg",  # not https
            "https://evil.example/f/x.jpg",
            f"https://evil.example/?next={DA}",
            f"{DA}@evil.example/x.jpg",  # the DA host as a user name
            f"https://user:pass@{DA.removeprefix('https://')}/x.jpg",
            f"{DA}.evil.example/x.jpg",  # a look-alike suffix
            f"{DA}:8443/x.jpg",  # another port is another origin
            f"{DA}/x.jpg\n",
            f"{DA}/x y.jpg",
            f"{DA}\\@evil.example/x.jpg",
            "//images-wixmp-ed30a86b8c4ca887773594c2.wixmp.com/x.jpg",
            f"{DA}/" + "a" * 3000,
            "",
        ],
    )
    def test_anything_else_is_refused(self, url: str) -> None:
        """Other schemes, hosts, ports, credentials, whitespace and giant URLs: no thumbnail."""
        assert allowed_image_url(url, DEVIANTART_IMAGE_ORIGINS) is None

    @pytest.mark.parametrize("value", [None, 42, ["https://x"], {"src": DA}])
    def test_non_strings_are_refused(self, value: object) -> None:
        """A feed may send anything where a URL belongs."""
        assert allowed_image_url(value, DEVIANTART_IMAGE_ORIGINS) is None

    def test_the_sandbox_origin_passes_only_when_allowed(self) -> None:
        """Demo mode adds the sandbox's own origin; without it, its URLs are refused."""
        url = f"{SANDBOX}/sandbox/images/{DEVIATIONID}-150.svg"
        assert allowed_image_url(url, DEVIANTART_IMAGE_ORIGINS) is None
        assert allowed_image_url(url, DEVIANTART_IMAGE_ORIGINS | {SANDBOX}) == url


class TestParseThumbnail:
    def test_the_smallest_thumb_at_least_150_wide(self) -> None:
        """thumbs [100, 150, 300]: the 150 one."""
        item = deviation(
            thumbs=[
                thumb(f"{DA}/100.jpg", 100),
                thumb(f"{DA}/150.jpg", 150),
                thumb(f"{DA}/300.jpg", 300),
            ],
            preview=thumb(f"{DA}/preview.jpg", 600),
        )
        parsed = parse_deviation(item)
        assert parsed is not None
        assert parsed.thumbnail_url == f"{DA}/150.jpg"

    def test_preview_when_no_thumb_is_usable(self) -> None:
        """Hostile thumbs are dropped; the preview on the right host is used."""
        item = deviation(
            thumbs=[thumb("https://evil.example/150.jpg", 150), "junk", thumb(f"{DA}/90.jpg", 90)],
            preview=thumb(f"{DA}/preview.jpg", 600),
        )
        parsed = parse_deviation(item)
        assert parsed is not None
        assert parsed.thumbnail_url == f"{DA}/preview.jpg"

    def test_a_small_thumb_beats_none(self) -> None:
        """Only a 90 px thumb and a hostile preview: the small thumb."""
        item = deviation(
            thumbs=[thumb(f"{DA}/90.jpg", 90)], preview=thumb("javascript:alert(1)", 600)
        )
        parsed = parse_deviation(item)
        assert parsed is not None
        assert parsed.thumbnail_url == f"{DA}/90.jpg"

    @pytest.mark.parametrize(
        "fields",
        [{}, {"thumbs": None, "preview": None}, {"thumbs": "x", "preview": "y"}, {"thumbs": [{}]}],
    )
    def test_no_images_means_no_thumbnail(self, fields: dict[str, object]) -> None:
        """A literature, a journal or a malformed item: None, and the deviation still parses."""
        parsed = parse_deviation(deviation(**fields))
        assert parsed is not None
        assert parsed.thumbnail_url is None
