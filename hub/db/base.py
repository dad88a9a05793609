"""The declarative base: one metadata, named constraints, shared column types.

Constraint names are fixed by a naming convention so migrations can refer
to them and both databases get the same names (SQLite batch migrations
need names to alter a constraint at all).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase

from hub.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every int column is BIGINT unless it says otherwise: money in paise and
    # quantities in thousandths outgrow 32 bits, and a default that can
    # overflow is worse than one that wastes four bytes.
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy's documented hook
        int: BigInteger(),
        uuid.UUID: Uuid(),
        datetime: UTCDateTime(),
        date: Date(),
    }
