"""RFC 6238 time-based one-time passwords: SHA-1, 6 digits, 30-second steps.

pyotp makes the codes; this module decides which to accept. A code is good
for its own step and one step either side (a phone's clock drifts and a
person types slowly), and never for a step at or before the last one
accepted: pyotp's ``verify(valid_window=1)`` alone would let an overheard
code be replayed for up to 90 seconds.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pyotp
import segno

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1
ISSUER = "setLedger"
QR_SCALE = 4

Digest = Callable[..., Any]


def new_secret() -> str:
    """160 random bits as base32, the key length RFC 4226 recommends."""
    return pyotp.random_base32()


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int, *, digits: int = DIGITS, digest: Digest = hashlib.sha1) -> str:
    return pyotp.HOTP(secret, digits=digits, digest=digest).at(step)


def is_code_shaped(code: str, digits: int = DIGITS) -> bool:
    return len(code) == digits and code.isascii() and code.isdigit()


def accepted_step(
    secret: str,
    code: str,
    at: datetime,
    last_step: int | None,
    *,
    digits: int = DIGITS,
    window: int = WINDOW,
    digest: Digest = hashlib.sha1,
) -> int | None:
    """The time step ``code`` is for, if it may be accepted at ``at``; else None.

    The caller stores the step as the member's last one, in the same
    transaction, so the code (and every older one) works once only.
    """
    code = code.replace(" ", "")
    if not is_code_shaped(code, digits):
        return None
    now = time_step(at)
    for step in range(now - window, now + window + 1):
        if last_step is not None and step <= last_step:
            continue
        expected = code_at(secret, step, digits=digits, digest=digest)
        if hmac.compare_digest(expected.encode(), code.encode()):
            return step
    return None


def provisioning_uri(secret: str, account: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The URI as a QR code: an SVG ``data:`` URI for an ``<img src>``."""
    data_uri: str = segno.make(uri, error="m").svg_data_uri(scale=QR_SCALE)
    return data_uri
