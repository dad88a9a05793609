"""The org's stock valuation method, as a history of choices (append-only).

The latest row (by ``changed_at``, then ``change_id``) holds; an org with
none values at the weighted average. A change revalues the whole history
(``hub.stock.valuation``): the next posting run books the difference.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class ValuationMethodChange(Base):
    __tablename__ = "valuation_method_change"
    __table_args__ = (ForeignKeyConstraint(["org_id"], ["org.org_id"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    change_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    """``fifo`` or ``average`` (``setledger.valuation.Method``)."""
    changed_at: Mapped[datetime]
    changed_by: Mapped[str | None] = mapped_column(String(200))
