"""Who is calling: the signed-in member a request acts for.

Every hub route receives a ``Principal`` (through ``hub.api.deps``) and
scopes every query to ``principal.org_id``. Roles name what a member does
in the shop; ``hub.accounts.permissions`` says what each role may do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    ACCOUNTANT = "accountant"
    STORE_MANAGER = "store_manager"
    CASHIER = "cashier"
    INSTALLER = "installer"


MFA_REQUIRED: frozenset[Role] = frozenset({Role.OWNER, Role.ADMIN})
"""Roles that must have TOTP enrolled before they can do anything else."""


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    org_id: uuid.UUID
    """The org's primary key: what every query is scoped by."""
    org_code: str
    """``ORG-<8hex>``: what URLs and people use."""
    user_code: str
    """``ORG-<8hex>-U-<6 digits>``."""
    role: Role
    session_id: uuid.UUID
    via: Literal["cookie", "bearer"]
    mfa_enrolled: bool
