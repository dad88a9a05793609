"""A small driver for the hub API in tests: orgs, stores, devices, products.

Every org is made the way a shop owner makes one: sign up, enrol TOTP with
a code computed from the secret (RFC 6238, written out in
:func:`totp_code`). The client then sends that owner's bearer token with
any request to ``/orgs/<their org>/...`` that carries no Authorization
header of its own, so tests read as before while every call is a real,
authorised member's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import time
import uuid
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr

from hub.accounts.settings import TEST_ARGON2, AccountsSettings
from hub.ingest import ApplyOutcome, apply_envelope
from hub.runtime import HubRuntime
from setledger.contracts import Envelope
from setledger.gstin import check_character
from tests.hub.accounts.smtp import Mailbox, link_token

API = "/api/v1"
OWNER_PASSWORD = "Chai-Biscuit-42"
KEY_1 = "k1:" + base64.b64encode(bytes(range(32))).decode()
KEY_2 = "k2:" + base64.b64encode(bytes(range(100, 132))).decode()
_counter = itertools.count(1)
_ORG_IN_PATH = re.compile(r"/orgs/(ORG-[0-9a-f]{8})(/|$)")


def accounts_for_tests(default_smtp_port: int = 25, **overrides: object) -> AccountsSettings:
    """Accounts settings for tests: cheap argon2, a fixed key, limits out of the way."""
    fields: dict[str, object] = {
        **TEST_ARGON2,
        "secret_keys": SecretStr(KEY_1),
        "cookie_secure": False,  # the test client talks plain http
        "smtp_host": "127.0.0.1",
        "smtp_port": default_smtp_port,
        "smtp_sender": "setLedger <hub@setledger.test>",
        "rate_limit_ip": 1_000_000,
        "rate_limit_account": 1_000_000,
    }
    fields.update(overrides)
    return AccountsSettings.model_validate(fields)


def totp_code(
    secret_b32: str, unix_time: float | None = None, digits: int = 6, digest: str = "sha1"
) -> str:
    """RFC 6238 written out with hmac: the independent implementation the hub's must agree with."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if unix_time is None else unix_time) // 30)
    mac = hmac.new(key, counter.to_bytes(8, "big"), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    binary = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


class OwnerAuth(httpx.Auth):
    """Adds the org owner's bearer token to requests under ``/orgs/<code>``."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, Response, None]:
        match = _ORG_IN_PATH.search(request.url.path)
        if "authorization" not in request.headers and match and match[1] in self.tokens:
            request.headers["Authorization"] = f"Bearer {self.tokens[match[1]]}"
        yield request


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


_box_counter = itertools.count(1)
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def box_prefix() -> str:
    """A fresh invoice prefix: 'B' and up to three base-36 digits (46,655 boxes a run;
    ``unique`` passed four characters after a thousand stores, products and boxes)."""
    n, digits = next(_box_counter), ""
    while n:
        n, rest = divmod(n, 36)
        digits = _BASE36[rest] + digits
    return f"B{digits}"


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
class Owner:
    org_code: str
    username: str
    token: str
    secret: str
    backup_codes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Hub:
    client: TestClient
    runtime: HubRuntime
    tokens: dict[str, str] = field(default_factory=dict)
    """Each org's owner's bearer token, by org code."""
    mailbox: Mailbox | None = None
    """Where invitations arrive (``hub_with_mail``)."""

    def __post_init__(self) -> None:
        self.client.auth = OwnerAuth(self.tokens)

    @property
    def backend(self) -> str:
        return self.runtime.engine.dialect.name

    def sign_up(
        self, name: str = "Sharma General Stores", state_code: str = "27", **org: Any
    ) -> Owner:
        """A new org and its owner, TOTP enrolled."""
        username = f"owner{uuid.uuid4().hex[:10]}"
        body = {
            "org": {"name": name, "state_code": state_code, **org},
            "username": username,
            "password": OWNER_PASSWORD,
            "display_name": "Asha Sharma",
            "email": f"{username}@example.in",
        }
        signed = ok(self.client.post(f"{API}/auth/signup", json=body), 201)
        token = signed["session"]["token"]
        auth = {"Authorization": f"Bearer {token}"}
        secret = ok(self.client.post(f"{API}/auth/totp/enrol", headers=auth))["secret"]
        code = {"code": totp_code(secret)}
        codes = ok(self.client.post(f"{API}/auth/totp/confirm", headers=auth, json=code))["codes"]
        owner = Owner(signed["member"]["org_id"], username, token, secret, codes)
        self.tokens[owner.org_code] = token
        return owner

    def member(self, owner: Owner, role: str) -> Owner:
        """A member of the owner's org in ``role``, invited by e-mail, signed in;
        TOTP enrolled when the role requires it."""
        assert self.mailbox is not None, "use the hub_with_mail fixture"
        email = f"{uuid.uuid4().hex[:10]}@example.in"
        invite = {"email": email, "role": role}
        ok(self.client.post(f"{API}/orgs/{owner.org_code}/invites", json=invite), 201)
        _, token = link_token(self.mailbox.for_address(email))
        username = f"{role[:4]}{uuid.uuid4().hex[:8]}"
        body = {
            "token": token,
            "username": username,
            "password": OWNER_PASSWORD,
            "display_name": f"{role} {username}",
        }
        signed = ok(self.client.post(f"{API}/auth/invites/accept", json=body), 201)
        member = Owner(owner.org_code, username, signed["session"]["token"], "")
        if role in {"owner", "admin"}:
            enrolment = ok(self.client.post(f"{API}/auth/totp/enrol", headers=member.headers))
            member.secret = enrolment["secret"]
            code = {"code": totp_code(member.secret)}
            confirmed = self.client.post(
                f"{API}/auth/totp/confirm", headers=member.headers, json=code
            )
            member.backup_codes = ok(confirmed)["codes"]
        return member

    def org(
        self, name: str = "Sharma General Stores", state_code: str = "27", **fields: Any
    ) -> dict[str, Any]:
        owner = self.sign_up(name, state_code, **fields)
        return ok(self.client.get(f"{API}/orgs/{owner.org_code}"))

    def store(self, org: dict[str, Any], state_code: str = "27", **fields: Any) -> dict[str, Any]:
        body = {"name": "Andheri West", "code": unique("S"), "state_code": state_code, **fields}
        return ok(self.client.post(f"{API}/orgs/{org['org_id']}/stores", json=body), 201)

    def device(
        self, org: dict[str, Any], store: dict[str, Any], prefix: str | None = None
    ) -> dict[str, Any]:
        body = {
            "store_id": store["store_id"],
            "name": "Counter 1",
            "invoice_prefix": prefix or box_prefix(),
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
