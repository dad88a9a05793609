"""Suppliers: who purchase orders go to (settings people change, not history)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import Actor
from hub.accounts.unit import unit_of_work
from hub.clock import utcnow
from hub.db.models import Org, Supplier
from setledger import errors
from setledger import purchasing as kernel
from setledger.ids import new_id


@dataclass(frozen=True)
class SupplierFields:
    name: str
    state: str
    gstin: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


def _checked(session: Session, org_id: uuid.UUID, fields: SupplierFields) -> kernel.Supplier:
    org = session.get(Org, org_id)
    sandbox = bool(org is not None and org.gst_sandbox)
    return kernel.check_supplier(
        kernel.Supplier(fields.name, fields.state, fields.gstin, fields.phone, fields.email),
        sandbox=sandbox,
    )


def create_supplier(
    session: Session, org_id: uuid.UUID, fields: SupplierFields, *, actor: Actor
) -> Supplier:
    with unit_of_work(session):
        checked = _checked(session, org_id, fields)
        now = utcnow()
        row = Supplier(
            org_id=org_id,
            supplier_id=new_id(),
            name=checked.name,
            state_code=checked.state,
            gstin=checked.gstin,
            phone=checked.phone,
            email=checked.email,
            address=fields.address,
            active=True,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        audit.record(session, org_id, "purchasing.supplier_created", at=now, actor=actor,
                     target=str(row.supplier_id), details={"name": row.name})  # fmt: skip
        return row


def get_supplier(session: Session, org_id: uuid.UUID, supplier_id: uuid.UUID) -> Supplier:
    row = session.get(Supplier, (org_id, supplier_id))
    if row is None:
        raise errors.SUPPLIER_NOT_FOUND.error(supplier_id=str(supplier_id))
    return row


def list_suppliers(
    session: Session, org_id: uuid.UUID, *, active: bool | None = None
) -> list[Supplier]:
    with unit_of_work(session):
        query = select(Supplier).where(Supplier.org_id == org_id)
        if active is not None:
            query = query.where(Supplier.active == active)
        return list(session.scalars(query.order_by(Supplier.name, Supplier.supplier_id)))


def update_supplier(
    session: Session,
    org_id: uuid.UUID,
    supplier_id: uuid.UUID,
    changes: dict[str, object],
    *,
    actor: Actor,
) -> Supplier:
    """Change some of a supplier's fields (``active`` False hides it from new orders);
    the result is checked as a whole, so a refused change changes nothing."""
    with unit_of_work(session):
        row = get_supplier(session, org_id, supplier_id)
        current = SupplierFields(row.name, row.state_code, row.gstin, row.phone, row.email,
                                 row.address)  # fmt: skip
        wanted = SupplierFields(**{**current.__dict__, **{k: v for k, v in changes.items()
                                                          if k != "active"}})  # fmt: skip
        checked = _checked(session, org_id, wanted)
        row.name, row.state_code, row.gstin = checked.name, checked.state, checked.gstin
        row.phone, row.email, row.address = checked.phone, checked.email, wanted.address
        if "active" in changes:
            row.active = bool(changes["active"])
        row.updated_at = utcnow()
        session.flush()
        audit.record(session, org_id, "purchasing.supplier_changed", at=row.updated_at,
                     actor=actor, target=str(supplier_id),
                     details={"fields": sorted(changes)})  # fmt: skip
        return row
