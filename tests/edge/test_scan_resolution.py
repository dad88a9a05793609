"""Scanning at the box: a label's fallback URL resolves like its QR, and codes
that name no product are kept for the catalog team (and change nothing else)."""

from __future__ import annotations

from tests.edge.conftest import Box


def lookup(box: Box, code: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = box.client.get("/api/v1/catalog/lookup", params={"code": code})
    return response.status_code, response.json()


def test_a_labels_fallback_url_resolves_to_its_product(box: Box) -> None:
    atta = box.product("ATTA-5KG")
    assert atta.slug
    for url in (
        f"https://hub.setledger.in/p/sharma-general-store/{atta.slug}",
        f"HTTPS://HUB.SETLEDGER.IN/P/SHARMA-GENERAL-STORE/{atta.slug.upper()}",  # QR upper-case
    ):
        status, body = lookup(box, url)
        assert status == 200, body
        assert body["product_id"] == str(atta.product_id)
        assert body["slug"] == atta.slug
    status, body = lookup(box, "https://hub.setledger.in/p/sharma-general-store/no-such-thing")
    assert status == 404
    assert body["error"]["code"] == "PRODUCT_NOT_FOUND"


def test_unknown_codes_are_kept_for_the_catalog_team(box: Box) -> None:
    before = box.fingerprint()
    for code in ("8901234999990", "8901234999990", " 8901234999990\r\n", "MYSTERY-SKU"):
        status, body = lookup(box, code)
        assert status == 404
        assert body["error"]["code"] == "PRODUCT_NOT_FOUND"
        assert body["error"]["remediation"]  # a clear prompt for the cashier
    cart = box.client.post("/api/v1/carts", json={}).json()["cart_id"]
    scanned = box.client.post(f"/api/v1/carts/{cart}/lines", json={"code": "4006381333931"})
    assert scanned.status_code == 404
    sale = box.sell([{"code": "MYSTERY-SKU"}], [{"kind": "cash", "amount": 10_000}])
    assert sale.status_code == 404
    listed = box.client.get("/api/v1/catalog/unknown-codes").json()
    by_code = {c["code"]: c for c in listed}
    assert by_code["8901234999990"]["times"] == 3
    assert by_code["MYSTERY-SKU"]["times"] == 2
    assert by_code["4006381333931"]["times"] == 1
    assert listed[0]["last_seen"] >= listed[-1]["last_seen"]
    # A product id that names nothing is a client's mistake, not a scan.
    missing = box.client.post(
        f"/api/v1/carts/{cart}/lines", json={"product_id": "0190b6d2-0000-7000-8000-000000000000"}
    )
    assert missing.status_code == 404
    assert len(box.client.get("/api/v1/catalog/unknown-codes").json()) == 3
    assert box.fingerprint() == before  # no sale, no stock move, no outbox row
