"""The interactive API docs at /docs, served from this machine (no CDN: it may be offline).

Swagger UI's files (a release that reads OpenAPI 3.1) come from the `fastapi-offline`
package; we use only its static files. FastAPI's page
needs one inline bootstrap script; rather than loosen the app-wide policy,
this page gets its own header that pins that script by hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS_PREFIX = "/docs/assets"
_SWAGGER_DIR = Path(fastapi_offline.__file__).parent / "static"
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

router = APIRouter(include_in_schema=False)


def _script_hashes(html: str) -> str:
    digests = (
        base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        for script in _INLINE_SCRIPT.findall(html)
    )
    return " ".join(f"'sha256-{digest}'" for digest in digests)


def docs_policy(html: str) -> str:
    """The Content-Security-Policy of the docs page: our own files plus one pinned script."""
    return (
        f"default-src 'self'; script-src 'self' {_script_hashes(html)}; "
        "style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    """Swagger UI over /openapi.json."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="photomanager API",
        swagger_js_url=f"{ASSETS_PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PREFIX}/favicon.png",
    )
    html = bytes(page.body).decode()
    return HTMLResponse(html, headers={"Content-Security-Policy": docs_policy(html)})


@router.get(ASSETS_PREFIX + "/{name}")
def swagger_asset(name: str) -> FileResponse:
    """One of Swagger UI's own files, from the installed package."""
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise HTTPException(status_code=404, detail="no such file")
    return FileResponse(_SWAGGER_DIR / name, media_type=media_type)
