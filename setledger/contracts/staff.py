"""Who may work the counter: the roster the hub sends each store's boxes,
and the manager approvals the boxes send back.

The roster carries PIN hashes (argon2id, PHC strings), never PINs, so a
cashier can sign in at a box that has not seen the hub for days; a member
disabled at the hub is refused at the box from the next roster on.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from setledger.contracts.base import Contract, OrgCode, Paise

Role = Literal["owner", "admin", "accountant", "store_manager", "cashier", "installer"]
ApprovalAction = Literal[
    "discount", "void_line", "void_sale", "return", "no_sale_drawer", "shift_close"
]

MANAGER_ROLES: frozenset[str] = frozenset({"owner", "admin", "store_manager"})
"""Roles whose PIN can approve what a cashier may not do alone."""


class StaffMember(Contract):
    user_id: UUID
    user_code: str = Field(pattern=r"^ORG-[0-9a-f]{8}-U-[0-9]{6}$")
    display_name: str = Field(min_length=1, max_length=200)
    role: Role
    pin_hash: str | None = Field(default=None, max_length=512)
    """argon2id hash of the member's counter PIN; None: no PIN set yet."""
    active: bool = True


class StaffRoster(Contract):
    """Retained on ``setledger/v1/{org}/{store}/down/staff``."""

    SCHEMA: ClassVar[str] = "staff.roster"
    VERSION: ClassVar[int] = 1

    org_id: OrgCode
    store_id: UUID
    version: int = Field(strict=True, ge=1)
    generated_at: AwareDatetime
    members: list[StaffMember]


class ApprovalRecorded(Contract):
    """A manager's PIN approved something at the counter (stream ``approvals``)."""

    SCHEMA: ClassVar[str] = "approval.recorded"
    VERSION: ClassVar[int] = 1

    approval_id: UUID
    action: ApprovalAction
    approved_by: UUID
    """The manager's user id (their PIN was checked at the box)."""
    requested_by: UUID | None = None
    """The signed-in cashier who asked."""
    sale_id: UUID | None = None
    cart_id: UUID | None = None
    amount: Paise | None = None
    """The money at stake (the discount, the voided line, the refund)."""
    reason: str | None = Field(default=None, max_length=500)
    approved_at: AwareDatetime
