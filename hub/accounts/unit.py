"""Functions other packages call with their own session (``resolve``,
``verify_chain``, ``roster_for_store``) join the caller's transaction when
there is one and otherwise run in their own, so they work both from a
request's fresh session and inside a larger unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def unit_of_work(session: Session) -> Iterator[None]:
    if session.in_transaction():
        yield  # the caller's transaction: the caller commits
        return
    with session.begin():
        yield
