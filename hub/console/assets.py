"""The console's stylesheet and script, served from the package.

URLs carry the file's content hash (``web.asset_url``), so a browser may
keep a file for a year: a changed file has a new URL.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.console.web import ASSETS, NOT_FOUND, ConsoleRoute, Refused, asset

router = APIRouter(route_class=ConsoleRoute)


@router.get("/static/{name}")
def static_file(name: str, v: str | None = None) -> Response:
    if name not in ASSETS:
        raise Refused(NOT_FOUND)
    found = asset(name)
    cache = "public, max-age=31536000, immutable" if v == found.version else "no-cache"
    return Response(found.body, media_type=found.media_type, headers={"Cache-Control": cache})
