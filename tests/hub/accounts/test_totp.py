"""RFC 6238 through our verification code, an independent implementation, replay, windows."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pyotp
import pytest

from hub.accounts import totp
from tests.hub.accounts.driver import Driver, rfc6238
from tests.hub.harness import error_code, ok

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
# RFC 6238 Appendix B, the SHA-1 column (8 digits).
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("unix_time", "code"), RFC_VECTORS)
def test_rfc_6238_appendix_b_vectors(unix_time: int, code: str) -> None:
    at = datetime.fromtimestamp(unix_time, UTC)
    step = unix_time // 30
    assert totp.code_at(RFC_SECRET, step, digits=8) == code
    assert totp.accepted_step(RFC_SECRET, code, at, None, digits=8) == step
    assert rfc6238(RFC_SECRET, unix_time, digits=8) == code  # the test's own implementation agrees


def test_the_window_is_one_step_either_side_and_a_used_step_never_again() -> None:
    secret = totp.new_secret()
    at = datetime(2026, 11, 24, 10, 0, 15, tzinfo=UTC)
    now = totp.time_step(at)

    def code(offset: int) -> str:
        return rfc6238(secret, (now + offset) * 30)

    for offset in (-1, 0, 1):
        assert totp.accepted_step(secret, code(offset), at, None) == now + offset
    for offset in (-2, 2):
        assert totp.accepted_step(secret, code(offset), at, None) is None
    assert totp.accepted_step(secret, code(0), at, last_step=now) is None  # replay
    assert totp.accepted_step(secret, code(-1), at, last_step=now) is None  # older than the last
    assert totp.accepted_step(secret, code(1), at, last_step=now) == now + 1
    assert totp.accepted_step(secret, "12345", at, None) is None
    assert totp.accepted_step(secret, "abcdef", at, None) is None


def test_enrolment_shows_a_uri_and_a_qr_code_and_is_off_until_confirmed(accounts: Driver) -> None:
    owner = accounts.sign_up()
    started = ok(accounts.call("POST", "/auth/totp/enrol", owner))
    assert started["otpauth_uri"].startswith("otpauth://totp/setLedger:")
    assert f"secret={started['secret']}" in started["otpauth_uri"]
    assert started["qr_svg"].startswith("data:image/svg+xml")
    assert ok(accounts.call("GET", "/auth/me", owner))["mfa_enrolled"] is False
    # A wrong code does not turn it on; a right one does, once.
    wrong = (
        "000000"
        if rfc6238(started["secret"], accounts.clock.now.timestamp()) != "000000"
        else "999999"
    )
    response = accounts.call("POST", "/auth/totp/confirm", owner, json={"code": wrong})
    assert error_code(response, 422) == "TOTP_CODE_WRONG"
    owner.secret = started["secret"]
    ok(accounts.call("POST", "/auth/totp/confirm", owner, json={"code": accounts.code(owner)}))
    assert ok(accounts.call("GET", "/auth/me", owner))["mfa_enrolled"] is True
    again = accounts.call("POST", "/auth/totp/enrol", owner)
    assert error_code(again, 409) == "TOTP_ALREADY_ENROLLED"


def test_a_code_from_a_standard_library_signs_in_once(accounts: Driver) -> None:
    owner = accounts.owner()
    accounts.clock.advance(30)
    assert owner.secret is not None
    code = pyotp.TOTP(owner.secret).at(accounts.clock.now)
    assert code == accounts.code(owner)
    ok(accounts.sign_in(owner, code=code))
    assert error_code(accounts.sign_in(owner, code=code), 401) == "SIGN_IN_FAILED"


def test_sign_in_accepts_one_step_of_drift_but_not_two(accounts: Driver) -> None:
    owner = accounts.owner()
    accounts.clock.advance(120)
    assert error_code(accounts.sign_in(owner, code=accounts.code(owner, -2)), 401)
    assert error_code(accounts.sign_in(owner, code=accounts.code(owner, 2)), 401)
    ok(accounts.sign_in(owner, code=accounts.code(owner, 1)))
    accounts.clock.advance(150)
    ok(accounts.sign_in(owner, code=accounts.code(owner, -1)))
