"""photomanager: a self-hosted tool for a DeviantArt artist, through the official API."""

from __future__ import annotations

__version__ = "0.1.0"
