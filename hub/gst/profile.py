"""The org's tax profile: who the seller is on invoices and returns (a service).

One profile per org, on the org's row (migration 0009). ``PUT`` replaces
it whole: every field not sent becomes empty, so what was sent is what is
kept. The GSTIN must be valid and registered in the org's state (a NIC
sandbox GSTIN only when ``gst_sandbox`` is set, R13); a refused profile
changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field, StringConstraints
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.principal import Principal
from hub.db.models import Org
from hub.registry.lookup import get_org
from hub.schemas import Request, Response
from setledger import errors
from setledger.gstin import is_valid_gstin, state_of

Text100 = Annotated[str, StringConstraints(min_length=1, max_length=100)]
GstinText = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}[0-9A-Za-z]{13}$", to_upper=True)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{6,15}$")]
Email = Annotated[
    str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$", max_length=100)
]
Vpa = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-_]{2,64}@[A-Za-z0-9.\-]{2,35}$")]

PROFILE_FIELDS = (
    "gstin",
    "legal_name",
    "trade_name",
    "address1",
    "address2",
    "location",
    "pin",
    "phone",
    "email",
    "aato",
    "upi_vpa",
    "upi_payee",
    "gst_sandbox",
)
REQUIRED_FOR_INVOICES = ("gstin", "legal_name", "address1", "location", "pin", "aato")
"""What an e-invoice's seller block needs (INV-01 SellerDtls) and the HSN rule reads."""


class TaxProfileUpdate(Request):
    gstin: GstinText
    legal_name: Text100
    trade_name: Text100 | None = None
    address1: Text100 | None = None
    address2: Text100 | None = None
    location: Text100 | None = None
    pin: int | None = Field(default=None, ge=100_000, le=999_999)
    """Six digits, not starting with 0."""
    phone: Phone | None = None
    email: Email | None = None
    aato: int | None = Field(default=None, ge=0, strict=True)
    """Aggregate annual turnover of the previous financial year, paise (R14)."""
    upi_vpa: Vpa | None = None
    upi_payee: Text100 | None = None
    gst_sandbox: bool = False


class TaxProfilePublic(Response):
    state_code: str
    gstin: str | None
    legal_name: str | None
    trade_name: str | None
    address1: str | None
    address2: str | None
    location: str | None
    pin: int | None
    phone: str | None
    email: str | None
    aato: int | None
    upi_vpa: str | None
    upi_payee: str | None
    gst_sandbox: bool
    missing: list[str]
    """Fields invoices and e-invoices need that are still empty."""


def profile_of(org: Org) -> TaxProfilePublic:
    values = {name: getattr(org, name) for name in PROFILE_FIELDS}
    missing = [name for name in REQUIRED_FOR_INVOICES if values[name] is None]
    return TaxProfilePublic(state_code=org.state_code, missing=missing, **values)


def read_profile(session: Session, org_code: str) -> TaxProfilePublic:
    with session.begin():
        return profile_of(get_org(session, org_code))


def check_profile(data: TaxProfileUpdate, state_code: str) -> None:
    if not is_valid_gstin(data.gstin, sandbox=data.gst_sandbox):
        raise errors.GSTIN_INVALID.error(gstin=data.gstin, field="gstin")
    registered = state_of(data.gstin)
    if registered != state_code:
        raise errors.GSTIN_STATE_MISMATCH.error(
            gstin=data.gstin, gstin_state=registered, state_code=state_code, field="gstin"
        )


def update_profile(
    session: Session, principal: Principal, data: TaxProfileUpdate
) -> TaxProfilePublic:
    with session.begin():
        org = get_org(session, principal.org_code, for_update=True)
        check_profile(data, org.state_code)
        changed = [name for name in PROFILE_FIELDS if getattr(org, name) != getattr(data, name)]
        for name in changed:
            setattr(org, name, getattr(data, name))
        if changed:
            audit.record(
                session,
                org.org_id,
                "org.tax_profile_updated",
                at=datetime.now(UTC),
                actor=audit.actor_of(principal),
                target=principal.org_code,
                details={"fields": changed},
            )
        return profile_of(org)
