"""Drives the accounts API like a person with a phone: sign up, enrol, sign in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from hub.accounts.context import AccountsContext
from hub.runtime import HubRuntime
from tests.hub.accounts.smtp import Mailbox, link_token
from tests.hub.harness import API, ok
from tests.hub.harness import totp_code as rfc6238

GOOD_PASSWORD = "Chai-Biscuit-42"
OTHER_PASSWORD = "Monsoon-Ledger-77"
PASSPHRASE = "monsoon ledger mango kirana"


def new_username(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Account:
    username: str
    password: str
    token: str
    org_code: str
    user_code: str
    email: str
    role: str
    secret: str | None = None
    backup_codes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Driver:
    client: TestClient
    runtime: HubRuntime
    ctx: AccountsContext
    clock: FakeClock
    mailbox: Mailbox

    @property
    def backend(self) -> str:
        return self.runtime.engine.dialect.name

    def call(
        self, method: str, path: str, account: Account | None = None, **kwargs: Any
    ) -> Response:
        headers = dict(kwargs.pop("headers", {}))
        if account is not None:
            headers.update(account.headers)
        response: Response = self.client.request(method, f"{API}{path}", headers=headers, **kwargs)
        return response

    def code(self, account: Account, steps: int = 0) -> str:
        assert account.secret is not None
        return rfc6238(account.secret, self.clock.now.timestamp() + 30 * steps)

    def fresh_code(self, account: Account) -> str:
        """A code of a step after every one used so far (the clock moves 30 s)."""
        self.clock.advance(30)
        return self.code(account)

    def sign_up(
        self,
        username: str | None = None,
        password: str = GOOD_PASSWORD,
        org_name: str = "Sharma General Stores",
    ) -> Account:
        username = username or new_username("owner")
        email = f"{username}@example.in"
        body = {
            "org": {"name": org_name, "state_code": "27"},
            "username": username,
            "password": password,
            "display_name": "Asha Sharma",
            "email": email,
        }
        signed = ok(self.call("POST", "/auth/signup", json=body), 201)
        return Account(
            username=username,
            password=password,
            token=signed["session"]["token"],
            org_code=signed["member"]["org_id"],
            user_code=signed["member"]["user_id"],
            email=email,
            role="owner",
        )

    def enrol(self, account: Account) -> Account:
        started = ok(self.call("POST", "/auth/totp/enrol", account))
        account.secret = started["secret"]
        confirmed = ok(
            self.call("POST", "/auth/totp/confirm", account, json={"code": self.code(account)})
        )
        account.backup_codes = confirmed["codes"]
        return account

    def owner(self) -> Account:
        return self.enrol(self.sign_up())

    def sign_in(
        self,
        account: Account,
        code: str | None = None,
        session: str = "bearer",
        password: str | None = None,
    ) -> Response:
        body: dict[str, Any] = {
            "username": account.username,
            "password": account.password if password is None else password,
            "session": session,
        }
        if code is not None:
            body["code"] = code
        return self.call("POST", "/auth/sign-in", json=body)

    def invite(self, by: Account, role: str, email: str | None = None) -> tuple[str, str]:
        """Invite by e-mail; (the address, the token read from the delivered mail)."""
        email = email or f"{new_username('inv')}@example.in"
        ok(
            self.call(
                "POST", f"/orgs/{by.org_code}/invites", by, json={"email": email, "role": role}
            ),
            201,
        )
        _, token = link_token(self.mailbox.for_address(email))
        return email, token

    def member(self, by: Account, role: str, enrol: bool | None = None) -> Account:
        email, token = self.invite(by, role)
        username = new_username(role[:4])
        body = {
            "token": token,
            "username": username,
            "password": GOOD_PASSWORD,
            "display_name": f"Member {username}",
        }
        signed = ok(self.call("POST", "/auth/invites/accept", json=body), 201)
        account = Account(
            username=username,
            password=GOOD_PASSWORD,
            token=signed["session"]["token"],
            org_code=signed["member"]["org_id"],
            user_code=signed["member"]["user_id"],
            email=email,
            role=role,
        )
        if enrol if enrol is not None else role in {"owner", "admin"}:
            self.enrol(account)
        return account
