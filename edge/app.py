"""The box's composition root: ``create_app(settings)`` builds one box app.

Nothing heavy happens at import or in ``create_app``: the database is
opened (and migrated, with a backup first) in the lifespan, so tests can
build an app per test and the CLI controls when start-up work runs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select, text

from appkit.wiring import wire
from edge.api import auth, carts, catalog, drawer, labels, pos_ui, receipts, returns, sales, shifts
from edge.api import box as box_routes
from edge.api import customers as customer_routes
from edge.api import devices as device_routes
from edge.api import reorders as reorder_routes
from edge.api import stock as stock_routes
from edge.devices.events import Broadcaster
from edge.devices.manager import DeviceCollector, build_manager
from edge.devices.printer.run import start_printer
from edge.metrics import BoxCollector
from edge.runtime import BoxRuntime, system_now
from edge.services.identity import load_identity, load_link
from edge.services.provisioning import provision_from_file
from edge.settings import BoxSettings
from edge.store import clock_floor, watermark
from edge.store import tables as t
from edge.store.db import BoxDatabase, open_database
from edge.sync.replicator import Replicator, ReplicatorSettings
from setledger import __version__
from setledger.hlc import HybridClock, unix_ms

log = logging.getLogger("edge.app")


def restore_clock(db: BoxDatabase, wall_clock: Callable[[], datetime]) -> HybridClock:
    """The HLC resumes after the newest sale it stamped, never before."""
    with db.reader.connect() as conn:
        device = conn.execute(select(t.box_identity.c.device_id)).scalar()
        last = clock_floor.restart_point(conn)
    node = device or "unprovisioned"
    return HybridClock(node, physical_ms=lambda: unix_ms(wall_clock()), last=last)


def start_replicator(box: BoxRuntime) -> Replicator | None:
    """Replicate when the box is provisioned and knows a broker; else stay offline."""
    if not box.settings.replicate:
        return None
    with box.db.reader.connect() as conn:
        identity = load_identity(conn)
        link = load_link(conn)
    link = replace(
        link,
        broker_url=box.settings.broker_url or link.broker_url,
        hub_url=box.settings.hub_url or link.hub_url,
    )
    if identity is None or link.broker_url is None:
        return None
    replicator = Replicator(
        box, identity, link, ReplicatorSettings(ack_timeout=box.settings.ack_timeout_s)
    )
    box.outbox_listener = replicator
    replicator.start()
    return replicator


def create_app(
    settings: BoxSettings, *, wall_clock: Callable[[], datetime] | None = None
) -> FastAPI:
    registry = CollectorRegistry()
    if wall_clock is None:
        offset = timedelta(seconds=settings.clock_offset_s)
        wall_clock = system_now if not offset else (lambda: system_now() + offset)
    clock_of_box: Callable[[], datetime] = wall_clock

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = open_database(settings.db_path, settings.backup_dir)
        if settings.provision_file is not None:
            provision_from_file(db, settings.provision_file, clock_of_box())
        with db.writer.begin() as conn:
            mark = watermark.recover(conn, settings.watermark_path, clock_of_box())
        box = BoxRuntime(
            settings=settings,
            db=db,
            clock=restore_clock(db, clock_of_box),
            wall_clock=clock_of_box,
            watermark=watermark.WatermarkKeeper(settings.watermark_path, mark),
        )
        app.state.box = box
        # The printer's queue is on the runtime before any sale: receipts follow commits.
        printer = start_printer(box, registry)
        app.state.printer = None if printer is None else printer.worker
        replicator = start_replicator(box)
        collector = BoxCollector(db, replicator)
        registry.register(collector)
        # Devices start after the database: a scan may look up the catalog.
        device_events = Broadcaster()
        devices = build_manager(settings.devices, device_events)
        if printer is not None:
            devices.add(printer.worker, printer.backoff)
        app.state.device_events, app.state.devices = device_events, devices
        device_collector = DeviceCollector(devices)
        registry.register(device_collector)
        await devices.start()
        log.info(
            "box started",
            extra={"db": str(settings.db_path), "replicating": replicator is not None},
        )
        try:
            yield
        finally:
            await devices.stop()
            device_events.close()
            registry.unregister(device_collector)
            if replicator is not None:
                replicator.stop()
            registry.unregister(collector)
            if printer is not None:
                printer.stop()
            db.dispose()
            log.info("box stopped")

    app = FastAPI(
        title="setLedger store box",
        version=__version__,
        description=(
            "The counter's local API: PIN sign-in, catalog, carts, sales, manager "
            "approvals. Works with no network."
        ),
        lifespan=lifespan,
    )

    def health() -> dict[str, Any]:
        box: BoxRuntime | None = getattr(app.state, "box", None)
        if box is None:
            return {"status": "starting"}
        try:
            with box.db.reader.connect() as conn:
                conn.execute(text("SELECT 1"))
                provisioned = conn.execute(
                    select(func.count()).select_from(t.box_identity)
                ).scalar()
        except Exception as err:  # noqa: BLE001 - a failing check is the report, not a crash
            return {"status": "failing", "database": f"error: {err}"}
        return {"status": "ok", "database": "ok", "provisioned": bool(provisioned)}

    wire(
        app,
        metric_prefix="setledger_box",
        registry=registry,
        max_body_bytes=settings.max_body_bytes,
        health=health,
    )
    for router in (
        box_routes.router,
        auth.router,
        catalog.router,
        carts.router,
        customer_routes.router,
        sales.router,
        returns.sales_router,
        returns.router,
        shifts.router,
        stock_routes.router,
        reorder_routes.router,
        receipts.router,
        drawer.router,
        labels.router,
        device_routes.router,
        pos_ui.router,
    ):
        app.include_router(router)
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory edge.app:app_from_env``."""
    return create_app(BoxSettings.from_env())
