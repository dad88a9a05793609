"""Products: the list with search and paging, a product's page, a new product.

Everyone who may read the catalog sees the list and each product; only
roles with ``catalog.manage`` see the edit forms and buttons (the services
behind them are checked the same way here before they run). A product id
of another org answers the 404 page. Prices are typed in rupees and read
with the import template's parser (exact paise, never a float); a changed
price or MRP becomes a new price point, never an edit of the old one.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hub.accounts.members import require
from hub.accounts.permissions import Permission, allowed
from hub.accounts.principal import Principal
from hub.catalog import products
from hub.catalog.schemas import PriceCreate, ProductCreate, ProductPublic, ProductUpdate
from hub.catalog.template import CellError, percent, rupees, rupees_text
from hub.console.auth import Db, Member
from hub.console.forms import Form, MemberForm, Problem, invalid, problem_of
from hub.console.pages import member_page, status_of
from hub.console.web import PREFIX, ConsoleRoute
from setledger import gst
from setledger.errors import ErrorKind, SetLedgerError

router = APIRouter(route_class=ConsoleRoute)

PRODUCTS = f"{PREFIX}/products"
PAGE_SIZE = 50
SPLIT_CODES = re.compile(r"[\s,|]+")
GST_CHOICES = [(percent(rate), rate) for rate in sorted(gst.GST_RATES_BP)]
RATE_OF_LABEL = dict(GST_CHOICES)
FIELD_OF_CODE = {
    "HSN_INVALID": "hsn",
    "BARCODE_INVALID": "barcodes",
    "GST_RATE_UNKNOWN": "gst_rate",
    "PRICE_ABOVE_MRP": "price",
}


def may_manage(principal: Principal) -> bool:
    return allowed(principal.role, Permission.CATALOG_MANAGE)


@router.get("/products")
def list_page(request: Request, db: Db, principal: Member, q: str = "", page: int = 1) -> Response:
    require(principal, Permission.CATALOG_READ, Permission.CATALOG_READ.value)
    page = max(1, page)
    q = q.strip()[:100]
    listed = products.list_products(
        db, principal.org_code, q or None, PAGE_SIZE, (page - 1) * PAGE_SIZE
    )
    pages = max(1, -(-listed.total // PAGE_SIZE))
    return member_page(
        request,
        principal,
        "products.html",
        "Products",
        listing=listed,
        q=q,
        page=page,
        pages=pages,
        may_manage=may_manage(principal),
        rupees=rupees_text,
        percent=percent,
        export=f"/api/v1/orgs/{principal.org_code}/catalog/export",
    )


def _form_of(product: ProductPublic | None) -> dict[str, str]:
    if product is None:
        return {"unit": "PCS", "gst_rate": "5", "active": "on"}
    return {
        "sku": product.sku,
        "name": product.name,
        "hsn": product.hsn or "",
        "category": product.category or "",
        "unit": product.unit,
        "gst_rate": percent(product.gst_rate_bp),
        "price": rupees_text(product.price),
        "mrp": rupees_text(product.mrp),
        "barcodes": " ".join(product.barcodes),
        "active": "on" if product.active else "",
    }


def _edit_page(
    request: Request,
    principal: Principal,
    product: ProductPublic | None,
    form: Form | None = None,
    problem: Problem | None = None,
    status: int = 200,
) -> Response:
    title = "New product" if product is None else product.name
    return member_page(
        request,
        principal,
        "product.html",
        title,
        status,
        product=product,
        form={**_form_of(product), **(form or {})},
        problem=problem,
        may_manage=may_manage(principal),
        gst_choices=GST_CHOICES,
        rupees=rupees_text,
        percent=percent,
    )


def _money(form: Form, problems: dict[str, str]) -> tuple[int | None, int | None]:
    values: list[int | None] = []
    for name in ("price", "mrp"):
        raw = form.get(name, "").strip()
        try:
            values.append(rupees(raw) if raw else None)
        except CellError as err:
            problems[name] = f"Rupees with at most 2 decimals ({err.message})."
            values.append(None)
    if not form.get("price", "").strip():
        problems["price"] = "This is required."
    return values[0], values[1]


def _fields(form: Form) -> dict[str, Any]:
    """The form as the API's request fields (empty optional fields are null)."""

    def text(name: str) -> str | None:
        return form.get(name, "").strip() or None

    return {
        "name": form.get("name", "").strip(),
        "hsn": text("hsn"),
        "category": text("category"),
        # Only the select's own values (the slabs' percent texts): -1 is refused.
        "gst_rate_bp": RATE_OF_LABEL.get(form.get("gst_rate", ""), -1),
        "barcodes": [c for c in SPLIT_CODES.split(form.get("barcodes", "")) if c],
    }


def _problem(err: SetLedgerError | ValidationError) -> Problem:
    if isinstance(err, ValidationError):
        problem = invalid(err)
        fields = {k.removesuffix("_bp"): v for k, v in problem.fields.items()}
        return Problem(problem.message, fields=fields)
    found = problem_of(err)
    name = FIELD_OF_CODE.get(err.code)
    return Problem(found.message, found.remediation, err.code, {name: err.message} if name else {})


@router.get("/products/new")
def new_page(request: Request, principal: Member) -> Response:
    require(principal, Permission.CATALOG_MANAGE, Permission.CATALOG_MANAGE.value)
    return _edit_page(request, principal, None)


@router.post("/products/new")
def create(request: Request, form: MemberForm, db: Db, principal: Member) -> Response:
    require(principal, Permission.CATALOG_MANAGE, Permission.CATALOG_MANAGE.value)
    problems: dict[str, str] = {}
    price, mrp = _money(form, problems)
    if problems:
        problem = Problem("Some fields need correcting.", fields=problems)
        return _edit_page(request, principal, None, form, problem, 422)
    fields = _fields(form) | {
        "sku": form.get("sku", "").strip(),
        "unit": form.get("unit", "PCS").strip() or "PCS",
        "price": price,
        "mrp": mrp,
    }
    try:
        created = products.create_product(db, principal.org_code, ProductCreate(**fields))
    except (ValidationError, SetLedgerError) as err:
        problem = _problem(err)
        status = status_of(problem, err if isinstance(err, SetLedgerError) else None)
        return _edit_page(request, principal, None, form, problem, status)
    return RedirectResponse(f"{PRODUCTS}/{created.product_id}?notice=saved", status_code=303)


@router.get("/products/{product_id}")
def product_page(request: Request, db: Db, principal: Member, product_id: uuid.UUID) -> Response:
    require(principal, Permission.CATALOG_READ, Permission.CATALOG_READ.value)
    product = products.read_product(db, principal.org_code, product_id)
    return _edit_page(request, principal, product)


@router.post("/products/{product_id}")
def update(
    request: Request, form: MemberForm, db: Db, principal: Member, product_id: uuid.UUID
) -> Response:
    require(principal, Permission.CATALOG_MANAGE, Permission.CATALOG_MANAGE.value)
    # Looked up first: another org's product is the 404 page, whatever was posted.
    product = products.read_product(db, principal.org_code, product_id)
    problems: dict[str, str] = {}
    price, mrp = _money(form, problems)
    if problems:
        problem = Problem("Some fields need correcting.", fields=problems)
        return _edit_page(request, principal, product, form, problem, 422)
    fields = _fields(form) | {"active": form.get("active") == "on"}
    try:
        products.update_product(db, principal.org_code, product_id, ProductUpdate(**fields))
        if price is not None and (price, mrp) != (product.price, product.mrp):
            products.add_price(
                db, principal.org_code, product_id, PriceCreate(price=price, mrp=mrp)
            )
    except (ValidationError, SetLedgerError) as err:
        if isinstance(err, SetLedgerError) and err.kind is ErrorKind.NOT_FOUND:
            raise
        problem = _problem(err)
        status = status_of(problem, err if isinstance(err, SetLedgerError) else None)
        return _edit_page(request, principal, product, form, problem, status)
    return RedirectResponse(f"{PRODUCTS}/{product_id}?notice=saved", status_code=303)
