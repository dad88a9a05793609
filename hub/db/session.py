"""Session helpers shared by services (never commit)."""

from __future__ import annotations

from sqlalchemy.orm import Session


def consistent_read(session: Session) -> None:
    """Make the current transaction read one snapshot on PostgreSQL.

    Call first thing in the transaction. PostgreSQL's default READ
    COMMITTED gives each statement its own snapshot; a report made of
    several queries needs REPEATABLE READ. A SQLite transaction already
    reads one snapshot.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
