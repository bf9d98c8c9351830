"""Request (`*Create`, `*Update`) and response (`*Public`) models of the HTTP API."""

from __future__ import annotations
