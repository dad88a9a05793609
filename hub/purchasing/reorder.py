"""Min/max reorder rules per (location, product), the suggestions they make, and a
draft PO made from them for one supplier.

Stock position = on hand (every lot at the location) + on order (outstanding on
the location's open POs, drafts included, so a suggestion already drafted is not
suggested twice) + in transit to the location (shipped transfers not received).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from hub.accounts.audit import Actor
from hub.accounts.unit import unit_of_work
from hub.clock import utcnow
from hub.db.models import (
    Product,
    PurchaseOrder,
    ReorderRule,
    StockLevel,
    StockMove,
    StockTransfer,
)
from hub.db.upsert import insert_ignore
from hub.purchasing import orders
from hub.stock import urgent
from hub.stock.services import check_product, get_location
from setledger import errors
from setledger import purchasing as kernel


@dataclass(frozen=True)
class Suggestion:
    location_id: uuid.UUID
    product_id: uuid.UUID
    rule: kernel.ReorderRule | None
    """None: no min/max rule, only the counter's urgent reorders ask for it."""
    on_hand: int
    on_order: int
    in_transit: int
    qty: int
    """What to order (milli-units): the larger of the rule's and the urgent reorders'
    (0 when neither wants any)."""
    urgent_qty: int = 0
    """What the store's open urgent reorders of the product ask for."""
    urgent_ids: tuple[uuid.UUID, ...] = ()


def set_rule(
    session: Session,
    org_id: uuid.UUID,
    location_id: uuid.UUID,
    product_id: uuid.UUID,
    rule: kernel.ReorderRule,
    *,
    actor: Actor,
) -> ReorderRule:
    """Make or replace the rule of a (location, product)."""
    with unit_of_work(session):
        location = get_location(session, org_id, location_id)
        if location.kind == "transit":
            raise errors.STOCK_LOCATION_KIND_INVALID.error(
                action="have a reorder rule", location_id=str(location_id), kind=location.kind
            )
        check_product(session, org_id, product_id)
        kernel.check_rule(rule)
        now = utcnow()
        values = {"min_qty": rule.min_qty, "max_qty": rule.max_qty, "pack_qty": rule.pack_qty,
                  "updated_at": now, "updated_by": actor.label}  # fmt: skip
        insert_ignore(session, ReorderRule,
                      {"org_id": org_id, "location_id": location_id, "product_id": product_id,
                       **values})  # fmt: skip
        row = session.get(ReorderRule, (org_id, location_id, product_id), populate_existing=True)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.flush()
        return row


def list_rules(
    session: Session, org_id: uuid.UUID, location_id: uuid.UUID | None = None
) -> list[ReorderRule]:
    with unit_of_work(session):
        query = select(ReorderRule).where(ReorderRule.org_id == org_id)
        if location_id is not None:
            query = query.where(ReorderRule.location_id == location_id)
        return list(
            session.scalars(query.order_by(ReorderRule.location_id, ReorderRule.product_id))
        )


def _on_hand(session: Session, org_id: uuid.UUID, location_id: uuid.UUID) -> dict[uuid.UUID, int]:
    query = (
        select(StockLevel.product_id, func.sum(StockLevel.qty))
        .where(StockLevel.org_id == org_id, StockLevel.location_id == location_id)
        .group_by(StockLevel.product_id)
    )
    return {product: int(qty) for product, qty in session.execute(query)}


def _in_transit(
    session: Session, org_id: uuid.UUID, location_id: uuid.UUID
) -> dict[uuid.UUID, int]:
    """Shipped towards the location (into transit) minus received there, per product."""
    query = (
        select(StockMove.product_id, StockMove.location_id, func.sum(StockMove.qty))
        .join(StockTransfer, and_(StockTransfer.org_id == StockMove.org_id,
                                  StockTransfer.transfer_id == StockMove.transfer_id))
        .where(StockMove.org_id == org_id, StockTransfer.to_location_id == location_id,
               StockMove.reason == "transfer_in")
        .group_by(StockMove.product_id, StockMove.location_id)
    )  # fmt: skip
    transit: dict[uuid.UUID, int] = defaultdict(int)
    for product, where, qty in session.execute(query):
        transit[product] += -int(qty) if where == location_id else int(qty)
    return transit


def _on_order(session: Session, org_id: uuid.UUID, location_id: uuid.UUID) -> dict[uuid.UUID, int]:
    on_order: dict[uuid.UUID, int] = defaultdict(int)
    views = orders.list_pos(session, org_id, statuses=set(kernel.OPEN_STATUSES),
                            location_id=location_id)  # fmt: skip
    for view in views:
        for line in view.lines:
            on_order[line.product_id] += view.state.outstanding(line.line_no)
    return on_order


def suggestions(
    session: Session, org_id: uuid.UUID, location_id: uuid.UUID, *, all_rules: bool = False
) -> list[Suggestion]:
    """Each rule of the location with its stock position and what to order; only those
    with something to order unless ``all_rules``."""
    with unit_of_work(session):
        get_location(session, org_id, location_id)
        rules = {
            row.product_id: kernel.ReorderRule(row.min_qty, row.max_qty, row.pack_qty)
            for row in list_rules(session, org_id, location_id)
        }
        asked = _urgent(session, org_id, location_id)
        if not rules and not asked:
            return []
        on_hand = _on_hand(session, org_id, location_id)
        on_order = _on_order(session, org_id, location_id)
        transit = _in_transit(session, org_id, location_id)
        made = []
        for p in sorted(set(rules) | set(asked)):
            rule, (urgent_qty, urgent_ids) = rules.get(p), asked.get(p, (0, ()))
            position = (on_hand.get(p, 0), on_order.get(p, 0), transit.get(p, 0))
            by_rule = 0 if rule is None else kernel.suggested_qty(rule, *position)
            by_urgent = kernel.urgent_suggested_qty(
                urgent_qty, position[1], position[2], None if rule is None else rule.pack_qty
            )
            qty = max(by_rule, by_urgent)
            if qty > 0 or (all_rules and rule is not None):
                made.append(Suggestion(location_id, p, rule, *position, qty, urgent_qty,
                                       urgent_ids))  # fmt: skip
        return made


def _urgent(
    session: Session, org_id: uuid.UUID, location_id: uuid.UUID
) -> dict[uuid.UUID, tuple[int, tuple[uuid.UUID, ...]]]:
    """Per product, what the store's open or acknowledged urgent reorders ask for, and
    their ids (a store's location id is its store id; a warehouse has none)."""
    location = get_location(session, org_id, location_id)
    if location.store_id is None:
        return {}
    found: dict[uuid.UUID, tuple[int, tuple[uuid.UUID, ...]]] = {}
    for r in urgent.list_for_store(session, org_id, location.store_id):
        if r.status in ("open", "acknowledged"):
            qty, ids = found.get(r.product_id, (0, ()))
            found[r.product_id] = (qty + r.qty, (*ids, r.reorder_id))
    return found


def _last_cost(session: Session, org_id: uuid.UUID, product_id: uuid.UUID) -> int:
    """The unit cost of the product's latest receipt (0 when it was never received at cost)."""
    found = session.scalar(
        select(StockMove.unit_cost)
        .where(StockMove.org_id == org_id, StockMove.product_id == product_id,
               StockMove.reason == "receipt", StockMove.unit_cost.is_not(None))
        .order_by(StockMove.moved_at.desc(), StockMove.move_id.desc())
        .limit(1)
    )  # fmt: skip
    return int(found or 0)


def draft_from_suggestions(
    session: Session,
    org_id: uuid.UUID,
    location_id: uuid.UUID,
    supplier_id: uuid.UUID,
    *,
    actor: Actor,
    product_ids: Sequence[uuid.UUID] | None = None,
    unit_costs: dict[uuid.UUID, int] | None = None,
    po_id: uuid.UUID | None = None,
) -> orders.PoView:
    """A draft PO to the supplier of the location's suggestions (those products only,
    when given), at the given costs or each product's last receipt cost."""
    costs = unit_costs or {}
    with unit_of_work(session):
        if po_id is not None and session.get(PurchaseOrder, (org_id, po_id)) is not None:
            return orders.read_po(session, org_id, po_id)
        wanted = [s for s in suggestions(session, org_id, location_id)
                  if product_ids is None or s.product_id in set(product_ids)]  # fmt: skip
        if not wanted:
            raise errors.PURCHASE_ORDER_INVALID.error(
                field="lines", rule="a reorder suggestion at this location (none is due)"
            )
        names = {p.product_id: p for p in session.scalars(
            select(Product).where(Product.org_id == org_id,
                                  Product.product_id.in_([s.product_id for s in wanted])))}  # fmt: skip
        lines = [
            orders.NewLine(s.product_id, s.qty,
                           costs.get(s.product_id, _last_cost(session, org_id, s.product_id)),
                           names[s.product_id].gst_rate_bp)
            for s in wanted
        ]  # fmt: skip
        made = orders.create_po(session, org_id, supplier_id=supplier_id, location_id=location_id,
                                lines=lines, actor=actor, note="From reorder suggestions",
                                po_id=po_id)  # fmt: skip
        # The counters that asked are answered: their urgent reorders are on this PO.
        for reorder_id in (i for s in wanted for i in s.urgent_ids):
            urgent.take_step(session, org_id, reorder_id, "ordered", actor=actor, at=utcnow(),
                             po_reference=made.po.number)  # fmt: skip
        return made
