"""Scans reach the browser: a real uvicorn box with a fake scanner, read as Server-Sent Events."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import BoxSettings, DeviceConfig
from tests.edge.conftest import make_bundle
from tests.edge.staff import sign_in

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "devices"


def box_settings(tmp_path: Path) -> BoxSettings:
    provision = tmp_path / "bundle.json"
    provision.write_text(make_bundle().model_dump_json())
    return BoxSettings(
        data_dir=tmp_path / "box",
        provision_file=provision,
        replicate=False,
        devices=[
            DeviceConfig(
                name="till-1",
                transport="fake",
                replay=FIXTURES / "de_sku_shift.events",
                layout="de",
            ),
            DeviceConfig(name="till-2", transport="fake", layout="fr"),
        ],
    )


@dataclass
class Server:
    url: str
    server: uvicorn.Server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(box_settings(tmp_path)), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "box did not start"
        time.sleep(0.01)
    yield Server(f"http://127.0.0.1:{port}", server)
    server.should_exit = True
    thread.join(10)
    assert not thread.is_alive()


def sse(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, object]]]:
    kind = None
    for line in lines:
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: ") and kind is not None:
            yield kind, json.loads(line.removeprefix("data: "))
            kind = None


def test_a_scan_typed_on_the_fake_scanner_arrives_as_an_event(server: Server) -> None:
    with (
        httpx.Client(base_url=server.url, timeout=5) as api,
        httpx.Client(base_url=server.url, timeout=5) as browser,
    ):
        token = sign_in(api)
        # EventSource sends no Authorization header: the token rides in the query.
        assert browser.get("/api/v1/devices/events").status_code == 401
        with browser.stream(
            "GET", "/api/v1/devices/events", params={"access_token": token}
        ) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = sse(stream.iter_lines())
            first = [next(events), next(events)]
            assert {(k, d["device"]) for k, d in first} == {
                ("status", "till-1"),
                ("status", "till-2"),
            }
            started = time.perf_counter()
            r = api.post("/api/v1/devices/till-2/scan", json={"text": "SKU-Ab12"})
            assert r.status_code == 202, r.text
            data = next(d for k, d in events if k == "scan")
            latency_ms = (time.perf_counter() - started) * 1000
        # Typed key by key on an AZERTY scanner, decoded with its layout.
        assert data["code"] == "SKU-Ab12"
        assert data["type"] == "scan"
        assert data["device"] == "till-2"
        assert latency_ms < 1000, latency_ms
        print(f"inject -> SSE scan: {latency_ms:.1f} ms")

        listed = {d["name"]: d for d in api.get("/api/v1/devices").json()}
        assert listed["till-1"]["connected"] is True
        # till-1 replayed its German recording at start.
        assert listed["till-1"]["detail"]["scans"] == 1
        assert listed["till-1"]["detail"]["layout"] == "de"
        assert listed["till-2"]["events"] == 1
        metrics = api.get("/metrics").text
        assert (
            'setledger_box_device_connected{device="till-2",kind="scanner",transport="fake"} 1.0'
            in metrics
        )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(box_settings(tmp_path))) as client:
        sign_in(client)
        yield client


def wait_for(client: TestClient, name: str, connected: bool) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while True:
        device: dict[str, Any] = {d["name"]: d for d in client.get("/api/v1/devices").json()}[name]
        if device["connected"] is connected:
            return device
        assert time.monotonic() < deadline, device
        time.sleep(0.01)


def test_unplug_and_plug_a_fake_scanner_through_the_api(client: TestClient) -> None:
    assert wait_for(client, "till-2", True)["connects"] == 1
    assert client.post("/api/v1/devices/till-2/unplug").status_code == 200
    gone = wait_for(client, "till-2", False)
    assert gone["state"] == "waiting"
    r = client.post("/api/v1/devices/till-2/scan", json={"text": "1"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "DEVICE_UNPLUGGED"
    assert client.post("/api/v1/devices/till-2/plug").status_code == 200
    back = wait_for(client, "till-2", True)
    assert back["connects"] == 2
    assert back["failures"] >= 1


def test_bad_requests_are_refused_and_change_nothing(client: TestClient) -> None:
    before = client.get("/api/v1/devices").json()
    r = client.post("/api/v1/devices/till-9/scan", json={"text": "1"})
    assert (r.status_code, r.json()["error"]["code"]) == (404, "BOX_DEVICE_UNKNOWN")
    # 'ü' has no key on a French scanner.
    r = client.post("/api/v1/devices/till-2/scan", json={"text": "Aü1"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "SCAN_NOT_TYPABLE")
    r = client.post("/api/v1/devices/till-2/scan", json={"text": ""})
    assert r.status_code == 422
    time.sleep(0.05)
    assert client.get("/api/v1/devices").json() == before
    del client.headers["Authorization"]
    assert client.get("/api/v1/devices").status_code == 401


def test_devices_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "SETLEDGER_BOX_DEVICES",
        json.dumps(
            [{"name": "till-1", "path": "/dev/input/by-id/usb-x-event-kbd", "layout": "fr"}]
        ),
    )
    [device] = BoxSettings.from_env().devices
    assert (device.kind, device.transport, device.layout) == ("scanner", "evdev", "fr")
    assert device.terminators == ["enter", "kpenter"]
    bad = [
        [{"name": "s", "transport": "serial"}],  # a serial scanner without a port
        [{"name": "s"}, {"name": "s"}],  # two devices, one name
        [{"name": "s", "layout": "xx"}],
        [{"name": "s", "usb_id": "zz:1"}],
    ]
    for devices in bad:
        monkeypatch.setenv("SETLEDGER_BOX_DEVICES", json.dumps(devices))
        with pytest.raises(ValueError, match="validation error"):
            BoxSettings.from_env()
