"""The password policy: long, or a passphrase; never a common password."""

from __future__ import annotations

import pytest

from hub.accounts.passwords import check_password, common_passwords
from setledger import errors
from tests.hub.accounts.driver import PASSPHRASE, Driver
from tests.hub.harness import error_code


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Tr0ub4dor&3", "PASSWORD_TOO_SHORT"),
        ("password", "PASSWORD_TOO_SHORT"),
        ("abcdefghijklmnop", "PASSWORD_TOO_SIMPLE"),
        ("1q2w3e4r5t6y", "PASSWORD_TOO_COMMON"),
        ("qwerty123456", "PASSWORD_TOO_COMMON"),
        ("Ravi-Kumar-2026-ravikumar", "PASSWORD_HAS_USERNAME"),
    ],
)
def test_refused(password: str, code: str) -> None:
    with pytest.raises(errors.SetLedgerError) as raised:
        check_password(password, "ravikumar")
    assert raised.value.code == code


@pytest.mark.parametrize(
    "password",
    [
        PASSPHRASE,  # four lower-case words: one kind of character, but a passphrase
        "chai-biscuit-monsoon-ledger",
        "Chai-Biscuit-42",
        "दुकान का हिसाब किताब रोज़",  # a Hindi passphrase
        "ｃｈａｉ－ｂｉｓｃｕｉｔ－４２Ａ",  # full-width: the same as its NFKC form
    ],
)
def test_accepted(password: str) -> None:
    check_password(password, "ravikumar")


def test_the_bundled_list_is_loaded() -> None:
    common = common_passwords()
    assert len(common) > 10_000
    assert {"123456", "password", "qwerty"} <= common


def test_sign_up_applies_the_policy(accounts: Driver) -> None:
    body = {
        "org": {"name": "Kirana", "state_code": "27"},
        "username": "weakling",
        "password": "password1",
        "display_name": "W",
        "email": "w@example.in",
    }
    assert error_code(accounts.call("POST", "/auth/signup", json=body), 422) == "PASSWORD_TOO_SHORT"
    owner = accounts.sign_up(password=PASSPHRASE)
    assert owner.token
