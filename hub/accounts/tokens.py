"""Random bearer secrets and the digests the database keeps of them.

Session tokens, invitation and recovery links are 32 random bytes: a single
sha256 is enough to store them (nobody can guess 256 bits, so there is no
dictionary to slow down), and it lets a token be looked up by an index.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """43 URL-safe characters carrying 256 random bits."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
