"""Creating and reading organisations (each service call is one transaction)."""

from __future__ import annotations

import re
import unicodedata
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.clock import utcnow
from hub.db.models import Org
from hub.registry.checks import check_domestic_state, check_gstin_for_state
from hub.registry.lookup import get_org
from hub.registry.schemas import OrgCreate, OrgPublic
from setledger import errors
from setledger.ids import org_code

# A code is 32 random bits: a clash is rare (about 1 in 43 million with
# 1,000 orgs), so a handful of redraws settles it.
MAX_CODE_DRAWS = 8
MAX_CREATE_ATTEMPTS = 3
MAX_SLUG_LENGTH = 48
FIRST_CATALOG_VERSION = 1


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].strip("-")


def to_public(org: Org) -> OrgPublic:
    return OrgPublic(
        org_id=org.org_code,
        uuid=org.org_id,
        name=org.name,
        slug=org.slug,
        state_code=org.state_code,
        gstin=org.gstin,
        catalog_version=org.catalog_version,
        created_at=org.created_at,
    )


def _free_code(session: Session) -> tuple[uuid.UUID, str]:
    for _ in range(MAX_CODE_DRAWS):
        org_uuid = uuid.uuid4()
        code = org_code(org_uuid)
        if session.scalar(select(Org.org_id).where(Org.org_code == code)) is None:
            return org_uuid, code
    raise errors.INTERNAL_ERROR.error(reason="no free organisation code")


def _free_slug(session: Session, name: str, code: str) -> str:
    suffix = code.removeprefix("ORG-")
    base = slugify(name)
    if not base:
        return f"org-{suffix}"  # a name with no Latin letters (e.g. Devanagari)
    if session.scalar(select(Org.org_id).where(Org.slug == base)) is None:
        return base
    return f"{base}-{suffix}"


def add_org(session: Session, data: OrgCreate) -> Org:
    """Insert a new org with a free code and slug (a helper: never commits).

    A concurrent create may still take the code or slug first: the caller's
    commit then raises IntegrityError and the caller tries again.
    """
    check_domestic_state(data.state_code)
    check_gstin_for_state(data.gstin, data.state_code)
    org_uuid, code = _free_code(session)
    org = Org(
        org_id=org_uuid,
        org_code=code,
        name=data.name,
        slug=_free_slug(session, data.name, code),
        state_code=data.state_code,
        gstin=data.gstin,
        catalog_version=FIRST_CATALOG_VERSION,
        created_at=utcnow(),
    )
    session.add(org)
    session.flush()
    return org


def read_org(session: Session, code: str) -> OrgPublic:
    with session.begin():
        return to_public(get_org(session, code))
