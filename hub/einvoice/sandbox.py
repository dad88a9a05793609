"""A connector that behaves like the IRP, for tests and the demo (no network).

It checks a document with the product's own validator (in the IRP's
sandbox mode, which accepts NIC's sandbox GSTINs), computes the IRN as the
IRP does (SHA-256 of GSTIN + FY + type + number, :func:`irn_of`), issues
a monotonically increasing AckNo and remembers every IRN it issued in a
SQLite file of its own, so a repeat after a restart answers "duplicate"
(2150) with the first acknowledgement, exactly as the IRP would.

``fail_next(n)`` makes the next ``n`` submissions answer "unavailable",
to rehearse outages. The signed QR is a JWT with ``alg: none``: the
sandbox has no NIC key, and nothing should mistake it for a real one.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Callable, Mapping
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.clock import utcnow
from hub.einvoice.connector import (
    Accepted,
    Duplicate,
    IrpError,
    Outcome,
    Rejected,
    Unavailable,
)
from setledger.einvoice import irn_of, to_json, validate_einvoice
from setledger.fiscal import IST

FIRST_ACK_NO = 112_610_000_000_000
"""AckNos are 15 digits on the IRP; the sandbox counts up from here."""
VALIDATION_ERROR = "2000"
"""The code the sandbox gives a document its validator refuses."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS issued_irn (
    irn TEXT PRIMARY KEY,
    ack_no INTEGER NOT NULL UNIQUE,
    ack_dt TEXT NOT NULL,
    seller_gstin TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    doc_no TEXT NOT NULL
)
"""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unsigned_qr(document: Mapping[str, Any], irn: str, ack_dt: str) -> str:
    """The QR payload the IRP signs (its ``data`` claim), as an unsigned JWT."""
    items = document["ItemList"]
    data = {
        "SellerGstin": document["SellerDtls"]["Gstin"],
        "BuyerGstin": document["BuyerDtls"]["Gstin"],
        "DocNo": document["DocDtls"]["No"],
        "DocTyp": document["DocDtls"]["Typ"],
        "DocDt": document["DocDtls"]["Dt"],
        "TotInvVal": document["ValDtls"]["TotInvVal"],
        "ItemCnt": len(items),
        "MainHsnCode": items[0]["HsnCd"],
        "Irn": irn,
        "IrnDt": ack_dt,
    }
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    claims = {"data": to_json(data), "iss": "setLedger IRP sandbox"}
    return f"{header}.{_b64(json.dumps(claims).encode())}."


class SandboxConnector:
    """An IRP stand-in whose issued IRNs survive restarts (a SQLite file)."""

    name = "sandbox"

    def __init__(self, path: Path, clock: Callable[[], datetime] = utcnow) -> None:
        self.path = path
        self.clock = clock
        self._failures = 0
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are begun explicitly (IMMEDIATE),
        # so two workers never issue the same AckNo.
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def fail_next(self, times: int) -> None:
        """Answer "unavailable" to the next ``times`` submissions."""
        with self._lock:
            self._failures = times

    def issued(self) -> dict[str, tuple[str, str]]:
        """Every IRN issued so far: IRN -> (AckNo, AckDt)."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT irn, ack_no, ack_dt FROM issued_irn").fetchall()
        return {irn: (str(ack_no), ack_dt) for irn, ack_no, ack_dt in rows}

    def submit(self, document: Mapping[str, Any]) -> Outcome:
        with self._lock:
            if self._failures > 0:
                self._failures -= 1
                return Unavailable("sandbox told to be unavailable (HTTP 503)")
        problems = validate_einvoice(document, sandbox=True)
        if problems:
            return Rejected(
                tuple(IrpError(VALIDATION_ERROR, f"{p.path}: {p.message}") for p in problems)
            )
        irn = irn_of(document)
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute(
                "SELECT ack_no, ack_dt FROM issued_irn WHERE irn = ?", (irn,)
            ).fetchone()
            if row is not None:
                db.execute("ROLLBACK")
                return Duplicate(irn=irn, ack_no=str(row[0]), ack_dt=row[1])
            (last,) = db.execute("SELECT max(ack_no) FROM issued_irn").fetchone()
            ack_no = (last or FIRST_ACK_NO) + 1
            ack_dt = self.clock().astimezone(IST).strftime("%Y-%m-%d %H:%M:%S")
            db.execute(
                "INSERT INTO issued_irn VALUES (?, ?, ?, ?, ?, ?)",
                (
                    irn,
                    ack_no,
                    ack_dt,
                    document["SellerDtls"]["Gstin"],
                    document["DocDtls"]["Typ"],
                    document["DocDtls"]["No"],
                ),
            )
            db.execute("COMMIT")
        finally:
            db.close()
        return Accepted(
            irn=irn,
            ack_no=str(ack_no),
            ack_dt=ack_dt,
            signed_invoice=None,
            signed_qr=unsigned_qr(document, irn, ack_dt),
        )
