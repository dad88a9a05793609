"""The kiosk POS served by the box itself at ``/pos/``, same origin as the API.

``make`` builds ``pos_ui/`` into ``pos_ui/dist/`` (esbuild): ``index.html``
names content-hashed files under ``assets/``. The hashed files are cached
for a year (a new build has new names); ``index.html`` is revalidated on
every load so a box update reaches the counter on the next reload.

Every answer carries a strict Content-Security-Policy: scripts and styles
from this origin only (the build has no inline script or style), requests
to this origin only (the box API), no framing.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from setledger import errors

DIST = Path(__file__).resolve().parents[2] / "pos_ui" / "dist"
"""Where ``make pos-ui`` puts the build (the repository's pos_ui/dist)."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
ASSET_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}(?:\.[A-Za-z0-9]{1,8}){1,2}$")
"""A file esbuild wrote (``main-IQIZ53SS.js``): no slashes, no dot-dot."""
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
    ".map": "application/json",
}


def make_router(dist: Path = DIST) -> APIRouter:
    router = APIRouter(prefix="/pos", tags=["pos ui"], include_in_schema=False)

    @router.get("")
    def pos_root() -> RedirectResponse:
        return RedirectResponse("/pos/", status_code=308)

    @router.get("/")
    def pos_index() -> FileResponse:
        """The app shell; never cached so it always names the current build."""
        index = dist / "index.html"
        if not index.is_file():
            raise errors.POS_UI_NOT_BUILT.error(index=str(index))
        headers = {**SECURITY_HEADERS, "Cache-Control": REVALIDATE}
        return FileResponse(index, media_type="text/html; charset=utf-8", headers=headers)

    @router.get("/sw.js")
    def pos_service_worker() -> FileResponse:
        """The service worker that caches the app shell; revalidated like index.html."""
        path = dist / "sw.js"
        if not path.is_file():
            raise errors.POS_UI_NOT_BUILT.error(index=str(path))
        headers = {**SECURITY_HEADERS, "Cache-Control": REVALIDATE}
        return FileResponse(path, media_type=MEDIA_TYPES[".js"], headers=headers)

    @router.get("/assets/{name}")
    def pos_asset(name: str) -> FileResponse:
        """A content-hashed file of the build: cached for a year."""
        path = dist / "assets" / name
        if not ASSET_NAME.match(name) or not path.is_file():
            raise errors.POS_UI_ASSET_NOT_FOUND.error(name=name[:80])
        media_type = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        headers = {**SECURITY_HEADERS, "Cache-Control": IMMUTABLE}
        return FileResponse(path, media_type=media_type, headers=headers)

    return router


router = make_router()
