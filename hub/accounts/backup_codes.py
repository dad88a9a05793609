"""Single-use backup codes: what a member types when the phone is gone.

Ten codes of 12 characters from Crockford's base32 (60 random bits each),
shown once as ``xxxx-xxxx-xxxx``. Being random rather than chosen, they are
stored as plain sha256 digests: 2^60 guesses per code is out of reach
offline, and the online path is behind the sign-in lockout.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
COUNT = 10
GROUPS = 3
GROUP_LENGTH = 4
LENGTH = GROUPS * GROUP_LENGTH
# Crockford's reading of the letters people confuse with digits.
_LOOKALIKES = str.maketrans({"o": "0", "i": "1", "l": "1"})


def new_codes(count: int = COUNT) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        codes.append("-".join(raw[i : i + GROUP_LENGTH] for i in range(0, LENGTH, GROUP_LENGTH)))
    return codes


def normalise(code: str) -> str | None:
    """The code's canonical form, or None if it cannot be a backup code."""
    text = code.lower().replace("-", "").replace(" ", "").translate(_LOOKALIKES)
    if len(text) != LENGTH or any(char not in ALPHABET for char in text):
        return None
    return text


def code_hash(code: str) -> str | None:
    normalised = normalise(code)
    if normalised is None:
        return None
    return hashlib.sha256(normalised.encode()).hexdigest()
