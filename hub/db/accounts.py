"""Tables of org accounts: members, their second factor, sessions, invitations,
recovery links, sign-in lockout, and the hash-chained audit log.

No secret is stored in a form that signs anyone in: passwords and PINs are
argon2id hashes, tokens (sessions, invitations, recovery links) and backup
codes are sha256 digests of high-entropy random values, and the TOTP secret
is AES-256-GCM ciphertext under a key kept outside the database
(``hub/accounts/keyring.py``). Usernames and user codes are unique across
the hub: sign-in is by username alone and tokens are looked up by digest.

``audit_log`` is append-only (triggers from migration 0003); nothing here
holds money.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base

AUDIT_APPEND_ONLY_TABLES: tuple[str, ...] = ("audit_log",)
"""Refuse UPDATE/DELETE (and TRUNCATE on PostgreSQL) like ``hub.db.append_only``."""


class User(Base):
    """A member of an org. ``user`` is a reserved word in PostgreSQL: SQLAlchemy
    quotes it, raw SQL must too (``"user"``)."""

    __tablename__ = "user"
    __table_args__ = (UniqueConstraint("org_id", "member_seq"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org.org_id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_seq: Mapped[int]
    """1 for the owner who signed the org up, then each accepted invitation."""
    user_code: Mapped[str] = mapped_column(String(24), unique=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    """Lower case; sign-in is by username alone, so it is unique across the hub."""
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime]
    totp_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_nonce: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_key_id: Mapped[str | None] = mapped_column(String(32))
    totp_enabled_at: Mapped[datetime | None]
    """None with a ciphertext: an enrolment started and not yet confirmed."""
    totp_last_step: Mapped[int | None]
    """The last accepted RFC 6238 time step: a code of this step or older is refused."""
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    """argon2id of the counter PIN, synced to the store boxes in the staff roster."""
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    """Touched by every change a store box's roster shows (role, PIN, name, disabled)."""


class BackupCode(Base):
    __tablename__ = "backup_code"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "user_id"], ["user.org_id", "user.user_id"]),
        Index(None, "org_id", "user_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID]
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class UserSession(Base):
    __tablename__ = "session"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "user_id"], ["user.org_id", "user.user_id"]),
        Index(None, "org_id", "user_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    """``cookie`` (the console) or ``bearer`` (the API)."""
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(256))


class Invite(Base):
    __tablename__ = "invite"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "invited_by"], ["user.org_id", "user.user_id"]),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org.org_id"), primary_key=True)
    invite_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    invited_by: Mapped[uuid.UUID]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[uuid.UUID | None]
    revoked_at: Mapped[datetime | None]


class Recovery(Base):
    __tablename__ = "recovery"
    __table_args__ = (ForeignKeyConstraint(["org_id", "user_id"], ["user.org_id", "user.user_id"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    recovery_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginLockout(Base):
    """Failed sign-ins per username. Kept for names nobody has too (under
    ``UNKNOWN_ORG``, without a foreign key), so a lock never tells an
    attacker whether a username exists."""

    __tablename__ = "login_lockout"
    __table_args__ = (Index(None, "username"),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class AuditRecord(Base):
    """One security event or admin action. ``hash`` is the sha256 of the
    canonical JSON of the record including ``prev_hash`` (the previous
    record's hash in the org; 64 zeros for the first), so an edit, a
    deletion or an insertion breaks the chain (``hub.accounts.audit``)."""

    __tablename__ = "audit_log"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org.org_id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[uuid.UUID | None]
    actor: Mapped[str] = mapped_column(String(32))
    """A user code, or ``anonymous`` / ``system``."""
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
