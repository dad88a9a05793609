"""Provisioning: give a box its identity, first catalog and staff in one transaction.

The bundle comes from the hub (the demo writes one; enrolment with claim
codes and certificates comes with the replication and provisioning work).
Applying a bundle again is safe: identity is replaced, the catalog
snapshot and the staff roster applied if they are newer, and the epoch kept.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from edge.services import catalog, staff
from edge.services.identity import (
    ProvisionBundle,
    current_epoch,
    load_identity,
    require_identity,
    start_epoch,
    write_identity,
    write_link,
)
from edge.store import clock_floor
from edge.store.db import BoxDatabase
from setledger.hlc import HLCTimestamp, unix_ms

log = logging.getLogger("edge.provisioning")


def provision(db: BoxDatabase, bundle: ProvisionBundle, now: datetime) -> bool:
    """Apply ``bundle``; returns True when the catalog was (re)loaded."""
    with db.writer.begin() as conn:
        existing = load_identity(conn)
        if existing is not None and existing.device_id != str(bundle.device_id):
            raise ValueError(
                f"this box is device {existing.device_id}; the bundle is for {bundle.device_id}"
            )
        write_identity(conn, bundle, now)
        write_link(conn, bundle)
        # The hub's snapshot time is a floor for the box's clock: a new box
        # that boots at 1970 with no network still dates its sales after it.
        snapshot_time = unix_ms(bundle.catalog.generated_at)
        clock_floor.raise_to(conn, HLCTimestamp(snapshot_time, 0, str(bundle.device_id)))
        if current_epoch(conn) is None:
            start_epoch(conn, "database created", now)
        loaded = bundle.catalog.version > catalog.catalog_version(conn)
        if loaded:
            catalog.apply_snapshot(conn, bundle.catalog, now)
        if bundle.staff is not None:
            # Only if newer: restarting with an old bundle must not bring back
            # members a later roster (from the hub) disabled.
            staff.apply_roster(conn, require_identity(conn), bundle.staff, now)
    log.info(
        "box provisioned",
        extra={"device_id": str(bundle.device_id), "catalog_version": bundle.catalog.version},
    )
    return loaded


def provision_from_file(db: BoxDatabase, path: Path, now: datetime) -> bool:
    bundle = ProvisionBundle.model_validate_json(path.read_text(encoding="utf-8"))
    return provision(db, bundle, now)
