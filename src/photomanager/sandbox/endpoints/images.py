"""The sandbox's image host: a small generated picture per deviation, and the feed fields
(`thumbs`, `preview`) that point at it.

DeviantArt's deviation object carries `thumbs: [{src, height, width, transparency}]`
(smallest first) and `preview: {src, height, width, transparency}`, on its image host. The
sandbox serves its own images from its own origin, so the demo and the browser tests show
thumbnails without reaching the internet. A picture is a pure function of the deviation id
(colours and shapes from its hash): no third-party text ever goes into an image.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any

from photomanager.sandbox.endpoints.responses import SandboxResponse

IMAGE_ROOT = "/sandbox/images/"
_IMAGE_PATH = re.compile(r"^/sandbox/images/(?P<id>[0-9A-Fa-f-]{36})-(?P<width>\d{2,4})\.svg$")
# The feeds' sizes, as DeviantArt's: thumbs from small to large, then a preview.
THUMB_WIDTHS = (150, 300)
PREVIEW_WIDTH = 600
_MAX_WIDTH = 1200
# Which endpoints answer with deviation objects under `results`.
FEED_ENDPOINTS = frozenset({"deviantsyouwatch", "home", "tags"})


def image_url(origin: str, deviationid: str, width: int) -> str:
    """Where the sandbox serves the picture of `deviationid`, `width` px wide (4:3)."""
    return f"{origin}{IMAGE_ROOT}{deviationid}-{width}.svg"


def _size(origin: str, deviationid: str, width: int) -> dict[str, Any]:
    return {
        "src": image_url(origin, deviationid, width),
        "height": width * 3 // 4,
        "width": width,
        "transparency": False,
    }


def with_thumbnails(response: SandboxResponse, host: str | None) -> SandboxResponse:
    """A feed page whose deviations carry `thumbs` and `preview` on the sandbox's origin."""
    body = response.json_body
    if not host or response.status != 200 or not isinstance(body, dict):
        return response
    results = body.get("results")
    if not isinstance(results, list):
        return response
    origin = f"http://{host}"
    shown = []
    for item in results:
        deviationid = item.get("deviationid") if isinstance(item, dict) else None
        if not isinstance(deviationid, str):
            shown.append(item)
            continue
        shown.append(
            {
                **item,
                "thumbs": [_size(origin, deviationid, width) for width in THUMB_WIDTHS],
                "preview": _size(origin, deviationid, PREVIEW_WIDTH),
            }
        )
    return replace(response, json_body={**body, "results": shown})


def answer(method: str, path: str) -> SandboxResponse | None:
    """The picture named by `path`, or None when `path` is not an image of this host."""
    if not path.startswith(IMAGE_ROOT):
        return None
    found = _IMAGE_PATH.match(path)
    if method.upper() not in ("GET", "HEAD") or found is None:
        return SandboxResponse(status=404, headers={"content-type": "text/plain"}, text="")
    width = min(_MAX_WIDTH, max(16, int(found["width"])))
    return SandboxResponse(
        status=200,
        headers={
            "content-type": "image/svg+xml",
            "cache-control": "public, max-age=86400",
            "x-content-type-options": "nosniff",
        },
        text=picture(found["id"].upper(), width),
    )


def picture(deviationid: str, width: int) -> str:
    """A deterministic landscape (sky, sun, two hills) in colours taken from the id's hash."""
    digest = hashlib.sha256(deviationid.encode("ascii")).digest()
    height = width * 3 // 4
    sky, land, sun = digest[0] * 360 // 256, digest[1] * 360 // 256, digest[2] * 360 // 256
    sun_x = width * (20 + digest[3] % 60) // 100
    sun_y = height * (15 + digest[4] % 25) // 100
    radius = width * (6 + digest[5] % 8) // 100
    ridge = height * (45 + digest[6] % 20) // 100
    peak = width * (20 + digest[7] % 60) // 100
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
        f'<rect width="{width}" height="{height}" fill="hsl({sky},55%,72%)"/>'
        f'<circle cx="{sun_x}" cy="{sun_y}" r="{radius}" fill="hsl({sun},85%,62%)"/>'
        f'<polygon points="0,{height} {peak},{ridge} {width},{height}" '
        f'fill="hsl({land},45%,38%)"/>'
        f'<polygon points="{width // 2},{height} {width * 4 // 5},{ridge + height // 8} '
        f'{width},{height}" fill="hsl({land},40%,28%)"/>'
        "</svg>"
    )
