"""The sandbox IRP and the queue's back-off, without a database.

The sandbox answers like the IRP: an IRN computed as the IRP does, AckNos
that only go up, "duplicate IRN" (2150) with the first acknowledgement for
a repeat, also after a restart, and refusals naming the field.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.einvoice.configured import configured_connector
from hub.einvoice.connector import Accepted, Duplicate, Rejected, Unavailable
from hub.einvoice.queue import wire
from hub.einvoice.sandbox import SandboxConnector
from hub.einvoice.worker import backoff
from setledger.einvoice import build_einvoice, irn
from setledger.invoice import invoice_from_sale
from tests.kernel.invoice_cases import buyer, gstin, sale, seller

AT = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
SHIRT = ("Cotton shirt", "611490", 100000, 1800)


def document(number: str = "B1/2627/000042") -> dict[str, Any]:
    inv = invoice_from_sale(sale([SHIRT], pos="27", number=number), seller(), buyer("27"))
    return wire(build_einvoice(inv))


def irp(tmp_path: Path) -> SandboxConnector:
    return SandboxConnector(tmp_path / "irp.db", clock=lambda: AT)


def test_accepted_then_duplicate_with_the_first_acknowledgement(tmp_path: Path) -> None:
    sandbox = irp(tmp_path)
    first = sandbox.submit(document())
    assert isinstance(first, Accepted)
    assert first.irn == irn(gstin("27"), "2026-27", "INV", "B1/2627/000042")
    assert first.ack_dt == "2026-11-24 11:30:00"  # 06:00 UTC is 11:30 IST
    again = sandbox.submit(document())
    assert again == Duplicate(irn=first.irn, ack_no=first.ack_no, ack_dt=first.ack_dt)
    # A restarted sandbox (new instance, same file) still knows the IRN.
    later = SandboxConnector(tmp_path / "irp.db", clock=lambda: AT + timedelta(days=1))
    assert later.submit(document()) == again
    assert later.issued() == {first.irn: (first.ack_no, first.ack_dt)}


def test_ack_numbers_only_go_up(tmp_path: Path) -> None:
    sandbox = irp(tmp_path)
    acks = []
    for serial in (7, 3, 5):
        outcome = sandbox.submit(document(f"B1/2627/00000{serial}"))
        assert isinstance(outcome, Accepted)
        acks.append(int(outcome.ack_no))
    assert acks == sorted(acks)
    assert len(set(acks)) == 3
    assert all(len(str(ack)) == 15 for ack in acks)


def test_told_to_fail_it_is_unavailable_then_accepts(tmp_path: Path) -> None:
    sandbox = irp(tmp_path)
    sandbox.fail_next(2)
    outcomes = [sandbox.submit(document()) for _ in range(3)]
    assert [type(o) for o in outcomes] == [Unavailable, Unavailable, Accepted]
    assert len(sandbox.issued()) == 1


def test_a_bad_document_is_rejected_naming_the_field(tmp_path: Path) -> None:
    sandbox = irp(tmp_path)
    bad = document()
    bad["ItemList"][0]["HsnCd"] = "0000"
    outcome = sandbox.submit(bad)
    assert isinstance(outcome, Rejected)
    assert [(e.code, e.message.split(":")[0]) for e in outcome.errors] == [
        ("2000", "ItemList[0].HsnCd")
    ]
    assert sandbox.issued() == {}


def test_the_qr_carries_the_irn_and_is_not_signed(tmp_path: Path) -> None:
    outcome = irp(tmp_path).submit(document())
    assert isinstance(outcome, Accepted)
    assert outcome.signed_qr is not None
    header, claims, signature = outcome.signed_qr.split(".")

    def decode(part: str) -> Any:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))

    assert decode(header)["alg"] == "none"
    assert signature == ""
    data = json.loads(decode(claims)["data"])
    assert (data["Irn"], data["DocNo"], data["ItemCnt"]) == (outcome.irn, "B1/2627/000042", 1)
    assert data["TotInvVal"] == 1180.0


def test_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert backoff(10_000) == timedelta(hours=1)


def test_the_setting_names_the_connector(tmp_path: Path) -> None:
    assert configured_connector("none") is None
    chosen = configured_connector(f"sandbox:{tmp_path / 'irp.db'}")
    assert isinstance(chosen, SandboxConnector)
    assert chosen.path == tmp_path / "irp.db"
    with pytest.raises(ValueError, match="unknown e-invoice connector"):
        configured_connector("portal")
    with pytest.raises(ValueError, match="not the IRP's"):
        configured_connector("sandbox", production=True)
