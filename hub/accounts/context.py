"""What the account services need besides a database session: settings, the
clock, the password hasher, the rate limiter and the mailer.

One per app, made on first use by ``hub.api.accounts`` (or given by a test
with :func:`install`, e.g. with a clock it moves by hand).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fastapi import FastAPI

from hub.accounts.keyring import Keyring, load_keyring
from hub.accounts.mailer import Mailer, SmtpMailer
from hub.accounts.passwords import Hashing
from hub.accounts.ratelimit import SlidingWindowLimiter
from hub.accounts.settings import AccountsSettings
from hub.clock import utcnow
from hub.runtime import HubRuntime

STATE_ATTRIBUTE = "accounts"
_make_lock = threading.Lock()


@dataclass
class AccountsContext:
    settings: AccountsSettings
    public_url: str
    """Where links in e-mails point (``SETLEDGER_HUB_PUBLIC_URL``)."""
    clock: Callable[[], datetime] = utcnow
    mailer: Mailer | None = None
    limiter: SlidingWindowLimiter = field(default_factory=SlidingWindowLimiter)
    hashing: Hashing = field(init=False)

    def __post_init__(self) -> None:
        self.hashing = Hashing(self.settings)
        if self.mailer is None:
            self.mailer = SmtpMailer(self.settings)

    def now(self) -> datetime:
        return self.clock()

    def keyring(self, needed: str | None = None) -> Keyring:
        """The TOTP keys as configured now; raises a structured error (naming
        ``needed``, the key id about to be used) if there are none."""
        return load_keyring(self.settings, needed)

    def send_mail(self, to: str, subject: str, body: str) -> None:
        assert self.mailer is not None  # set in __post_init__
        self.mailer.send(to, subject, body)

    def link(self, path: str, token: str) -> str:
        # The token goes in the fragment: browsers do not send it to servers or
        # in Referer headers, so it stays out of proxy and access logs.
        return f"{self.public_url.rstrip('/')}{path}#token={token}"

    @property
    def session_ttl(self) -> timedelta:
        return timedelta(minutes=self.settings.session_ttl_minutes)

    @property
    def idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.settings.session_idle_minutes)


def for_runtime(runtime: HubRuntime) -> AccountsContext:
    return AccountsContext(
        settings=runtime.settings.accounts, public_url=runtime.settings.public_url
    )


def install(app: FastAPI, context: AccountsContext) -> AccountsContext:
    setattr(app.state, STATE_ATTRIBUTE, context)
    return context


def of_app(app: FastAPI) -> AccountsContext:
    """The app's context, made from its settings on first use."""
    context = getattr(app.state, STATE_ATTRIBUTE, None)
    if isinstance(context, AccountsContext):
        return context
    with _make_lock:
        context = getattr(app.state, STATE_ATTRIBUTE, None)
        if not isinstance(context, AccountsContext):
            runtime = app.state.hub
            assert isinstance(runtime, HubRuntime)
            context = install(app, for_runtime(runtime))
        return context
