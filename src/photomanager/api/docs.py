"""The interactive API docs at /docs, under a CSP that allows exactly its scripts.

Swagger UI needs an inline bootstrap script and its bundle from a CDN; rather
than loosen the app-wide policy, this page gets its own header that pins the
inline script by hash.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

SWAGGER_CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

router = APIRouter(include_in_schema=False)


def _script_hashes(html: str) -> str:
    digests = (
        base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        for script in _INLINE_SCRIPT.findall(html)
    )
    return " ".join(f"'sha256-{digest}'" for digest in digests)


def docs_policy(html: str) -> str:
    """The Content-Security-Policy of the docs page."""
    return (
        f"default-src 'self'; script-src 'self' {SWAGGER_CDN} {_script_hashes(html)}; "
        f"style-src 'self' {SWAGGER_CDN}; img-src 'self' data: https://fastapi.tiangolo.com; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    """Swagger UI over /openapi.json."""
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="photomanager API")
    html = bytes(page.body).decode()
    return HTMLResponse(html, headers={"Content-Security-Policy": docs_policy(html)})
