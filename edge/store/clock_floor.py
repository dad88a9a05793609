"""The lowest HLC the box may restart from (learnt from the hub)."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select

from edge.store import tables as t
from setledger.hlc import HLCTimestamp


def raise_to(conn: Connection, stamp: HLCTimestamp) -> None:
    """Move the floor up to ``stamp`` (never down). Never commits."""
    current = conn.execute(select(t.clock_state.c.hlc).where(t.clock_state.c.id == 1)).scalar()
    if current is None:
        conn.execute(insert(t.clock_state).values(id=1, hlc=stamp.encode()))
    elif HLCTimestamp.decode(current) < stamp:
        conn.execute(
            t.clock_state.update().where(t.clock_state.c.id == 1).values(hlc=stamp.encode())
        )


def restart_point(conn: Connection) -> HLCTimestamp | None:
    """Where the clock resumes: the later of the newest sale and the floor."""
    stamps = [
        conn.execute(select(func.max(t.sale.c.hlc))).scalar(),
        conn.execute(select(t.clock_state.c.hlc).where(t.clock_state.c.id == 1)).scalar(),
    ]
    decoded = [HLCTimestamp.decode(s) for s in stamps if s]
    if not decoded:
        return None
    # Compare (wall, counter) only: the floor may carry another node name.
    return max(decoded, key=lambda s: (s.wall_ms, s.counter))
