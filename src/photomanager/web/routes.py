"""The web page: `/` redirects to the Auto Comments page, static files under `/static/`.

No build step and no template engine: the page is a static HTML file whose ES
modules call the JSON API. Static files are served by a route (not a mount) so
`include_router` carries them along with the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
PAGE: Final = "index.html"

# Module scripts are refused unless served with a JavaScript type (and `nosniff` is on).
MEDIA_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# The files change with the installed version; revalidating keeps an upgrade visible at once.
CACHE_HEADERS: Final = {"Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


def static_file(relative: str) -> Path:
    """The file under STATIC_DIR named by `relative`; 404 for anything else (or outside it)."""
    candidate = (STATIC_DIR / relative).resolve()
    if (
        not candidate.is_relative_to(STATIC_DIR)
        or not candidate.is_file()
        or candidate.suffix not in MEDIA_TYPES
    ):
        raise HTTPException(status_code=404, detail="Not found.")
    return candidate


@router.get("/")
def index() -> RedirectResponse:
    """The home page is the Auto Comments section (the only one so far)."""
    return RedirectResponse("/auto-comments", status_code=307)


@router.get("/auto-comments")
def auto_comments_page() -> FileResponse:
    """The Auto Comments page."""
    return FileResponse(STATIC_DIR / PAGE, media_type=MEDIA_TYPES[".html"], headers=CACHE_HEADERS)


@router.get("/static/{path:path}")
def static(path: str) -> FileResponse:
    """A static file of the page (scripts, styles)."""
    found = static_file(path)
    return FileResponse(found, media_type=MEDIA_TYPES[found.suffix], headers=CACHE_HEADERS)
