"""Settings of hub accounts: secret keys, password hashing, sessions, limits, e-mail.

Read from the environment once, in the composition root (``HubSettings.from_env``
calls :meth:`AccountsSettings.from_env`). Everything has a safe production
default except the things only an operator can know: the TOTP secret keys and
the mail server.

Password hashing defaults are argon2-cffi's own (argon2id, t=3, 64 MiB, p=4:
about 125 ms a hash on the hub's 2-core machines), which is the point: an
offline guess costs the same. Tests lower them (``TEST_ARGON2``) so the suite
stays fast; never do that in production.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

SmtpTls = Literal["none", "starttls", "ssl"]

PREFIX = "SETLEDGER_HUB_"
ENV_FIELDS: tuple[tuple[str, str], ...] = (
    ("secret_key_file", "SECRET_KEY_FILE"),
    ("argon2_time_cost", "ARGON2_TIME_COST"),
    ("argon2_memory_kib", "ARGON2_MEMORY_KIB"),
    ("argon2_parallelism", "ARGON2_PARALLELISM"),
    ("cookie_secure", "COOKIE_SECURE"),
    ("session_ttl_minutes", "SESSION_TTL_MINUTES"),
    ("session_idle_minutes", "SESSION_IDLE_MINUTES"),
    ("lockout_failures", "LOCKOUT_FAILURES"),
    ("lockout_minutes", "LOCKOUT_MINUTES"),
    ("rate_limit_ip", "RATE_LIMIT_IP"),
    ("rate_limit_account", "RATE_LIMIT_ACCOUNT"),
    ("rate_limit_window_s", "RATE_LIMIT_WINDOW_S"),
    ("invite_ttl_hours", "INVITE_TTL_HOURS"),
    ("recovery_ttl_minutes", "RECOVERY_TTL_MINUTES"),
    ("smtp_host", "SMTP_HOST"),
    ("smtp_port", "SMTP_PORT"),
    ("smtp_sender", "SMTP_SENDER"),
    ("smtp_tls", "SMTP_TLS"),
    ("smtp_username", "SMTP_USERNAME"),
    ("smtp_timeout_s", "SMTP_TIMEOUT_S"),
)
SECRET_ENV_FIELDS: tuple[tuple[str, str], ...] = (
    ("secret_keys", "SECRET_KEYS"),
    ("smtp_password", "SMTP_PASSWORD"),
)


class AccountsSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    secret_keys: SecretStr | None = None
    """``SETLEDGER_HUB_SECRET_KEYS``: ``id:base64key`` entries (32-byte keys), comma
    separated; the first encrypts new TOTP secrets, all decrypt the ones naming them."""
    secret_key_file: str | None = None
    """``SETLEDGER_HUB_SECRET_KEY_FILE``: the same entries, one a line (``#`` comments).
    Read on every use, so a rotated file needs no restart; a missing file fails closed."""

    argon2_time_cost: int = Field(default=3, ge=1, le=20)
    argon2_memory_kib: int = Field(default=65536, ge=8, le=4 * 1024 * 1024)
    argon2_parallelism: int = Field(default=4, ge=1, le=16)

    cookie_secure: bool = True
    """The session cookie's Secure flag; turn off only for plain-http localhost."""
    session_ttl_minutes: int = Field(default=12 * 60, ge=1)
    """A session ends this long after sign-in, however busy."""
    session_idle_minutes: int = Field(default=2 * 60, ge=1)
    """...or after this long unused."""

    lockout_failures: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    """Failures count within this period, and a lock lasts as long."""
    rate_limit_ip: int = Field(default=30, ge=1)
    """Public auth requests (sign-in, sign-up, recovery, invitations) per IP per window."""
    rate_limit_account: int = Field(default=10, ge=1)
    """Sign-in and recovery requests per username per window."""
    rate_limit_window_s: int = Field(default=60, ge=1)

    invite_ttl_hours: int = Field(default=72, ge=1)
    recovery_ttl_minutes: int = Field(default=30, ge=1)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_sender: str = "setLedger <no-reply@localhost>"
    smtp_tls: SmtpTls = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: int = Field(default=10, ge=1)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AccountsSettings:
        env = os.environ if environ is None else environ
        fields: dict[str, object] = {}
        for field, name in ENV_FIELDS + SECRET_ENV_FIELDS:
            # An empty variable counts as unset, as in HubSettings.
            value = env.get(PREFIX + name, "").strip()
            if value:
                fields[field] = SecretStr(value) if (field, name) in SECRET_ENV_FIELDS else value
        return cls.model_validate(fields)


TEST_ARGON2: dict[str, int] = {
    "argon2_time_cost": 1,
    "argon2_memory_kib": 1024,
    "argon2_parallelism": 1,
}
"""Cheap hashing for tests only (about 1 ms a hash instead of 125 ms)."""
