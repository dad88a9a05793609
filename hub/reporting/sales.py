"""Sales queries: a filtered page with totals, and one sale in full."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import BigInteger, ColumnElement, cast, func, select
from sqlalchemy.orm import Session

from hub.db.models import Org, Sale, SaleLine, SaleTender, StockMove
from hub.db.session import consistent_read
from hub.registry.lookup import get_org
from hub.reporting.schemas import (
    BuyerPublic,
    SaleDetail,
    SaleLinePublic,
    SalesPage,
    SalesTotals,
    SaleSummary,
    StockMovePublic,
    TenderPublic,
)
from setledger import errors

MAX_PAGE = 500
SUMMED = ("payable", "taxable", "cgst", "sgst", "igst", "cess")


def _paise_sum(column: ColumnElement[int]) -> ColumnElement[int]:
    # SUM(bigint) is NUMERIC on PostgreSQL (a Decimal in Python); cast back
    # so every amount stays an int of paise end to end.
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def list_sales(
    session: Session,
    code: str,
    *,
    store_id: uuid.UUID | None,
    device_id: uuid.UUID | None,
    day: date | None,
    limit: int,
    offset: int,
) -> SalesPage:
    limit = max(1, min(limit, MAX_PAGE))
    with session.begin():
        consistent_read(session)  # the page and the totals must agree
        org = get_org(session, code)
        filters: list[ColumnElement[bool]] = [Sale.org_id == org.org_id]
        if store_id is not None:
            filters.append(Sale.store_id == store_id)
        if device_id is not None:
            filters.append(Sale.device_id == device_id)
        if day is not None:
            filters.append(Sale.business_date == day)
        sums = session.execute(
            select(func.count(), *(_paise_sum(getattr(Sale, name)) for name in SUMMED)).where(
                *filters
            )
        ).one()
        totals = SalesTotals(count=sums[0], **dict(zip(SUMMED, sums[1:], strict=True)))
        page = session.scalars(
            select(Sale)
            .where(*filters)
            .order_by(Sale.sold_at.desc(), Sale.sale_id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        tenders = _tenders(session, org, [sale.sale_id for sale in page])
        return SalesPage(
            sales=[
                SaleSummary(
                    sale_id=sale.sale_id,
                    invoice_no=sale.invoice_no,
                    store_id=sale.store_id,
                    device_id=sale.device_id,
                    sold_at=sale.sold_at,
                    business_date=sale.business_date,
                    payable=sale.payable,
                    taxable=sale.taxable,
                    cgst=sale.cgst,
                    sgst=sale.sgst,
                    igst=sale.igst,
                    cess=sale.cess,
                    round_off=sale.round_off,
                    tenders=tenders[sale.sale_id],
                )
                for sale in page
            ],
            totals=totals,
            limit=limit,
            offset=offset,
        )


def _tenders(
    session: Session, org: Org, sale_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[TenderPublic]]:
    by_sale: dict[uuid.UUID, list[TenderPublic]] = defaultdict(list)
    if not sale_ids:
        return by_sale
    rows = session.scalars(
        select(SaleTender)
        .where(SaleTender.org_id == org.org_id, SaleTender.sale_id.in_(sale_ids))
        .order_by(SaleTender.sale_id, SaleTender.tender_no)
    )
    for t in rows:
        by_sale[t.sale_id].append(TenderPublic(kind=t.kind, amount=t.amount, reference=t.reference))
    return by_sale


def read_sale(session: Session, code: str, sale_id: uuid.UUID) -> SaleDetail:
    with session.begin():
        org = get_org(session, code)
        sale = session.get(Sale, (org.org_id, sale_id))
        if sale is None:
            raise errors.SALE_NOT_FOUND.error(sale_id=str(sale_id))
        lines = session.scalars(
            select(SaleLine)
            .where(SaleLine.org_id == org.org_id, SaleLine.sale_id == sale_id)
            .order_by(SaleLine.line_no)
        ).all()
        moves = session.scalars(
            select(StockMove)
            .where(StockMove.org_id == org.org_id, StockMove.sale_id == sale_id)
            .order_by(StockMove.move_id)
        ).all()
        has_buyer = any(
            v is not None
            for v in (sale.buyer_name, sale.buyer_phone, sale.buyer_gstin, sale.buyer_state)
        )
        return SaleDetail(
            org_id=org.org_code,
            sale_id=sale.sale_id,
            invoice_no=sale.invoice_no,
            financial_year=sale.financial_year,
            store_id=sale.store_id,
            device_id=sale.device_id,
            epoch=sale.epoch,
            stream=sale.stream,
            seq=sale.seq,
            sold_at=sale.sold_at,
            business_date=sale.business_date,
            seller_state=sale.seller_state,
            place_of_supply=sale.place_of_supply,
            supply_kind=sale.supply_kind,
            rounding=sale.rounding,
            buyer=BuyerPublic(
                name=sale.buyer_name,
                phone=sale.buyer_phone,
                gstin=sale.buyer_gstin,
                state=sale.buyer_state,
            )
            if has_buyer
            else None,
            cashier=sale.cashier,
            taxable=sale.taxable,
            cgst=sale.cgst,
            sgst=sale.sgst,
            igst=sale.igst,
            cess=sale.cess,
            round_off=sale.round_off,
            payable=sale.payable,
            tendered=sale.tendered,
            change=sale.change,
            hlc=sale.hlc,
            wall_time=sale.wall_time,
            received_at=sale.received_at,
            correlation_id=sale.correlation_id,
            lines=[SaleLinePublic.model_validate(line, from_attributes=True) for line in lines],
            tenders=_tenders(session, org, [sale.sale_id])[sale.sale_id],
            stock_moves=[
                StockMovePublic(
                    move_id=m.move_id, product_id=m.product_id, qty=m.qty, reason=m.reason
                )
                for m in moves
            ],
        )
