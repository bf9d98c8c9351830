"""`deviation/metadata`: tags and description for up to 50 deviations per call.

`GET /deviation/metadata?deviationids[]=A&deviationids[]=B` answers
`{"metadata": [...]}` in the order asked, one entry per known id. Ids the site
does not know, and deviations that are deleted or not yet published, are left
out (no error); mature ones are not (the document names no `mature_content`
filter here). More ids than the cap, or none, is a 400 validation error on
`deviationids`. `can_post_comment` is false when comments are off or the
author blocks the artist; `is_watching` says whether the artist watches the
author. The deviation's language is never sent: DeviantArt has no such field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from photomanager.sandbox.endpoints.feeds import validation_error
from photomanager.sandbox.endpoints.query import QueryParams
from photomanager.sandbox.endpoints.responses import SandboxResponse, json_response
from photomanager.sandbox.world.state import DeviationRecord, World, user_json

IDS_PARAM = "deviationids[]"
LICENSE = "No License"


def deviation_metadata(
    world: World, query: Mapping[str, str], now: float, *, cap: int
) -> SandboxResponse:
    """The metadata of the known, live deviations among `deviationids[]`."""
    asked = [raw.strip() for raw in QueryParams.of(query).getall(IDS_PARAM) if raw.strip()]
    if not asked:
        return validation_error("deviationids", "deviationids is required")
    if len(asked) > cap:
        return validation_error("deviationids", f"at most {cap} deviationids per request")
    found: dict[str, DeviationRecord] = {}
    for raw in asked:
        deviation = world.get(raw)
        if deviation is not None and deviation.is_visible(now, mature=True):
            found.setdefault(deviation.deviationid, deviation)
    return json_response({"metadata": [metadata_entry(world, d) for d in found.values()]})


def metadata_entry(world: World, deviation: DeviationRecord) -> dict[str, Any]:
    """One deviation's entry, with the documented fields."""
    return {
        "deviationid": deviation.deviationid,
        "printid": None,
        "author": user_json(deviation.author),
        "is_watching": deviation.author.userid in world.watched,
        "title": deviation.title,
        "description": deviation.description,
        "license": LICENSE,
        "allows_comments": deviation.allows_comments,
        "can_post_comment": world.can_comment(deviation),
        "tags": [{"tag_name": tag, "sponsored": False, "sponsor": ""} for tag in deviation.tags],
        "is_favourited": False,
        "is_mature": deviation.is_mature,
    }
