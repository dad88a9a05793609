"""The keys that encrypt TOTP secrets (AES-256-GCM), kept outside the database.

Entries are ``id:base64`` of 32 random bytes, from ``SETLEDGER_HUB_SECRET_KEYS``
(comma separated) and then ``SETLEDGER_HUB_SECRET_KEY_FILE`` (one a line,
``#`` comments). The first entry is the *current* key: new secrets are
encrypted with it. Every entry decrypts the secrets that name its id, so a
rotation is: put the new key first, keep the old ones, run
``hub.accounts.enrolment.rotate_totp_secrets``, then drop the old keys.

Each secret has its own random 96-bit nonce: random nonces are safe for
well over the 2^32 encryptions a key would need before a collision becomes
likely, and a hub encrypts one secret per enrolment. The AAD binds a
ciphertext to its org and member, so a secret copied to another row does
not decrypt.

Anything wrong (no key, an unknown id, a file that cannot be read, a key
that does not decrypt) raises a structured error: TOTP then fails closed,
it never lets anyone in. ``python -m hub.accounts.keyring NEW_ID`` prints a
new entry.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.accounts.settings import AccountsSettings
from setledger import errors

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
NO_KEY = "(none)"


@dataclass(frozen=True)
class Sealed:
    key_id: str
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]
    """Every usable key by id; ``current_id`` is one of them."""
    current_id: str

    def seal(self, plaintext: bytes, aad: bytes) -> Sealed:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current_id]).encrypt(nonce, plaintext, aad)
        return Sealed(self.current_id, nonce, sealed)

    def open(self, sealed: Sealed, aad: bytes) -> bytes:
        key = self.keys.get(sealed.key_id)
        if key is None:
            raise errors.TOTP_KEY_UNAVAILABLE.error(
                key_id=sealed.key_id, reason="no configured key has this id"
            )
        try:
            return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, aad)
        except InvalidTag:
            raise errors.TOTP_SECRET_UNREADABLE.error(key_id=sealed.key_id) from None


def _unavailable(reason: str, key_id: str | None = None) -> errors.SetLedgerError:
    return errors.TOTP_KEY_UNAVAILABLE.error(key_id=key_id or NO_KEY, reason=reason)


def parse_entries(text: str, source: str, needed: str | None = None) -> list[tuple[str, bytes]]:
    """``id:base64`` entries separated by commas or lines; never echoes key bytes."""
    entries: list[tuple[str, bytes]] = []
    for number, raw in enumerate(re.split(r"[,\n]", text), start=1):
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not KEY_ID_RE.match(key_id):
            raise _unavailable(f"{source} entry {number} is not 'id:base64-key'", needed)
        try:
            # Standard or URL-safe alphabet, padding required.
            standard = encoded.strip().replace("-", "+").replace("_", "/")
            key = base64.b64decode(standard, validate=True)
        except (binascii.Error, ValueError):
            raise _unavailable(f"{source} key {key_id!r} is not base64", needed) from None
        if len(key) != KEY_BYTES:
            raise _unavailable(f"{source} key {key_id!r} is not {KEY_BYTES} bytes", needed)
        entries.append((key_id, key))
    return entries


def load_keyring(settings: AccountsSettings, needed: str | None = None) -> Keyring:
    """The keys configured now (the file is read on every call).

    ``needed``: the key id the caller is about to decrypt with, named in the
    error if the keys cannot be had.
    """
    entries: list[tuple[str, bytes]] = []
    if settings.secret_keys is not None:
        entries += parse_entries(
            settings.secret_keys.get_secret_value(), "SETLEDGER_HUB_SECRET_KEYS", needed
        )
    if settings.secret_key_file:
        try:
            text = Path(settings.secret_key_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise _unavailable(
                f"SETLEDGER_HUB_SECRET_KEY_FILE cannot be read: {type(err).__name__}", needed
            ) from None
        entries += parse_entries(text, "SETLEDGER_HUB_SECRET_KEY_FILE", needed)
    if not entries:
        raise _unavailable("no key is configured", needed)
    keys: dict[str, bytes] = {}
    for key_id, key in entries:
        if keys.get(key_id, key) != key:
            raise _unavailable(f"key id {key_id!r} is given twice with different keys", needed)
        keys[key_id] = key
    return Keyring(keys=keys, current_id=entries[0][0])


def new_key_entry(key_id: str) -> str:
    if not KEY_ID_RE.match(key_id):
        raise ValueError("a key id is 1-32 of A-Z, a-z, 0-9, '_' and '-'")
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


if __name__ == "__main__":  # pragma: no cover - an operator's one-liner
    print(new_key_entry(sys.argv[1] if len(sys.argv) > 1 else "k1"))
