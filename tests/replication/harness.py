"""A whole deployment in real processes: broker, hub API, hub workers, store box.

Every part runs as its own process, so a test can SIGKILL any of them:
- Mosquitto with the repo's config and the password file and ACL the hub
  writes from its registry (ops.broker.Broker);
- the hub API (``setledger hub serve``), which also serves catalog blobs;
- ingest workers (``setledger hub worker``, the first with the catalog
  publisher);
- one store box (``setledger box serve``) provisioned from the hub.

The hub's database is a fresh PostgreSQL database or a SQLite file.
"""

from __future__ import annotations

import secrets
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, func, select, text

from edge.services.identity import ProvisionBundle, SellerProfile
from hub.accounts.keyring import new_key_entry
from hub.db.models import DeviceCursor, Sale
from ops import demo_data
from ops.broker import Broker, free_port
from provisioning.broker.credentials import write_broker_files
from tests.edge.staff import sign_in
from tests.hub.harness import totp_code
from tests.processes import setledger, start, stop, wait_http

OWNER_PASSWORD = "Chai-Biscuit-42"
HUB_MQTT_USER = "hub"


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


@dataclass
class Deployment:
    root: Path
    database_url: str
    box_faults: str = ""
    worker_faults: str = ""
    fault_seed: int = 0
    box_env: dict[str, str] = field(default_factory=dict)
    """More of the box's settings (devices, printer) for every start of the box."""
    hub_env_extra: dict[str, str] = field(default_factory=dict)
    """More of the hub's settings for its API and workers (e.g. the stock inline limit)."""
    gstin: str | None = None
    """A GST-registered shop: the store's GSTIN and the org's tax profile (what its
    tax invoices and receipts print), carried to the box in its bundle."""
    workers_wanted: int = 1
    ack_timeout_s: float = 2.0
    mqtt_password: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    secret_keys: str = field(default_factory=lambda: new_key_entry("r1"))
    """The key that encrypts TOTP secrets at the hub."""
    broker: Broker | None = None
    hub_api: subprocess.Popen[bytes] | None = None
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    box: subprocess.Popen[bytes] | None = None
    hub_port: int = field(default_factory=free_port)
    box_port: int = field(default_factory=free_port)
    org: dict[str, Any] = field(default_factory=dict)
    store: dict[str, Any] = field(default_factory=dict)
    device: dict[str, Any] = field(default_factory=dict)
    engine: Engine | None = None
    token: str | None = None
    """The signed-in cashier's session at the box."""
    owner_token: str = ""
    """The org owner's session at the hub."""
    staff: dict[str, tuple[uuid.UUID, str]] = field(default_factory=dict)
    """Counter staff by role: (user id, PIN)."""
    _worker_count: int = 0

    # --- parts ---------------------------------------------------------------

    @property
    def hub_url(self) -> str:
        return f"http://127.0.0.1:{self.hub_port}"

    @property
    def box_url(self) -> str:
        return f"http://127.0.0.1:{self.box_port}"

    def hub_env(self) -> dict[str, str]:
        assert self.broker is not None
        return {
            "SETLEDGER_HUB_DATABASE_URL": self.database_url,
            "SETLEDGER_HUB_PUBLIC_URL": self.hub_url,
            "SETLEDGER_HUB_SECRET_KEYS": self.secret_keys,
            "SETLEDGER_HUB_BROKER_URL": self.broker.url,
            "SETLEDGER_HUB_MQTT_USERNAME": HUB_MQTT_USER,
            "SETLEDGER_HUB_MQTT_PASSWORD": self.mqtt_password,
            "SETLEDGER_HUB_CATALOG_POLL_MS": "200",
            "SETLEDGER_LOG_LEVEL": "INFO",
            **self.hub_env_extra,
        }

    def owner(self) -> httpx.Client:
        """A client of the hub API signed in as the org's owner."""
        return httpx.Client(
            base_url=self.hub_url,
            headers={"Authorization": f"Bearer {self.owner_token}"},
            timeout=30,
        )

    def sign_up(self) -> None:
        """The org and its owner, TOTP enrolled (owners must), as a shop would sign up."""
        username = f"owner{uuid.uuid4().hex[:8]}"
        with httpx.Client(base_url=self.hub_url, timeout=30) as hub:
            body = {
                "org": {"name": demo_data.ORG_NAME, "state_code": "27"},
                "username": username,
                "password": OWNER_PASSWORD,
                "display_name": "Asha Sharma",
                "email": f"{username}@example.in",
            }
            signed = hub.post("/api/v1/auth/signup", json=body)
            assert signed.status_code == 201, signed.text
            self.owner_token = signed.json()["session"]["token"]
            hub.headers["Authorization"] = f"Bearer {self.owner_token}"
            secret = hub.post("/api/v1/auth/totp/enrol").json()["secret"]
            confirmed = hub.post("/api/v1/auth/totp/confirm", json={"code": totp_code(secret)})
            assert confirmed.status_code == 200, confirmed.text
            self.org = hub.get(f"/api/v1/orgs/{signed.json()['member']['org_id']}").json()

    def up(self, products: int = 12) -> Deployment:
        """Hub API, seed, broker with the registry's credentials, workers, box."""
        self.broker = Broker(self.root / "broker", free_port())
        self.start_hub_api()
        self.seed(products)
        self.write_broker_files()
        self.broker.start()
        for _ in range(self.workers_wanted):
            self.start_worker()
        self.start_box()
        self.engine = create_engine(self.database_url)
        return self

    def down(self) -> None:
        if self.box is not None:
            stop(self.box)
        for proc in self.workers.values():
            stop(proc)
        if self.hub_api is not None:
            stop(self.hub_api)
        if self.broker is not None:
            self.broker.kill()
        if self.engine is not None:
            self.engine.dispose()

    def start_hub_api(self) -> None:
        args = setledger("hub", "serve", "--port", str(self.hub_port))
        env = {
            "SETLEDGER_HUB_DATABASE_URL": self.database_url,
            "SETLEDGER_HUB_PUBLIC_URL": self.hub_url,
            "SETLEDGER_HUB_SECRET_KEYS": self.secret_keys,
        }
        self.hub_api = start(args, self.root / "hub-api.log", env)
        wait_http(f"{self.hub_url}/healthz", timeout=60, proc=self.hub_api)

    def seed(self, products: int) -> None:
        self.sign_up()
        with self.owner() as hub:
            org = self.org["org_id"]
            store = {"name": demo_data.STORE_NAME, "code": "DADAR", "state_code": "27"}
            if self.gstin:
                store["gstin"] = self.gstin
                profile = hub.put(
                    f"/api/v1/orgs/{org}/tax-profile",
                    json={
                        "gstin": self.gstin,
                        "legal_name": demo_data.ORG_NAME,
                        "address1": "Ranade Road, Dadar West",
                        "location": "Mumbai",
                        "pin": 400028,
                        "aato": 3_00_00_000_00,
                        "upi_vpa": "sharmastore@okaxis",
                        "upi_payee": demo_data.ORG_NAME,
                    },
                )
                assert profile.status_code == 200, profile.text
            self.store = hub.post(f"/api/v1/orgs/{org}/stores", json=store).json()
            self.device = hub.post(
                f"/api/v1/orgs/{org}/devices",
                json={
                    "store_id": self.store["store_id"],
                    "name": "Counter 1",
                    "invoice_prefix": "C1",
                },
            ).json()
            for index, p in enumerate(demo_data.PRODUCTS[:products], start=1):
                r = hub.post(
                    f"/api/v1/orgs/{org}/products",
                    json={
                        "sku": p.sku,
                        "name": p.name,
                        "hsn": p.hsn,
                        "unit": p.unit,
                        "fractional_qty": p.fractional,
                        "gst_rate_bp": p.rate_bp,
                        "price": p.price,
                        "mrp": p.mrp,
                        "barcodes": [demo_data.barcode_of(index)] if p.barcode else [],
                    },
                )
                assert r.status_code == 201, r.text
            # The counter staff, PIN-only members the hub puts on the store's roster.
            for name, role, pin in demo_data.STAFF:
                r = hub.post(
                    f"/api/v1/orgs/{org}/staff",
                    json={"display_name": name, "role": role, "pin": pin},
                )
                assert r.status_code == 201, r.text
                self.staff[role] = (uuid.UUID(r.json()["uuid"]), pin)

    def add_staff(self, name: str, role: str, pin: str) -> dict[str, Any]:
        """Another counter member at the hub (reaches the box with the next roster)."""
        with self.owner() as hub:
            r = hub.post(
                f"/api/v1/orgs/{self.org['org_id']}/staff",
                json={"display_name": name, "role": role, "pin": pin},
            )
        assert r.status_code == 201, r.text
        member: dict[str, Any] = r.json()
        return member

    def write_broker_files(self) -> None:
        engine = create_engine(self.database_url)
        try:
            passwords, acl = write_broker_files(
                engine, self.root / "broker-auth", HUB_MQTT_USER, self.mqtt_password
            )
        finally:
            engine.dispose()
        assert self.broker is not None
        self.broker.password_file, self.broker.acl_file = passwords, acl

    def start_worker(self, name: str | None = None, *, faults: str | None = None) -> str:
        """Start a worker (again, under its old name); the first one also publishes the catalog."""
        self._worker_count += 1
        name = name or f"w{self._worker_count}"
        args = setledger("hub", "worker", "--name", name)
        if name == "w1":
            args.append("--with-publisher")
        env = self.hub_env() | {
            "SETLEDGER_FAULTS": self.worker_faults if faults is None else faults,
            "SETLEDGER_FAULT_SEED": str(self.fault_seed * 1000 + self._worker_count),
            "SETLEDGER_HUB_MIGRATE_ON_START": "false",
        }
        self.workers[name] = start(args, self.root / f"worker-{name}.log", env)
        return name

    def bundle(self) -> ProvisionBundle:
        assert self.broker is not None
        org, store = self.org["org_id"], self.store["store_id"]
        with self.owner() as hub:
            snapshot = hub.get(f"/api/v1/orgs/{org}/catalog/snapshot").json()
            roster = hub.get(f"/api/v1/orgs/{org}/stores/{store}/staff").json()
            profile = hub.get(f"/api/v1/orgs/{org}/tax-profile").json() if self.gstin else None
        return ProvisionBundle(
            org_id=self.org["org_id"],
            org_name=self.org["name"],
            store_id=self.store["store_id"],
            store_name=self.store["name"],
            device_id=self.device["device_id"],
            device_name=self.device["name"],
            invoice_prefix=self.device["invoice_prefix"],
            seller_state=self.store["state_code"],
            seller_gstin=self.gstin,
            seller=SellerProfile.model_validate(
                {k: v for k, v in profile.items() if k in SellerProfile.model_fields}
            )
            if profile
            else None,
            catalog=snapshot,
            staff=roster,
            hub_url=self.hub_url,
            broker_url=self.broker.url,
            device_token=self.device["token"],
        )

    def start_box(self, *, env: dict[str, str] | None = None) -> None:
        path = self.root / "bundle.json"
        if not path.exists():
            path.write_text(self.bundle().model_dump_json())
        args = setledger(
            "box",
            "serve",
            "--port",
            str(self.box_port),
            "--data-dir",
            str(self.root / "box"),
            "--provision-file",
            str(path),
        )
        box_env = {
            "SETLEDGER_FAULTS": self.box_faults,
            "SETLEDGER_FAULT_SEED": str(self.fault_seed),
            **self.box_env,
            **(env or {}),
        }
        self.box = start(args, self.root / "box.log", box_env)
        wait_http(f"{self.box_url}/healthz", timeout=60, proc=self.box)
        if self.token is None:
            with httpx.Client(base_url=self.box_url, timeout=10) as client:
                cashier, pin = self.staff["cashier"]
                self.token = sign_in(client, cashier, pin)

    @property
    def auth(self) -> dict[str, str]:
        """The signed-in cashier's header (box sessions survive box restarts)."""
        return {"Authorization": f"Bearer {self.token}"}

    # --- what the tests look at ----------------------------------------------

    def heal(self) -> None:
        """Start again whatever is down (killed by a test or by a crash point)."""
        assert self.broker is not None
        if self.broker.proc is None or self.broker.proc.poll() is not None:
            self.broker.start()
        for name, proc in list(self.workers.items()):
            if proc.poll() is not None:
                self.start_worker(name)
        if self.box is None or self.box.poll() is not None:
            # The tills keep selling while the box starts, so a crash point may
            # fire again before its health check answers: that is a crash too.
            for attempt in range(3):
                try:
                    self.start_box()
                    break
                except RuntimeError:
                    if attempt == 2 or not self.box_faults:
                        raise

    def quarantined(self) -> int:
        assert self.engine is not None
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM quarantine")).scalar() or 0)

    def box_sale_count(self) -> int:
        body = httpx.get(
            f"{self.box_url}/api/v1/sales", params={"limit": 1}, headers=self.auth, timeout=10
        ).json()
        return int(body["count"])

    def box_status(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.box_url}/api/v1/box", timeout=10).json()
        return body

    def hub_sales(self) -> dict[str, tuple[str, int]]:
        """sale id -> (invoice number, payable) for every sale the hub holds."""
        assert self.engine is not None
        with self.engine.connect() as conn:
            rows = conn.execute(select(Sale.sale_id, Sale.invoice_no, Sale.payable)).all()
        return {str(r.sale_id): (r.invoice_no, int(r.payable)) for r in rows}

    def hub_count(self) -> int:
        assert self.engine is not None
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Sale)).scalar() or 0)

    def cursors(self) -> dict[tuple[str, str], int]:
        assert self.engine is not None
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(DeviceCursor.epoch, DeviceCursor.stream, DeviceCursor.contiguous_seq)
            ).all()
        return {(r.epoch, r.stream): int(r.contiguous_seq) for r in rows}

    def max_seqs(self) -> dict[tuple[str, str], int]:
        assert self.engine is not None
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT epoch, stream, max(seq) AS top, count(*) AS n FROM sale GROUP BY epoch, stream"
                )
            ).all()
        return {(r.epoch, r.stream): int(r.top) for r in rows}

    def drained(self) -> bool:
        """The box has nothing left to send and the hub's cursor reached its tail."""
        try:
            return self.box_status()["outbox_depth"] == 0
        except httpx.HTTPError:
            return False


class Till:
    """Cashiers ringing sales at the box as fast as it answers, from threads."""

    def __init__(self, url: str, headers: dict[str, str], clients: int = 2, seed: int = 0) -> None:
        self.url = url
        self.headers = headers
        self.confirmed: dict[str, dict[str, Any]] = {}
        self.sent: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._ring, args=(seed * 100 + n,)) for n in range(clients)
        ]

    def _body(self, n: int) -> dict[str, Any]:
        skus = ["SALT-1KG", "ATTA-5KG", "PARLEG-250", "MAGGI-70", "COKE-750", "TEA-250"]
        lines = [
            {"code": skus[(n + k) % len(skus)], "qty": 1 + (n + k) % 3} for k in range(1 + n % 4)
        ]
        return {
            "sale_id": str(uuid.uuid4()),
            "lines": lines,
            "tenders": [{"kind": "cash", "amount": 10**7}],
        }

    def _ring(self, offset: int) -> None:
        n = offset
        with httpx.Client(timeout=10, headers=self.headers) as client:
            while not self.stopping.is_set():
                body = self._body(n)
                n += 1
                with self.lock:
                    self.sent[body["sale_id"]] = body
                try:
                    r = client.post(f"{self.url}/api/v1/sales", json=body)
                except httpx.HTTPError:
                    time.sleep(0.05)  # the box is down; keep trying new sales
                    continue
                if r.status_code == 201:
                    with self.lock:
                        self.confirmed[body["sale_id"]] = r.json()["sale"]

    def __enter__(self) -> Till:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=20)


def ring(
    url: str, n: int, headers: dict[str, str], sku: str = "SALT-1KG"
) -> dict[str, dict[str, Any]]:
    """Ring ``n`` sales one after another; return them by sale id."""
    sold: dict[str, dict[str, Any]] = {}
    with httpx.Client(timeout=10, headers=headers) as client:
        for _ in range(n):
            body = {
                "sale_id": str(uuid.uuid4()),
                "lines": [{"code": sku}],
                "tenders": [{"kind": "cash", "amount": 10**6}],
            }
            r = client.post(f"{url}/api/v1/sales", json=body)
            assert r.status_code == 201, r.text
            sold[body["sale_id"]] = r.json()["sale"]
    return sold


def sigkill(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
