"""Each store's staff roster, versioned by content.

The roster is worked out from the members (``hub.accounts.members``); a
new version is made only when what a box would receive changes, so the
version a box holds says exactly which PINs and members it knows. Versions
only grow, per store: a box applies only a newer roster, and the same
versions go into provisioning bundles and over MQTT.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.members import roster_for_store
from hub.db.models import Org, StaffPublication
from setledger.canonical import digest
from setledger.contracts import StaffRoster


def current_roster(
    session: Session, org_id: uuid.UUID, store_id: uuid.UUID, now: datetime
) -> StaffRoster:
    """The store's roster, publishing a new version if the members changed.

    Runs in the caller's transaction (which commits it). Two callers racing
    on the same store meet on the publication row's lock (PostgreSQL) or the
    database's write lock (SQLite), so a version is never made twice.
    """
    members = roster_for_store(session, org_id, store_id)
    content = digest([m.model_dump(mode="json") for m in members])
    held = session.scalars(
        select(StaffPublication)
        .where(StaffPublication.org_id == org_id, StaffPublication.store_id == store_id)
        .with_for_update()
    ).first()
    if held is not None and held.digest == content:
        return StaffRoster.model_validate(held.roster)
    org = session.get(Org, org_id)
    assert org is not None  # roster_for_store found the store of this org
    roster = StaffRoster(
        org_id=org.org_code,
        store_id=store_id,
        version=1 if held is None else held.version + 1,
        generated_at=now,
        members=members,
    )
    if held is None:
        session.add(
            StaffPublication(
                org_id=org_id,
                store_id=store_id,
                version=roster.version,
                digest=content,
                roster=roster.model_dump(mode="json"),
                published_at=now,
            )
        )
    else:
        held.version = roster.version
        held.digest = content
        held.roster = roster.model_dump(mode="json")
        held.published_at = now
    session.flush()
    return roster
