"""Mosquitto's password hash (``$7$``: PBKDF2-HMAC-SHA512), made from a device token.

A box logs in to the broker as its device id with its device token. The
broker's password file holds, per user, ``$7$<iterations>$<salt>$<hash>``
with the salt and hash in standard base64 (Mosquitto 2.0's format, made
here so the hub never needs ``mosquitto_passwd``). The hub computes it at
registration, while it still has the token, and keeps only the hash.

101 iterations is Mosquitto's own default. Key stretching protects
guessable passwords; device tokens are 32 random bytes, so more
iterations would only cost the broker CPU on every connect.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PBKDF2_ITERATIONS = 101
SALT_BYTES = 12
HASH_BYTES = 64
PREFIX = "$7$"


def mosquitto_hash(password: str, *, salt: bytes | None = None) -> str:
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    derived = hashlib.pbkdf2_hmac(
        "sha512", password.encode("utf-8"), salt, PBKDF2_ITERATIONS, HASH_BYTES
    )
    return (
        f"{PREFIX}{PBKDF2_ITERATIONS}${base64.b64encode(salt).decode('ascii')}"
        f"${base64.b64encode(derived).decode('ascii')}"
    )


def mosquitto_verify(password: str, line_hash: str) -> bool:
    """Check ``password`` against a ``$7$`` hash (for tests and diagnostics)."""
    parts = line_hash.split("$")
    if len(parts) != 5 or parts[1] != "7":
        return False
    try:
        iterations = int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        expected = base64.b64decode(parts[4], validate=True)
    except ValueError:
        return False
    derived = hashlib.pbkdf2_hmac(
        "sha512", password.encode("utf-8"), salt, iterations, len(expected)
    )
    return hmac.compare_digest(derived, expected)
