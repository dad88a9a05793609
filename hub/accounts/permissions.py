"""What each role may do: the permission matrix, as data.

Every hub route names the one permission it needs (``hub.api.deps.allow``);
a test walks every route and checks it does, and checks the matrix route
by route for every role. ``docs/PERMISSIONS.md`` is generated from this
table (``python -m hub.accounts.permissions``) and a test keeps it in step.
"""

from __future__ import annotations

import sys
from enum import StrEnum

from hub.accounts.principal import Role


class Permission(StrEnum):
    ORG_READ = "org.read"
    ORG_MANAGE = "org.manage"
    MEMBERS_READ = "members.read"
    MEMBERS_INVITE = "members.invite"
    MEMBERS_MANAGE = "members.manage"
    """Change roles, disable and enable members, reset another's 2FA."""
    PINS_SET_OTHERS = "pins.set_others"
    """Set the counter PIN of a cashier (a member always sets their own)."""
    STORES_READ = "stores.read"
    STORES_MANAGE = "stores.manage"
    DEVICES_READ = "devices.read"
    DEVICES_MANAGE = "devices.manage"
    CATALOG_READ = "catalog.read"
    CATALOG_MANAGE = "catalog.manage"
    SALES_READ = "sales.read"
    AUDIT_READ = "audit.read"
    BOOKS_READ = "books.read"
    BOOKS_MANAGE = "books.manage"
    """Close and lock periods of the books."""
    STOCK_READ = "stock.read"
    STOCK_WRITE = "stock.write"
    """Receive, transfer, adjust and count stock; make warehouses, bins and lots."""
    PURCHASING_READ = "purchasing.read"
    PURCHASING_WRITE = "purchasing.write"
    """Suppliers, purchase orders (send, receive, return, close, cancel), reorder rules."""
    PURCHASING_BILL = "purchasing.bill"
    """Record a supplier's bill against a PO's receipts (books work: the accountant's too)."""


P = Permission
_EVERYTHING = frozenset(Permission)
_READS = frozenset({P.ORG_READ, P.STORES_READ, P.CATALOG_READ})

MATRIX: dict[Role, frozenset[Permission]] = {
    Role.OWNER: _EVERYTHING,
    Role.ADMIN: _EVERYTHING,
    Role.ACCOUNTANT: _READS
    | {
        P.SALES_READ,
        P.AUDIT_READ,
        P.DEVICES_READ,
        P.MEMBERS_READ,
        P.BOOKS_READ,
        P.BOOKS_MANAGE,
        P.STOCK_READ,
        P.PURCHASING_READ,
        P.PURCHASING_BILL,
    },
    Role.STORE_MANAGER: _READS
    | {
        P.SALES_READ,
        P.MEMBERS_READ,
        P.PINS_SET_OTHERS,
        P.DEVICES_READ,
        P.STOCK_READ,
        P.STOCK_WRITE,
        P.PURCHASING_READ,
        P.PURCHASING_WRITE,
        P.PURCHASING_BILL,
    },
    Role.CASHIER: _READS | {P.STOCK_READ},
    Role.INSTALLER: _READS | {P.DEVICES_READ, P.DEVICES_MANAGE},
}
"""Owner and admin differ only in ownership itself: only an owner can make
or unmake an owner (checked in the members service, not by a permission)."""

WHY: dict[Permission, str] = {
    P.ORG_READ: "see the organisation's name, state and GSTIN",
    P.ORG_MANAGE: "change the organisation's details",
    P.MEMBERS_READ: "list members and their roles",
    P.MEMBERS_INVITE: "invite people by e-mail",
    P.MEMBERS_MANAGE: "change roles, disable members, reset another member's 2FA",
    P.PINS_SET_OTHERS: "set a cashier's counter PIN",
    P.STORES_READ: "list stores",
    P.STORES_MANAGE: "open and change stores",
    P.DEVICES_READ: "list store boxes",
    P.DEVICES_MANAGE: "register and revoke store boxes",
    P.CATALOG_READ: "see products and prices",
    P.CATALOG_MANAGE: "create and change products and prices",
    P.SALES_READ: "see sales and their totals",
    P.AUDIT_READ: "read and export the audit log",
    P.BOOKS_READ: "read the books: trial balance, general ledger, journal export",
    P.BOOKS_MANAGE: "close and lock periods of the books",
    P.STOCK_READ: "see stock on hand per location, product and lot, transfers, negative stock",
    P.STOCK_WRITE: "receive, transfer, adjust and count stock; add warehouses, bins and lots",
    P.PURCHASING_READ: "see suppliers, purchase orders, supplier bills, reorder rules and suggestions",
    P.PURCHASING_WRITE: "add suppliers; make, send, receive, close and cancel purchase orders; "
    "return goods to suppliers; set reorder rules",
    P.PURCHASING_BILL: "record a supplier's bill against a purchase order's receipts",
}


def allowed(role: Role, permission: Permission) -> bool:
    return permission in MATRIX[role]


def markdown() -> str:
    """The matrix as the table in docs/PERMISSIONS.md."""
    roles = list(Role)
    head = "| permission | what it allows | " + " | ".join(r.value for r in roles) + " |"
    rule = "|---|---|" + "---|" * len(roles)
    rows = [
        f"| `{p.value}` | {WHY[p]} | "
        + " | ".join("yes" if allowed(r, p) else "" for r in roles)
        + " |"
        for p in Permission
    ]
    intro = (
        "# Permissions\n\n"
        "Generated from `hub/accounts/permissions.py` (`python -m hub.accounts.permissions`);\n"
        "`tests/hub/test_permissions.py` fails when this file and the code disagree.\n\n"
        "Every member can always see and end their own sessions, change their own\n"
        "password, enrol their own TOTP and set their own counter PIN. Owners and\n"
        "admins must enrol TOTP before anything else. Only an owner can make or\n"
        "unmake an owner, and an organisation always keeps one.\n\n"
    )
    return intro + "\n".join([head, rule, *rows]) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
