"""Manager approvals at the counter: a manager's PIN, checked, then recorded.

Some things a cashier may not do alone: a discount above the limit,
voiding a line, opening the drawer without a sale. The request carries a
manager's ``{user_id, pin}``; the PIN is checked first (``check``, outside
any transaction: argon2 is slow and must not hold the write lock), and the
approval is recorded (``record``) inside the very transaction of what it
approves, with its outbox row on stream ``approvals``: both are written or
neither is.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Connection, insert

from edge.runtime import BoxRuntime
from edge.services import pins, staff
from edge.services.identity import current_epoch
from edge.services.staff import Member
from edge.store import outbox
from edge.store import tables as t
from setledger import errors
from setledger.contracts import ApprovalRecorded
from setledger.contracts.staff import ApprovalAction
from setledger.hlc import from_unix_ms
from setledger.ids import new_id

APPROVALS_STREAM = "approvals"


@dataclass(frozen=True)
class Actor:
    """Who asks: the signed-in member (None with sign-in off), and the request's id."""

    user_id: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True)
class ApprovalRequest:
    """What the request carries: the approver's id and PIN, and why."""

    user_id: UUID
    pin: str
    reason: str | None = None


@dataclass(frozen=True)
class Grant:
    """A manager's PIN, checked: who approves, and the reason given."""

    approver: Member
    reason: str | None


@dataclass(frozen=True)
class Recorded:
    approval: ApprovalRecorded
    epoch: str
    seq: int

    @property
    def position(self) -> tuple[str, int]:
        return (APPROVALS_STREAM, self.seq)


def check(box: BoxRuntime, request: ApprovalRequest | None) -> Grant | None:
    """Check the approver's PIN (None when the request carries no approval)."""
    if request is None:
        return None
    user_id = str(request.user_id)
    with box.db.reader.connect() as conn:
        found = staff.member(conn, user_id)
    # A role that may not approve is refused before its PIN is tried: no
    # attempt is spent and nothing is learnt about the PIN.
    if found is not None and not found.is_manager:
        raise errors.APPROVAL_REFUSED.error(reason="not a manager", cause="not_manager")
    try:
        approver = pins.check_pin(box, user_id, request.pin)
    except pins.PinLocked as err:
        raise errors.APPROVAL_REFUSED.error(
            reason=f"too many wrong PINs, locked for {err.retry_after_s} s",
            cause="locked",
            retry_after_s=err.retry_after_s,
        ) from None
    except pins.PinRefused:
        raise errors.APPROVAL_REFUSED.error(reason="wrong PIN", cause="wrong_pin") from None
    if not approver.is_manager:  # the roster changed while the PIN was checked
        raise errors.APPROVAL_REFUSED.error(reason="not a manager", cause="not_manager")
    return Grant(approver, request.reason)


def require(grant: Grant | None, action: ApprovalAction, **details: object) -> Grant:
    """The grant, or APPROVAL_REQUIRED naming the action and what triggered it."""
    if grant is None:
        raise errors.APPROVAL_REQUIRED.error(action=action, **details)
    return grant


def over_limit(discount: int, gross: int, limit_bp: int) -> bool:
    """Is ``discount`` above ``limit_bp`` (basis points of a percent) of ``gross``?"""
    return discount * 10_000 > gross * limit_bp


def record(
    conn: Connection,
    box: BoxRuntime,
    grant: Grant,
    action: ApprovalAction,
    *,
    requested_by: str | None,
    correlation_id: str | None,
    sale_id: UUID | None = None,
    cart_id: str | None = None,
    amount: int | None = None,
) -> Recorded:
    """Write the approval and its outbox row in the caller's transaction."""
    epoch = current_epoch(conn)
    if epoch is None:
        raise errors.BOX_NOT_PROVISIONED.error()
    stamp = box.clock.now()
    approval = ApprovalRecorded(
        approval_id=new_id(),
        action=action,
        approved_by=UUID(grant.approver.user_id),
        requested_by=None if requested_by is None else UUID(requested_by),
        sale_id=sale_id,
        cart_id=None if cart_id is None else UUID(cart_id),
        amount=amount,
        reason=grant.reason,
        approved_at=from_unix_ms(stamp.wall_ms),
    )
    conn.execute(
        insert(t.approval).values(
            approval_id=str(approval.approval_id),
            action=action,
            approved_by=grant.approver.user_id,
            requested_by=requested_by,
            sale_id=None if sale_id is None else str(sale_id),
            cart_id=cart_id,
            amount=amount,
            reason=grant.reason,
            approved_at=approval.approved_at.isoformat(),
            hlc=stamp.encode(),
            epoch=epoch,
        )
    )
    seq = outbox.append(
        conn,
        epoch=epoch,
        stream=APPROVALS_STREAM,
        key=str(approval.approval_id),
        message=approval,
        hlc=stamp.encode(),
        wall_time=box.wall_clock(),
        correlation_id=correlation_id,
    )
    return Recorded(approval, epoch, seq)
