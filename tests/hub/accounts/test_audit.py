"""The audit log: append-only in the database, hash-chained per org, paged, exported."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from hub.accounts import audit
from hub.db.accounts import AuditRecord
from hub.db.append_only import REFUSAL_MESSAGE
from hub.db.registry import Org
from tests.hub.accounts.driver import Account, Driver
from tests.hub.harness import error_code, ok

AUDIT = AuditRecord.__table__


@contextmanager
def triggers_off(engine: Engine) -> Iterator[None]:
    """What a person with a SQL prompt would do first to rewrite history."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        try:
            yield
        finally:
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        return
    with engine.begin() as conn:
        saved = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
            )
        ).all()
        for name, _ in saved:
            conn.execute(text(f"DROP TRIGGER {name}"))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for _, sql in saved:
                conn.execute(text(sql))


def org_uuid(driver: Driver, owner: Account) -> uuid.UUID:
    with driver.runtime.sessions() as session:
        return session.scalars(select(Org.org_id).where(Org.org_code == owner.org_code)).one()


def problems(driver: Driver, org_id: uuid.UUID) -> list[tuple[int, str]]:
    with driver.runtime.sessions() as session:
        return [(p.seq, p.problem) for p in audit.verify_chain(session, org_id)]


def busy_org(driver: Driver) -> tuple[Account, uuid.UUID]:
    owner = driver.owner()
    driver.member(owner, "cashier")
    driver.sign_in(owner, code=driver.fresh_code(owner))
    return owner, org_uuid(driver, owner)


def test_the_log_is_append_only(accounts: Driver) -> None:
    owner, _ = busy_org(accounts)
    engine = accounts.runtime.engine
    for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE), engine.begin() as conn:
            conn.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE), engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
    assert len(ok(accounts.call("GET", f"/orgs/{owner.org_code}/audit", owner))["entries"]) >= 5


def test_an_intact_chain_verifies(accounts: Driver) -> None:
    owner, org_id = busy_org(accounts)
    assert problems(accounts, org_id) == []
    verified = ok(accounts.call("GET", f"/orgs/{owner.org_code}/audit/verify", owner))
    assert verified == {"intact": True, "problems": []}


def test_an_edited_record_is_found(accounts: Driver) -> None:
    owner, org_id = busy_org(accounts)
    with triggers_off(accounts.runtime.engine), accounts.runtime.engine.begin() as conn:
        conn.execute(
            update(AUDIT).where(AUDIT.c.org_id == org_id, AUDIT.c.seq == 2).values(actor="x")
        )
    assert problems(accounts, org_id) == [(2, "hash_mismatch")]
    verified = ok(accounts.call("GET", f"/orgs/{owner.org_code}/audit/verify", owner))
    assert verified["intact"] is False
    assert verified["problems"][0]["seq"] == 2


def test_a_deleted_record_is_found(accounts: Driver) -> None:
    _, org_id = busy_org(accounts)
    with triggers_off(accounts.runtime.engine), accounts.runtime.engine.begin() as conn:
        conn.execute(delete(AUDIT).where(AUDIT.c.org_id == org_id, AUDIT.c.seq == 3))
    assert problems(accounts, org_id) == [(4, "seq_gap"), (4, "broken_link")]


def test_an_inserted_record_is_found_even_with_a_good_hash_of_its_own(accounts: Driver) -> None:
    _, org_id = busy_org(accounts)
    engine = accounts.runtime.engine
    with accounts.runtime.sessions() as session:
        records = list(audit.iter_records(session, org_id))
    last = records[-1]["seq"]
    # Make room at seq 3 (highest first, so the key never clashes), then forge a
    # record there that links properly to record 2 and carries its own right hash.
    forged = {
        **records[2],
        "seq": 3,
        "action": "member.role_changed",
        "details": {"from": "cashier", "to": "owner"},
        "prev_hash": records[1]["hash"],
    }
    forged["hash"] = audit.record_hash(forged)
    with triggers_off(engine), engine.begin() as conn:
        for seq in range(last, 2, -1):
            conn.execute(
                update(AUDIT)
                .where(AUDIT.c.org_id == org_id, AUDIT.c.seq == seq)
                .values(seq=seq + 1)
            )
        conn.execute(
            insert(AUDIT).values(
                {
                    **forged,
                    "org_id": org_id,
                    "at": datetime.fromisoformat(forged["at"]),
                    "actor_id": forged["actor_id"] and uuid.UUID(forged["actor_id"]),
                }
            )
        )
    found = problems(accounts, org_id)
    # The forged record itself checks out; the chain after it does not.
    assert (3, "hash_mismatch") not in found
    assert (4, "broken_link") in found
    assert (4, "hash_mismatch") in found  # the old record 3, renumbered


def test_the_log_is_paged_and_exported_as_json_lines(accounts: Driver) -> None:
    owner, org_id = busy_org(accounts)
    first = ok(accounts.call("GET", f"/orgs/{owner.org_code}/audit", owner, params={"limit": 2}))
    assert [e["seq"] for e in first["entries"]] == [1, 2]
    assert first["entries"][0]["action"] == "org.signed_up"
    rest = ok(
        accounts.call(
            "GET",
            f"/orgs/{owner.org_code}/audit",
            owner,
            params={"after_seq": first["next_after_seq"], "limit": 500},
        )
    )
    assert rest["entries"][0]["seq"] == 3
    assert rest["next_after_seq"] is None
    exported = accounts.call("GET", f"/orgs/{owner.org_code}/audit/export", owner)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines: list[dict[str, Any]] = [json.loads(line) for line in exported.text.splitlines()]
    assert len(lines) == len(first["entries"]) + len(rest["entries"]) + 1  # + the export itself
    assert lines[-1]["action"] == "audit.exported"
    assert {line["org_id"] for line in lines} == {str(org_id)}
    assert audit.check_records(lines) == []
    lines[1]["target"] = "tampered"
    assert [(p.seq, p.problem) for p in audit.check_records(lines)] == [(2, "hash_mismatch")]


def test_who_may_read_the_log(accounts: Driver) -> None:
    owner = accounts.owner()
    cashier = accounts.member(owner, "cashier")
    accountant = accounts.member(owner, "accountant")
    path = f"/orgs/{owner.org_code}/audit"
    assert error_code(accounts.call("GET", path, cashier), 403) == "ROLE_NOT_ALLOWED"
    ok(accounts.call("GET", path, accountant))
    stranger = accounts.owner()
    assert error_code(accounts.call("GET", path, stranger), 404) == "ORG_NOT_FOUND"
    assert error_code(accounts.call("GET", f"{path}/export", stranger), 404) == "ORG_NOT_FOUND"
