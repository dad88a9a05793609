"""Accounts: members, backup codes, sessions, invitations, recovery, lockout, audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Hand-written, names per ``hub.db.base.NAMING_CONVENTION``. ``audit_log`` is
append-only like the sales tables: on PostgreSQL its triggers call
``setledger_refuse_rewrite()`` (made by 0001), on SQLite they RAISE(ABORT).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("audit_log",)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(name: str, cols: list[str], table: str, refcols: list[str]) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(cols, [f"{table}.{c}" for c in refcols], name=op.f(name))


def _user_fk(table: str, column: str = "user_id") -> sa.ForeignKeyConstraint:
    return _fk(
        f"fk_{table}_org_id_{column}_user", ["org_id", column], "user", ["org_id", "user_id"]
    )


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("member_seq", sa.BigInteger(), nullable=False),
        sa.Column("user_code", sa.String(24), nullable=False),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("password_changed_at", _ts(), nullable=False),
        sa.Column("totp_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("totp_nonce", sa.LargeBinary(), nullable=True),
        sa.Column("totp_key_id", sa.String(32), nullable=True),
        sa.Column("totp_enabled_at", _ts(), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("pin_hash", sa.String(255), nullable=True),
        sa.Column("disabled_at", _ts(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "user_id", name=op.f("pk_user")),
        _fk("fk_user_org_id_org", ["org_id"], "org", ["org_id"]),
        sa.UniqueConstraint("org_id", "member_seq", name=op.f("uq_user_org_id_member_seq")),
        sa.UniqueConstraint("user_code", name=op.f("uq_user_user_code")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
    )
    op.create_table(
        "backup_code",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("code_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("used_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "code_id", name=op.f("pk_backup_code")),
        _user_fk("backup_code"),
    )
    op.create_index(op.f("ix_backup_code_org_id_user_id"), "backup_code", ["org_id", "user_id"])
    op.create_table(
        "session",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("last_seen_at", _ts(), nullable=False),
        sa.Column("expires_at", _ts(), nullable=False),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(256), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "session_id", name=op.f("pk_session")),
        _user_fk("session"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_session_token_hash")),
    )
    op.create_index(op.f("ix_session_org_id_user_id"), "session", ["org_id", "user_id"])
    op.create_table(
        "invite",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("invite_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("expires_at", _ts(), nullable=False),
        sa.Column("used_at", _ts(), nullable=True),
        sa.Column("used_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "invite_id", name=op.f("pk_invite")),
        _fk("fk_invite_org_id_org", ["org_id"], "org", ["org_id"]),
        _user_fk("invite", "invited_by"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invite_token_hash")),
    )
    op.create_table(
        "recovery",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("recovery_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("expires_at", _ts(), nullable=False),
        sa.Column("used_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "recovery_id", name=op.f("pk_recovery")),
        _user_fk("recovery"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_recovery_token_hash")),
    )
    op.create_table(
        "login_lockout",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", _ts(), nullable=True),
        sa.Column("locked_until", _ts(), nullable=True),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "username", name=op.f("pk_login_lockout")),
    )
    op.create_index(op.f("ix_login_lockout_username"), "login_lockout", ["username"])
    op.create_table(
        "audit_log",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(32), nullable=False),
        sa.Column("action", sa.String(48), nullable=False),
        sa.Column("target", sa.String(64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "seq", name=op.f("pk_audit_log")),
        _fk("fk_audit_log_org_id_org", ["org_id"], "org", ["org_id"]),
    )
    _create_append_only_triggers()


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION setledger_refuse_rewrite()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION setledger_refuse_rewrite()"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        return
    for table in APPEND_ONLY:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_login_lockout_username"), table_name="login_lockout")
    op.drop_table("login_lockout")
    op.drop_table("recovery")
    op.drop_table("invite")
    op.drop_index(op.f("ix_session_org_id_user_id"), table_name="session")
    op.drop_table("session")
    op.drop_index(op.f("ix_backup_code_org_id_user_id"), table_name="backup_code")
    op.drop_table("backup_code")
    op.drop_table("user")
