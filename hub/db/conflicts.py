"""Turn a unique-key violation into the structured DUPLICATE error.

Services check for duplicates first (to name the field in the answer);
this catches the race where another transaction commits the same key
between that check and our insert: the database's constraint decides.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from setledger import errors


@contextmanager
def duplicate_on_conflict(thing: str, field: str, value: object) -> Iterator[None]:
    try:
        yield
    except IntegrityError as err:
        raise errors.DUPLICATE.error(thing=thing, field=field, value=value) from err
