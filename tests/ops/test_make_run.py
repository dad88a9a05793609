"""``make run`` on a clean copy of the repository: starts, sells, stops.

The copy holds exactly the files git would check out (tracked and not
ignored), so the Makefile must build its own virtualenv, install the
project, start its own Mosquitto, the hub and the box. The test reads the
printed URLs and logins, rings a sale through the box API, checks the hub
answers with the printed token, then presses Ctrl-C (SIGINT to the
process group, as a terminal does) and checks everything stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from ops.broker import port_open
from ops.demo import READY_LINE
from tests.processes import REPO, free_port


def clean_copy(target: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPO / name.decode()
        if source.is_file():
            dest = target / name.decode()
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)
    return target


@pytest.mark.slow
@pytest.mark.timeout(900)  # a fresh virtualenv is built first
def test_make_run_on_a_clean_copy(tmp_path: Path) -> None:
    repo = clean_copy(tmp_path / "setledger")
    assert not (repo / ".venv").exists()
    ports = {"hub": free_port(), "box": free_port(), "broker": free_port()}
    env = {
        **os.environ,
        "SETLEDGER_HUB_PORT": str(ports["hub"]),
        "SETLEDGER_BOX_PORT": str(ports["box"]),
        "SETLEDGER_BROKER_PORT": str(ports["broker"]),
    }
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if READY_LINE in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(timeout=600), "make run never became ready:\n" + "".join(output)
        time.sleep(0.5)  # the rest of the banner
        text = "".join(output)
        box_url = re.search(r"Store box\s+POS\s+(http://\S+)/pos/", text).group(1)  # type: ignore[union-attr]
        found = re.search(r"API\s+(http://\S+)/api/v1/orgs/(ORG-[0-9a-f]{8})", text)
        assert found is not None, text
        hub_url, org_id = found.group(1), found.group(2)
        token = re.search(r"Owner API session:\s+(\S+)", text).group(1)  # type: ignore[union-attr]
        owner = re.search(r"Hub owner:\s+username (\S+), password (\S+)", text)
        secret = re.search(r"secret ([A-Z2-7]+);", text)
        assert owner is not None, text
        assert secret is not None, text
        assert box_url.endswith(str(ports["box"]))
        assert (repo / "var" / "broker" / "mosquitto.conf").exists()
        assert port_open(ports["broker"])

        cashier = re.search(r"\(cashier, ORG-\S+\): user_id (\S+), PIN (\d+)", text)
        assert cashier is not None, text
        with httpx.Client(base_url=box_url, timeout=10) as box:
            assert box.post("/api/v1/carts", json={}).status_code == 401, "selling needs a cashier"
            signed = box.post(
                "/api/v1/auth/pin", json={"user_id": cashier.group(1), "pin": cashier.group(2)}
            )
            assert signed.status_code == 200, signed.text
            box.headers["Authorization"] = f"Bearer {signed.json()['token']}"
            cart = box.post("/api/v1/carts", json={}).json()["cart_id"]
            scanned = box.post(
                f"/api/v1/carts/{cart}/lines", json={"code": "8901234000021", "qty": 2}
            )
            assert scanned.status_code == 201, scanned.text
            assert scanned.json()["totals"]["payable"] == 57000
            sale = box.post(
                f"/api/v1/carts/{cart}/checkout",
                json={"sale_id": str(uuid.uuid4()), "tenders": [{"kind": "cash", "amount": 60000}]},
            )
            assert sale.status_code == 201, sale.text
            assert sale.json()["display"]["change"] == "₹30.00"
            sold_in = sale.json()["sale"]["business_date"][:7]  # YYYY-MM: the GSTR-1 period
            assert box.get("/pos/").status_code == 200, "the counter UI is built and served"
            # The demo's opening purchase order stocked the shelf with 24: the hub's
            # snapshot reaches the box, which counts its own sale of 2 on top.
            deadline = time.monotonic() + 60
            atta = box.get("/api/v1/stock", params={"q": "ATTA-5KG"}).json()["items"]
            while atta[0]["qty"] != 22_000 and time.monotonic() < deadline:
                time.sleep(0.5)
                atta = box.get("/api/v1/stock", params={"q": "ATTA-5KG"}).json()["items"]
            assert atta[0]["qty"] == 22_000, atta
        # The demo's printer is a file: the receipt's ESC/POS bytes land there.
        receipts = repo / "var" / "box" / "receipts.escpos"
        deadline = time.monotonic() + 30
        while not (receipts.exists() and receipts.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert receipts.exists(), "no receipt was printed"
        assert sale.json()["sale"]["invoice_no"].encode() in receipts.read_bytes()
        admin = {"Authorization": f"Bearer {token}"}
        org = httpx.get(f"{hub_url}/api/v1/orgs/{org_id}", headers=admin)
        assert org.status_code == 200, org.text
        assert org.json()["name"] == "Sharma General Store"

        # The printed login works: password plus the authenticator's code.
        def sign_in() -> httpx.Response:
            body = {"username": owner[1], "password": owner[2], "code": pyotp.TOTP(secret[1]).now()}
            return httpx.post(f"{hub_url}/api/v1/auth/sign-in", json=body)

        signed_in = sign_in()
        if signed_in.status_code != 200:  # this step's code was just used at enrolment
            time.sleep(30 - time.time() % 30 + 0.5)
            signed_in = sign_in()
        assert signed_in.status_code == 200, signed_in.text
        assert (repo / "var" / "box" / "provision.json").exists()

        def at_hub() -> int:
            page = httpx.get(f"{hub_url}/api/v1/orgs/{org_id}/sales", headers=admin).json()
            return int(page["totals"]["count"])

        deadline = time.monotonic() + 30
        while at_hub() < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert at_hub() == 1, "the sale did not reach the hub over MQTT"

        # The demo's poster puts it in the books, and it is in the month's GSTR-1.
        def books() -> dict[str, Any]:
            url = f"{hub_url}/api/v1/orgs/{org_id}/ledger/trial-balance"
            return dict(httpx.get(url, headers=admin).json())

        deadline = time.monotonic() + 30
        while not books()["accounts"] and time.monotonic() < deadline:
            time.sleep(0.5)
        posted = books()
        assert posted["accounts"], "the demo's poster did not post the sale"
        assert posted["total"] == 0
        gstr1 = httpx.get(
            f"{hub_url}/api/v1/orgs/{org_id}/gst/gstr1",
            params={"period": sold_in, "format": "totals"},
            headers=admin,
        )
        assert gstr1.status_code == 200, gstr1.text
        assert gstr1.json()["b2cs"]["count"] >= 1, gstr1.text

        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal
        proc.wait(timeout=60)
        reader.join(timeout=10)
        assert "Stopped: box, hub worker, hub and broker." in "".join(output)
        for name, port in ports.items():
            assert not port_open(port), f"the {name} still listens on {port}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
