"""Orgs, stores and devices: create, list, read, refuse, and never cross orgs."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime

from sqlalchemy import select

from hub.db.models import Device, Org
from tests.hub.harness import API, Hub, error_code, make_gstin, ok, unique


def test_an_org_gets_a_code_a_uuid_and_a_slug(hub: Hub) -> None:
    name = unique("Sharma General Stores ")
    org = hub.org(name=name)
    assert re.fullmatch(r"ORG-[0-9a-f]{8}", org["org_id"])
    org_uuid = uuid.UUID(org["uuid"])
    assert org_uuid.version == 4
    assert org["org_id"] == f"ORG-{org_uuid.hex[:8]}"
    assert org["slug"] == name.lower().replace(" ", "-")
    assert org["catalog_version"] == 1
    assert datetime.fromisoformat(org["created_at"]).utcoffset() is not None
    assert ok(hub.get(f"/orgs/{org['org_id']}")) == org


def test_a_taken_slug_gets_the_org_code_as_suffix(hub: Hub) -> None:
    name = unique("Gupta Traders ")
    first, second = hub.org(name=name), hub.org(name=name)
    assert first["slug"] != second["slug"]
    assert second["slug"] == f"{first['slug']}-{second['org_id'].removeprefix('ORG-')}"
    assert hub.org(name="श्री गणेश किराना")["slug"].startswith("org-")


def test_org_gstin_and_state_are_checked(hub: Hub) -> None:
    gstin = make_gstin("27")
    org = hub.org(name="Registered", gstin=gstin.lower())
    assert org["gstin"] == gstin
    bad_check = gstin[:-1] + ("A" if gstin[-1] != "A" else "B")
    cases = [
        ({"state_code": "27", "gstin": bad_check}, "GSTIN_INVALID"),
        ({"state_code": "29", "gstin": gstin}, "GSTIN_STATE_MISMATCH"),
        ({"state_code": "99"}, "STATE_CODE_UNKNOWN"),
        ({"state_code": "96"}, "STATE_CODE_UNKNOWN"),
        ({"state_code": "7"}, "REQUEST_INVALID"),
    ]
    for fields, code in cases:
        body = {
            "org": {"name": "X", **fields},
            "username": unique("owner"),
            "password": "Chai-Biscuit-42",
            "display_name": "X",
            "email": "x@example.in",
        }
        response = hub.client.post(f"{API}/auth/signup", json=body)
        assert error_code(response, 422) == code, fields


def test_unknown_org_answers_404_everywhere(hub: Hub) -> None:
    owner = hub.sign_up()
    for path in (
        "/orgs/ORG-00000000",
        "/orgs/ORG-00000000/stores",
        "/orgs/ORG-00000000/devices",
        "/orgs/ORG-00000000/products",
        "/orgs/ORG-00000000/catalog/snapshot",
        "/orgs/ORG-00000000/sales",
        "/orgs/not-a-code",
    ):
        response = hub.client.get(f"{API}{path}", headers=owner.headers)
        assert error_code(response, 404) == "ORG_NOT_FOUND", path
    body = {"name": "S", "code": "S1", "state_code": "27"}
    response = hub.client.post(f"{API}/orgs/ORG-00000000/stores", json=body, headers=owner.headers)
    assert error_code(response, 404) == "ORG_NOT_FOUND"


def test_stores_are_created_listed_and_read(hub: Hub) -> None:
    org = hub.org()
    gstin = make_gstin("27")
    store = hub.store(org, name="Dadar East", code="DADAR-1", gstin=gstin, address="Dadar, Mumbai")
    assert uuid.UUID(store["store_id"]).version == 7
    assert (store["org_id"], store["code"], store["gstin"]) == (org["org_id"], "DADAR-1", gstin)
    other = hub.store(org, code="THANE-1")
    stores = ok(hub.get(f"/orgs/{org['org_id']}/stores"))["stores"]
    assert [s["code"] for s in stores] == ["DADAR-1", "THANE-1"]
    assert ok(hub.get(f"/orgs/{org['org_id']}/stores/{other['store_id']}")) == other

    again = {"name": "Dup", "code": "DADAR-1", "state_code": "27"}
    response = hub.client.post(f"{API}/orgs/{org['org_id']}/stores", json=again)
    assert error_code(response, 409) == "DUPLICATE"
    assert response.json()["error"]["details"] == {
        "thing": "store",
        "field": "code",
        "value": "DADAR-1",
    }
    missing = hub.get(f"/orgs/{org['org_id']}/stores/{uuid.uuid4()}")
    assert error_code(missing, 404) == "STORE_NOT_FOUND"
    mismatch = {"name": "Pune", "code": "PUNE", "state_code": "27", "gstin": make_gstin("29")}
    response = hub.client.post(f"{API}/orgs/{org['org_id']}/stores", json=mismatch)
    assert error_code(response, 422) == "GSTIN_STATE_MISMATCH"


def test_a_device_token_is_shown_once_and_only_its_hash_is_kept(hub: Hub) -> None:
    org = hub.org()
    store = hub.store(org)
    device = hub.device(org, store, prefix="b7")
    assert device["invoice_prefix"] == "B7"
    assert device["token"].startswith("sldev_")
    assert len(device["token"]) > 40
    listed = ok(hub.get(f"/orgs/{org['org_id']}/devices"))["devices"]
    assert len(listed) == 1
    assert "token" not in listed[0]
    public = {k: v for k, v in device.items() if k != "token"}
    assert listed[0] == public
    assert ok(hub.get(f"/orgs/{org['org_id']}/devices/{device['device_id']}")) == public
    assert device["token"] not in hub.get(f"/orgs/{org['org_id']}/devices").text
    with hub.runtime.sessions() as session:
        row = session.get(Device, (uuid.UUID(org["uuid"]), uuid.UUID(device["device_id"])))
        assert row is not None
        assert row.token_hash == hashlib.sha256(device["token"].encode()).hexdigest()
        assert device["token"] not in repr(vars(row))


def test_device_registration_is_checked(hub: Hub) -> None:
    org = hub.org()
    store = hub.store(org)
    hub.device(org, store, prefix="T1")
    url = f"{API}/orgs/{org['org_id']}/devices"
    cases = [
        ({"store_id": store["store_id"], "name": "x", "invoice_prefix": "T1"}, 409, "DUPLICATE"),
        ({"store_id": store["store_id"], "name": "x", "invoice_prefix": "0A"}, 422, None),
        ({"store_id": store["store_id"], "name": "x", "invoice_prefix": "ABCDE"}, 422, None),
        ({"store_id": str(uuid.uuid4()), "name": "x", "invoice_prefix": "T2"}, 404, None),
    ]
    codes = {422: "INVOICE_PREFIX_INVALID", 404: "STORE_NOT_FOUND"}
    for body, status, code in cases:
        assert error_code(hub.client.post(url, json=body), status) == (code or codes[status])
    assert error_code(hub.get(f"/orgs/{org['org_id']}/devices/{uuid.uuid4()}"), 404) == (
        "DEVICE_NOT_FOUND"
    )


def test_ids_of_another_org_answer_404(hub: Hub) -> None:
    mine, theirs = hub.org(), hub.org()
    their_store = hub.store(theirs)
    their_device = hub.device(theirs, their_store)
    their_product = hub.product(theirs)
    base = f"/orgs/{mine['org_id']}"
    assert error_code(hub.get(f"{base}/stores/{their_store['store_id']}"), 404) == (
        "STORE_NOT_FOUND"
    )
    assert error_code(hub.get(f"{base}/devices/{their_device['device_id']}"), 404) == (
        "DEVICE_NOT_FOUND"
    )
    assert error_code(hub.get(f"{base}/products/{their_product['product_id']}"), 404) == (
        "CATALOG_PRODUCT_NOT_FOUND"
    )
    patch = hub.client.patch(
        f"{API}{base}/products/{their_product['product_id']}", json={"name": "mine now"}
    )
    assert error_code(patch, 404) == "CATALOG_PRODUCT_NOT_FOUND"
    register = hub.client.post(
        f"{API}{base}/devices",
        json={"store_id": their_store["store_id"], "name": "x", "invoice_prefix": "Z9"},
    )
    assert error_code(register, 404) == "STORE_NOT_FOUND"
    assert ok(hub.get(f"{base}/devices"))["devices"] == []
    assert ok(hub.get(f"{base}/products"))["products"] == []


def test_org_codes_are_unique_in_the_database(hub: Hub) -> None:
    codes = {hub.org()["org_id"] for _ in range(5)}
    assert len(codes) == 5
    with hub.runtime.sessions() as session:
        stored = session.scalars(select(Org.org_code).where(Org.org_code.in_(codes))).all()
    assert sorted(stored) == sorted(codes)
