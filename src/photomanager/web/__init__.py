"""The web page of photomanager: static HTML, CSS and ES modules over the JSON API."""

from __future__ import annotations

from photomanager.web.routes import router

__all__ = ["router"]
