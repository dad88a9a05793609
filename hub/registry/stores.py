"""Creating and reading an org's stores (each service call is one transaction)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.clock import utcnow
from hub.db.conflicts import duplicate_on_conflict
from hub.db.models import Org, Store
from hub.registry.checks import check_domestic_state, check_gstin_for_state
from hub.registry.lookup import get_org, get_store
from hub.registry.schemas import StoreCreate, StoreList, StorePublic
from hub.stock.services import add_store_location
from setledger import errors
from setledger.ids import new_id


def to_public(org: Org, store: Store) -> StorePublic:
    return StorePublic(
        org_id=org.org_code,
        store_id=store.store_id,
        name=store.name,
        code=store.code,
        state_code=store.state_code,
        gstin=store.gstin,
        address=store.address,
        created_at=store.created_at,
    )


def create_store(session: Session, code: str, data: StoreCreate) -> StorePublic:
    with session.begin():
        org = get_org(session, code)
        check_domestic_state(data.state_code)
        check_gstin_for_state(data.gstin, data.state_code)
        taken = select(Store.store_id).where(Store.org_id == org.org_id, Store.code == data.code)
        if session.scalar(taken) is not None:
            raise errors.DUPLICATE.error(thing="store", field="code", value=data.code)
        store = Store(
            org_id=org.org_id,
            store_id=new_id(),
            name=data.name,
            code=data.code,
            state_code=data.state_code,
            gstin=data.gstin,
            address=data.address,
            created_at=utcnow(),
        )
        session.add(store)
        with duplicate_on_conflict("store", "code", data.code):
            session.flush()
        add_store_location(session, store)
        return to_public(org, store)


def list_stores(session: Session, code: str) -> StoreList:
    with session.begin():
        org = get_org(session, code)
        stores = session.scalars(
            select(Store).where(Store.org_id == org.org_id).order_by(Store.code)
        ).all()
        return StoreList(stores=[to_public(org, store) for store in stores])


def read_store(session: Session, code: str, store_id: uuid.UUID) -> StorePublic:
    with session.begin():
        org = get_org(session, code)
        return to_public(org, get_store(session, org, store_id))
