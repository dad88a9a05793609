"""Row-level security, the second line of tenant isolation (PostgreSQL only).

The first line is the application's own scoping: every query names the
caller's org. The second is the database's: migration 0005 gives every
org table a ``tenant_isolation`` policy for the role ``setledger_tenant``
that only lets through rows whose ``org_id`` is ``setledger.org_id``.

A session that serves one org is marked with :func:`act_for_org`. Every
transaction it begins on PostgreSQL then sets ``setledger.org_id`` and
switches to ``setledger_tenant`` for that transaction only (``SET LOCAL``),
so a forgotten ``WHERE org_id = ...`` returns no other org's rows and a
write naming another org is refused. Both revert at commit or rollback,
so a pooled connection goes back clean.

Unmarked sessions (ingest workers, publishers, sign-in resolution, sign-up:
work that spans orgs or does not know the org yet) stay the connecting
role, which owns the tables and so is not subject to the policies. On
SQLite nothing happens: the embedded hub serves one shop and has no RLS.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import Session, SessionTransaction

ORG_KEY = "setledger.org_id"
"""The key in ``Session.info`` and the PostgreSQL setting the policies read."""

TENANT_ROLE = "setledger_tenant"
"""The role the policies apply to (made by migration 0005)."""


def act_for_org(session: Session, org_id: uuid.UUID) -> None:
    """Mark ``session`` as acting for one org, from its current transaction on.

    A transaction already in progress on PostgreSQL is switched at once;
    later ones are switched as they begin.
    """
    session.info[ORG_KEY] = org_id
    if session.in_transaction():
        # Procures the connection if the transaction has none yet; the hook
        # below then applies the mark, and applying it again is harmless.
        _apply(session.connection(), org_id)


def _apply(connection: Connection, org_id: uuid.UUID) -> None:
    if connection.dialect.name != "postgresql":
        return
    # is_local=true: the setting, like SET LOCAL ROLE, ends with the transaction.
    connection.execute(
        text("SELECT set_config(:key, :org, true)"), {"key": ORG_KEY, "org": str(org_id)}
    )
    connection.exec_driver_sql(f"SET LOCAL ROLE {TENANT_ROLE}")


@event.listens_for(Session, "after_begin")
def _act_for_marked_org(
    session: Session, transaction: SessionTransaction, connection: Connection
) -> None:
    org_id = session.info.get(ORG_KEY)
    if org_id is not None:
        _apply(connection, org_id)
