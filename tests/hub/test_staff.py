"""Counter staff at the hub: PIN policy, PIN-only members, each store's
roster and its versions, and manager approvals arriving from boxes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import PasswordHasher

from hub.staff.pins import check_pin
from setledger.contracts import ApprovalRecorded
from setledger.errors import SetLedgerError
from tests.hub.harness import API, Hub, Owner, error_code, ok
from tests.hub.sales_factory import Till


@pytest.mark.parametrize(
    "pin", ["1111", "000000", "1234", "4567", "9876", "3210", "1212", "4545", "2580", "12a4", "123"]
)
def test_guessable_pins_are_refused(pin: str) -> None:
    with pytest.raises(SetLedgerError) as refused:
        check_pin(pin)
    assert refused.value.code == "PIN_TOO_WEAK"


@pytest.mark.parametrize("pin", ["4821", "7350", "2468", "903172"])
def test_ordinary_pins_pass(pin: str) -> None:
    check_pin(pin)


def add_staff(hub: Hub, by: Owner, role: str = "cashier", pin: str = "4821") -> Any:
    return hub.client.post(
        f"{API}/orgs/{by.org_code}/staff",
        json={"display_name": f"Counter {role}", "role": role, "pin": pin},
        headers=by.headers,
    )


def roster(hub: Hub, owner: Owner, store_id: str) -> dict[str, Any]:
    return ok(hub.get(f"/orgs/{owner.org_code}/stores/{store_id}/staff"))


def test_counter_members_have_a_pin_and_no_way_into_the_console(hub_with_mail: Hub) -> None:
    hub = hub_with_mail
    owner = hub.sign_up()
    cashier = ok(add_staff(hub, owner), 201)
    assert cashier["role"] == "cashier"
    assert cashier["has_pin"] is True
    assert cashier["user_id"].startswith(f"{owner.org_code}-U-")
    # Nobody knows their password: their username is their member code.
    refused = hub.client.post(
        f"{API}/auth/sign-in",
        json={"username": cashier["user_id"].lower(), "password": "Chai-Biscuit-42"},
    )
    assert refused.status_code == 401
    assert error_code(add_staff(hub, owner, pin="1234"), 422) == "PIN_TOO_WEAK"
    # A store manager adds cashiers but not other managers; a cashier adds no one.
    manager = hub.member(owner, "store_manager")
    assert ok(add_staff(hub, manager, pin="7350"), 201)["role"] == "cashier"
    assert error_code(add_staff(hub, manager, "store_manager", "7350"), 403) == "ROLE_NOT_ALLOWED"
    counter = hub.member(owner, "cashier")
    assert error_code(add_staff(hub, counter, pin="7350"), 403) == "ROLE_NOT_ALLOWED"


def test_a_roster_version_changes_only_when_the_staff_does(hub: Hub) -> None:
    org = hub.org()
    owner = hub.tokens[org["org_id"]]
    me = Owner(org["org_id"], "", owner, "")
    store = hub.store(org)["store_id"]
    first = roster(hub, me, store)
    assert first["members"] == []
    assert roster(hub, me, store)["version"] == first["version"]

    cashier = ok(add_staff(hub, me), 201)
    second = roster(hub, me, store)
    assert second["version"] == first["version"] + 1
    (member,) = second["members"]
    assert member["user_id"] == cashier["uuid"]
    assert member["active"] is True
    assert PasswordHasher().verify(member["pin_hash"], "4821")  # argon2id, as the box checks
    assert roster(hub, me, store)["version"] == second["version"]

    ok(hub.client.post(f"{API}/orgs/{me.org_code}/members/{cashier['user_id']}/disable"))
    third = roster(hub, me, store)
    assert third["version"] == second["version"] + 1
    (gone,) = third["members"]
    assert (gone["active"], gone["pin_hash"]) == (False, None)  # a cached PIN stops working

    # Another org's store is not found, as if it did not exist.
    other = hub.org()
    other_store = hub.store(other)["store_id"]
    response = hub.get(f"/orgs/{me.org_code}/stores/{other_store}/staff")
    assert error_code(response, 404) == "STORE_NOT_FOUND"


def approval(manager: str, **fields: Any) -> ApprovalRecorded:
    return ApprovalRecorded(
        approval_id=fields.pop("approval_id", uuid.uuid4()),
        action=fields.pop("action", "discount"),
        approved_by=uuid.UUID(manager),
        amount=fields.pop("amount", 5000),
        reason=fields.pop("reason", "regular customer"),
        approved_at=datetime(2026, 11, 20, 10, 31, tzinfo=UTC),
        **fields,
    )


def test_approvals_from_a_box_are_kept_once_and_never_rewritten(hub: Hub) -> None:
    org = hub.org()
    device = hub.device(org, hub.store(org))
    till = Till(org, device, stream="approvals")
    me = Owner(org["org_id"], "", hub.tokens[org["org_id"]], "")
    manager = ok(add_staff(hub, me, "store_manager", "7350"), 201)["uuid"]

    given = approval(manager)
    first = till.seal(given, key=str(given.approval_id))
    assert hub.apply(first).outcome == "applied"
    assert hub.apply(first).outcome == "duplicate"
    rewritten = approval(manager, approval_id=given.approval_id, amount=99_999)
    forged = till.seal(rewritten, key=str(given.approval_id))
    assert hub.apply(forged).outcome == "quarantined"
    other = approval(manager, action="no_sale_drawer", amount=None)
    wrong_key = till.seal(other, key=str(uuid.uuid4()))
    assert hub.apply(wrong_key).outcome == "quarantined"

    listed = ok(hub.get(f"/orgs/{org['org_id']}/approvals"))["approvals"]
    assert [(a["approval_id"], a["amount"]) for a in listed] == [(str(given.approval_id), 5000)]
    assert listed[0]["approved_by"] == manager
    # Another org sees none of them.
    stranger = hub.org()
    assert ok(hub.get(f"/orgs/{stranger['org_id']}/approvals"))["approvals"] == []
