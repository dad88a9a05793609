"""Who may open the console's stock pages: one rule, used by the pages and the nav.

The pages are the back office's: counting, valuing and resolving stock. A
role needs ``stock.read`` and either ``stock.write`` (store managers) or
``books.read`` (accountants); owners and admins have both. A cashier has
``stock.read`` for the counter's own view (the box and the API), not these
pages: they show every location's figures, costs and other people's sales.
"""

from __future__ import annotations

from hub.accounts.permissions import Permission, allowed
from hub.accounts.principal import Role


def may_open_stock_pages(role: Role) -> bool:
    return allowed(role, Permission.STOCK_READ) and (
        allowed(role, Permission.STOCK_WRITE) or allowed(role, Permission.BOOKS_READ)
    )
