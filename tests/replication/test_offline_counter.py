"""The counter with the hub stopped, in real processes: cashiers sign in with
their PINs, scans resolve (product QR, EAN, SKU), sales are made; then a
member disabled at the hub is refused at the box after the sync.

The roster the box starts with is the hub's (``GET .../stores/{id}/staff``
in its provisioning bundle); later versions come from the hub's staff
publisher over MQTT as retained messages.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from edge.services.identity import ProvisionBundle
from setledger.product_qr import product_qr_payload
from tests.processes import stop
from tests.replication.harness import Deployment, ring, wait_for
from tests.replication.test_replication import assert_exactly_once


def pin_sign_in(d: Deployment, role: str) -> httpx.Response:
    user_id, pin = d.staff[role]
    return httpx.post(
        f"{d.box_url}/api/v1/auth/pin", json={"user_id": str(user_id), "pin": pin}, timeout=10
    )


def test_the_counter_works_with_the_hub_stopped_and_a_disabled_cashier_is_refused(
    deploy: Callable[..., Deployment],
) -> None:
    d = deploy()
    assert d.box_status()["staff_version"] >= 1

    # The hub is gone: its API and every worker (the staff publisher among them).
    assert d.hub_api is not None
    stop(d.hub_api)
    for proc in d.workers.values():
        stop(proc)
    signed = pin_sign_in(d, "cashier")
    assert signed.status_code == 200, signed.text
    cashier = {"Authorization": f"Bearer {signed.json()['token']}"}
    bundle = ProvisionBundle.model_validate_json((d.root / "bundle.json").read_text())
    salt = next(p for p in bundle.catalog.products if p.sku == "SALT-1KG")
    assert salt.barcodes
    for code in (
        product_qr_payload(d.org["org_id"], salt.product_id).upper(),  # as labels print it
        salt.barcodes[0],
        "salt-1kg",
    ):
        found = httpx.get(f"{d.box_url}/api/v1/catalog/lookup", params={"code": code}, timeout=10)
        assert found.status_code == 200, (code, found.text)
        assert found.json()["product_id"] == str(salt.product_id)
    sold = ring(d.box_url, 2, cashier)
    wrong = httpx.post(
        f"{d.box_url}/api/v1/auth/pin",
        json={"user_id": str(d.staff["cashier"][0]), "pin": "0000"},
        timeout=10,
    )
    assert wrong.status_code == 401, wrong.text
    assert wrong.json()["error"]["code"] == "PIN_REFUSED"

    # The hub is back; the owner disables the cashier there.
    d.start_hub_api()
    d.heal()
    wait_for(d.drained, what="the offline sales at the hub")
    assert_exactly_once(d, sold)
    version = d.box_status()["staff_version"]
    with d.owner() as hub:
        members = hub.get(f"/api/v1/orgs/{d.org['org_id']}/members").json()["members"]
        code = next(m["user_id"] for m in members if m["uuid"] == str(d.staff["cashier"][0]))
        r = hub.post(f"/api/v1/orgs/{d.org['org_id']}/members/{code}/disable")
        assert r.status_code == 200, r.text

    wait_for(lambda: d.box_status()["staff_version"] > version, what="the new roster at the box")
    refused = pin_sign_in(d, "cashier")
    assert refused.status_code == 401, refused.text
    assert refused.json()["error"]["code"] == "PIN_REFUSED"
    # Their open session ended with the roster, so the till is theirs no more.
    assert ring_refused(d, cashier)
    # The manager on the same roster still gets in.
    assert pin_sign_in(d, "store_manager").status_code == 200


def ring_refused(d: Deployment, headers: dict[str, str]) -> bool:
    body = {"lines": [{"code": "SALT-1KG"}], "tenders": [{"kind": "cash", "amount": 10**6}]}
    r = httpx.post(f"{d.box_url}/api/v1/sales", json=body, headers=headers, timeout=10)
    return r.status_code == 401
