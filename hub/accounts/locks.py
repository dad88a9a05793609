"""One writer at a time per org for what must be sequential: the audit chain,
member numbers, and the sign-in failure counters.

On PostgreSQL a transaction-scoped advisory lock keyed by the org; on SQLite
nothing is needed, since the hub's SQLite transactions start with BEGIN
IMMEDIATE and so already run one at a time.

Re-reading rows for update: services run several transactions on one
session, and the hub's sessions do not expire objects on commit, so every
``with_for_update()`` here also sets ``populate_existing``; otherwise the
locked re-read would hand back the object from an earlier transaction,
stale (e.g. a TOTP step already used by a parallel request).
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

# The first key of the two-key advisory lock: keeps ours apart from the
# migration lock and any other user of advisory locks.
ACCOUNTS_LOCK_SPACE = 0x5E7A


def lock_org(session: Session, org_id: uuid.UUID) -> None:
    """Block until this transaction is the org's only accounts writer."""
    if session.get_bind().dialect.name != "postgresql":
        return
    # 32 bits of the org id: a collision only makes two orgs wait for each other.
    key = int.from_bytes(org_id.bytes[:4], "big", signed=True)
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"),
        {"space": ACCOUNTS_LOCK_SPACE, "key": key},
    )
