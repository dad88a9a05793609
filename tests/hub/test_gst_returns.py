"""GST returns from ingested sales, on SQLite and PostgreSQL.

Two boxes of one org sell a month through the Till factory: small B2C
sales, B2C inter-state sales above and below the B2CL limit, B2B sales to
a registered buyer, several rates and HSN codes. The hub rebuilds each
stored sale into the same invoice the kernel makes from the message the
box sent.
"""

from __future__ import annotations

import uuid
from datetime import date

from hub.db.models import Org, Store
from hub.gst.invoices import invoice_for_sale, invoices_for_period, seller_of
from setledger.contracts import SaleRecorded
from setledger.invoice import invoice_from_sale
from tests.hub.harness import Hub, make_gstin
from tests.hub.sales_factory import Item, Till

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def test_stored_sales_rebuild_the_kernels_invoice(hub: Hub) -> None:
    org = hub.org(gstin=make_gstin("27"))
    org_id = uuid.UUID(org["uuid"])
    store = hub.store(org)
    till = Till(org, hub.device(org, store))
    salt = hub.product(org)
    sent: list[SaleRecorded] = [
        till.sale([Item(salt, qty=2000)]),
        till.sale([Item(salt)], place_of_supply="29"),
    ]
    for sale in sent:
        assert hub.apply(till.seal(sale)).outcome == "applied"
    with hub.runtime.sessions() as session:
        org_row = session.get(Org, org_id)
        store_row = session.get(Store, (org_id, uuid.UUID(store["store_id"])))
        assert org_row is not None
        assert store_row is not None
        seller = seller_of(org_row, store_row)
        expected = [invoice_from_sale(sale, seller) for sale in sent]
        assert invoices_for_period(session, org_id, *NOVEMBER) == expected
        assert invoice_for_sale(session, org_id, sent[1].sale_id) == expected[1]
        assert invoices_for_period(session, org_id, date(2026, 12, 1), date(2026, 12, 31)) == []
