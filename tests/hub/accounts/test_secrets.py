"""TOTP secrets at rest: encrypted, fail closed without the key, rotatable."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from hub.accounts import keyring
from hub.accounts.enrolment import rotate_totp_secrets
from hub.accounts.settings import AccountsSettings
from setledger import errors
from tests.hub.accounts.conftest import MakeDriver
from tests.hub.accounts.driver import Driver
from tests.hub.harness import KEY_1, KEY_2, error_code, ok


def user_row(driver: Driver, username: str) -> dict[str, object]:
    with driver.runtime.engine.connect() as conn:
        row = (
            conn.execute(text('SELECT * FROM "user" WHERE username = :u'), {"u": username})
            .mappings()
            .one()
        )
    return dict(row)


def test_the_secret_is_not_in_the_database_in_clear(accounts: Driver) -> None:
    owner = accounts.owner()
    assert owner.secret is not None
    row = user_row(accounts, owner.username)
    raw_secret = base64.b32decode(owner.secret)
    stored = b"".join(
        value if isinstance(value, bytes) else str(value).encode() for value in row.values()
    )
    assert owner.secret.encode() not in stored
    assert owner.secret.lower().encode() not in stored
    assert raw_secret not in stored
    assert row["totp_key_id"] == "k1"
    assert isinstance(row["totp_ciphertext"], bytes)
    assert len(row["totp_ciphertext"]) == len(owner.secret) + 16  # + the GCM tag
    # Nor is any backup code.
    with accounts.runtime.engine.connect() as conn:
        hashes = conn.execute(text("SELECT code_hash FROM backup_code")).scalars().all()
    for code in owner.backup_codes:
        assert all(code not in h and code.replace("-", "") not in h for h in hashes)


def test_a_lost_key_fails_closed_with_a_clear_error(
    accounts: Driver, accounts_factory: MakeDriver
) -> None:
    owner = accounts.owner()
    keyless = accounts_factory(secret_keys=None)
    response = keyless.sign_in(owner, code=keyless.fresh_code(owner))
    assert error_code(response, 503) == "TOTP_KEY_UNAVAILABLE"
    body = response.json()["error"]
    assert "k1" in body["message"]
    assert "SETLEDGER_HUB_SECRET_KEYS" in body["remediation"]
    assert "token" not in response.json()
    # Not the member's fault: not counted towards the lockout.
    for _ in range(5):
        error_code(keyless.sign_in(owner, code=keyless.fresh_code(owner)), 503)
    # A backup code still gets the member in meanwhile; enrolling anew is refused.
    ok(keyless.sign_in(owner, code=owner.backup_codes[0]))
    newcomer = keyless.sign_up()
    assert error_code(keyless.call("POST", "/auth/totp/enrol", newcomer), 503) == (
        "TOTP_KEY_UNAVAILABLE"
    )
    # The key back: TOTP works again.
    ok(accounts.sign_in(owner, code=accounts.fresh_code(owner)))


def test_a_changed_key_fails_closed(accounts: Driver, accounts_factory: MakeDriver) -> None:
    owner = accounts.owner()
    changed = accounts_factory(secret_keys=SecretStr("k1:" + KEY_2.split(":", 1)[1]))
    response = changed.sign_in(owner, code=changed.fresh_code(owner))
    assert error_code(response, 503) == "TOTP_SECRET_UNREADABLE"


def test_a_key_file_is_read_on_use_and_its_loss_fails_closed(
    accounts_factory: MakeDriver, tmp_path: Path
) -> None:
    key_file = tmp_path / "totp.keys"
    key_file.write_text(f"# the hub's TOTP keys\n{KEY_1}\n")
    filed = accounts_factory(secret_keys=None, secret_key_file=str(key_file))
    owner = filed.owner()
    ok(filed.sign_in(owner, code=filed.fresh_code(owner)))
    key_file.unlink()
    response = filed.sign_in(owner, code=filed.fresh_code(owner))
    assert error_code(response, 503) == "TOTP_KEY_UNAVAILABLE"
    assert "cannot be read" in response.json()["error"]["message"]


def test_rotation_re_encrypts_under_the_newest_key(
    accounts: Driver, accounts_factory: MakeDriver
) -> None:
    owner = accounts.owner()
    both = AccountsSettings(secret_keys=SecretStr(f"{KEY_2},{KEY_1}"))
    with accounts.runtime.sessions() as session:
        moved = rotate_totp_secrets(session, keyring.load_keyring(both))
    assert moved >= 1
    assert user_row(accounts, owner.username)["totp_key_id"] == "k2"
    only_new = accounts_factory(secret_keys=SecretStr(KEY_2))
    ok(only_new.sign_in(owner, code=only_new.fresh_code(owner)))
    only_old = accounts_factory(secret_keys=SecretStr(KEY_1))
    error_code(only_old.sign_in(owner, code=only_old.fresh_code(owner)), 503)
    with accounts.runtime.sessions() as session:
        assert rotate_totp_secrets(session, keyring.load_keyring(both)) == 0


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("no-colon", "is not 'id:base64-key'"),
        ("k1:not base64!", "is not base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "is not 32 bytes"),
        (f"{KEY_1},k1:{KEY_2.split(':', 1)[1]}", "given twice"),
    ],
)
def test_malformed_key_settings_are_refused_without_echoing_the_key(
    value: str, problem: str
) -> None:
    settings = AccountsSettings(secret_keys=SecretStr(value))
    with pytest.raises(errors.SetLedgerError) as raised:
        keyring.load_keyring(settings)
    assert raised.value.code == "TOTP_KEY_UNAVAILABLE"
    assert problem in raised.value.message
    for material in value.split(",")[-1].split(":")[1:]:
        assert material not in raised.value.message


def test_a_new_key_entry_loads() -> None:
    entry = keyring.new_key_entry("k9")
    ring = keyring.load_keyring(AccountsSettings(secret_keys=SecretStr(entry)))
    assert ring.current_id == "k9"
    sealed = ring.seal(b"secret", b"aad")
    assert ring.open(sealed, b"aad") == b"secret"
    with pytest.raises(errors.SetLedgerError, match="does not decrypt"):
        ring.open(sealed, b"other aad")
