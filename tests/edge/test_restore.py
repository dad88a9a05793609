"""A box database restored from an older copy never reuses a seq, an invoice or a credit-note number."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from pathlib import Path

from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import BoxSettings
from edge.store.db import backup_copy
from tests.edge.conftest import SettableClock, make_bundle
from tests.edge.staff import approval, sign_in


def sell(client: TestClient) -> dict[str, object]:
    body = {
        "sale_id": str(uuid.uuid4()),
        "lines": [{"code": "SALT-1KG"}],
        "tenders": [{"kind": "cash", "amount": 2800}],
    }
    r = client.post("/api/v1/sales", json=body)
    assert r.status_code == 201, r.text
    sale: dict[str, object] = r.json()["sale"]
    return sale


def test_a_restored_database_starts_a_new_epoch_past_every_number(
    tmp_path: Path, clock: SettableClock
) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(make_bundle().model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=bundle)

    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        early = [sell(client) for _ in range(3)]
        first_epoch = client.get("/api/v1/box").json()["epoch"]
        copy = backup_copy(settings.db_path, tmp_path / "copies", "before-more-sales")
        later = [sell(client) for _ in range(4)]
    assert [s["invoice_no"] for s in later][-1] == "C1/2627/000007"
    mark = json.loads(settings.watermark_path.read_text())
    assert mark == {
        "epoch": first_epoch,
        "seqs": {"sales": 7},
        "invoices": {"C1|2026-27": 7},
        "notes": {},
    }

    # The installer puts the older copy back (WAL files of the newer one gone too).
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
    shutil.copy(copy, settings.db_path)

    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        status = client.get("/api/v1/box").json()
        assert status["epoch"] != first_epoch
        after = sell(client)
        rows = client.get("/api/v1/sales", params={"limit": 50}).json()
    assert after["invoice_no"] == "C1/2627/000008", "the restored box must not reissue 4-7"
    assert rows["count"] == 4  # the 3 early sales in the copy, and the new one
    assert {s["invoice_no"] for s in early} <= {s["invoice_no"] for s in rows["sales"]}
    with sqlite3.connect(settings.db_path) as conn:
        seqs = conn.execute("SELECT epoch, seq FROM outbox ORDER BY row_id").fetchall()
    assert seqs[:3] == [(first_epoch, 1), (first_epoch, 2), (first_epoch, 3)]
    assert seqs[3] == (status["epoch"], 1), "the new epoch starts its own seqs"


def test_a_plain_restart_is_not_a_restore(tmp_path: Path, clock: SettableClock) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(make_bundle().model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=bundle)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        sell(client)
        epoch = client.get("/api/v1/box").json()["epoch"]
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        assert client.get("/api/v1/box").json()["epoch"] == epoch
        assert sell(client)["invoice_no"] == "C1/2627/000002"


def test_the_restore_command_starts_a_new_epoch_even_without_a_watermark(
    tmp_path: Path, clock: SettableClock
) -> None:
    from edge.services.restore import restore

    bundle = tmp_path / "bundle.json"
    bundle.write_text(make_bundle().model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=bundle)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        sell(client)
        copy = backup_copy(settings.db_path, tmp_path / "copies", "nightly")
        sell(client)
        epoch = client.get("/api/v1/box").json()["epoch"]
    settings.watermark_path.unlink()
    new_epoch = restore(
        copy, settings.db_path, settings.backup_dir, settings.watermark_path, clock()
    )
    assert new_epoch != epoch
    assert list(settings.backup_dir.glob("box-replaced-by-restore-*.db")), (
        "the replaced database is kept"
    )
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        assert client.get("/api/v1/box").json()["epoch"] == new_epoch


def give_back_one(client: TestClient, invoice_no: object) -> str:
    lines = [{"line_no": 1, "qty": 1}]
    quote = client.post("/api/v1/returns/quote", json={"invoice_no": invoice_no, "lines": lines})
    assert quote.status_code == 200, quote.text
    body = {
        "return_id": str(uuid.uuid4()),
        "invoice_no": invoice_no,
        "lines": lines,
        "refunds": [{"kind": "cash", "amount": quote.json()["totals"]["payable"]}],
        "reason": "damaged",
        "approval": approval(),
    }
    r = client.post("/api/v1/returns", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["note"]["note_no"])


def test_a_restored_database_never_reissues_a_credit_note_number(
    tmp_path: Path, clock: SettableClock
) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(make_bundle().model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=bundle)

    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        sales = [sell(client) for _ in range(3)]
        first = give_back_one(client, sales[0]["invoice_no"])
        copy = backup_copy(settings.db_path, tmp_path / "copies", "before-more-returns")
        later = [give_back_one(client, sale["invoice_no"]) for sale in sales[1:]]
    assert [first, *later] == ["C1/2627/C00001", "C1/2627/C00002", "C1/2627/C00003"]
    assert json.loads(settings.watermark_path.read_text())["notes"] == {"C1|2026-27": 3}

    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
    shutil.copy(copy, settings.db_path)

    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        # The copy knows only the first note; sale 2 is returnable again there.
        again = give_back_one(client, sales[1]["invoice_no"])
    assert again == "C1/2627/C00004", "the restored box must not reissue notes 2-3"
