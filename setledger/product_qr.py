"""The product QR payload: ``setledger://p/<orgID>/<productUUID>``.

Labels print it upper-case (QR alphanumeric mode gives smaller codes with
more error correction at the same size), so parsing ignores case. The box
resolves it offline from its own catalog.
"""

from __future__ import annotations

import re
import uuid

_SCHEME = "setledger://p/"
_PAYLOAD_RE = re.compile(
    r"^setledger://p/(ORG-[0-9a-f]{8})/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


def product_qr_payload(org_id: str, product_id: uuid.UUID) -> str:
    return f"{_SCHEME}{org_id}/{product_id}"


def parse_product_qr(text: str) -> tuple[str, uuid.UUID] | None:
    """(org id, product id) from a scanned payload, or None if it is not one."""
    candidate = text.strip()
    match = _PAYLOAD_RE.match(candidate.lower().replace("org-", "ORG-", 1))
    if match is None:
        return None
    return match.group(1), uuid.UUID(match.group(2))
