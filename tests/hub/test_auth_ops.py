"""Every API route but the public ones needs a session (or a box's token for
blobs); ops routes and limits work."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from hub.api.deps import Access, access_of
from hub.api.router import API_PREFIX
from hub.app import create_app
from hub.db import code_head
from tests.hub.conftest import hub_settings
from tests.hub.harness import API, Hub, error_code, ok

FAKE_IDS = {
    "store_id": "0190b6d2-0000-7000-8000-000000000000",
    "device_id": "0190b6d2-0000-7000-8000-000000000000",
    "product_id": "0190b6d2-0000-7000-8000-000000000000",
    "sale_id": "0190b6d2-0000-7000-8000-000000000000",
    "sha256": "0" * 64,
    "org": "ORG-00000000",
    "member": "ORG-00000000-U-000001",
    "session_id": "0190b6d2-0000-7000-8000-000000000000",
    "invite_id": "0190b6d2-0000-7000-8000-000000000000",
    "import_id": "0190b6d2-0000-7000-8000-000000000000",
    "code": "1000",
    "serial_no": "IMEI-0",
}


def fake_id(name: str) -> str:
    """A value for a path parameter: every ``*_id`` is a UUID, the rest are listed."""
    if name in FAKE_IDS:
        return FAKE_IDS[name]
    assert name.endswith("_id"), f"add a fake value for {{{name}}} to FAKE_IDS"
    return FAKE_IDS["store_id"]


def api_routes(hub: Hub) -> list[tuple[str, str]]:
    """Every (method, path) under /api/v1 but the public ones (sign-up, sign-in...)."""
    found: list[tuple[str, str]] = []
    for route in hub.client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute) or not route.path.startswith(API_PREFIX):
            continue  # the OpenAPI document is public
        template = route.path
        declared = access_of(route)
        if declared is not None and declared[0] == Access.PUBLIC:
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: fake_id(m.group(1)), template)
        found.extend((method, path) for method in route.methods)
    return found


def test_every_api_route_refuses_a_missing_or_wrong_token(hub: Hub) -> None:
    owner = hub.sign_up()
    routes = api_routes(hub)
    assert len(routes) >= 30
    for headers in (
        {"Authorization": ""},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {owner.token}"},
        {"Authorization": f"Bearer {owner.token}x"},
        {"Authorization": "Bearer ₹₹₹".encode()},  # raw UTF-8 bytes on the wire
    ):
        for method, path in routes:
            response = hub.client.request(method, path, headers=headers, json={})
            assert error_code(response, 401) == "UNAUTHENTICATED", (method, path, headers)
            assert response.json()["error"]["correlation_id"]


def test_the_right_token_any_case_of_bearer(hub: Hub) -> None:
    owner = hub.sign_up()
    response = hub.client.get(
        f"{API}/orgs/{owner.org_code}", headers={"Authorization": f"bearer {owner.token}"}
    )
    assert response.status_code == 200


def test_health_and_metrics(hub: Hub) -> None:
    health = ok(hub.client.get("/healthz"))
    assert health["status"] == "ok"
    assert health["database"] == hub.backend
    assert health["schema"] == {"revision": code_head(), "head": code_head()}
    org = hub.org()
    metrics = hub.client.get("/metrics").text
    # The full template, router prefixes included, one series per template.
    assert (
        'hub_http_requests_total{method="GET",route="/api/v1/orgs/{org}",status="200"} 1.0'
        in metrics
    ), org
    assert 'hub_ingest_envelopes_total{outcome="applied"} 0.0' in metrics


def test_errors_carry_the_callers_correlation_id(hub: Hub) -> None:
    response = hub.client.get(f"{API}/auth/me", headers={"X-Correlation-ID": "till-42-sale-9"})
    assert response.status_code == 401
    assert response.headers["X-Correlation-ID"] == "till-42-sale-9"
    assert response.json()["error"]["correlation_id"] == "till-42-sale-9"


def test_a_large_body_is_refused_before_it_is_read(hub: Hub) -> None:
    huge = "x" * (hub.runtime.settings.max_body_bytes + 1)
    response = hub.client.post(
        f"{API}/auth/signup", content=huge, headers={"Content-Type": "application/json"}
    )
    assert error_code(response, 413) == "REQUEST_TOO_LARGE"
    malformed = hub.client.post(
        f"{API}/auth/signup", content="{not json", headers={"Content-Type": "application/json"}
    )
    assert error_code(malformed, 400) == "REQUEST_MALFORMED"


def test_health_reports_a_database_behind_the_code(empty_database_url: str) -> None:
    settings = hub_settings(empty_database_url).model_copy(update={"migrate_on_start": False})
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["status"] == "schema_behind"
        assert response.json()["schema"] == {"revision": None, "head": code_head()}
