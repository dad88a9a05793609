"""Hub settings, read from the environment once, in the composition root.

Production refuses to start with a missing or the development admin
token: a hub reachable from the internet with a well-known secret would
hand every org's books to anyone who read our README.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

DEFAULT_DATABASE_URL = "sqlite:///var/hub/hub.db"
DEV_ADMIN_TOKEN = "setledger-dev-admin-token"  # noqa: S105 - refused in production below
MIN_PRODUCTION_TOKEN_LENGTH = 24
ONE_MIB = 1024 * 1024

Environment = Literal["development", "production"]


class HubSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    env: Environment = "development"
    database_url: str = DEFAULT_DATABASE_URL
    admin_token: SecretStr = SecretStr(DEV_ADMIN_TOKEN)
    public_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = Field(default=ONE_MIB, gt=0)
    migrate_on_start: bool = True
    """Upgrade the schema when the app is built, so the embedded default
    works out of the box; concurrent starts on PostgreSQL serialise on an
    advisory lock in the migration env."""
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> HubSettings:
        if self.env == "production":
            token = self.admin_token.get_secret_value()
            if token == DEV_ADMIN_TOKEN or len(token) < MIN_PRODUCTION_TOKEN_LENGTH:
                raise ValueError(
                    "SETLEDGER_HUB_ADMIN_TOKEN must be set to a random secret of at least "
                    f"{MIN_PRODUCTION_TOKEN_LENGTH} characters in production "
                    "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
                )
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubSettings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            # An empty variable counts as unset (a blank line in an env file).
            value = env.get(name, "").strip()
            return value or None

        fields: dict[str, object] = {}
        for field, name in (
            ("env", "SETLEDGER_ENV"),
            ("database_url", "SETLEDGER_HUB_DATABASE_URL"),
            ("public_url", "SETLEDGER_HUB_PUBLIC_URL"),
            ("max_body_bytes", "SETLEDGER_HUB_MAX_BODY_BYTES"),
            ("migrate_on_start", "SETLEDGER_HUB_MIGRATE_ON_START"),
            ("log_level", "SETLEDGER_LOG_LEVEL"),
        ):
            value = get(name)
            if value is not None:
                fields[field] = value
        token = get("SETLEDGER_HUB_ADMIN_TOKEN")
        if token is not None:
            fields["admin_token"] = SecretStr(token)
        elif fields.get("env") == "production":
            # Say what is missing rather than "the default token is refused".
            raise ValueError("SETLEDGER_HUB_ADMIN_TOKEN is required when SETLEDGER_ENV=production")
        return cls.model_validate(fields)
