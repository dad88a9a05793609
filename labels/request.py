"""The label request both apps accept (hub API, box API, console form).

What to print is a selection of products (each with its own copies, batch
and expiry), a category, or the whole catalog (neither given); the
template decides which formats make sense.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from labels.model import MAX_COPIES, LabelFormat, LabelItem, LabelOptions
from labels.templates import TEMPLATES

MAX_PICKS = 10_000


class LabelPick(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: uuid.UUID
    copies: int | None = Field(default=None, ge=1, le=MAX_COPIES)
    """Overrides the request's ``copies`` for this product."""
    batch: str | None = Field(default=None, max_length=40)
    expiry: date | None = None


class LabelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: str = Field(default="a4-3x8", examples=["a4-3x8"])
    format: LabelFormat = LabelFormat.PDF
    products: list[LabelPick] | None = Field(default=None, max_length=MAX_PICKS)
    category: str | None = Field(default=None, max_length=100)
    copies: int = Field(default=1, ge=1, le=MAX_COPIES)
    show_mrp: bool = True
    outlines: bool = False
    native_qr: bool = True

    @model_validator(mode="after")
    def _template_prints_format(self) -> Self:
        template = TEMPLATES.get(self.template)
        if template is None:
            raise ValueError(f"unknown template {self.template!r}; one of {', '.join(TEMPLATES)}")
        if self.format not in template.formats:
            allowed = ", ".join(f.value for f in template.formats)
            raise ValueError(f"template {self.template} prints {allowed}, not {self.format.value}")
        if self.products is not None and self.category is not None:
            raise ValueError("choose products or a category, not both")
        return self

    def options(self) -> LabelOptions:
        return LabelOptions(
            outlines=self.outlines, show_mrp=self.show_mrp, native_qr=self.native_qr
        )

    def copies_of(self, pick: LabelPick | None) -> int:
        return pick.copies if pick is not None and pick.copies is not None else self.copies


def item_for(
    request: LabelRequest,
    pick: LabelPick | None,
    *,
    name: str,
    sku: str,
    price: int,
    mrp: int | None,
    qr_payload: str,
) -> LabelItem:
    return LabelItem(
        name=name,
        sku=sku,
        price=price,
        mrp=mrp,
        qr_payload=qr_payload,
        batch=None if pick is None else pick.batch,
        expiry=None if pick is None else pick.expiry,
        copies=request.copies_of(pick),
    )


def file_name(request: LabelRequest, media_type: str) -> str:
    extension = "zip" if media_type == "application/zip" else request.format.value
    return f"labels-{request.template}.{extension}"
