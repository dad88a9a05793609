"""The org's catalog version: one counter, bumped by every catalog change.

Boxes apply the catalog by version, so a change that did not bump it
would never reach them. The bump is an ``UPDATE ... RETURNING`` on the org
row: on PostgreSQL it holds the row lock until commit, which serialises
catalog writers of one org and gives every change its own number.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from hub.db.models import Org


def bump_catalog_version(session: Session, org: Org) -> int:
    version = session.execute(
        update(Org)
        .where(Org.org_id == org.org_id)
        .values(catalog_version=Org.catalog_version + 1)
        .returning(Org.catalog_version)
    ).scalar_one()
    org.catalog_version = version
    return version
