"""Hub settings, read from the environment once, in the composition root.

There is no administrator token: every API call is made by a signed-in
member of one org (``hub.api.deps``). The MQTT workers refuse the
development broker password in production
(:meth:`HubSettings.require_broker_secret`); the API alone does not need it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from hub.accounts.settings import AccountsSettings

DEFAULT_DATABASE_URL = "sqlite:///var/hub/hub.db"
DEFAULT_BROKER_URL = "mqtt://127.0.0.1:1883"
DEFAULT_MQTT_USERNAME = "setledger-hub"
DEV_MQTT_PASSWORD = "setledger-dev-hub-mqtt"  # noqa: S105 - refused in production by workers
MIN_PRODUCTION_TOKEN_LENGTH = 24
ONE_MIB = 1024 * 1024

Environment = Literal["development", "production"]


class HubSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    env: Environment = "development"
    database_url: str = DEFAULT_DATABASE_URL
    public_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = Field(default=ONE_MIB, gt=0)
    max_upload_bytes: int = Field(default=64 * ONE_MIB, gt=0)
    """File uploads (a catalog import of 100,000 rows is about 20 MB as CSV)."""
    migrate_on_start: bool = True
    """Upgrade the schema when the app is built, so the embedded default
    works out of the box; concurrent starts on PostgreSQL serialise on an
    advisory lock in the migration env."""
    log_level: str = "INFO"
    broker_url: str = Field(default=DEFAULT_BROKER_URL, pattern=r"^mqtts?://[^:/]+(:[0-9]+)?/?$")
    """Where the hub's MQTT workers and catalog publisher connect."""
    mqtt_username: str = Field(default=DEFAULT_MQTT_USERNAME, min_length=1, max_length=64)
    mqtt_password: SecretStr = SecretStr(DEV_MQTT_PASSWORD)
    worker_name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    """Names this process in logs, its MQTT client id and its HLC node;
    default ``<host>-<pid>``."""
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    """A worker's own Prometheus /metrics port (0: none)."""
    resend_after_ms: int = Field(default=2000, ge=0)
    """How long a gap in a stream may stay open before the box is asked to
    resend: batches of one box reach two workers out of order all the time."""
    catalog_poll_ms: int = Field(default=500, ge=10)
    """How often the catalog publisher looks for new catalog versions."""
    stock_inline_max_bytes: int = Field(default=256 * 1024, ge=0, le=512 * 1024)
    """A store's stock snapshot up to this size travels in its MQTT message; a bigger
    one is stored as a blob and named by a small reference (the broker refuses
    packets over 1 MiB: provisioning/broker/mosquitto.conf.in). 0: always a blob."""
    einvoice_connector: str = Field(default="none", pattern=r"^(none|sandbox(:.+)?)$")
    """Where ``einvoice-submit`` sends queued e-invoices: ``none`` (queue only;
    the offline export is the way out), ``sandbox`` or ``sandbox:/path/irp.db``
    (the IRP stand-in of ``hub.einvoice.sandbox``). Portal connectors come later."""
    accounts: AccountsSettings = Field(default_factory=AccountsSettings)
    """Sign-in, TOTP keys, sessions, lockout, e-mail (``hub/accounts/settings.py``)."""

    def require_broker_secret(self) -> None:
        """Refuse the development MQTT password in production (workers call this)."""
        secret = self.mqtt_password.get_secret_value()
        if self.env == "production" and (
            secret == DEV_MQTT_PASSWORD or len(secret) < MIN_PRODUCTION_TOKEN_LENGTH
        ):
            raise ValueError(
                "SETLEDGER_HUB_MQTT_PASSWORD must be set to a random secret of at least "
                f"{MIN_PRODUCTION_TOKEN_LENGTH} characters in production"
            )

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
            ("max_upload_bytes", "SETLEDGER_HUB_MAX_UPLOAD_BYTES"),
            ("migrate_on_start", "SETLEDGER_HUB_MIGRATE_ON_START"),
            ("log_level", "SETLEDGER_LOG_LEVEL"),
            ("broker_url", "SETLEDGER_HUB_BROKER_URL"),
            ("mqtt_username", "SETLEDGER_HUB_MQTT_USERNAME"),
            ("worker_name", "SETLEDGER_HUB_WORKER_NAME"),
            ("worker_metrics_port", "SETLEDGER_HUB_WORKER_METRICS_PORT"),
            ("resend_after_ms", "SETLEDGER_HUB_RESEND_AFTER_MS"),
            ("catalog_poll_ms", "SETLEDGER_HUB_CATALOG_POLL_MS"),
            ("stock_inline_max_bytes", "SETLEDGER_HUB_STOCK_INLINE_MAX_BYTES"),
            ("einvoice_connector", "SETLEDGER_HUB_EINVOICE_CONNECTOR"),
        ):
            value = get(name)
            if value is not None:
                fields[field] = value
        mqtt_password = get("SETLEDGER_HUB_MQTT_PASSWORD")
        if mqtt_password is not None:
            fields["mqtt_password"] = SecretStr(mqtt_password)
        fields["accounts"] = AccountsSettings.from_env(env)
        return cls.model_validate(fields)
