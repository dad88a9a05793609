"""Recovery by e-mailed link plus a backup code; backup codes are single-use."""

from __future__ import annotations

from httpx import Response

from tests.hub.accounts.driver import OTHER_PASSWORD, Account, Driver
from tests.hub.accounts.smtp import link_token
from tests.hub.harness import error_code, ok


def recovery_token(driver: Driver, account: Account) -> str:
    before = driver.mailbox.count(account.email)
    ok(driver.call("POST", "/auth/recovery", json={"username": account.username}), 202)
    assert driver.mailbox.count(account.email) == before + 1
    _, token = link_token(driver.mailbox.for_address(account.email))
    return token


def complete(
    driver: Driver, token: str, backup_code: str | None, password: str = OTHER_PASSWORD
) -> Response:
    body: dict[str, object] = {"token": token, "new_password": password}
    if backup_code is not None:
        body["backup_code"] = backup_code
    return driver.call("POST", "/auth/recovery/complete", json=body)


def test_a_backup_code_signs_in_once(accounts: Driver) -> None:
    owner = accounts.owner()
    code = owner.backup_codes[3]
    ok(accounts.sign_in(owner, code=code))
    assert error_code(accounts.sign_in(owner, code=code), 401) == "SIGN_IN_FAILED"
    typed = owner.backup_codes[4].upper().replace("-", " ")  # as a person might type it
    ok(accounts.sign_in(owner, code=typed))


def test_new_backup_codes_replace_the_old_ones(accounts: Driver) -> None:
    owner = accounts.owner()
    fresh = ok(
        accounts.call(
            "POST", "/auth/backup-codes", owner, json={"code": accounts.fresh_code(owner)}
        )
    )
    assert len(fresh["codes"]) == 10
    assert set(fresh["codes"]).isdisjoint(owner.backup_codes)
    error_code(accounts.sign_in(owner, code=owner.backup_codes[0]), 401)
    ok(accounts.sign_in(owner, code=fresh["codes"][0]))


def test_recovery_needs_the_link_and_a_backup_code_and_resets_totp(accounts: Driver) -> None:
    owner = accounts.owner()
    token = recovery_token(accounts, owner)
    assert error_code(complete(accounts, token, None), 401) == "RECOVERY_CODE_WRONG"
    assert error_code(complete(accounts, token, "zzzz-zzzz-zzzz"), 401) == "RECOVERY_CODE_WRONG"
    weak = complete(accounts, token, owner.backup_codes[0], password="tiny")
    assert error_code(weak, 422) == "PASSWORD_TOO_SHORT"
    done = ok(complete(accounts, token, owner.backup_codes[0]))
    assert done == {"username": owner.username, "totp_reset": True, "sessions_revoked": 1}
    error_code(accounts.call("GET", "/auth/me", owner), 401)  # every session ended
    again = complete(accounts, token, owner.backup_codes[1])
    assert error_code(again, 404) == "RECOVERY_INVALID"
    # The new password signs in without a code; the owner must enrol again.
    owner.password = OTHER_PASSWORD
    signed = ok(accounts.sign_in(owner))
    assert signed["mfa_enrolment_required"] is True
    owner.token = signed["session"]["token"]
    old_codes = owner.backup_codes
    accounts.enrol(owner)
    assert error_code(accounts.sign_in(owner, code=old_codes[2]), 401)  # gone with the reset
    actions = [
        e["action"]
        for e in ok(accounts.call("GET", f"/orgs/{owner.org_code}/audit", owner))["entries"]
    ]
    for action in (
        "recovery.requested",
        "recovery.failed",
        "backup_code.used",
        "recovery.completed",
    ):
        assert action in actions


def test_a_recovery_link_lasts_thirty_minutes(accounts: Driver) -> None:
    owner = accounts.owner()
    token = recovery_token(accounts, owner)
    accounts.clock.advance(30 * 60 + 1)
    assert error_code(complete(accounts, token, owner.backup_codes[0]), 404) == "RECOVERY_INVALID"


def test_a_member_without_totp_recovers_with_the_link_alone(accounts: Driver) -> None:
    owner = accounts.owner()
    cashier = accounts.member(owner, "cashier")
    token = recovery_token(accounts, cashier)
    done = ok(complete(accounts, token, None))
    assert done["totp_reset"] is False
    cashier.password = OTHER_PASSWORD
    ok(accounts.sign_in(cashier))


def test_asking_for_an_unknown_username_looks_the_same(accounts: Driver) -> None:
    before = len(accounts.mailbox.messages)
    response = accounts.call("POST", "/auth/recovery", json={"username": "nobody-at-all"})
    assert response.status_code == 202
    assert len(accounts.mailbox.messages) == before
    bogus = complete(accounts, "x" * 43, None)
    assert error_code(bogus, 404) == "RECOVERY_INVALID"
