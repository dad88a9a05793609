"""Sign-up, sign-in with TOTP, the enrolment gate, sessions and their revocation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.hub.accounts.conftest import MakeDriver
from tests.hub.accounts.driver import GOOD_PASSWORD, OTHER_PASSWORD, Account, Driver
from tests.hub.harness import error_code, ok


def test_sign_up_makes_the_org_and_its_first_member(accounts: Driver) -> None:
    owner = accounts.sign_up()
    assert owner.org_code.startswith("ORG-")
    assert owner.user_code == f"{owner.org_code}-U-000001"
    me = ok(accounts.call("GET", "/auth/me", owner))
    assert (me["role"], me["mfa_enrolled"], me["username"]) == ("owner", False, owner.username)


def test_an_owner_can_only_enrol_until_totp_is_on(accounts: Driver) -> None:
    owner = accounts.sign_up()
    assert (
        error_code(accounts.call("GET", "/auth/sessions", owner), 403) == "MFA_ENROLMENT_REQUIRED"
    )
    members = accounts.call("GET", f"/orgs/{owner.org_code}/members", owner)
    assert error_code(members, 403) == "MFA_ENROLMENT_REQUIRED"
    accounts.enrol(owner)
    assert len(owner.backup_codes) == 10
    ok(accounts.call("GET", "/auth/sessions", owner))
    ok(accounts.call("GET", f"/orgs/{owner.org_code}/members", owner))


def test_sign_in_needs_the_code_once_enrolled_and_never_says_which_part_was_wrong(
    accounts: Driver,
) -> None:
    owner = accounts.owner()
    wrong = [
        accounts.sign_in(owner),  # no code
        accounts.sign_in(owner, code="000000" if accounts.code(owner) != "000000" else "111111"),
        accounts.sign_in(owner, code=accounts.code(owner), password=OTHER_PASSWORD),
    ]
    bodies = [r.json()["error"] for r in wrong]
    assert {r.status_code for r in wrong} == {401}
    assert {(b["code"], b["message"]) for b in bodies} == {
        (bodies[0]["code"], bodies[0]["message"])
    }
    assert bodies[0]["code"] == "SIGN_IN_FAILED"
    signed = ok(accounts.sign_in(owner, code=accounts.fresh_code(owner)))
    assert signed["mfa_enrolment_required"] is False
    assert signed["session"]["token"]


def test_unknown_usernames_fail_like_wrong_passwords(accounts: Driver) -> None:
    response = accounts.call(
        "POST", "/auth/sign-in", json={"username": "nobody-here", "password": GOOD_PASSWORD}
    )
    assert error_code(response, 401) == "SIGN_IN_FAILED"


def test_five_failures_lock_the_account_until_the_period_ends(accounts: Driver) -> None:
    owner = accounts.owner()
    for _ in range(5):
        assert error_code(accounts.sign_in(owner, password=OTHER_PASSWORD), 401) == "SIGN_IN_FAILED"
    locked = accounts.sign_in(owner, code=accounts.fresh_code(owner))  # right, but locked
    assert error_code(locked, 423) == "ACCOUNT_LOCKED"
    retry = int(locked.headers["Retry-After"])
    assert 14 * 60 <= retry <= 15 * 60
    assert locked.json()["error"]["details"]["retry_after_s"] == retry
    accounts.clock.advance(retry - 5)
    assert error_code(accounts.sign_in(owner, code=accounts.code(owner)), 423) == "ACCOUNT_LOCKED"
    accounts.clock.advance(6)
    ok(accounts.sign_in(owner, code=accounts.code(owner)))
    # The success cleared the count: four more failures do not lock.
    for _ in range(4):
        error_code(accounts.sign_in(owner, password=OTHER_PASSWORD), 401)
    ok(accounts.sign_in(owner, code=accounts.fresh_code(owner)))
    actions = [e["action"] for e in audit_entries(accounts, owner)]
    assert actions.count("account.locked") == 1
    assert actions.count("sign_in.failed") == 5 + 4


def test_unknown_usernames_lock_too_so_a_lock_reveals_nothing(accounts: Driver) -> None:
    body = {"username": "no-such-member", "password": GOOD_PASSWORD}
    for _ in range(5):
        error_code(accounts.call("POST", "/auth/sign-in", json=body), 401)
    assert error_code(accounts.call("POST", "/auth/sign-in", json=body), 423) == "ACCOUNT_LOCKED"


def test_rate_limits_answer_429_with_retry_after(accounts_factory: MakeDriver) -> None:
    limited = accounts_factory(rate_limit_ip=1000, rate_limit_account=3, rate_limit_window_s=60)
    owner = limited.sign_up()
    for _ in range(3):
        assert limited.sign_in(owner).status_code == 200
    refused = limited.sign_in(owner)
    assert error_code(refused, 429) == "RATE_LIMITED"
    assert refused.json()["error"]["details"]["scope"] == "account"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    limited.clock.advance(61)
    assert limited.sign_in(owner).status_code == 200

    per_ip = accounts_factory(rate_limit_ip=2, rate_limit_window_s=60)
    body = {"username": "someone", "password": GOOD_PASSWORD}
    for _ in range(2):
        per_ip.call("POST", "/auth/sign-in", json=body)
    refused = per_ip.call("POST", "/auth/recovery", json={"username": "someone"})
    assert error_code(refused, 429) == "RATE_LIMITED"
    assert refused.json()["error"]["details"]["scope"] == "ip"
    assert refused.headers["Retry-After"] == "60"


def test_sessions_are_listed_and_revoked_one_or_all(accounts: Driver) -> None:
    owner = accounts.owner()
    second = ok(accounts.sign_in(owner, code=accounts.fresh_code(owner)))["session"]
    listed = ok(accounts.call("GET", "/auth/sessions", owner))["sessions"]
    assert len(listed) == 2
    assert [s["current"] for s in listed].count(True) == 1
    assert {s["session_id"] for s in listed} >= {second["session_id"]}
    ok(accounts.call("DELETE", f"/auth/sessions/{second['session_id']}", owner))
    gone = {"Authorization": f"Bearer {second['token']}"}
    assert error_code(accounts.call("GET", "/auth/me", headers=gone), 401) == "UNAUTHENTICATED"
    third = ok(accounts.sign_in(owner, code=accounts.fresh_code(owner)))["session"]
    revoked = ok(accounts.call("POST", "/auth/sign-out-everywhere", owner))
    assert revoked["revoked"] == 2
    for headers in (owner.headers, {"Authorization": f"Bearer {third['token']}"}):
        assert (
            error_code(accounts.call("GET", "/auth/me", headers=headers), 401) == "UNAUTHENTICATED"
        )


def test_sign_out_ends_only_this_session(accounts: Driver) -> None:
    owner = accounts.owner()
    other = ok(accounts.sign_in(owner, code=accounts.fresh_code(owner)))["session"]["token"]
    ok(accounts.call("POST", "/auth/sign-out", owner))
    error_code(accounts.call("GET", "/auth/me", owner), 401)
    ok(accounts.call("GET", "/auth/me", headers={"Authorization": f"Bearer {other}"}))


def test_a_password_change_revokes_the_other_sessions(accounts: Driver) -> None:
    owner = accounts.owner()
    other = ok(accounts.sign_in(owner, code=accounts.fresh_code(owner)))["session"]["token"]
    wrong = {"current_password": OTHER_PASSWORD, "new_password": "Another-Good-One-9"}
    assert error_code(accounts.call("POST", "/auth/password", owner, json=wrong), 403) == (
        "CURRENT_PASSWORD_WRONG"
    )
    weak = {"current_password": owner.password, "new_password": "short"}
    assert error_code(accounts.call("POST", "/auth/password", owner, json=weak), 422) == (
        "PASSWORD_TOO_SHORT"
    )
    change = {"current_password": owner.password, "new_password": OTHER_PASSWORD}
    assert ok(accounts.call("POST", "/auth/password", owner, json=change))["revoked"] == 1
    ok(accounts.call("GET", "/auth/me", owner))  # this session stays
    error_code(accounts.call("GET", "/auth/me", headers={"Authorization": f"Bearer {other}"}), 401)
    error_code(accounts.sign_in(owner, code=accounts.fresh_code(owner)), 401)  # the old password
    owner.password = OTHER_PASSWORD
    ok(accounts.sign_in(owner, code=accounts.fresh_code(owner)))


def test_a_console_session_is_an_http_only_cookie(accounts: Driver) -> None:
    owner = accounts.owner()
    response = accounts.sign_in(owner, code=accounts.fresh_code(owner), session="cookie")
    signed = ok(response)
    assert signed["session"]["kind"] == "cookie"
    assert signed["session"]["token"] is None
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("setledger_session=")
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    token = response.cookies["setledger_session"]
    assert accounts.client.cookies.get("setledger_session") == token  # the client keeps it
    me = accounts.client.get("/api/v1/auth/me")
    assert ok(me)["user_id"] == owner.user_code
    accounts.client.cookies.clear()
    # Accepted only the way it was issued: as a bearer token it is nothing.
    as_bearer = accounts.call("GET", "/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert error_code(as_bearer, 401) == "UNAUTHENTICATED"


def test_secure_cookie_by_default(accounts_factory: MakeDriver) -> None:
    secure = accounts_factory(cookie_secure=True)
    owner = secure.owner()
    response = secure.sign_in(owner, code=secure.fresh_code(owner), session="cookie")
    ok(response)
    assert "secure" in response.headers["set-cookie"].lower()


def test_sessions_expire_when_idle_or_old(accounts: Driver) -> None:
    owner = accounts.owner()
    accounts.clock.advance(119 * 60)
    ok(accounts.call("GET", "/auth/me", owner))  # seen: the idle clock restarts
    accounts.clock.advance(119 * 60)
    ok(accounts.call("GET", "/auth/me", owner))
    accounts.clock.advance(121 * 60)
    error_code(accounts.call("GET", "/auth/me", owner), 401)
    fresh = ok(accounts.sign_in(owner, code=accounts.fresh_code(owner)))["session"]["token"]
    headers = {"Authorization": f"Bearer {fresh}"}
    for _ in range(7):  # busy all day: still over at 12 hours
        accounts.clock.advance(100 * 60)
        ok(accounts.call("GET", "/auth/me", headers=headers))
    accounts.clock.advance(30 * 60)
    error_code(accounts.call("GET", "/auth/me", headers=headers), 401)


def test_a_password_is_rehashed_when_the_parameters_change(
    accounts: Driver, accounts_factory: MakeDriver
) -> None:
    owner = accounts.owner()
    before = password_hash(accounts, owner.username)
    assert "t=1" in before
    stronger = accounts_factory(argon2_time_cost=2)
    ok(stronger.sign_in(owner, code=stronger.fresh_code(owner)))
    after = password_hash(accounts, owner.username)
    assert "t=2" in after
    assert after != before
    ok(accounts.sign_in(owner, code=accounts.fresh_code(owner)))  # old parameters still verify


def password_hash(driver: Driver, username: str) -> str:
    with driver.runtime.engine.connect() as conn:
        value = conn.execute(
            text('SELECT password_hash FROM "user" WHERE username = :u'), {"u": username}
        ).scalar_one()
    return str(value)


def audit_entries(driver: Driver, owner: Account) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = ok(
        driver.call("GET", f"/orgs/{owner.org_code}/audit", owner, params={"limit": 500})
    )["entries"]
    return entries
