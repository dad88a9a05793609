"""A small driver for the hub API in tests: orgs, stores, devices, products."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from hub.ingest import ApplyOutcome, apply_envelope
from hub.runtime import HubRuntime
from setledger.contracts import Envelope
from setledger.gstin import check_character

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
API = "/api/v1"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def make_gstin(state: str, pan: str = "AAPFU0939F") -> str:
    """A GSTIN with a correct check character for ``state`` and ``pan``."""
    first14 = f"{state}{pan}1Z"
    return first14 + check_character(first14)


def ok(response: Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def error_code(response: Response, status: int) -> str:
    assert response.status_code == status, response.text
    code: str = response.json()["error"]["code"]
    return code


@dataclass
class Hub:
    client: TestClient
    runtime: HubRuntime

    @property
    def backend(self) -> str:
        return self.runtime.engine.dialect.name

    def org(self, name: str = "Sharma General Stores", state_code: str = "27") -> dict[str, Any]:
        return ok(
            self.client.post(f"{API}/orgs", json={"name": name, "state_code": state_code}), 201
        )

    def store(self, org: dict[str, Any], state_code: str = "27", **fields: Any) -> dict[str, Any]:
        body = {"name": "Andheri West", "code": unique("S"), "state_code": state_code, **fields}
        return ok(self.client.post(f"{API}/orgs/{org['org_id']}/stores", json=body), 201)

    def device(
        self, org: dict[str, Any], store: dict[str, Any], prefix: str | None = None
    ) -> dict[str, Any]:
        body = {
            "store_id": store["store_id"],
            "name": "Counter 1",
            "invoice_prefix": prefix or unique("B"),
        }
        return ok(self.client.post(f"{API}/orgs/{org['org_id']}/devices", json=body), 201)

    def product(self, org: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {
            "sku": unique("SKU-"),
            "name": "Tata Salt 1kg",
            "hsn": "2501",
            "gst_rate_bp": 500,
            "price": 2800,
            **fields,
        }
        return ok(self.client.post(f"{API}/orgs/{org['org_id']}/products", json=body), 201)

    def get(self, path: str, **params: Any) -> Response:
        response: Response = self.client.get(f"{API}{path}", params=params)
        return response

    def apply(self, envelope: Envelope, received_at: datetime | None = None) -> ApplyOutcome:
        return apply_envelope(
            self.runtime.sessions,
            envelope,
            received_at or datetime.now(UTC),
            metrics=self.runtime.ingest_metrics,
        )
