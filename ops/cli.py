"""The ``setledger`` command.

setledger box serve      run a store box (API + docs)
setledger box provision  give a box its identity and catalog from a bundle
setledger hub serve      run the hub
setledger demo           broker + hub + one demo box (what ``make run`` runs)
setledger contracts export   write the wire contracts' JSON Schemas
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from appkit.logs import configure_logging


def _serve(app: object, host: str, port: int) -> None:
    # log_config=None keeps our JSON logging; uvicorn handles SIGINT/SIGTERM
    # by finishing in-flight requests and running the app's shutdown.
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)  # type: ignore[arg-type]


def box_serve(args: argparse.Namespace) -> int:
    from edge.app import create_app
    from edge.settings import BoxSettings

    settings = BoxSettings.from_env()
    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": Path(args.data_dir)})
    if args.provision_file:
        settings = settings.model_copy(update={"provision_file": Path(args.provision_file)})
    configure_logging("box", settings.log_level)
    _serve(create_app(settings), args.host, args.port)
    return 0


def box_provision(args: argparse.Namespace) -> int:
    from edge.runtime import system_now
    from edge.services.provisioning import provision_from_file
    from edge.settings import BoxSettings
    from edge.store.db import open_database

    configure_logging("box")
    settings = BoxSettings.from_env()
    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": Path(args.data_dir)})
    db = open_database(settings.db_path, settings.backup_dir)
    try:
        provision_from_file(db, Path(args.bundle), system_now())
    finally:
        db.dispose()
    return 0


def box_restore(args: argparse.Namespace) -> int:
    from edge.runtime import system_now
    from edge.services.restore import restore
    from edge.settings import BoxSettings

    configure_logging("box")
    settings = BoxSettings.from_env()
    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": Path(args.data_dir)})
    epoch = restore(
        Path(args.backup),
        settings.db_path,
        settings.backup_dir,
        settings.watermark_path,
        system_now(),
    )
    print(f"restored {args.backup}; the box continues in the new epoch {epoch}")
    return 0


def hub_serve(args: argparse.Namespace) -> int:
    from hub.app import create_app
    from hub.settings import HubSettings

    settings = HubSettings.from_env()
    configure_logging("hub")
    _serve(create_app(settings), args.host, args.port)
    return 0


def contracts_export(args: argparse.Namespace) -> int:
    from setledger.contracts import json_schemas

    target = Path(args.directory)
    target.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (target / name).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        print(target / name)
    return 0


def demo(args: argparse.Namespace) -> int:
    from ops.demo import run_demo

    return run_demo(
        var_dir=Path(args.var_dir),
        broker_port=args.broker_port,
        hub_port=args.hub_port,
        box_port=args.box_port,
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="setledger", description=__doc__.split("\n\n")[0])
    groups = root.add_subparsers(dest="group", required=True)

    box = groups.add_parser("box", help="the store box").add_subparsers(dest="cmd", required=True)
    serve = box.add_parser("serve", help="run the box API")
    serve.add_argument("--host", default=os.environ.get("SETLEDGER_BOX_HOST", "127.0.0.1"))
    serve.add_argument(
        "--port", type=int, default=int(os.environ.get("SETLEDGER_BOX_PORT", "8801"))
    )
    serve.add_argument("--data-dir")
    serve.add_argument("--provision-file")
    serve.set_defaults(run=box_serve)
    prov = box.add_parser("provision", help="apply a provisioning bundle (identity + catalog)")
    prov.add_argument("bundle")
    prov.add_argument("--data-dir")
    prov.set_defaults(run=box_provision)
    rest = box.add_parser("restore", help="put a backup copy of the box database back (new epoch)")
    rest.add_argument("backup")
    rest.add_argument("--data-dir")
    rest.set_defaults(run=box_restore)

    hub = groups.add_parser("hub", help="the hub").add_subparsers(dest="cmd", required=True)
    hub_srv = hub.add_parser("serve", help="run the hub API")
    hub_srv.add_argument("--host", default=os.environ.get("SETLEDGER_HUB_HOST", "127.0.0.1"))
    hub_srv.add_argument(
        "--port", type=int, default=int(os.environ.get("SETLEDGER_HUB_PORT", "8800"))
    )
    hub_srv.set_defaults(run=hub_serve)
    from hub.cli import add_commands as add_hub_commands  # worker, publisher, broker-files

    add_hub_commands(hub)

    run = groups.add_parser("demo", help="broker + hub + a demo box (make run)")
    run.add_argument("--var-dir", default=os.environ.get("SETLEDGER_VAR_DIR", "var"))
    run.add_argument(
        "--broker-port", type=int, default=int(os.environ.get("SETLEDGER_BROKER_PORT", "1884"))
    )
    run.add_argument(
        "--hub-port", type=int, default=int(os.environ.get("SETLEDGER_HUB_PORT", "8800"))
    )
    run.add_argument(
        "--box-port", type=int, default=int(os.environ.get("SETLEDGER_BOX_PORT", "8801"))
    )
    run.set_defaults(run=demo)

    contracts = groups.add_parser("contracts", help="wire contracts").add_subparsers(
        dest="cmd", required=True
    )
    export = contracts.add_parser("export", help="write JSON Schemas")
    export.add_argument("directory", nargs="?", default="setledger/contracts/schemas")
    export.set_defaults(run=contracts_export)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
