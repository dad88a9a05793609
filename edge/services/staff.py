"""The staff roster at the box: who may sign in at this counter, and as what.

The hub is the single writer of the roster; it reaches the box in the
provisioning bundle and then as a retained MQTT message. A roster replaces
the box's members whole, in one transaction, and only when its version is
newer, so a stale retained copy or a replay cannot bring back a member the
hub has disabled. Members who are gone, disabled or have a new PIN lose
their box sessions in that same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from edge.services import sessions
from edge.services.identity import BoxIdentity
from edge.store import tables as t
from setledger.contracts import MANAGER_ROLES, StaffRoster

log = logging.getLogger("edge.staff")


@dataclass(frozen=True)
class Member:
    user_id: str
    user_code: str
    display_name: str
    role: str
    pin_hash: str | None
    active: bool

    @property
    def can_sign_in(self) -> bool:
        return self.active and self.pin_hash is not None

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES


class RosterMismatch(ValueError):
    """A roster for another org or store than this box's."""


def roster_version(conn: Connection) -> int:
    version = conn.execute(
        select(t.staff_roster.c.version).where(t.staff_roster.c.id == 1)
    ).scalar()
    return int(version or 0)


def member(conn: Connection, user_id: str) -> Member | None:
    row = conn.execute(select(t.staff_member).where(t.staff_member.c.user_id == user_id)).first()
    return None if row is None else Member(**row._mapping)


def sign_in_list(conn: Connection) -> list[Member]:
    """Members who can sign in here, by name (for the sign-in screen)."""
    rows = conn.execute(
        select(t.staff_member)
        .where(t.staff_member.c.active.is_(True), t.staff_member.c.pin_hash.is_not(None))
        .order_by(t.staff_member.c.display_name, t.staff_member.c.user_id)
    ).all()
    return [Member(**r._mapping) for r in rows]


def apply_roster(
    conn: Connection, identity: BoxIdentity, roster: StaffRoster, now: datetime
) -> bool:
    """Replace the members with ``roster`` if it is newer; inside the caller's
    write transaction. Returns True when applied."""
    if roster.org_id != identity.org_id or str(roster.store_id) != identity.store_id:
        raise RosterMismatch(
            f"roster of {roster.org_id}/{roster.store_id} for a box of "
            f"{identity.org_id}/{identity.store_id}"
        )
    applied = roster_version(conn)
    if roster.version <= applied:
        return False
    before = {m.user_id: m for m in _all(conn)}
    after = {str(m.user_id): m for m in roster.members}
    # Sessions end for members who are gone, disabled, without a PIN, or
    # whose PIN changed (as a password change ends other sessions).
    ending = [
        user_id
        for user_id, old in before.items()
        if user_id not in after
        or not after[user_id].active
        or after[user_id].pin_hash is None
        or after[user_id].pin_hash != old.pin_hash
    ]
    sessions.end_for_members(conn, ending, "roster", now)
    conn.execute(t.staff_member.delete())
    if roster.members:
        conn.execute(
            insert(t.staff_member),
            [
                {
                    "user_id": str(m.user_id),
                    "user_code": m.user_code,
                    "display_name": m.display_name,
                    "role": m.role,
                    "pin_hash": m.pin_hash,
                    "active": m.active,
                }
                for m in roster.members
            ],
        )
    conn.execute(t.staff_roster.delete())
    conn.execute(
        insert(t.staff_roster).values(
            id=1,
            version=roster.version,
            generated_at=roster.generated_at.isoformat(),
            applied_at=now.isoformat(),
        )
    )
    log.info(
        "staff roster applied",
        extra={"from": applied, "to": roster.version, "members": len(roster.members)},
    )
    return True


def _all(conn: Connection) -> list[Member]:
    return [Member(**r._mapping) for r in conn.execute(select(t.staff_member))]
