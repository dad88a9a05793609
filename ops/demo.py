"""``make run``: a broker, a hub and one demo store box, all on this machine.

Everything lives under one folder (``var/`` by default): the broker's
config, data and log, the hub's SQLite database, the box's database and
the logs of each process. The hub is seeded through its own HTTP API, and
the box is provisioned from the hub's catalog snapshot, so the demo runs
the same paths a real installation does. Ctrl-C stops all three cleanly.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import pyotp
from sqlalchemy import create_engine

from edge.services.identity import SellerProfile
from hub.accounts.keyring import new_key_entry
from ops import demo_data
from ops.broker import Broker, port_open
from provisioning.broker.credentials import write_broker_files

READY_LINE = "setLedger demo is running"
HUB_MQTT_USER = "hub"


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path


def _start(name: str, args: list[str], log: Path, env: dict[str, str]) -> Child:
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = log.open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ops.cli", *args],
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    return Child(name, proc, log)


def _wait_healthy(child: Child, url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.proc.poll() is not None:
            raise RuntimeError(
                f"the {child.name} exited ({child.proc.returncode}); see {child.log}"
            )
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"the {child.name} did not become healthy at {url}; see {child.log}")


def _stop(child: Child, timeout: float = 15.0) -> None:
    if child.proc.poll() is None:
        child.proc.send_signal(signal.SIGTERM)
        try:
            child.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.proc.kill()
            child.proc.wait()


def _secret(path: Path, prefix: str) -> str:
    """A random secret, made once per demo folder and kept there (mode 600)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = prefix + secrets.token_urlsafe(24)
    path.write_text(value)
    path.chmod(0o600)
    return value


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(f"hub refused {response.request.url}: {response.text}")
    return response.json()


def owner_session(hub: httpx.Client, owner: dict[str, Any]) -> str:
    """Sign the demo owner in (password + the authenticator's current code); a token."""
    totp = pyotp.TOTP(owner["totp_secret"])
    for _ in range(2):
        body = {"username": owner["username"], "password": owner["password"], "code": totp.now()}
        response = hub.post("/api/v1/auth/sign-in", json=body)
        if response.status_code == 200:
            token: str = response.json()["session"]["token"]
            return token
        # A code is good once: if this step's was just used (enrolment), wait for the next.
        time.sleep(30 - time.time() % 30 + 0.5)
    raise RuntimeError(f"the demo owner could not sign in: {response.text}")


def sign_up_owner(hub: httpx.Client) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The demo org and its owner, TOTP enrolled as the hub requires of owners."""
    password = secrets.token_urlsafe(12)
    signed = _check(
        hub.post(
            "/api/v1/auth/signup",
            json={
                "org": {
                    "name": demo_data.ORG_NAME,
                    "state_code": demo_data.ORG_STATE,
                    "gstin": demo_data.ORG_GSTIN,
                },
                "username": demo_data.OWNER_USERNAME,
                "password": password,
                "display_name": demo_data.OWNER_NAME,
                "email": demo_data.OWNER_EMAIL,
            },
        )
    )
    token = signed["session"]["token"]
    auth = {"Authorization": f"Bearer {token}"}
    enrolment = _check(hub.post("/api/v1/auth/totp/enrol", headers=auth))
    code = pyotp.TOTP(enrolment["secret"]).now()
    codes = _check(hub.post("/api/v1/auth/totp/confirm", headers=auth, json={"code": code}))
    owner = {
        "username": demo_data.OWNER_USERNAME,
        "password": password,
        "user_id": signed["member"]["user_id"],
        "totp_secret": enrolment["secret"],
        "otpauth_uri": enrolment["otpauth_uri"],
        "backup_codes": codes["codes"],
    }
    org = _check(hub.get(f"/api/v1/orgs/{signed['member']['org_id']}", headers=auth))
    return org, owner, token


def seed_hub(hub: httpx.Client, state_file: Path) -> tuple[dict[str, Any], str]:
    """Create the demo org, its owner, store, device, staff and catalog once.

    Everything goes through the hub's API as the signed-up owner would do
    it; returns the demo's ids and secrets, and an owner session token.
    """
    if state_file.exists():
        state: dict[str, Any] = json.loads(state_file.read_text())
        token = owner_session(hub, state["owner"])
        return state, token
    org, owner, token = sign_up_owner(hub)
    hub.headers["Authorization"] = f"Bearer {token}"
    org_id = org["org_id"]
    store = _check(
        hub.post(
            f"/api/v1/orgs/{org_id}/stores",
            json={
                "name": demo_data.STORE_NAME,
                "code": demo_data.STORE_CODE,
                "state_code": demo_data.ORG_STATE,
                "gstin": demo_data.ORG_GSTIN,
                "address": "Ranade Road, Dadar West, Mumbai 400028",
            },
        )
    )
    # What invoices, returns and e-invoices print for the seller (GET shows what is missing).
    _check(
        hub.put(
            f"/api/v1/orgs/{org_id}/tax-profile",
            json={
                "gstin": demo_data.ORG_GSTIN,
                "legal_name": demo_data.ORG_NAME,
                "address1": "Ranade Road, Dadar West",
                "location": "Mumbai",
                "pin": 400028,
                "aato": 3_00_00_000_00,  # ₹3 crore: 4-digit HSN on B2C lines (R14)
                "upi_vpa": "sharmastore@okaxis",
                "upi_payee": demo_data.ORG_NAME,
            },
        )
    )
    device = _check(
        hub.post(
            f"/api/v1/orgs/{org_id}/devices",
            json={
                "store_id": store["store_id"],
                "name": demo_data.DEVICE_NAME,
                "invoice_prefix": demo_data.INVOICE_PREFIX,
            },
        )
    )
    products = []
    for index, p in enumerate(demo_data.PRODUCTS, start=1):
        made = _check(
            hub.post(
                f"/api/v1/orgs/{org_id}/products",
                json={
                    "sku": p.sku,
                    "name": p.name,
                    "hsn": p.hsn,
                    "unit": p.unit,
                    "fractional_qty": p.fractional,
                    "gst_rate_bp": p.rate_bp,
                    "price_includes_tax": True,
                    "price": p.price,
                    "mrp": p.mrp,
                    "barcodes": [demo_data.barcode_of(index)] if p.barcode else [],
                    "category": p.category,
                },
            )
        )
        products.append((made["product_id"], p))
    opening_stock(hub, org_id, store["store_id"], products)
    staff = []
    for name, role, pin in demo_data.STAFF:
        member = _check(
            hub.post(
                f"/api/v1/orgs/{org_id}/staff",
                json={"display_name": name, "role": role, "pin": pin},
            )
        )
        staff.append(
            {"user_id": member["uuid"], "code": member["user_id"], "name": name, "role": role}
            | {"pin": pin}
        )
    state = {
        "owner": owner,
        "staff": staff,
        "org_id": org_id,
        "org_name": org["name"],
        "store_id": store["store_id"],
        "store_name": store["name"],
        "device_id": device["device_id"],
        "device_name": device["name"],
        "device_token": device["token"],
        "invoice_prefix": device["invoice_prefix"],
        "seller_state": store["state_code"],
        "seller_gstin": store["gstin"],
    }
    state_file.write_text(json.dumps(state, indent=2))
    state_file.chmod(0o600)
    return state, token


def opening_stock(
    hub: httpx.Client, org_id: str, store_id: str, products: list[tuple[str, Any]]
) -> None:
    """The shelves are stocked as a shop would do it: a purchase order from a supplier,
    sent, received in full and billed (stock, its cost and the books follow), and a
    min/max reorder rule on the atta."""
    base = f"/api/v1/orgs/{org_id}"
    supplier = _check(
        hub.post(
            f"{base}/suppliers",
            json={"name": demo_data.SUPPLIER_NAME, "state_code": demo_data.ORG_STATE},
        )
    )
    order = _check(
        hub.post(
            f"{base}/purchase-orders",
            json={
                "supplier_id": supplier["supplier_id"],
                "location_id": store_id,
                "note": "Opening stock",
                "lines": [
                    {
                        "product_id": product_id,
                        "qty": demo_data.OPENING_UNITS * 1000,
                        "unit_cost": demo_data.unit_cost(p),
                    }
                    for product_id, p in products
                ],
            },
        )
    )
    po = f"{base}/purchase-orders/{order['po_id']}"
    hub.post(f"{po}/send").raise_for_status()  # answers the PDF
    lines = [{"line_no": line["line_no"], "qty": line["qty"]} for line in order["lines"]]
    _check(hub.post(f"{po}/receipts", json={"receipt_id": str(uuid.uuid4()), "lines": lines}))
    _check(
        hub.post(
            f"{po}/bills",
            json={
                "bill_id": str(uuid.uuid4()),
                "bill_no": "BWT/1",
                "bill_date": date.today().isoformat(),
            },
        )
    )
    atta = next(product_id for product_id, p in products if p.sku == "ATTA-5KG")
    _check(
        hub.put(
            f"{base}/reorder-rules/{store_id}/{atta}",
            json={"min_qty": 6000, "max_qty": 24000, "pack_qty": 6000},
        )
    )


def write_bundle(
    hub: httpx.Client, state: dict[str, Any], path: Path, hub_url: str, broker_url: str
) -> None:
    """The box's provisioning bundle: identity, the hub's catalog and staff roster, and
    where and how to connect."""
    org_id, store_id = state["org_id"], state["store_id"]
    snapshot = _check(hub.get(f"/api/v1/orgs/{org_id}/catalog/snapshot"))
    roster = _check(hub.get(f"/api/v1/orgs/{org_id}/stores/{store_id}/staff"))
    profile = _check(hub.get(f"/api/v1/orgs/{org_id}/tax-profile"))
    identity = {k: v for k, v in state.items() if k not in {"staff", "owner"}}
    bundle = identity | {
        "seller": {k: v for k, v in profile.items() if k in SellerProfile.model_fields},
        "catalog": snapshot,
        "staff": roster,
        "hub_url": hub_url,
        "broker_url": broker_url,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(bundle))


def banner(
    hub_url: str, box_url: str, broker_port: int, token: str, state: dict[str, Any], var: Path
) -> str:
    owner = state["owner"]
    atta = demo_data.barcode_of(2)
    cashier = next(m for m in state["staff"] if m["role"] == "cashier")
    staff_lines = "\n                       ".join(
        f"{m['name']} ({m['role']}, {m['code']}): user_id {m['user_id']}, PIN {m['pin']}"
        for m in state["staff"]
    )
    return f"""
{READY_LINE}.

  Store box  POS   {box_url}/pos/   (sign in as a cashier below; scan by typing a barcode + Enter)
             API   {box_url}/api/v1/box
             docs  {box_url}/docs
             fake scanner: POST {box_url}/api/v1/devices/till-1/scan {{"text": "8901234000021"}}
             receipts (ESC/POS bytes): {var / "box" / "receipts.escpos"}
  Hub        console {hub_url}/console/
             API   {hub_url}/api/v1/orgs/{state["org_id"]}
             docs  {hub_url}/docs
  Broker     mqtt://127.0.0.1:{broker_port}  (Mosquitto, config {var / "broker" / "mosquitto.conf"})
  The box replicates its sales to the hub over MQTT (one ingest worker);
  catalog changes at the hub reach the box the same way, and so does the store's stock:
  {demo_data.OPENING_UNITS} of each product came in on PO-00001 from {demo_data.SUPPLIER_NAME}
  (received and billed; console Stock and Purchasing), so a sale shows up on the shelf count.

  Logins
    Hub owner:         username {owner["username"]}, password {owner["password"]}
                       two-factor: add this to an authenticator app (or type the secret)
                       {owner["otpauth_uri"]}
                       secret {owner["totp_secret"]}; one-time backup codes:
                       {" ".join(owner["backup_codes"][:5])}
                       (all in {var / "demo-state.json"})
    Owner API session: {token}
                       (send as 'Authorization: Bearer <token>'; it expires when idle)
    Demo org:          {state["org_name"]}  {state["org_id"]}
    Store box:         {state["store_name"]} / {state["device_name"]}
    Counter staff:     {staff_lines}
    Box MQTT login:    {state["device_id"]} / its device token ({var / "demo-state.json"})

  Sign in at the box as the cashier, then ring up a sale (Aashirvaad Atta x 2, ₹600 cash):
    TOKEN=$(curl -s -XPOST {box_url}/api/v1/auth/pin -H 'content-type: application/json' \\
      -d '{{"user_id":"{cashier["user_id"]}","pin":"{cashier["pin"]}"}}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
    curl -s -XPOST {box_url}/api/v1/sales -H 'content-type: application/json' -H "Authorization: Bearer $TOKEN" \\
      -d '{{"sale_id":"'$(python3 -c 'import uuid;print(uuid.uuid4())')'","lines":[{{"code":"{atta}","qty":2}}],"tenders":[{{"kind":"cash","amount":60000}}]}}'

  ...and see it at the hub a moment later, then in the books (posted every 5 s)
  and the month's GSTR-1:
    curl -s -H 'Authorization: Bearer {token}' {hub_url}/api/v1/orgs/{state["org_id"]}/sales
    curl -s -H 'Authorization: Bearer {token}' {hub_url}/api/v1/orgs/{state["org_id"]}/ledger/trial-balance
    curl -s -H 'Authorization: Bearer {token}' "{hub_url}/api/v1/orgs/{state["org_id"]}/gst/gstr1?period=$(date +%Y-%m)"
  or sign in to the console and open Books.

  Logs in {var / "log"}. Press Ctrl-C to stop everything.
"""


def run_demo(var_dir: Path, broker_port: int, hub_port: int, box_port: int) -> int:
    var = var_dir.resolve()
    for port, what in ((hub_port, "hub"), (box_port, "box"), (broker_port, "broker")):
        if port_open(port):
            print(
                f"Port {port} for the {what} is in use. Stop what uses it or set SETLEDGER_{what.upper()}_PORT."
            )
            return 1
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    children: list[Child] = []
    exit_code = 0
    try:
        mqtt_password = _secret(var / "hub" / "mqtt-password", "")
        key_file = var / "hub" / "secret-keys"
        if not key_file.exists():  # encrypts TOTP secrets; kept out of the database
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(new_key_entry("demo1") + "\n")
            key_file.chmod(0o600)
        database_url = f"sqlite:///{var / 'hub' / 'hub.db'}"
        hub_url = f"http://127.0.0.1:{hub_port}"
        broker_url = f"mqtt://127.0.0.1:{broker_port}"
        hub_env = {
            "SETLEDGER_HUB_DATABASE_URL": database_url,
            "SETLEDGER_HUB_PUBLIC_URL": hub_url,
            "SETLEDGER_HUB_SECRET_KEY_FILE": str(key_file),
            "SETLEDGER_HUB_BROKER_URL": broker_url,
            "SETLEDGER_HUB_MQTT_USERNAME": HUB_MQTT_USER,
            "SETLEDGER_HUB_MQTT_PASSWORD": mqtt_password,
        }
        hub = _start(
            "hub", ["hub", "serve", "--port", str(hub_port)], var / "log" / "hub.log", hub_env
        )
        children.append(hub)
        _wait_healthy(hub, hub_url)

        with httpx.Client(base_url=hub_url, timeout=30) as client:
            state, token = seed_hub(client, var / "demo-state.json")
            client.headers["Authorization"] = f"Bearer {token}"
            write_bundle(client, state, var / "box" / "provision.json", hub_url, broker_url)

        # The broker admits only the hub and the registered boxes, each to its own topics.
        engine = create_engine(database_url)
        try:
            passwords, acl = write_broker_files(
                engine, var / "broker" / "auth", HUB_MQTT_USER, mqtt_password
            )
        finally:
            engine.dispose()
        broker = Broker(var / "broker", broker_port, password_file=passwords, acl_file=acl).start()
        assert broker.proc is not None
        children.append(Child("broker", broker.proc, var / "broker" / "mosquitto.log"))

        worker = _start(
            "hub worker",
            ["hub", "worker", "--name", "w1", "--with-publisher"],
            var / "log" / "worker.log",
            hub_env,
        )
        children.append(worker)
        poster = _start(
            "ledger poster",
            ["hub", "post-ledger", "--every", "5"],
            var / "log" / "post-ledger.log",
            hub_env,
        )
        children.append(poster)

        box_url = f"http://127.0.0.1:{box_port}"
        box = _start(
            "box",
            [
                "box", "serve", "--port", str(box_port),
                "--data-dir", str(var / "box"),
                "--provision-file", str(var / "box" / "provision.json"),
            ],
            var / "log" / "box.log",
            {
                # A fake scanner to scan with (POST /api/v1/devices/till-1/scan) and a
                # "printer" that appends each receipt's ESC/POS bytes to a file.
                "SETLEDGER_BOX_DEVICES": json.dumps([{"name": "till-1", "transport": "fake"}]),
                "SETLEDGER_BOX_PRINTER": json.dumps(
                    {"transport": "file", "path": str(var / "box" / "receipts.escpos"), "paper_mm": 80}
                ),
            },
        )  # fmt: skip
        children.append(box)
        _wait_healthy(box, box_url)

        print(banner(hub_url, box_url, broker_port, token, state, var), flush=True)
        while not stopping:
            for child in children:
                if child.proc.poll() is not None:
                    print(
                        f"The {child.name} stopped unexpectedly ({child.proc.returncode}); see {child.log}"
                    )
                    exit_code = 1
                    stopping = True
            time.sleep(0.2)
    except (RuntimeError, TimeoutError, FileNotFoundError) as err:
        print(f"Could not start the demo: {err}", file=sys.stderr)
        exit_code = 1
    finally:
        for child in reversed(children):
            _stop(child)
        print("Stopped: box, hub worker, hub and broker.", flush=True)
    return exit_code
