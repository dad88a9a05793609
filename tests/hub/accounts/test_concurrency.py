"""Parallel requests: one TOTP code signs in once, and the audit chain stays whole."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from hub.accounts import audit, signin
from hub.accounts.audit import Actor
from hub.accounts.schemas import SignIn
from hub.accounts.sessions import ClientInfo
from hub.db.registry import Org
from setledger.errors import SetLedgerError
from tests.hub.accounts.driver import Driver

THREADS = 4


def test_one_code_signs_in_once_however_many_try_at_once(accounts: Driver) -> None:
    owner = accounts.owner()
    code = accounts.fresh_code(owner)
    start = threading.Barrier(THREADS)

    def attempt() -> str:
        start.wait()
        with accounts.runtime.sessions() as session:
            try:
                signin.sign_in(
                    session,
                    accounts.ctx,
                    SignIn(username=owner.username, password=owner.password, code=code),
                    ClientInfo(ip="127.0.0.1"),
                )
            except SetLedgerError as err:
                return err.code
        return "ok"

    with ThreadPoolExecutor(THREADS) as pool:
        results = sorted(pool.map(lambda _: attempt(), range(THREADS)))
    assert results == ["SIGN_IN_FAILED"] * (THREADS - 1) + ["ok"]


def test_parallel_records_keep_one_chain(accounts: Driver) -> None:
    owner = accounts.owner()
    with accounts.runtime.sessions() as session:
        org_id = session.scalars(select(Org.org_id).where(Org.org_code == owner.org_code)).one()
    start = threading.Barrier(THREADS)

    def write(n: int) -> None:
        start.wait()
        for i in range(5):
            with accounts.runtime.sessions() as session, session.begin():
                audit.record(
                    session,
                    org_id,
                    "test.parallel",
                    at=accounts.clock.now,
                    actor=Actor(None, audit.SYSTEM),
                    details={"writer": n, "i": i},
                )

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(write, range(THREADS)))
    with accounts.runtime.sessions() as session:
        records = list(audit.iter_records(session, org_id))
        assert audit.verify_chain(session, org_id) == []
    assert sum(r["action"] == "test.parallel" for r in records) == THREADS * 5
