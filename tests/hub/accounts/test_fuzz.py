"""Every accounts endpoint fed malformed and hostile input: never a 5xx, always a
structured error (code, message, remediation)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hub.accounts.driver import Account, Driver

HUGE = "x" * 200_000
HOSTILE_TEXT = st.one_of(
    st.text(max_size=50),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\r\nBcc: victim@example.in",
            '\'; DROP TABLE "user"; --',
            "../../etc/passwd",
            "ORG-00000000-U-000001",
            "٤٥٦٧",
            "𝔞𝔡𝔪𝔦𝔫",
            "admin@example.in",
            "A" * 1025,
            HUGE,
            "000000",
            "abcd-efgh-jkmn",
            "owner",
            "bearer",
            "cookie",
        ]
    ),
)
JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | HOSTILE_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
RAW_BODIES = st.sampled_from(
    [
        b"",
        b"{",
        b"null",
        b"[]",
        b'"string"',
        b"\xff\xfe\x00",
        b'{"username": "\\ud800", "password": "\\udfff"}',
        b'{"token": "\\u0000", "new_password": "x"}',
        b'{"org": {"name": "\\ud83d"}, "username": "a", "password": "b"}',
        b'{"username": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"code": 1e400}',
        b'{"pin": NaN}',
    ]
)

PUBLIC: dict[str, list[str]] = {
    "/auth/signup": ["org", "username", "password", "display_name", "email", "session"],
    "/auth/sign-in": ["username", "password", "code", "session"],
    "/auth/recovery": ["username"],
    "/auth/recovery/complete": ["token", "new_password", "backup_code"],
    "/auth/invites/lookup": ["token"],
    "/auth/invites/accept": ["token", "username", "password", "display_name", "session"],
}
SIGNED_IN: list[tuple[str, str, list[str]]] = [
    ("POST", "/auth/totp/enrol", []),
    ("POST", "/auth/totp/confirm", ["code"]),
    ("POST", "/auth/password", ["current_password", "new_password"]),
    ("POST", "/auth/backup-codes", ["code"]),
    ("PUT", "/auth/pin", ["pin"]),
    ("GET", "/auth/sessions", []),
    ("PUT", "/orgs/{org}/members/{member}/role", ["role"]),
    ("PUT", "/orgs/{org}/members/{member}/pin", ["pin"]),
    ("POST", "/orgs/{org}/invites", ["email", "role"]),
    ("GET", "/orgs/{org}/audit", []),
    ("POST", "/orgs/{org}/staff", ["display_name", "role", "pin"]),
]
PATH_TEMPLATES = [
    "/orgs/{org}/members/{x}/disable",
    "/orgs/{org}/members/{x}/role",
    "/orgs/{x}/members",
    "/orgs/{x}/audit",
    "/auth/sessions/{x}",
    "/orgs/{org}/invites/{x}",
]


USERNAMES = st.from_regex(r"\A[a-z0-9][a-z0-9._-]{2,12}\Z")
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "org": st.fixed_dictionaries(
        {"name": HOSTILE_TEXT, "state_code": st.sampled_from(["27", "07", "99", "00"])},
        optional={"gstin": st.from_regex(r"\A[0-9A-Z]{15}\Z") | HOSTILE_TEXT},
    ),
    "username": USERNAMES,
    "password": st.text(min_size=12, max_size=40) | st.just("Chai-Biscuit-42"),
    "new_password": st.text(min_size=12, max_size=40),
    "current_password": st.text(min_size=1, max_size=40),
    "display_name": HOSTILE_TEXT,
    "email": st.from_regex(r"\A[a-z0-9.+]{1,10}@[a-z]{1,8}\.in\Z") | HOSTILE_TEXT,
    "session": st.sampled_from(["cookie", "bearer"]),
    "code": st.from_regex(r"\A[0-9]{6}\Z")
    | st.from_regex(r"\A[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}\Z"),
    "backup_code": st.from_regex(r"\A[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}\Z"),
    "token": st.from_regex(r"\A[A-Za-z0-9_-]{43}\Z"),
    "pin": st.from_regex(r"\A[0-9]{4,6}\Z"),
    "role": st.sampled_from(
        ["owner", "admin", "accountant", "store_manager", "cashier", "installer"]
    ),
}


def plausible(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies that mostly pass validation, with a hostile value here and there, so
    the services (not only the validators) see the attack."""
    return st.fixed_dictionaries({field: PLAUSIBLE[field] | JSON_VALUE for field in fields})


def shaped(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies with the endpoint's own field names (so validation is passed now and
    then and the service sees the hostile values), sometimes with an extra field."""
    return st.fixed_dictionaries(
        {},
        optional={
            **{field: JSON_VALUE for field in fields},
            "org": st.fixed_dictionaries(
                {},
                optional={"name": HOSTILE_TEXT, "state_code": HOSTILE_TEXT, "gstin": HOSTILE_TEXT},
            )
            | JSON_VALUE,
            "unexpected": JSON_VALUE,
        },
    )


def assert_structured(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400:
        error = response.json()["error"]
        assert all(error[key] for key in ("code", "message", "remediation")), what


def test_public_endpoints_never_fail_on_hostile_bodies(accounts: Driver) -> None:
    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        path=st.sampled_from(sorted(PUBLIC)),
        data=st.data(),
    )
    def run(path: str, data: st.DataObject) -> None:
        choice = data.draw(st.sampled_from(["plausible", "plausible", "shaped", "json", "raw"]))
        if choice == "raw":
            body = data.draw(RAW_BODIES)
            response = accounts.client.post(
                f"/api/v1{path}", content=body, headers={"Content-Type": "application/json"}
            )
        else:
            strategies = {"plausible": plausible, "shaped": shaped}
            value = data.draw(
                strategies[choice](PUBLIC[path]) if choice in strategies else JSON_VALUE
            )
            response = accounts.client.post(f"/api/v1{path}", json=value)
        assert_structured(response, f"POST {path}")

    run()


def test_signed_in_endpoints_never_fail_on_hostile_input(accounts: Driver) -> None:
    owner = accounts.owner()
    cashier = accounts.member(owner, "cashier")

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(["body", "path", "auth"]))
        if kind == "body":
            method, template, fields = data.draw(st.sampled_from(SIGNED_IN))
            path = template.format(org=owner.org_code, member=cashier.user_code)
            value = data.draw(plausible(fields) | shaped(fields) | JSON_VALUE)
            response = accounts.call(method, path, owner, json=value)
        elif kind == "path":
            template = data.draw(st.sampled_from(PATH_TEMPLATES))
            raw = data.draw(HOSTILE_TEXT.filter(lambda s: len(s) < 5000))
            path = template.format(org=owner.org_code, x=quote(raw, safe=""))
            method = "DELETE" if "{x}" in template and "sessions" in template else "POST"
            if template.endswith(("members", "audit")):
                method = "GET"
            response = accounts.call(method, path, owner, json={"role": "cashier"})
        else:
            printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=300)
            headers = {"Authorization": data.draw(printable)}
            cookie = data.draw(printable)
            accounts.client.cookies.set("setledger_session", cookie)
            path = data.draw(st.sampled_from(["/auth/me", f"/orgs/{owner.org_code}/members"]))
            response = accounts.call("GET", path, headers=headers)
            accounts.client.cookies.clear()
            assert response.status_code in {401, 403, 404} or response.status_code == 200
        assert_structured(response, f"{kind} {path}")

    run()
    # The owner was never let in by any of it.
    assert_owner_is_fine(accounts, owner)


def assert_owner_is_fine(accounts: Driver, owner: Account) -> None:
    response = accounts.call("GET", "/auth/me", owner)
    assert response.status_code == 200, response.text
    assert json.loads(response.text)["user_id"] == owner.user_code
