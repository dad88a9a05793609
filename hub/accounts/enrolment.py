"""Second factor: TOTP enrolment, backup codes, checking a code, resets, key rotation.

Enrolment stores a new secret encrypted (``enabled_at`` still None) and
shows it once with its ``otpauth://`` URI and QR code; it is on only after
a valid code confirms it, which also issues the 10 backup codes (shown
once). The secret is never shown again: a member who loses the phone
recovers with a backup code, or an owner/admin resets their TOTP (audited).

A TOTP-shaped code needs the key: without it the check raises a structured
error (fail closed). A backup code does not, so members can still get in
with one while an operator restores the key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.accounts import audit, backup_codes, totp
from hub.accounts.audit import actor_of
from hub.accounts.context import AccountsContext
from hub.accounts.keyring import Keyring, Sealed
from hub.accounts.members import find_member, own_user, require, to_public
from hub.accounts.permissions import Permission
from hub.accounts.principal import Principal, Role
from hub.accounts.schemas import BackupCodes, MemberPublic, TotpEnrolment
from hub.accounts.sessions import revoke_sessions
from hub.db.accounts import BackupCode, User
from setledger import errors
from setledger.ids import new_id


def _aad(user: User) -> bytes:
    return f"setledger/totp/v1/{user.org_id}/{user.user_id}".encode()


def _sealed(user: User) -> Sealed:
    if user.totp_key_id is None or user.totp_nonce is None or user.totp_ciphertext is None:
        raise errors.TOTP_NOT_STARTED.error()
    return Sealed(user.totp_key_id, user.totp_nonce, user.totp_ciphertext)


def store_secret(user: User, secret: str, keyring: Keyring) -> None:
    sealed = keyring.seal(secret.encode("ascii"), _aad(user))
    user.totp_key_id, user.totp_nonce, user.totp_ciphertext = (
        sealed.key_id,
        sealed.nonce,
        sealed.ciphertext,
    )


def read_secret(user: User, keyring: Keyring) -> str:
    return keyring.open(_sealed(user), _aad(user)).decode("ascii")


def clear_totp(session: Session, user: User) -> None:
    """TOTP off and every backup code gone (the member enrols again)."""
    user.totp_ciphertext = user.totp_nonce = user.totp_key_id = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(
        delete(BackupCode).where(
            BackupCode.org_id == user.org_id, BackupCode.user_id == user.user_id
        )
    )


def issue_backup_codes(session: Session, user: User, now: datetime) -> list[str]:
    """Replace the member's backup codes with new ones (returned in clear, once)."""
    session.execute(
        delete(BackupCode).where(
            BackupCode.org_id == user.org_id, BackupCode.user_id == user.user_id
        )
    )
    codes = backup_codes.new_codes()
    for code in codes:
        digest = backup_codes.code_hash(code)
        assert digest is not None
        session.add(
            BackupCode(
                org_id=user.org_id,
                code_id=new_id(),
                user_id=user.user_id,
                code_hash=digest,
                created_at=now,
                used_at=None,
            )
        )
    return codes


def use_backup_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Spend one unused backup code; False if it is not one of the member's."""
    digest = backup_codes.code_hash(code)
    if digest is None:
        return False
    row = session.scalars(
        select(BackupCode)
        .where(
            BackupCode.org_id == user.org_id,
            BackupCode.user_id == user.user_id,
            BackupCode.code_hash == digest,
            BackupCode.used_at.is_(None),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        return False
    row.used_at = now
    return True


def accept_totp(user: User, code: str, now: datetime, keyring: Keyring) -> bool:
    """Check a TOTP code and, if good, move the member's last step to it."""
    step = totp.accepted_step(read_secret(user, keyring), code, now, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def second_factor(
    session: Session, ctx: AccountsContext, user: User, code: str, now: datetime
) -> str | None:
    """``totp`` or ``backup_code`` if ``code`` passes for an enrolled member, else None.

    Raises TOTP_KEY_UNAVAILABLE / TOTP_SECRET_UNREADABLE for a TOTP code the
    hub cannot check. The caller holds the member's row for update.
    """
    compact = code.replace(" ", "")
    if totp.is_code_shaped(compact):
        keyring = ctx.keyring(user.totp_key_id)
        return "totp" if accept_totp(user, compact, now, keyring) else None
    return "backup_code" if use_backup_code(session, user, code, now) else None


def start_enrolment(session: Session, ctx: AccountsContext, principal: Principal) -> TotpEnrolment:
    keyring = ctx.keyring()  # no key: refuse before making a secret nobody can read
    secret = totp.new_secret()
    with session.begin():
        user = own_user(session, principal)
        if user.totp_enabled_at is not None:
            raise errors.TOTP_ALREADY_ENROLLED.error()
        store_secret(user, secret, keyring)
        user.totp_last_step = None
        uri = totp.provisioning_uri(secret, user.username)
    return TotpEnrolment(secret=secret, otpauth_uri=uri, qr_svg=totp.qr_svg_data_uri(uri))


def confirm_enrolment(
    session: Session, ctx: AccountsContext, principal: Principal, code: str
) -> BackupCodes:
    now = ctx.now()
    with session.begin():
        user = own_user(session, principal)
        if user.totp_enabled_at is not None:
            raise errors.TOTP_ALREADY_ENROLLED.error()
        if user.totp_ciphertext is None:
            raise errors.TOTP_NOT_STARTED.error()
        if not accept_totp(user, code.replace(" ", ""), now, ctx.keyring(user.totp_key_id)):
            raise errors.TOTP_CODE_WRONG.error()
        user.totp_enabled_at = now
        codes = issue_backup_codes(session, user, now)
        audit.record(
            session,
            principal.org_id,
            "totp.enrolled",
            at=now,
            actor=actor_of(principal),
            target=user.user_code,
            details={"key_id": user.totp_key_id, "backup_codes": len(codes)},
        )
    return BackupCodes(codes=codes)


def regenerate_backup_codes(
    session: Session, ctx: AccountsContext, principal: Principal, code: str
) -> BackupCodes:
    """New backup codes (the old ones stop working), against a current TOTP code."""
    now = ctx.now()
    with session.begin():
        user = own_user(session, principal)
        if user.totp_enabled_at is None:
            raise errors.TOTP_NOT_STARTED.error()
        if not accept_totp(user, code.replace(" ", ""), now, ctx.keyring(user.totp_key_id)):
            raise errors.TOTP_CODE_WRONG.error()
        codes = issue_backup_codes(session, user, now)
        audit.record(
            session,
            principal.org_id,
            "backup_codes.generated",
            at=now,
            actor=actor_of(principal),
            target=user.user_code,
            details={"backup_codes": len(codes)},
        )
    return BackupCodes(codes=codes)


def reset_member_totp(
    session: Session, ctx: AccountsContext, principal: Principal, user_code: str
) -> MemberPublic:
    """An owner or admin turns another member's TOTP off (they enrol again)."""
    require(principal, Permission.MEMBERS_MANAGE, "reset two-factor sign-in")
    now = ctx.now()
    with session.begin():
        target = find_member(session, principal.org_id, user_code)
        if target.user_id == principal.user_id:
            raise errors.NOT_ON_YOURSELF.error(action="reset two-factor sign-in for")
        if principal.role is not Role.OWNER and target.role == Role.OWNER.value:
            raise errors.ROLE_NOT_ALLOWED.error(
                role=principal.role.value, action="reset an owner's two-factor sign-in"
            )
        was_enrolled = target.totp_enabled_at is not None
        clear_totp(session, target)
        target.updated_at = now
        revoked = revoke_sessions(session, target.org_id, target.user_id, now)
        audit.record(
            session,
            principal.org_id,
            "totp.reset_by_admin",
            at=now,
            actor=actor_of(principal),
            target=target.user_code,
            details={"was_enrolled": was_enrolled, "sessions_revoked": revoked},
        )
        return to_public(target, principal.org_code)


def rotate_totp_secrets(session: Session, keyring: Keyring) -> int:
    """Re-encrypt every TOTP secret not under the keyring's current key; how many.

    One transaction: either every secret moves or none does. Run it after
    putting a new key first in the configuration and before removing the
    old one.
    """
    with session.begin():
        users = session.scalars(
            select(User)
            .where(User.totp_ciphertext.is_not(None), User.totp_key_id != keyring.current_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        for user in users:
            store_secret(user, read_secret(user, keyring), keyring)
        return len(users)
