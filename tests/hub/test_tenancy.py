"""Tenant isolation, generated from the app's own routes.

Two orgs, A and B, each with a store, a box, a product, a sale, a counter
member, an invitation, a published catalog blob and a session. Then, for
every route the hub serves (API and console), A's owner tries to reach B's
data: B's org code in the path answers 404 ORG_NOT_FOUND; A's org code with
B's ids answers 404; a page or list of A's own shows none of B's ids. At the
end B's data is exactly as it was.

The routes are read from the app, so a new route is covered the day it is
added, and the test fails for one that declares no access (see
``hub.api.deps``), takes an id this test has no value for, or changes
something without a sample body here.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from hub.accounts.audit import Actor
from hub.api.deps import Access, access_of
from hub.api.router import API_PREFIX
from hub.catalog.publication import publish_catalog
from hub.console import csrf
from hub.console.web import PREFIX as CONSOLE
from hub.ledger.sales import post_all_pending_sales
from hub.stock.services import StockLine, receive_stock
from setledger.contracts import UrgentReorder
from tests.hub.harness import API, Hub, Owner, make_gstin, ok
from tests.hub.sales_factory import Item, Till

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
OPS_ROUTES = {"/healthz", "/metrics"}
PUBLIC_PAGES = "/p/"

SAMPLE_BODIES: dict[tuple[str, str], dict[str, Any] | None] = {
    ("POST", "/orgs/{org}/stock/locations"): {"code": "WH-SPY", "name": "Spy warehouse"},
    ("POST", "/orgs/{org}/stock/locations/{location_id}/bins"): {"code": "SPY-1"},
    ("POST", "/orgs/{org}/stock/lots"): {
        "product_id": "0190b6d2-0000-7000-8000-0000000005f2",
        "batch_no": "SPY",
    },
    ("POST", "/orgs/{org}/stock/receipts"): {
        "location_id": "0190b6d2-0000-7000-8000-0000000005f1",
        "lines": [
            {"product_id": "0190b6d2-0000-7000-8000-0000000005f2", "qty": 1000, "unit_cost": 100}
        ],
    },
    ("POST", "/orgs/{org}/stock/adjustments"): {
        "location_id": "0190b6d2-0000-7000-8000-0000000005f1",
        "reason": "spy",
        "lines": [{"product_id": "0190b6d2-0000-7000-8000-0000000005f2", "qty": -1000}],
    },
    ("POST", "/orgs/{org}/stock/counts"): {
        "location_id": "0190b6d2-0000-7000-8000-0000000005f1",
        "product_id": "0190b6d2-0000-7000-8000-0000000005f2",
        "counted_qty": 0,
    },
    ("POST", "/orgs/{org}/stock/transfers"): {
        "from_location_id": "0190b6d2-0000-7000-8000-0000000005f1",
        "to_location_id": "0190b6d2-0000-7000-8000-0000000005f3",
        "lines": [{"product_id": "0190b6d2-0000-7000-8000-0000000005f2", "qty": 1000}],
    },
    ("POST", "/orgs/{org}/stock/transfers/{transfer_id}/receive"): {"lines": None},
    ("PUT", "/orgs/{org}/members/{member}/role"): {"role": "cashier"},
    ("POST", "/orgs/{org}/members/{member}/disable"): None,
    ("POST", "/orgs/{org}/members/{member}/enable"): None,
    ("PUT", "/orgs/{org}/members/{member}/pin"): {"pin": "2468"},
    ("POST", "/orgs/{org}/members/{member}/totp-reset"): None,
    ("POST", "/orgs/{org}/invites"): {"email": "spy@example.in", "role": "admin"},
    ("DELETE", "/orgs/{org}/invites/{invite_id}"): None,
    ("POST", "/orgs/{org}/stores"): {"name": "Spy", "code": "SPY1", "state_code": "27"},
    ("POST", "/orgs/{org}/devices"): {"name": "Spy", "invoice_prefix": "SPY"},
    ("POST", "/orgs/{org}/products"): {
        "sku": "SPY-1",
        "name": "Spy",
        "hsn": "2501",
        "gst_rate_bp": 500,
        "price": 100,
    },
    ("PATCH", "/orgs/{org}/products/{product_id}"): {"name": "Renamed by a spy"},
    ("POST", "/orgs/{org}/products/{product_id}/prices"): {"price": 1},
    ("POST", "/orgs/{org}/staff"): {"display_name": "Spy", "role": "cashier", "pin": "2468"},
    ("DELETE", "/auth/sessions/{session_id}"): None,
    ("POST", "/orgs/{org}/catalog/imports"): None,  # a file: see SAMPLE_FILES
    ("POST", "/orgs/{org}/labels"): {"template": "a4-3x8", "format": "pdf"},
    ("POST", "/orgs/{org}/ledger/lock"): {"locked_through": "2026-03-31"},
    ("POST", "/orgs/{org}/ledger/close-year"): {"financial_year": "2025-26"},
    ("POST", "/orgs/{org}/einvoices"): {"period": "2026-11"},
    ("POST", "/orgs/{org}/einvoices/retry"): {"irns": ["0" * 64]},
    ("POST", "/orgs/{org}/einvoices/buyers"): {
        "gstin": "29AABCB1234C1ZA",
        "legal_name": "Spy Stores LLP",
        "address1": "1 Spy Road",
        "location": "Bengaluru",
    },
    ("PUT", "/orgs/{org}/tax-profile"): {"gstin": make_gstin("27"), "legal_name": "Spy Traders"},
    ("POST", "/orgs/{org}/bank-accounts"): {
        "name": "Spy",
        "account_number": "12345678",
        "ifsc": "SPYB0001234",
    },
    ("POST", "/orgs/{org}/bank-mappings"): {
        "name": "Spy",
        "columns": {"date": ["D"], "description": ["N"], "amount": ["A"]},
    },
    ("POST", "/orgs/{org}/bank-accounts/{account_id}/statements"): None,  # see SAMPLE_FILES
    ("POST", "/orgs/{org}/bank-lines/{line_id}/reconcile"): {"account": "3000", "narration": "Spy"},
    ("POST", "/orgs/{org}/bank-lines/{line_id}/undo"): None,
    ("POST", "/orgs/{org}/sales/{sale_id}/debit-notes"): {
        "debit_note_id": "0190b6d2-0000-7000-8000-0000000000d1",
        "reason": "Spy",
        "lines": [{"line_no": 1, "taxable": 100}],
    },
    ("POST", "/orgs/{org}/payments"): {
        "payment_id": "0190b6d2-0000-7000-8000-0000000005e7",
        "received_on": "2026-11-21",
        "amount": 100,
    },
    ("PUT", "/orgs/{org}/stock/valuation/method"): {"method": "fifo"},
    ("POST", "/orgs/{org}/stock/reservations"): {
        "location_id": "0190b6d2-0000-7000-8000-0000000005e8",
        "product_id": "0190b6d2-0000-7000-8000-0000000005e9",
        "qty": 1000,
        "source": "b2b_order",
        "reference": "SPY-PO-1",
    },
    ("POST", "/orgs/{org}/stock/reservations/{reservation_id}/events"): {"kind": "fulfilled"},
    ("POST", "/orgs/{org}/stock/exceptions/detect"): None,
    ("POST", "/orgs/{org}/stock/exceptions/{exception_id}/resolve"): {
        "how": "adjustment",
        "qty": 1000,
    },
    ("POST", "/orgs/{org}/urgent-reorders/{reorder_id}/acknowledge"): None,
    ("POST", "/orgs/{org}/urgent-reorders/{reorder_id}/ordered"): {"po_reference": "PO-SPY"},
    ("POST", "/orgs/{org}/urgent-reorders/{reorder_id}/dismiss"): None,
    ("POST", "/orgs/{org}/suppliers"): {"name": "Spy Traders", "state_code": "27"},
    ("PATCH", "/orgs/{org}/suppliers/{supplier_id}"): {"name": "Renamed by a spy"},
    ("POST", "/orgs/{org}/purchase-orders"): {
        "supplier_id": "0190b6d2-0000-7000-8000-0000000005d3",
        "location_id": "0190b6d2-0000-7000-8000-0000000005f1",
        "lines": [
            {"product_id": "0190b6d2-0000-7000-8000-0000000005f2", "qty": 1000, "unit_cost": 100}
        ],
    },
    ("POST", "/orgs/{org}/purchase-orders/from-suggestions"): {
        "supplier_id": "0190b6d2-0000-7000-8000-0000000005d3",
        "location_id": "0190b6d2-0000-7000-8000-0000000005f1",
    },
    ("POST", "/orgs/{org}/purchase-orders/{po_id}/send"): None,
    ("POST", "/orgs/{org}/purchase-orders/{po_id}/receipts"): {
        "receipt_id": "0190b6d2-0000-7000-8000-0000000005d1",
        "lines": [{"line_no": 1, "qty": 1000}],
    },
    ("POST", "/orgs/{org}/purchase-orders/{po_id}/close"): {"reason": "spy"},
    ("POST", "/orgs/{org}/purchase-orders/{po_id}/cancel"): {"reason": "spy"},
    ("POST", "/orgs/{org}/purchase-orders/{po_id}/bills"): {
        "bill_id": "0190b6d2-0000-7000-8000-0000000005d2",
        "bill_no": "SPY-1",
        "bill_date": "2026-11-24",
    },
    ("POST", "/orgs/{org}/purchase-orders/{po_id}/returns"): {
        "return_id": "0190b6d2-0000-7000-8000-0000000005d4",
        "reason": "spy",
        "lines": [{"line_no": 1, "qty": 1000}],
    },
    ("PUT", "/orgs/{org}/reorder-rules/{location_id}/{product_id}"): {
        "min_qty": 1000,
        "max_qty": 2000,
    },
}
"""A valid body for every API route that changes something (the test fails for a
new one without an entry here, rather than call it with a body it refuses)."""

SAMPLE_FILES: dict[tuple[str, str], dict[str, tuple[str, bytes, str]]] = {
    ("POST", "/orgs/{org}/catalog/imports"): {
        "file": ("spy.csv", b"sku,name,gst_rate,price\r\nSPY-2,Spy,5,1\r\n", "text/csv")
    },
    ("POST", "/orgs/{org}/bank-accounts/{account_id}/statements"): {
        "file": (
            "spy.csv",
            b"Txn Date,Description,Debit,Credit\n21/11/2026,SPY,,1.00\n",
            "text/csv",
        )
    },
}
"""Routes that take a file upload (multipart) instead of a JSON body."""

CONSOLE_FORMS: dict[str, dict[str, str]] = {
    "/members/{member}/role": {"role": "cashier"},
}
"""Extra form fields of console actions on another member (beyond the CSRF token)."""


@dataclass
class Tenant:
    owner: Owner
    ids: dict[str, str]
    """A value for every id a route may take, all of this org's."""


def make_tenant(hub: Hub) -> Tenant:
    owner = hub.sign_up(gstin=make_gstin("27"))  # so its sales are invoices (GST routes)
    org = ok(hub.get(f"/orgs/{owner.org_code}"))
    store = hub.store(org)
    device = hub.device(org, store)
    product = hub.product(org)
    stock_ids = stock_for_routes(hub, org, store, product)
    sale = Till(org, device).sell([Item(product)])
    assert hub.apply(sale).outcome == "applied"
    with hub.runtime.sessions() as session:  # the books get the sale and the store's cash
        post_all_pending_sales(session, uuid.UUID(org["uuid"]))
    debit_note = ok(
        hub.client.post(
            f"{API}/orgs/{owner.org_code}/sales/{sale.payload['sale_id']}/debit-notes",
            json={
                "debit_note_id": str(uuid.uuid4()),
                "reason": "Price revised",
                "lines": [{"line_no": 1, "taxable": 500}],
            },
        ),
        201,
    )
    unit = ok(  # a serial number, for GET .../stock/serials/{serial_no}
        hub.client.post(
            f"{API}/orgs/{owner.org_code}/stock/lots",
            json={
                "product_id": product["product_id"],
                "batch_no": f"SN-{uuid.uuid4().hex[:8]}",
                "serial": True,
            },
        ),
        201,
    )
    member = ok(
        hub.client.post(
            f"{API}/orgs/{owner.org_code}/staff",
            json={"display_name": "Counter", "role": "cashier", "pin": "7315"},
        ),
        201,
    )
    invite = ok(
        hub.client.post(
            f"{API}/orgs/{owner.org_code}/invites",
            json={"email": f"{uuid.uuid4().hex[:8]}@example.in", "role": "accountant"},
        ),
        201,
    )
    sessions = ok(hub.client.get(f"{API}/auth/sessions", headers=owner.headers))["sessions"]
    imported = hub.client.post(
        f"{API}/orgs/{owner.org_code}/catalog/imports",
        params={"wait": "true"},
        files={"file": ("catalog.csv", b"sku,name,gst_rate,price\nIMP-1,Imported,5,10\n")},
    )
    import_id = ok(imported)["import_id"]
    manifest = publish_catalog(hub.runtime.sessions, uuid.UUID(org["uuid"]))
    assert manifest is not None
    bank_account = ok(
        hub.client.post(
            f"{API}/orgs/{owner.org_code}/bank-accounts",
            json={"name": "Current", "account_number": "50200012341234", "ifsc": "HDFC0001234"},
        ),
        201,
    )
    statement = b"Txn Date,Description,Debit,Credit\n21/11/2026,UPI SETTLEMENT,,100.00\n"
    ok(
        hub.client.post(
            f"{API}/orgs/{owner.org_code}/bank-accounts/{bank_account['account_id']}/statements",
            files={"file": ("statement.csv", statement, "text/csv")},
        ),
        201,
    )
    bank_line = ok(
        hub.get(f"/orgs/{owner.org_code}/bank-accounts/{bank_account['account_id']}/lines")
    )[0]  # type: ignore[index]
    # The sale above sold stock the store did not have: a negative-stock exception.
    where = {"location_id": store["store_id"]}
    exception = ok(hub.get(f"/orgs/{owner.org_code}/stock/exceptions", **where))[0]  # type: ignore[index]
    reservation = reserve_after_receipt(hub, org, store, product)
    reorder = urgent_reorder(org, device, product)
    assert hub.apply(reorder).outcome == "applied"
    purchasing_ids = purchasing_for_routes(hub, org, store, product)
    return Tenant(
        owner,
        {
            "org": owner.org_code,
            "store_id": store["store_id"],
            "device_id": device["device_id"],
            "product_id": product["product_id"],
            **stock_ids,
            "sale_id": str(sale.payload["sale_id"]),
            "member": member["user_id"],
            "invite_id": invite["invite_id"],
            "session_id": sessions[0]["session_id"],
            "sha256": manifest.snapshot.sha256,
            "device_token": device["token"],
            "import_id": import_id,
            "code": f"1100-{store['code']}",  # the store's cash account
            "account_id": bank_account["account_id"],
            "line_id": bank_line["line_id"],
            "debit_note_id": debit_note["debit_note_id"],
            "exception_id": exception["exception_id"],
            "reservation_id": reservation,
            "reorder_id": reorder.key,
            "serial_no": unit["batch_no"],
            "action": "acknowledge",  # the console's urgent-reorder buttons
            **purchasing_ids,
        },
    )


def reserve_after_receipt(
    hub: Hub, org: dict[str, Any], store: dict[str, Any], product: dict[str, Any]
) -> str:
    """Receive 5 at the store and reserve 2 of them for a B2B order; the reservation's id."""
    org_id, product_id = uuid.UUID(org["uuid"]), uuid.UUID(product["product_id"])
    with hub.runtime.sessions() as session:
        receive_stock(session, org_id, uuid.UUID(store["store_id"]),
                      [StockLine(product_id, 5000, unit_cost=2000)], actor=Actor(None, "system"))  # fmt: skip
    body = {"location_id": store["store_id"], "product_id": product["product_id"], "qty": 2000,
            "source": "b2b_order", "reference": "PO-1"}  # fmt: skip
    made = ok(hub.client.post(f"{API}/orgs/{org['org_id']}/stock/reservations", json=body), 201)
    return str(made["reservation_id"])


def urgent_reorder(org: dict[str, Any], device: dict[str, Any], product: dict[str, Any]) -> Any:
    """An urgent reorder raised at the store's box, as the box seals it."""
    document = UrgentReorder(
        reorder_id=uuid.uuid4(), store_id=device["store_id"], device_id=device["device_id"],
        product_id=product["product_id"], sku=product["sku"], qty=6000,
        raised_at=datetime.now(UTC),
    )  # fmt: skip
    return Till(org, device, stream="reorders").seal(document, key=str(document.reorder_id))


def purchasing_for_routes(
    hub: Hub, org: dict[str, Any], store: dict[str, Any], product: dict[str, Any]
) -> dict[str, str]:
    """A supplier and a PO to it, sent and received in part, a little of it returned to the
    supplier, with its reorder rule."""
    code = org["org_id"]
    supplier = {"name": "Konkan Traders", "state_code": "27"}
    made = ok(hub.client.post(f"{API}/orgs/{code}/suppliers", json=supplier), 201)
    line = {"product_id": product["product_id"], "qty": 3000, "unit_cost": 2000}
    body = {"supplier_id": made["supplier_id"], "location_id": store["store_id"], "lines": [line]}
    po = ok(hub.client.post(f"{API}/orgs/{code}/purchase-orders", json=body), 201)
    assert hub.client.post(f"{API}/orgs/{code}/purchase-orders/{po['po_id']}/send").is_success
    receipt = {"receipt_id": str(uuid.uuid4()), "lines": [{"line_no": 1, "qty": 1000}]}
    ok(hub.client.post(f"{API}/orgs/{code}/purchase-orders/{po['po_id']}/receipts", json=receipt))
    sent_back = {"return_id": str(uuid.uuid4()), "reason": "torn",
                 "lines": [{"line_no": 1, "qty": 1}]}  # fmt: skip
    path = f"{API}/orgs/{code}/purchase-orders/{po['po_id']}/returns"
    returned = ok(hub.client.post(path, json=sent_back), 201)
    rule = {"min_qty": 1000, "max_qty": 5000}
    path = f"{API}/orgs/{code}/reorder-rules/{store['store_id']}/{product['product_id']}"
    ok(hub.client.put(path, json=rule))
    return {"supplier_id": made["supplier_id"], "po_id": po["po_id"],
            "return_id": returned["return_id"]}  # fmt: skip


def params_of(path: str) -> list[str]:
    return PARAM.findall(path)


def stock_for_routes(
    hub: Hub, org: dict[str, Any], store: dict[str, Any], product: dict[str, Any]
) -> dict[str, str]:
    """A warehouse that received 5 and shipped 1 to the store (not received yet)."""
    code, line = org["org_id"], {"product_id": product["product_id"], "qty": 5000}
    warehouse = ok(
        hub.client.post(f"{API}/orgs/{code}/stock/locations", json={"code": "WH", "name": "WH"}),
        201,
    )
    where = warehouse["location_id"]
    receipt = {"location_id": where, "lines": [{**line, "unit_cost": 2000}]}
    ok(hub.client.post(f"{API}/orgs/{code}/stock/receipts", json=receipt), 201)
    shipment = {"from_location_id": where, "to_location_id": store["store_id"],
                "lines": [{**line, "qty": 1000}]}  # fmt: skip
    transfer = ok(hub.client.post(f"{API}/orgs/{code}/stock/transfers", json=shipment), 201)
    return {"location_id": where, "transfer_id": transfer["transfer_id"]}


def fill(path: str, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in ids, f"{path}: no test value for {{{name}}}; add one to make_tenant"
        return ids[name]

    return PARAM.sub(value, path)


def api_routes(app: Any) -> list[APIRoute]:
    return [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith(API_PREFIX)]


def console_routes(app: Any) -> list[APIRoute]:
    return [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith(CONSOLE)]


def test_every_route_declares_who_may_call_it(hub: Hub) -> None:
    app = hub.client.app
    seen = 0
    for route in app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute) or route.path in OPS_ROUTES:
            continue
        seen += 1
        if route.path.startswith(CONSOLE):
            # The console acts for the signed-in member's org, never one from the URL.
            assert "org" not in params_of(route.path), route.path
            continue
        declared = access_of(route)
        assert declared is not None, f"{route.path} declares no access (see hub.api.deps)"
        if route.path.startswith(PUBLIC_PAGES):
            # Pages anyone may open (a product's page): public, and read-only.
            assert declared[0] == Access.PUBLIC, route.path
            assert route.methods == {"GET"}, route.path
            continue
        assert route.path.startswith(API_PREFIX), f"{route.path}: outside /api/v1 and /console"
        access, permission = declared
        if "org" in params_of(route.path):
            assert access == Access.ORG, f"{route.path} takes an org but is {access}"
        if access == Access.ORG:
            assert permission is not None, route.path
    assert seen >= 60


def test_org_a_cannot_reach_org_b_through_any_route(hub_with_mail: Hub) -> None:
    hub = hub_with_mail
    a, b = make_tenant(hub), make_tenant(hub)
    before = snapshot_of(hub, b)
    # Values that are B's own (an action's name is the same word in every org).
    b_values = [v for k, v in b.ids.items() if k not in {"device_token", "action"}]
    calls = 0

    for route in api_routes(hub.client.app):
        path = route.path.removeprefix(API)
        params = params_of(path)
        access, _ = access_of(route) or (None, None)
        if access == Access.PUBLIC:
            continue
        for method in sorted(route.methods):
            changes = method != "GET"
            if changes and params:
                assert (method, path) in SAMPLE_BODIES, f"add a sample body for {method} {path}"
            body = SAMPLE_BODIES.get((method, path))
            if method == "POST" and path == "/orgs/{org}/devices":
                body = {**(body or {}), "store_id": a.ids["store_id"]}

            def call(
                ids: dict[str, str],
                headers: dict[str, str] = a.owner.headers,
                method: str = method,
                path: str = path,
                body: dict[str, Any] | None = body,
            ) -> Any:
                return send(hub, method, path, ids, headers, body)

            if "org" in params:  # B's org in the path: as if it did not exist
                response = call(b.ids)
                assert response.status_code == 404, (method, path, response.text)
                assert response.json()["error"]["code"] == "ORG_NOT_FOUND", (method, path)
                calls += 1
            if [p for p in params if p != "org"]:  # A's org, B's objects
                mixed = {**b.ids, "org": a.ids["org"]}
                response = call(mixed)
                assert response.status_code == 404, (method, path, response.text)
                calls += 1
                if access == Access.DEVICE:  # and with A's box's own token
                    box = {"Authorization": f"Bearer {a.ids['device_token']}"}
                    assert call(mixed, box).status_code == 404, (method, path)
            if method == "GET" and access != Access.DEVICE:
                # A's own pages and lists work, and show nothing of B's.
                response = call(a.ids)
                assert response.status_code == 200, (method, path, response.text)
                leaked = [v for v in b_values if v in response.text]
                assert not leaked, (method, path, leaked)
                calls += 1
    calls += console_cannot_reach(hub, a, b)
    assert calls >= 60
    assert snapshot_of(hub, b) == before


def console_cannot_reach(hub: Hub, a: Tenant, b: Tenant) -> int:
    """The console's actions on B's members, invitations and sessions answer 404."""
    signed = hub.client.post(
        f"{API}/auth/sign-in",
        json={
            "username": a.owner.username,
            "password": "Chai-Biscuit-42",
            "code": a.owner.backup_codes[0],
            "session": "cookie",
        },
    )
    assert signed.status_code == 200, signed.text
    cookie = signed.cookies["setledger_session"]
    hub.client.cookies.clear()  # the API calls above stay bearer-only
    browser = TestClient(hub.client.app, follow_redirects=False)
    browser.cookies.set("setledger_session", cookie)
    token = csrf.member_token(cookie)
    b_values = [v for k, v in b.ids.items() if k not in {"device_token", "action"}]
    calls = 0
    for route in console_routes(hub.client.app):
        path = route.path.removeprefix(CONSOLE)
        params = params_of(path)
        if path.startswith("/static/") or "path" in params:
            continue  # assets, and the catch-all "not found" page
        for method in sorted(route.methods):
            if method == "POST" and params:
                form = {csrf.FIELD: token, **CONSOLE_FORMS.get(path, {})}
                response = browser.post(f"{CONSOLE}{fill(path, b.ids)}", data=form)
                assert response.status_code == 404, (method, path, response.text[:300])
                calls += 1
            elif method == "GET" and not params:
                response = browser.get(f"{CONSOLE}{path}")
                assert response.status_code in {200, 303}, (path, response.status_code)
                leaked = [v for v in b_values if v in response.text]
                assert not leaked, (path, leaked)
                calls += 1
    return calls


def send(
    hub: Hub,
    method: str,
    path: str,
    ids: dict[str, str],
    headers: dict[str, str],
    body: dict[str, Any] | None,
) -> Any:
    """Call an API route with its sample body, or its sample file as multipart."""
    files = SAMPLE_FILES.get((method, path))
    url = f"{API}{fill(path, ids)}"
    if files is not None:
        return hub.client.request(method, url, headers=headers, files=files)
    return hub.client.request(method, url, headers=headers, json=body)


def snapshot_of(hub: Hub, tenant: Tenant) -> dict[str, Any]:
    """What A might have changed of B's, read as B's owner."""
    code = tenant.owner.org_code
    me = ok(hub.client.get(f"{API}/auth/me", headers=tenant.owner.headers))
    return {
        "me": (me["user_id"], me["role"]),
        "org": ok(hub.get(f"/orgs/{code}")),
        "members": ok(hub.get(f"/orgs/{code}/members")),
        "invites": ok(hub.get(f"/orgs/{code}/invites")),
        "stores": ok(hub.get(f"/orgs/{code}/stores")),
        "devices": ok(hub.get(f"/orgs/{code}/devices")),
        "products": ok(hub.get(f"/orgs/{code}/products")),
        "sales": ok(hub.get(f"/orgs/{code}/sales"))["totals"],
        "debit_notes": ok(hub.get(f"/orgs/{code}/debit-notes")),
        "bank_lines": ok(hub.get(f"/orgs/{code}/bank-accounts/{tenant.ids['account_id']}/lines")),
        "sessions": len(
            ok(hub.client.get(f"{API}/auth/sessions", headers=tenant.owner.headers))["sessions"]
        ),
    }
