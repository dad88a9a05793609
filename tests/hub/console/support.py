"""What the console's browser tests drive: the hub served by uvicorn on a
real port, a phone that makes TOTP codes, accounts made straight through the
services (fast set-up for tests about something else), and screenshots.

The settings are built here rather than taken from the accounts tests'
helpers: cheap argon2 and a fixed TOTP key, as there, but the real clock
(the browser's codes are computed from ``time.time()``) and links pointing at
this server, so an e-mailed link opens the page under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from hub.accounts import enrolment, signup
from hub.accounts.context import AccountsContext, install
from hub.accounts.principal import Principal
from hub.accounts.schemas import SignUp
from hub.accounts.sessions import ClientInfo, resolve
from hub.accounts.settings import TEST_ARGON2, AccountsSettings
from hub.app import create_app
from hub.runtime import HubRuntime
from hub.settings import HubSettings
from ops.broker import free_port
from tests.hub.accounts.smtp import Mailbox

ARTIFACTS = Path(__file__).resolve().parents[3] / "var" / "test-artifacts" / "console"
KEY = "k1:" + base64.b64encode(bytes(range(32))).decode()
PASSWORD = "Chai-Biscuit-42"
SESSION_COOKIE = "setledger_session"
CSRF_INPUT = 'input[name="csrf_token"]'


def new_username(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def totp_code(secret_b32: str, step: int) -> str:
    """RFC 6238 written out with hmac, independent of the hub's pyotp."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, step.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    binary = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(binary % 10**6).zfill(6)


class Phone:
    """An authenticator app with a person who uses each code once.

    The hub accepts the current step and one either side, never a step at or
    before the last one it accepted. So the first code is the previous
    step's (the person typed slowly) and each next one a step later: three
    codes in a row without waiting 30 seconds.
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.last: int | None = None

    def code(self) -> str:
        while True:
            current = int(time.time() // 30)
            step = current - 1 if self.last is None else max(self.last + 1, current - 1)
            if step > current + 1 or (step == current - 1 and time.time() % 30 > 27):
                # Too early for the next step, or so close to the next step
                # that the code would be two steps old when the hub checks it.
                time.sleep(30 - time.time() % 30 + 0.2)
                continue
            self.last = step
            return totp_code(self.secret, step)


def accounts_settings(smtp_port: int) -> AccountsSettings:
    return AccountsSettings.model_validate(
        {
            **TEST_ARGON2,
            "secret_keys": SecretStr(KEY),
            "cookie_secure": False,  # plain http on loopback
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "smtp_sender": "setLedger <hub@setledger.test>",
            "rate_limit_ip": 1_000_000,
            "rate_limit_account": 1_000_000,
        }
    )


@dataclass
class Seeded:
    """An account made through the services, with its cookie session."""

    username: str
    password: str
    token: str
    org_code: str
    user_code: str
    phone: Phone
    backup_codes: list[str]


class ConsoleServer:
    """The hub app built as production builds it, served by uvicorn on loopback."""

    def __init__(self, database_url: str, smtp_port: int, mailbox: Mailbox) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        settings = HubSettings(database_url=database_url, accounts=accounts_settings(smtp_port))
        self.app: FastAPI = create_app(settings)
        runtime = self.app.state.hub
        assert isinstance(runtime, HubRuntime)
        self.runtime = runtime
        self.ctx = install(
            self.app, AccountsContext(settings=settings.accounts, public_url=self.base_url)
        )
        self.mailbox = mailbox
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="console-uvicorn")

    def start(self) -> ConsoleServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise AssertionError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    # Set-up through the services ------------------------------------------------

    def principal(self, token: str) -> Principal | None:
        with self.runtime.sessions() as session:
            return resolve(session, token, "cookie", self.ctx.now())

    def seed_owner(self, org_name: str = "Sharma General Stores") -> Seeded:
        """A new org whose owner has enrolled TOTP, signed in with a cookie session."""
        username = new_username("owner")
        data = SignUp.model_validate(
            {
                "org": {"name": org_name, "state_code": "27"},
                "username": username,
                "password": PASSWORD,
                "display_name": "Asha Sharma",
                "email": f"{username}@example.in",
                "session": "cookie",
            }
        )
        client = ClientInfo(ip="127.0.0.1", user_agent="seeded by the test")
        with self.runtime.sessions() as session:
            issued = signup.sign_up(session, self.ctx, data, client)
        principal = self.principal(issued.token)
        assert principal is not None
        with self.runtime.sessions() as session:
            started = enrolment.start_enrolment(session, self.ctx, principal)
        phone = Phone(started.secret)
        with self.runtime.sessions() as session:
            codes = enrolment.confirm_enrolment(session, self.ctx, principal, phone.code()).codes
        member = issued.response.member
        return Seeded(username, PASSWORD, issued.token, member.org_id, member.user_id, phone, codes)

    def cookie(self, token: str) -> dict[str, Any]:
        return {"name": SESSION_COOKIE, "value": token, "url": self.base_url}


# In the browser -------------------------------------------------------------------


CSP_ERROR = re.compile(r"Content Security Policy|Refused to (apply|execute|load)", re.I)


def watch(page: Any) -> list[str]:
    """Console errors of the page (a CSP violation would show here)."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, server: ConsoleServer, username: str, password: str, code: str = "") -> None:
    page.goto(server.url("/console/sign-in"))
    page.fill("#username", username)
    page.fill("#password", password)
    page.fill("#code", code)
    page.click("#sign-in")
    page.wait_for_load_state()


def csrf_of(page: Any) -> str:
    value = page.locator(CSRF_INPUT).first.get_attribute("value")
    assert value
    return str(value)


def api_json(response: Any, status: int = 200) -> Any:
    """The API's JSON answer (an object or a list), after checking its status."""
    assert response.status_code == status, response.text
    return response.json()


def audited(server: ConsoleServer, org_code: str, action: str, target: str) -> list[Any]:
    """The org's audit records of ``action`` on ``target``."""
    from sqlalchemy import select

    from hub.db.models import AuditRecord, Org

    with server.runtime.sessions() as session:
        org_id = session.scalar(select(Org.org_id).where(Org.org_code == org_code))
        return list(
            session.scalars(
                select(AuditRecord).where(
                    AuditRecord.org_id == org_id,
                    AuditRecord.action == action,
                    AuditRecord.target == target,
                )
            )
        )


@dataclass(frozen=True)
class CounterShop:
    """An org with products, store A and its counter, made through the API."""

    org_path: str
    org: dict[str, Any]
    products: dict[str, dict[str, Any]]
    """By SKU."""
    store: dict[str, Any]
    device: dict[str, Any]


def counter_shop(api: Any, org_code: str, products: dict[str, str]) -> CounterShop:
    """Products (SKU -> name; 5% GST, ₹28), store "Andheri" (A, Maharashtra) and its
    counter "Counter 1" (invoice prefix CA)."""
    from tests.hub.harness import API

    org_path = f"{API}/orgs/{org_code}"
    org = api_json(api.get(org_path))
    common = {"hsn": "2501", "gst_rate_bp": 500, "price": 2800}
    made = {
        sku: api_json(
            api.post(f"{org_path}/products", json={"sku": sku, "name": name, **common}), 201
        )
        for sku, name in products.items()
    }
    store = api_json(
        api.post(f"{org_path}/stores", json={"name": "Andheri", "code": "A", "state_code": "27"}),
        201,
    )
    device = api_json(
        api.post(
            f"{org_path}/devices",
            json={"store_id": store["store_id"], "name": "Counter 1", "invoice_prefix": "CA"},
        ),
        201,
    )
    return CounterShop(org_path, org, made, store, device)
