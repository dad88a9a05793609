"""The hub's background commands, under ``setledger hub`` (and ``python -m hub.cli``).

    worker [--name N] [--with-publisher]   ingest worker (MQTT -> database -> acks)
    publisher                              catalog publisher (database -> retained manifests)
    broker-files --out DIR                 Mosquitto password file and ACL from the registry
    post-ledger [--org CODE] [--every S]   post ingested sales, returns, shift over/shorts
                                           and stock at cost (COGS, receipts, adjustments)
    einvoice-submit [--org CODE] [--every S]  send queued e-invoices through the connector

Settings come from the environment (``HubSettings.from_env``). SIGTERM or
SIGINT stops a worker cleanly: it finishes the messages it holds, so
their acks go out, then disconnects.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from appkit.logs import configure_logging
from hub.settings import HubSettings


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    return stop


def _settings() -> HubSettings:
    settings = HubSettings.from_env()
    configure_logging("hub", settings.log_level)
    if settings.migrate_on_start:
        from hub.db import migrate

        migrate(settings)
    return settings


def worker(args: argparse.Namespace) -> int:
    from hub.catalog.publisher import run_publisher
    from hub.ingest.worker import run_worker

    settings = _settings()
    stop = _stop_on_signals()
    publisher = None
    if args.with_publisher:
        publisher = threading.Thread(
            target=run_publisher, args=(settings, stop), name="catalog-publisher"
        )
        publisher.start()
    try:
        run_worker(settings, stop, name=args.name)
    finally:
        stop.set()
        if publisher is not None:
            publisher.join()
    return 0


def publisher(args: argparse.Namespace) -> int:
    from hub.catalog.publisher import run_publisher

    settings = _settings()
    run_publisher(settings, _stop_on_signals())
    return 0


def broker_files(args: argparse.Namespace) -> int:
    from hub.db import make_engine
    from provisioning.broker.credentials import write_broker_files

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        written = write_broker_files(
            engine,
            Path(args.out),
            settings.mqtt_username,
            settings.mqtt_password.get_secret_value(),
        )
    finally:
        engine.dispose()
    for path in written:
        print(path)
    return 0


def post_ledger(args: argparse.Namespace) -> int:
    import json

    from sqlalchemy.orm import sessionmaker

    from hub.db import make_engine
    from hub.ledger.sales import post_every_org

    settings = _settings()
    engine = make_engine(settings.database_url)
    stop = _stop_on_signals()
    try:
        while True:
            written = post_every_org(sessionmaker(engine, expire_on_commit=False), args.org)
            print(json.dumps({"posted": written}), flush=True)
            if args.every is None or stop.wait(args.every):
                return 0
    finally:
        engine.dispose()


def stock_rebuild(args: argparse.Namespace) -> int:
    import json

    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from hub.db import make_engine
    from hub.db.models import Org
    from hub.stock.ledger import rebuild_levels

    engine = make_engine(_settings().database_url)
    try:
        sessions = sessionmaker(engine, expire_on_commit=False)
        with sessions() as session:
            query = select(Org.org_id, Org.org_code)
            if args.org:
                query = query.where(Org.org_code == args.org)
            orgs = session.execute(query).all()
        for org_id, code in orgs:
            with sessions() as session, session.begin():
                levels = rebuild_levels(session, org_id)
            print(json.dumps({"org": code, "levels": levels}), flush=True)
        return 0
    finally:
        engine.dispose()


def einvoice_submit(args: argparse.Namespace) -> int:
    import json

    from sqlalchemy.orm import sessionmaker

    from hub.db import make_engine
    from hub.einvoice.configured import configured_connector
    from hub.einvoice.worker import submit_every_org

    settings = _settings()
    connector = configured_connector(
        settings.einvoice_connector, production=settings.env == "production"
    )
    if connector is None:
        print(
            json.dumps(
                {
                    "submitted": {},
                    "connector": "none",
                    "hint": "queue only: set SETLEDGER_HUB_EINVOICE_CONNECTOR, "
                    "or use the offline export",
                }
            ),
            flush=True,
        )
        return 0
    engine = make_engine(settings.database_url)
    stop = _stop_on_signals()
    try:
        while True:
            sessions = sessionmaker(engine, expire_on_commit=False)
            report = submit_every_org(sessions, connector, args.org)
            print(json.dumps({"submitted": report, "connector": connector.name}), flush=True)
            if args.every is None or stop.wait(args.every):
                return 0
    finally:
        engine.dispose()


def add_commands(hub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the background commands to ``setledger hub``'s subcommands."""
    run = hub.add_parser("worker", help="run an ingest worker (MQTT uplink -> database)")
    run.add_argument("--name", help="worker name (default SETLEDGER_HUB_WORKER_NAME or host-pid)")
    run.add_argument(
        "--with-publisher",
        action="store_true",
        help="also run the catalog publisher in this process (one per hub)",
    )
    run.set_defaults(run=worker)
    pub = hub.add_parser("publisher", help="run the catalog publisher (retained manifests)")
    pub.set_defaults(run=publisher)
    files = hub.add_parser("broker-files", help="write Mosquitto's password file and ACL")
    files.add_argument("--out", required=True, help="folder for 'passwords' and 'acl'")
    files.set_defaults(run=broker_files)
    ledger = hub.add_parser("post-ledger", help="post sales, returns, over/shorts, stock at cost")
    ledger.add_argument("--org", help="only this org (ORG-xxxxxxxx)")
    ledger.add_argument("--every", type=float, help="keep posting, every this many seconds")
    ledger.set_defaults(run=post_ledger)
    rebuild = hub.add_parser("stock-rebuild", help="recompute stock levels from the ledger")
    rebuild.add_argument("--org", help="only this org (ORG-xxxxxxxx)")
    rebuild.set_defaults(run=stock_rebuild)
    einv = hub.add_parser("einvoice-submit", help="send queued e-invoices to the IRP connector")
    einv.add_argument("--org", help="only this org (ORG-xxxxxxxx)")
    einv.add_argument("--every", type=float, help="keep sending, every this many seconds")
    einv.set_defaults(run=einvoice_submit)


def main(argv: Sequence[str] | None = None) -> int:
    root = argparse.ArgumentParser(prog="python -m hub.cli", description=__doc__.split("\n\n")[0])
    add_commands(root.add_subparsers(dest="cmd", required=True))
    args = root.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
