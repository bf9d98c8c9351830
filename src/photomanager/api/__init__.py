"""The HTTP API: `app.create_app(container)`, one router per resource, one error shape."""

from __future__ import annotations
