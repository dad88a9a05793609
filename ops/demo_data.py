"""The demo shop: a kirana store in Mumbai with a realistic small catalog.

Prices are MRP-style, tax-inclusive, in paise. Rates follow the GST rate
rationalisation of 22 Sep 2025 (most packaged food and personal care at
5%, aerated drinks at 40%). Loose staples are sold by weight (KGS,
fractional quantities). Barcodes are EAN-13 with valid check digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from setledger.contracts import CatalogProduct, CatalogSnapshot, PricePoint
from setledger.ids import new_id

ORG_NAME = "Sharma General Store"
ORG_STATE = "27"  # Maharashtra
ORG_GSTIN = "27AAPFU0939F1ZV"
STORE_NAME = "Sharma General Store, Dadar"
STORE_CODE = "DADAR"
DEVICE_NAME = "Counter 1"
INVOICE_PREFIX = "C1"


OWNER_USERNAME = "asha.sharma"
OWNER_NAME = "Asha Sharma"
OWNER_EMAIL = "asha@sharma-stores.example.in"

STAFF: tuple[tuple[str, str, str], ...] = (
    ("Ravi Sharma", "store_manager", "7350"),
    ("Asha Patil", "cashier", "4821"),
)
"""The demo's counter staff: name, role, PIN (printed by make run)."""


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    hsn: str
    rate_bp: int
    price: int
    mrp: int
    unit: str = "PCS"
    category: str = "Grocery"
    barcode: bool = True

    @property
    def fractional(self) -> bool:
        return self.unit in {"KGS", "LTR", "MTR"}


PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct("SALT-1KG", "Tata Salt 1 kg", "2501", 0, 2800, 2800),
    DemoProduct("ATTA-5KG", "Aashirvaad Atta 5 kg", "1101", 500, 28500, 29900),
    DemoProduct("PARLEG-250", "Parle-G Biscuits 250 g", "1905", 500, 2500, 2500, category="Snacks"),
    DemoProduct("BUTTER-100", "Amul Butter 100 g", "0405", 500, 5800, 5800, category="Dairy"),
    DemoProduct("MILK-1L", "Amul Taaza Milk 1 L", "0401", 0, 6800, 6800, category="Dairy"),
    DemoProduct("MAGGI-70", "Maggi Noodles 70 g", "1902", 500, 1400, 1400, category="Snacks"),
    DemoProduct("TEA-250", "Red Label Tea 250 g", "0902", 500, 14500, 15500),
    DemoProduct("OIL-SUN-1L", "Fortune Sunflower Oil 1 L", "1512", 500, 15500, 16500),
    DemoProduct("COLGATE-100", "Colgate Toothpaste 100 g", "3306", 500, 5600, 5600, category="Personal care"),
    DemoProduct("LUX-100", "Lux Soap 100 g", "3401", 500, 3800, 3800, category="Personal care"),
    DemoProduct("SURF-1KG", "Surf Excel Detergent 1 kg", "3402", 1800, 14000, 14500, category="Household"),
    DemoProduct("COKE-750", "Coca-Cola 750 ml", "2202", 4000, 4000, 4000, category="Beverages"),
    DemoProduct("DAIRYMILK-50", "Cadbury Dairy Milk 50 g", "1806", 500, 5000, 5000, category="Snacks"),
    DemoProduct("TOOR-LOOSE", "Toor Dal (loose)", "0713", 0, 16000, 16000, unit="KGS", barcode=False),
    DemoProduct("BASMATI-LOOSE", "Basmati Rice (loose)", "1006", 0, 12000, 12000, unit="KGS", barcode=False),
    DemoProduct("SUGAR-LOOSE", "Sugar (loose)", "1701", 500, 4800, 4800, unit="KGS", barcode=False),
    DemoProduct("ONION-LOOSE", "Onion (loose)", "0703", 0, 4000, 4000, unit="KGS", category="Vegetables", barcode=False),
    DemoProduct("DETTOL-HW-200", "Dettol Handwash 200 ml", "3401", 500, 9900, 9900, category="Personal care"),
    DemoProduct("LAYS-52", "Lay's Classic Salted 52 g", "2005", 500, 2000, 2000, category="Snacks"),
    DemoProduct("BHUJIA-200", "Haldiram's Aloo Bhujia 200 g", "2106", 500, 5500, 5500, category="Snacks"),
    DemoProduct("NOTEBOOK-200", "Classmate Notebook 200 pages", "4820", 0, 6000, 6500, category="Stationery"),
    DemoProduct("PEN-BALL", "Reynolds Ball Pen", "9608", 1800, 1000, 1000, category="Stationery"),
    DemoProduct("USB-C-1M", "USB-C Cable 1 m", "8544", 1800, 19900, 29900, category="Electricals"),
    DemoProduct("AA-4PK", "AA Batteries, pack of 4", "8506", 1800, 12000, 12000, category="Electricals"),
    DemoProduct("GOODKNIGHT", "Good Knight Refill", "3808", 1800, 8500, 8500, category="Household"),
    DemoProduct("BISLERI-1L", "Bisleri Water 1 L", "2201", 500, 2000, 2000, category="Beverages"),
    DemoProduct("GARAM-100", "Everest Garam Masala 100 g", "0910", 500, 8200, 8500),
    DemoProduct("DOVE-SH-180", "Dove Shampoo 180 ml", "3305", 500, 18500, 19900, category="Personal care"),
    DemoProduct("HARPIC-500", "Harpic Toilet Cleaner 500 ml", "3402", 1800, 9900, 9900, category="Household"),
    DemoProduct("EGGS-6", "Farm Eggs, tray of 6", "0407", 0, 4800, 4800, category="Dairy"),
)  # fmt: skip


SUPPLIER_NAME = "Bharat Wholesale Traders, Bhiwandi"
OPENING_UNITS = 24
"""What the demo's opening purchase order brings of each product (kg for loose goods)."""


def unit_cost(product: DemoProduct) -> int:
    """The demo's cost price: 75% of the selling price before GST, paise per unit."""
    return product.price * 10_000 * 3 // ((10_000 + product.rate_bp) * 4)


def ean13(first12: str) -> str:
    """Append the EAN-13 check digit (weights 1,3,1,3... from the left)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError("EAN-13 needs 12 digits before the check digit")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def barcode_of(index: int) -> str:
    """Demo barcodes under India's GS1 prefix 890."""
    return ean13(f"8901234{index:05d}")


def demo_snapshot(org_id: str, version: int, valid_from: datetime) -> CatalogSnapshot:
    """The demo catalog as the hub would publish it (local ids, for tests)."""
    products = []
    for index, p in enumerate(PRODUCTS, start=1):
        products.append(
            CatalogProduct(
                product_id=UUID(str(new_id())),
                sku=p.sku,
                name=p.name,
                hsn=p.hsn,
                unit=p.unit,
                fractional_qty=p.fractional,
                gst_rate_bp=p.rate_bp,
                price_includes_tax=True,
                prices=[PricePoint(valid_from=valid_from, price=p.price, mrp=p.mrp)],
                barcodes=[barcode_of(index)] if p.barcode else [],
                category=p.category,
                slug=re.sub(r"[^a-z0-9]+", "-", p.name.lower()).strip("-"),
            )
        )
    return CatalogSnapshot(
        org_id=org_id, version=version, generated_at=valid_from, products=products
    )
