"""CSRF tokens for every console form.

The session cookie is SameSite=Lax, which already keeps other sites' POSTs
from carrying it; the token is the second line (old browsers, a sibling
subdomain, a same-site page with an injection). Two kinds of form:

- **member forms** (anything done while signed in): the token is
  HMAC-SHA256 keyed by the session cookie's value. Only a page that can read
  the HttpOnly cookie's value, i.e. the hub itself, can compute it; it needs
  no storage and dies with the session (a signed-out or signed-in-again
  browser gets a new one). The HMAC is one-way, so the page never carries
  the session token itself.
- **public forms** (sign-up, sign-in, invitation, recovery: no session yet):
  a double-submit cookie. ``setledger_csrf`` holds 32 random bytes
  (HttpOnly, SameSite=Strict, path ``/console``); the page repeats it in the
  form. This stops login CSRF (a foreign page signing the victim into the
  attacker's account), which a session-bound token cannot.

A POST whose token is missing or wrong is refused with 403 before any
service runs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

FIELD = "csrf_token"
PUBLIC_COOKIE = "setledger_csrf"
_MEMBER_LABEL = b"setledger console csrf v1"
_MAX_LENGTH = 128


def member_token(session_cookie: str) -> str:
    """The token of member forms for the browser holding ``session_cookie``."""
    mac = hmac.new(session_cookie.encode("utf-8"), _MEMBER_LABEL, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def new_public_token() -> str:
    return secrets.token_urlsafe(32)


def matches(sent: str | None, expected: str | None) -> bool:
    """Constant-time comparison; a missing side never matches."""
    if not sent or not expected or len(sent) > _MAX_LENGTH:
        return False
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))
