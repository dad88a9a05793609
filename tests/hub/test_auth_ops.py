"""Every API route needs a token (the admin's, or a box's for blobs); ops routes and limits work."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from hub.api.accounts import PUBLIC_PATHS
from hub.api.router import API_PREFIX
from hub.app import create_app
from tests.hub.conftest import hub_settings
from tests.hub.harness import ADMIN_TOKEN, API, Hub, error_code, ok

FAKE_IDS = {
    "org_id": "ORG-00000000",
    "store_id": "0190b6d2-0000-7000-8000-000000000000",
    "device_id": "0190b6d2-0000-7000-8000-000000000000",
    "product_id": "0190b6d2-0000-7000-8000-000000000000",
    "sale_id": "0190b6d2-0000-7000-8000-000000000000",
    "sha256": "0" * 64,
    "org": "ORG-00000000",
    "member": "ORG-00000000-U-000001",
    "session_id": "0190b6d2-0000-7000-8000-000000000000",
    "invite_id": "0190b6d2-0000-7000-8000-000000000000",
}


def api_routes(hub: Hub) -> list[tuple[str, str]]:
    """Every (method, path) under /api/v1 but sign-up, sign-in and the like, from the
    OpenAPI document."""
    paths = hub.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    found: list[tuple[str, str]] = []
    for template, operations in paths.items():
        if template.startswith(API_PREFIX) and template[len(API_PREFIX) :] not in PUBLIC_PATHS:
            path = re.sub(r"\{(\w+)\}", lambda m: FAKE_IDS[m.group(1)], template)
            found.extend((method.upper(), path) for method in operations)
    return found


def test_every_api_route_refuses_a_missing_or_wrong_token(hub: Hub) -> None:
    routes = api_routes(hub)
    assert len(routes) >= 15
    for headers in (
        {"Authorization": ""},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {ADMIN_TOKEN}"},
        {"Authorization": f"Bearer {ADMIN_TOKEN}x"},
        {"Authorization": "Bearer ₹₹₹".encode()},  # raw UTF-8 bytes on the wire
    ):
        for method, path in routes:
            response = hub.client.request(method, path, headers=headers, json={})
            assert error_code(response, 401) == "UNAUTHENTICATED", (method, path, headers)
            assert response.json()["error"]["correlation_id"]


def test_the_right_token_any_case_of_bearer(hub: Hub) -> None:
    response = hub.client.get(f"{API}/orgs", headers={"Authorization": f"bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200


def test_health_and_metrics(hub: Hub) -> None:
    health = ok(hub.client.get("/healthz"))
    assert health["status"] == "ok"
    assert health["database"] == hub.backend
    assert health["schema"] == {"revision": "0004", "head": "0004"}
    hub.client.get(f"{API}/orgs")
    metrics = hub.client.get("/metrics").text
    # The full template, router prefixes included, one series per template.
    assert 'hub_http_requests_total{method="GET",route="/api/v1/orgs",status="200"} 1.0' in metrics
    assert 'hub_ingest_envelopes_total{outcome="applied"} 0.0' in metrics


def test_errors_carry_the_callers_correlation_id(hub: Hub) -> None:
    response = hub.client.get(
        f"{API}/orgs/ORG-00000000", headers={"X-Correlation-ID": "till-42-sale-9"}
    )
    assert response.status_code == 404
    assert response.headers["X-Correlation-ID"] == "till-42-sale-9"
    assert response.json()["error"]["correlation_id"] == "till-42-sale-9"


def test_a_large_body_is_refused_before_it_is_read(hub: Hub) -> None:
    huge = "x" * (hub.runtime.settings.max_body_bytes + 1)
    response = hub.client.post(
        f"{API}/orgs", content=huge, headers={"Content-Type": "application/json"}
    )
    assert error_code(response, 413) == "REQUEST_TOO_LARGE"
    malformed = hub.client.post(
        f"{API}/orgs", content="{not json", headers={"Content-Type": "application/json"}
    )
    assert error_code(malformed, 400) == "REQUEST_MALFORMED"


def test_health_reports_a_database_behind_the_code(empty_database_url: str) -> None:
    settings = hub_settings(empty_database_url).model_copy(update={"migrate_on_start": False})
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["status"] == "schema_behind"
        assert response.json()["schema"] == {"revision": None, "head": "0004"}
