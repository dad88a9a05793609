"""Invitations by real e-mail (a local SMTP server), single-use and expiring links."""

from __future__ import annotations

from httpx import Response

from tests.hub.accounts.conftest import MakeDriver
from tests.hub.accounts.driver import GOOD_PASSWORD, Driver, new_username
from tests.hub.accounts.smtp import link_token
from tests.hub.harness import error_code, ok


def accept(driver: Driver, token: str, username: str | None = None) -> Response:
    body = {
        "token": token,
        "username": username or new_username("new"),
        "password": GOOD_PASSWORD,
        "display_name": "Ravi Kumar",
    }
    return driver.call("POST", "/auth/invites/accept", json=body)


def test_an_invitation_is_delivered_and_its_link_works_once(accounts: Driver) -> None:
    owner = accounts.owner()
    email = f"{new_username('ravi')}@example.in"
    invite = ok(
        accounts.call(
            "POST",
            f"/orgs/{owner.org_code}/invites",
            owner,
            json={"email": email, "role": "cashier"},
        ),
        201,
    )
    assert (invite["email"], invite["role"], invite["invited_by"]) == (
        email,
        "cashier",
        owner.user_code,
    )
    message = accounts.mailbox.for_address(email)
    assert message["From"] == "setLedger <hub@setledger.test>"
    assert "Sharma General Stores" in message["Subject"]
    link, token = link_token(message)
    assert link.startswith("http://hub.test/console/invite#token=")

    listed = ok(accounts.call("GET", f"/orgs/{owner.org_code}/invites", owner))["invites"]
    assert [i["invite_id"] for i in listed] == [invite["invite_id"]]
    details = ok(accounts.call("POST", "/auth/invites/lookup", json={"token": token}))
    assert (details["org_id"], details["email"], details["role"]) == (
        owner.org_code,
        email,
        "cashier",
    )

    response = accept(accounts, token)
    signed = ok(response, 201)
    assert signed["member"]["user_id"] == f"{owner.org_code}-U-000002"
    assert signed["member"]["email"] == email
    assert signed["mfa_enrolment_required"] is False
    again = accept(accounts, token)
    assert error_code(again, 404) == "INVITE_INVALID"
    lookup = accounts.call("POST", "/auth/invites/lookup", json={"token": token})
    assert error_code(lookup, 404) == "INVITE_INVALID"
    assert ok(accounts.call("GET", f"/orgs/{owner.org_code}/invites", owner))["invites"] == []
    actions = [
        e["action"]
        for e in ok(accounts.call("GET", f"/orgs/{owner.org_code}/audit", owner))["entries"]
    ]
    assert "invite.created" in actions
    assert "invite.accepted" in actions


def test_an_invited_admin_must_enrol_totp(accounts: Driver) -> None:
    owner = accounts.owner()
    admin = accounts.member(owner, "admin", enrol=False)
    response = accounts.call("GET", f"/orgs/{owner.org_code}/members", admin)
    assert error_code(response, 403) == "MFA_ENROLMENT_REQUIRED"
    accounts.enrol(admin)
    ok(accounts.call("GET", f"/orgs/{owner.org_code}/members", admin))


def test_invitations_expire_and_can_be_withdrawn(accounts: Driver) -> None:
    owner = accounts.owner()
    _, expiring = accounts.invite(owner, "cashier")
    email, withdrawn = accounts.invite(owner, "accountant")
    invites = ok(accounts.call("GET", f"/orgs/{owner.org_code}/invites", owner))["invites"]
    target = next(i for i in invites if i["email"] == email)
    ok(accounts.call("DELETE", f"/orgs/{owner.org_code}/invites/{target['invite_id']}", owner))
    assert error_code(accept(accounts, withdrawn), 404) == "INVITE_INVALID"
    again = accounts.call("DELETE", f"/orgs/{owner.org_code}/invites/{target['invite_id']}", owner)
    assert error_code(again, 404) == "INVITE_NOT_FOUND"
    accounts.clock.advance(72 * 3600 + 1)
    assert error_code(accept(accounts, expiring), 404) == "INVITE_INVALID"


def test_only_owners_and_admins_invite_and_only_owners_invite_owners(accounts: Driver) -> None:
    owner = accounts.owner()
    admin = accounts.member(owner, "admin")
    manager = accounts.member(owner, "store_manager")
    body = {"email": "x@example.in", "role": "cashier"}
    refused = accounts.call("POST", f"/orgs/{owner.org_code}/invites", manager, json=body)
    assert error_code(refused, 403) == "ROLE_NOT_ALLOWED"
    owner_invite = {"email": "y@example.in", "role": "owner"}
    refused = accounts.call("POST", f"/orgs/{owner.org_code}/invites", admin, json=owner_invite)
    assert error_code(refused, 403) == "ROLE_NOT_ALLOWED"
    ok(accounts.call("POST", f"/orgs/{owner.org_code}/invites", admin, json=body), 201)


def test_a_taken_username_is_refused_and_the_invitation_stays_open(accounts: Driver) -> None:
    owner = accounts.owner()
    _, token = accounts.invite(owner, "cashier")
    assert error_code(accept(accounts, token, owner.username), 409) == "USERNAME_TAKEN"
    ok(accept(accounts, token), 201)


def test_an_unsendable_invitation_is_withdrawn(
    accounts: Driver, accounts_factory: MakeDriver
) -> None:
    owner = accounts.owner()
    from ops.broker import free_port

    no_mail = accounts_factory(smtp_port=free_port(), smtp_timeout_s=2)
    body = {"email": "nobody@example.in", "role": "cashier"}
    response = no_mail.call("POST", f"/orgs/{owner.org_code}/invites", owner, json=body)
    assert error_code(response, 503) == "EMAIL_UNAVAILABLE"
    assert ok(accounts.call("GET", f"/orgs/{owner.org_code}/invites", owner))["invites"] == []
