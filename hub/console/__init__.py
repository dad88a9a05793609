"""The hub's web console: the pages people use to open an account, sign in,
enrol two-factor sign-in, accept an invitation, manage members and their own
sessions, all under ``/console``.

Pages call the accounts services directly (``hub.accounts``), never the JSON
API over HTTP, and validate forms with the API's own request models, so
both accept exactly the same things. Invariants:

- every POST carries a CSRF token (``csrf.py``) and is refused with 403
  before any service runs when it is missing or wrong;
- every response carries the security headers and ``no-store``
  (``web.py``); the CSP allows no inline script or style;
- no route takes an org from the URL: the org is the signed-in member's,
  and member codes or session ids in URLs are looked up inside it by the
  services (another org's code is a 404 page and changes nothing).
"""

from __future__ import annotations

from fastapi import APIRouter

from hub.console import (
    assets,
    books,
    entry,
    home,
    invite,
    labels,
    members,
    product_import,
    products,
    purchasing,
    purchasing_orders,
    purchasing_reorder,
    purchasing_urgent,
    recovery,
    sessions,
    stock,
    stock_counts,
    stock_exceptions,
    stock_transfers,
    two_factor,
)
from hub.console.web import PREFIX


def console_router() -> APIRouter:
    """Every console route under ``/console``, left out of the OpenAPI schema."""
    router = APIRouter(include_in_schema=False)
    # product_import before products: /products/import is not a product id.
    for module in (
        assets,
        home,
        entry,
        two_factor,
        invite,
        recovery,
        members,
        sessions,
        product_import,
        products,
        labels,
        books,
        stock,
        stock_counts,
        stock_exceptions,
        stock_transfers,
        purchasing,
        purchasing_orders,
        purchasing_reorder,
        purchasing_urgent,
    ):
        router.include_router(module.router, prefix=PREFIX)
    router.include_router(home.fallback, prefix=PREFIX)
    return router
