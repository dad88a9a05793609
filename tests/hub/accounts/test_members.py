"""Members: roles, the last owner, disabling, counter PINs, the roster, 2FA resets."""

from __future__ import annotations

import uuid

from argon2 import PasswordHasher
from sqlalchemy import select

from hub.accounts.members import roster_for_store
from hub.db.registry import Org
from tests.hub.accounts.driver import Account, Driver
from tests.hub.harness import API, error_code, ok


def members_path(owner: Account, member: Account | None = None, action: str = "") -> str:
    path = f"/orgs/{owner.org_code}/members"
    return f"{path}/{member.user_code}{action}" if member else path


def test_members_are_listed_with_what_they_have_set_up(accounts: Driver) -> None:
    owner = accounts.owner()
    cashier = accounts.member(owner, "cashier")
    listed = ok(accounts.call("GET", members_path(owner), owner))["members"]
    assert [(m["user_id"], m["role"], m["mfa_enrolled"]) for m in listed] == [
        (owner.user_code, "owner", True),
        (cashier.user_code, "cashier", False),
    ]
    assert "password_hash" not in listed[0]
    assert error_code(accounts.call("GET", members_path(owner), cashier), 403) == "ROLE_NOT_ALLOWED"


def test_roles_change_but_an_org_keeps_an_owner(accounts: Driver) -> None:
    owner = accounts.owner()
    admin = accounts.member(owner, "admin")
    cashier = accounts.member(owner, "cashier")
    role = members_path(owner, cashier, "/role")
    promoted = ok(accounts.call("PUT", role, admin, json={"role": "store_manager"}))
    assert promoted["role"] == "store_manager"
    assert error_code(accounts.call("PUT", role, admin, json={"role": "owner"}), 403) == (
        "ROLE_NOT_ALLOWED"
    )
    demote_owner = accounts.call(
        "PUT", members_path(owner, owner, "/role"), admin, json={"role": "cashier"}
    )
    assert error_code(demote_owner, 403) == "ROLE_NOT_ALLOWED"
    self_demote = accounts.call(
        "PUT", members_path(owner, owner, "/role"), owner, json={"role": "admin"}
    )
    assert error_code(self_demote, 409) == "LAST_OWNER"
    ok(accounts.call("PUT", members_path(owner, admin, "/role"), owner, json={"role": "owner"}))
    ok(accounts.call("PUT", members_path(owner, owner, "/role"), owner, json={"role": "admin"}))
    assert error_code(accounts.call("PUT", role, cashier, json={"role": "owner"}), 403)
    bad = accounts.call("PUT", role, admin, json={"role": "emperor"})
    assert error_code(bad, 422) == "REQUEST_INVALID"
    entries = ok(accounts.call("GET", f"/orgs/{owner.org_code}/audit", admin))["entries"]
    changes = [e["details"] for e in entries if e["action"] == "member.role_changed"]
    assert changes == [
        {"from": "cashier", "to": "store_manager"},
        {"from": "admin", "to": "owner"},
        {"from": "owner", "to": "admin"},
    ]


def test_a_disabled_member_cannot_sign_in_and_loses_every_session(accounts: Driver) -> None:
    owner = accounts.owner()
    cashier = accounts.member(owner, "cashier")
    disabled = ok(accounts.call("POST", members_path(owner, cashier, "/disable"), owner))
    assert disabled["disabled"] is True
    assert error_code(accounts.call("GET", "/auth/me", cashier), 401) == "UNAUTHENTICATED"
    assert error_code(accounts.sign_in(cashier), 401) == "SIGN_IN_FAILED"
    ok(accounts.call("POST", members_path(owner, cashier, "/enable"), owner))
    ok(accounts.sign_in(cashier))
    itself = accounts.call("POST", members_path(owner, owner, "/disable"), owner)
    assert error_code(itself, 409) == "NOT_ON_YOURSELF"


def test_pins_are_set_by_their_member_or_for_cashiers_by_a_manager(accounts: Driver) -> None:
    owner = accounts.owner()
    manager = accounts.member(owner, "store_manager")
    cashier = accounts.member(owner, "cashier")
    other_cashier = accounts.member(owner, "cashier")
    ok(accounts.call("PUT", "/auth/pin", cashier, json={"pin": "4821"}))
    ok(
        accounts.call(
            "PUT", members_path(owner, other_cashier, "/pin"), manager, json={"pin": "130790"}
        )
    )
    refused = accounts.call(
        "PUT", members_path(owner, other_cashier, "/pin"), cashier, json={"pin": "2468"}
    )
    assert error_code(refused, 403) == "ROLE_NOT_ALLOWED"
    refused = accounts.call(
        "PUT", members_path(owner, manager, "/pin"), owner, json={"pin": "2468"}
    )
    assert error_code(refused, 403) == "ROLE_NOT_ALLOWED"  # only a cashier's PIN is set for them
    for bad in ("123", "1234567", "12a4", 1234, "٤٥٦٧"):
        assert error_code(accounts.call("PUT", "/auth/pin", cashier, json={"pin": bad}), 422)
    ok(accounts.call("PUT", "/auth/pin", manager, json={"pin": "5173"}))

    with accounts.runtime.sessions() as session:
        org_id = session.scalars(select(Org.org_id).where(Org.org_code == owner.org_code)).one()
    store = ok(
        accounts.client.post(
            f"{API}/orgs/{owner.org_code}/stores",
            json={"name": "Andheri", "code": "AND1", "state_code": "27"},
            headers=owner.headers,
        ),
        201,
    )
    store_id = uuid.UUID(store["store_id"])
    ok(accounts.call("POST", members_path(owner, other_cashier, "/disable"), owner))
    with accounts.runtime.sessions() as session:
        roster = roster_for_store(session, org_id, store_id)
    by_code = {m.user_code: m for m in roster}
    assert set(by_code) == {cashier.user_code, other_cashier.user_code, manager.user_code}
    assert by_code[cashier.user_code].active is True
    assert by_code[cashier.user_code].pin_hash is not None
    assert PasswordHasher().verify(by_code[cashier.user_code].pin_hash or "", "4821")
    assert by_code[cashier.user_code].pin_hash.startswith("$argon2id$")  # type: ignore[union-attr]
    gone = by_code[other_cashier.user_code]
    assert (gone.active, gone.pin_hash) == (False, None)
    assert by_code[manager.user_code].role == "store_manager"


def test_an_admin_resets_a_members_totp_and_it_is_audited(accounts: Driver) -> None:
    owner = accounts.owner()
    admin = accounts.member(owner, "admin")
    other_admin = accounts.member(owner, "admin")
    reset = ok(accounts.call("POST", members_path(owner, other_admin, "/totp-reset"), admin))
    assert reset["mfa_enrolled"] is False
    assert error_code(accounts.call("GET", "/auth/me", other_admin), 401)  # sessions revoked
    signed = ok(accounts.sign_in(other_admin))  # password alone now, and must enrol
    assert signed["mfa_enrolment_required"] is True
    on_owner = accounts.call("POST", members_path(owner, owner, "/totp-reset"), admin)
    assert error_code(on_owner, 403) == "ROLE_NOT_ALLOWED"
    on_self = accounts.call("POST", members_path(owner, admin, "/totp-reset"), admin)
    assert error_code(on_self, 409) == "NOT_ON_YOURSELF"
    entries = ok(accounts.call("GET", f"/orgs/{owner.org_code}/audit", owner))["entries"]
    resets = [e for e in entries if e["action"] == "totp.reset_by_admin"]
    assert [(e["actor"], e["target"]) for e in resets] == [(admin.user_code, other_admin.user_code)]


def test_another_orgs_members_are_not_found(accounts: Driver) -> None:
    owner = accounts.owner()
    stranger = accounts.owner()
    cashier = accounts.member(owner, "cashier")
    for method, path in [
        ("GET", members_path(owner)),
        ("POST", members_path(owner, cashier, "/disable")),
        ("PUT", members_path(owner, cashier, "/role")),
        ("GET", f"/orgs/{owner.org_code}/invites"),
    ]:
        response = accounts.call(method, path, stranger, json={"role": "admin"})
        assert error_code(response, 404) == "ORG_NOT_FOUND"
    # The stranger's own org does not have the member either.
    response = accounts.call(
        "POST", f"/orgs/{stranger.org_code}/members/{cashier.user_code}/disable", stranger
    )
    assert error_code(response, 404) == "MEMBER_NOT_FOUND"
