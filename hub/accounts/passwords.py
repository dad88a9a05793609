"""Password and PIN hashing (argon2id) and the password policy.

Hashing: argon2id through argon2-cffi, 16-byte salt, 32-byte hash, with the
time/memory/parallelism from ``AccountsSettings`` (production: argon2-cffi's
defaults t=3, m=64 MiB, p=4, ~125 ms a hash on the hub's machines). The
parameters live in each PHC string, so old hashes still verify after they
change, and a sign-in re-hashes with the new ones (``needs_rehash``). A
counter PIN is hashed the same way; the store boxes verify it with the
parameters in the hash.

Policy (``check_password``), on the NFKC form of the password (so the same
password typed on two keyboards is the same password):
- a *passphrase*: at least 4 different words (split on spaces, '-', '_',
  '.', ',') and at least 20 characters, any characters; or
- a *password*: at least 12 characters of at least two kinds (lower case,
  upper case, digits, anything else);
- and in both cases: not one of the 20,000 most common passwords
  (``data/common-passwords.txt.gz``, compared lower-cased) and not
  containing the username.
No other composition rules and no expiry: length and rarity are what make
a password hard to guess (NIST SP 800-63B, 5.1.1.2).
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from hub.accounts.settings import AccountsSettings
from setledger import errors

MIN_LENGTH = 12
MIN_KINDS = 2
PASSPHRASE_MIN_WORDS = 4
PASSPHRASE_MIN_LENGTH = 20
MIN_USERNAME_IN_PASSWORD = 3
"""Shorter usernames are too likely to appear by chance."""
HASH_LEN = 32
SALT_LEN = 16
COMMON_PASSWORDS_FILE = "common-passwords.txt.gz"

_WORD_SEPARATORS = re.compile(r"[\s\-_.,]+")


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("hub.accounts").joinpath("data", COMMON_PASSWORDS_FILE).read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip())


def is_passphrase(password: str) -> bool:
    words = {word for word in _WORD_SEPARATORS.split(password.lower()) if word}
    return len(words) >= PASSPHRASE_MIN_WORDS and len(password) >= PASSPHRASE_MIN_LENGTH


def character_kinds(password: str) -> int:
    kinds = set()
    for char in password:
        if char.islower():
            kinds.add("lower")
        elif char.isupper():
            kinds.add("upper")
        elif char.isdigit():
            kinds.add("digit")
        elif not char.isspace():
            kinds.add("other")
    return len(kinds)


def check_password(password: str, username: str | None = None) -> None:
    """Raise the policy's error for a password that may not be used."""
    text = normalise(password)
    if not is_passphrase(text):
        if len(text) < MIN_LENGTH:
            raise errors.PASSWORD_TOO_SHORT.error(length=len(text), min_length=MIN_LENGTH)
        if character_kinds(text) < MIN_KINDS:
            raise errors.PASSWORD_TOO_SIMPLE.error()
    lowered = text.lower()
    if lowered in common_passwords():
        raise errors.PASSWORD_TOO_COMMON.error()
    if username and len(username) >= MIN_USERNAME_IN_PASSWORD and username.lower() in lowered:
        raise errors.PASSWORD_HAS_USERNAME.error()


class Hashing:
    """argon2id with the settings' parameters: passwords and counter PINs."""

    def __init__(self, settings: AccountsSettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            hash_len=HASH_LEN,
            salt_len=SALT_LEN,
            type=Type.ID,
        )
        self._dummy: str | None = None

    def hash_password(self, password: str) -> str:
        return self._hasher.hash(normalise(password))

    def verify_password(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, normalise(password))
        except (VerificationError, InvalidHashError):
            return False

    def burn_time(self, password: str) -> None:
        """Spend what a real verification costs, for a username nobody has, so
        the response time does not tell which usernames exist."""
        if self._dummy is None:
            self._dummy = self._hasher.hash("not anybody's password")
        self.verify_password(self._dummy, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def hash_pin(self, pin: str) -> str:
        return self._hasher.hash(pin)
