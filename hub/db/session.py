"""Session helpers shared by services (never commit)."""

from __future__ import annotations

from sqlalchemy.orm import Session

_SNAPSHOT = "setledger.snapshot"
"""session.info key: the transaction consistent_read set up (asking again in it is a no-op)."""


def consistent_read(session: Session) -> None:
    """Make the current transaction read one snapshot on PostgreSQL.

    Call first thing in the transaction. PostgreSQL's default READ
    COMMITTED gives each statement its own snapshot; a report made of
    several queries needs REPEATABLE READ. A SQLite transaction already
    reads one snapshot. A report called inside a page that already asked
    (a page showing the books beside the stock) reads the page's snapshot.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    current = session.get_transaction()
    if current is not None and session.info.get(_SNAPSHOT) is current:
        return
    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    session.info[_SNAPSHOT] = session.get_transaction()
