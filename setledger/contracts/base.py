"""Shared pieces of the wire contracts: strict integers for money, codes."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Strict: a float (even 12.0) is refused, so money can never arrive as one.
Paise = Annotated[int, Field(strict=True)]
MilliQty = Annotated[int, Field(strict=True)]
RateBp = Annotated[int, Field(strict=True, ge=0, le=10_000)]
Seq = Annotated[int, Field(strict=True, ge=1)]
StateCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
OrgCode = Annotated[str, StringConstraints(pattern=r"^ORG-[0-9a-f]{8}$")]
InvoiceNumber = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z1-9][a-zA-Z0-9/-]{0,15}$")]
Hsn = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}([0-9]{2}){0,2}$")]
Gstin = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}[0-9A-Z]{13}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Epoch = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Stream = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Reference = Annotated[str, StringConstraints(max_length=64)]


class Contract(BaseModel):
    """A message on the wire: unknown fields are refused, instances are frozen.

    Every concrete message declares ``SCHEMA`` (a dotted name) and
    ``VERSION``. A change that old readers cannot take is a new version.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Declared by top-level messages only; parts of messages leave them unset.
    SCHEMA: ClassVar[str]
    VERSION: ClassVar[int]
