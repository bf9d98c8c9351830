"""Which image URLs the page may show: a deviation's thumbnail, checked before it is kept.

A feed is third-party input: a thumbnail URL is kept only when it is an absolute URL on one
of the allowed image origins (DeviantArt's image host over https; the sandbox's own origin in
demo mode), without credentials, whitespace or control characters. Anything else: no thumbnail.
The page's Content-Security-Policy allows images from the same origins and no others.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# DeviantArt serves deviation images (`thumbs`, `preview`, `content`) from this host.
DEVIANTART_IMAGE_ORIGIN = "https://images-wixmp-ed30a86b8c4ca887773594c2.wixmp.com"
DEVIANTART_IMAGE_ORIGINS = frozenset({DEVIANTART_IMAGE_ORIGIN})
MAX_IMAGE_URL = 2000  # DeviantArt's signed image URLs run to a few hundred characters


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, lower case; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def allowed_image_url(url: object, origins: frozenset[str]) -> str | None:
    """`url` when it may be shown as an image from one of `origins`, else None."""
    if not isinstance(url, str) or not url or len(url) > MAX_IMAGE_URL:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    if "\\" in url:
        return None
    origin = origin_of(url)
    return url if origin is not None and origin in origins else None
