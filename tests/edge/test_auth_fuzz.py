"""Hostile input to the box's sign-in and approval endpoints: never a 5xx.

Bodies are any JSON (often almost right: real member ids, strings of odd
lengths and characters), headers any text; every answer must be a
structured 2xx/4xx.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.edge.conftest import Box
from tests.edge.staff import CASHIER_ID, MANAGER_ID, MANAGER_PIN

FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=80),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
member_ids = st.one_of(
    st.sampled_from([str(CASHIER_ID), str(MANAGER_ID)]), st.uuids().map(str), json_values
)
pins = st.one_of(st.sampled_from([MANAGER_PIN, "", "0" * 64, "0" * 65]), st.text(max_size=70))
approvals = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"user_id": member_ids, "pin": pins},
        optional={"reason": st.one_of(st.text(max_size=600), json_values)},
    ),
)
pin_bodies = st.one_of(json_values, st.fixed_dictionaries({"user_id": member_ids, "pin": pins}))
headers = st.one_of(
    st.just("Bearer"),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=200).map(
        lambda s: f"Bearer {s}"
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=200),
)


def assert_structured(r: Any) -> None:
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert r.json()["error"]["code"]


@FUZZ
@given(body=pin_bodies)
def test_pin_sign_in(box: Box, body: Any) -> None:
    assert_structured(box.client.post("/api/v1/auth/pin", json=body))


@FUZZ
@given(header=headers)
def test_session_endpoints_with_any_authorization(box: Box, header: str) -> None:
    sent = {"Authorization": header}
    assert_structured(box.client.get("/api/v1/auth/me", headers=sent))
    assert_structured(box.client.post("/api/v1/auth/logout", headers=sent))
    assert_structured(box.client.post("/api/v1/carts", json={}, headers=sent))


@FUZZ
@given(approval=approvals)
def test_approvals_on_the_drawer_and_a_void(box: Box, approval: Any) -> None:
    assert_structured(box.client.post("/api/v1/drawer/open", json={"approval": approval}))
    cart = box.client.post("/api/v1/carts", json={}).json()["cart_id"]
    url = f"/api/v1/carts/{cart}"
    box.client.post(f"{url}/lines", json={"code": "SALT-1KG"})
    body = {"approval": approval}
    assert_structured(box.client.request("DELETE", f"{url}/lines/1", json=body))
    assert_structured(box.client.patch(f"{url}/lines/1", json={"discount": 900, **body}))
