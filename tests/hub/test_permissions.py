"""The permission matrix, checked route by route for every role.

One org with a member of each role. For every org route (read from the
app, with the permission it declares through ``hub.api.deps.allow``), each
role either gets 403 ROLE_NOT_ALLOWED, when the matrix denies it, or gets
past the check. ``docs/PERMISSIONS.md`` must be the table the code holds.
"""

from __future__ import annotations

from pathlib import Path

from hub.accounts.permissions import MATRIX, markdown
from hub.accounts.principal import Role
from hub.api.deps import Access, access_of
from tests.hub.harness import API, Hub, Owner, error_code, ok
from tests.hub.test_tenancy import SAMPLE_BODIES, api_routes, make_tenant, send

REPO = Path(__file__).resolve().parents[2]


def test_docs_permissions_md_is_the_matrix_in_the_code() -> None:
    assert (REPO / "docs" / "PERMISSIONS.md").read_text() == markdown(), (
        "regenerate it: python -m hub.accounts.permissions > docs/PERMISSIONS.md"
    )


def test_every_org_route_follows_the_matrix_for_every_role(hub_with_mail: Hub) -> None:
    hub = hub_with_mail
    org = make_tenant(hub)
    members: dict[Role, Owner] = {Role.OWNER: org.owner}
    for role in Role:
        if role != Role.OWNER:
            members[role] = hub.member(org.owner, role.value)
    checked = 0
    # Reads first, then changes; the cashier's own row stays the target of
    # member actions, so no caller locks themselves out halfway.
    routes = sorted(
        (
            (method, route)
            for route in api_routes(hub.client.app)
            for method in route.methods
            if (access_of(route) or (None,))[0] == Access.ORG
        ),
        key=lambda pair: (pair[0] != "GET", pair[1].path),
    )
    for method, route in routes:
        declared = access_of(route)
        assert declared is not None
        permission = declared[1]
        assert permission is not None
        path = route.path.removeprefix(API)
        body = SAMPLE_BODIES.get((method, path))
        if path == "/orgs/{org}/devices" and method == "POST":
            body = {**(body or {}), "store_id": org.ids["store_id"]}
        for role, member in members.items():
            response = send(hub, method, path, org.ids, member.headers, body)
            if permission in MATRIX[role]:
                assert response.status_code not in {401, 403}, (role, method, path, response.text)
            else:
                assert error_code(response, 403) == "ROLE_NOT_ALLOWED", (role, method, path)
            checked += 1
    assert checked >= len(Role) * 25


def test_an_admin_must_enrol_totp_before_any_org_route(hub_with_mail: Hub) -> None:
    hub = hub_with_mail
    owner = hub.sign_up()
    admin = hub.member(owner, "accountant")
    # Made admin by the owner after joining: now 2FA is required of them.
    members = ok(hub.get(f"/orgs/{owner.org_code}/members"))["members"]
    code = next(m["user_id"] for m in members if m["username"] == admin.username)
    ok(hub.client.put(f"{API}/orgs/{owner.org_code}/members/{code}/role", json={"role": "admin"}))
    response = hub.client.get(f"{API}/orgs/{owner.org_code}/members", headers=admin.headers)
    assert error_code(response, 403) == "MFA_ENROLMENT_REQUIRED"
