"""Hub settings and the embedded default (these run once, not per backend)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from hub.app import app_from_env
from hub.db.engine import make_engine, normalise_url
from hub.settings import DEFAULT_DATABASE_URL, HubSettings

STRONG = "kq3N0c7mZ1xv8u2QpTq4sYb6wLr9jHe5"


def test_defaults_are_the_embedded_development_hub() -> None:
    settings = HubSettings.from_env({})
    assert settings.env == "development"
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///var/hub/hub.db"
    assert settings.max_body_bytes == 1024 * 1024


def test_the_environment_is_read() -> None:
    settings = HubSettings.from_env(
        {
            "SETLEDGER_ENV": "production",
            "SETLEDGER_HUB_DATABASE_URL": "postgresql://hub@db/hub",
            "SETLEDGER_HUB_PUBLIC_URL": "https://hub.example.in",
            "SETLEDGER_HUB_MAX_BODY_BYTES": "4096",
            "SETLEDGER_HUB_MIGRATE_ON_START": "false",
        }
    )
    assert settings.env == "production"
    assert settings.database_url == "postgresql://hub@db/hub"
    assert settings.public_url == "https://hub.example.in"
    assert (settings.max_body_bytes, settings.migrate_on_start) == (4096, False)


def test_database_urls() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.db").drivername == "sqlite"
    with pytest.raises(ValueError, match="SQLite file"):
        make_engine("sqlite://")
    with pytest.raises(ValueError, match="unsupported"):
        make_engine("mysql://u@h/db")


def test_the_embedded_default_works_out_of_the_box(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``app_from_env`` on a fresh machine: a SQLite file in a new folder, migrated."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SETLEDGER_HUB_DATABASE_URL", raising=False)
    monkeypatch.delenv("SETLEDGER_ENV", raising=False)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        app = app_from_env()  # configures JSON logging for the process
        with TestClient(app) as client:
            assert client.get("/healthz").json()["status"] == "ok"
            # No administrator token: the way in is signing up an org.
            assert client.get("/api/v1/auth/me").status_code == 401
            body = {
                "org": {"name": "Sharma General Stores", "state_code": "27"},
                "username": "asha",
                "password": "Chai-Biscuit-42",
                "display_name": "Asha Sharma",
                "email": "asha@example.in",
            }
            assert client.post("/api/v1/auth/signup", json=body).status_code == 201
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    assert (tmp_path / "var" / "hub" / "hub.db").is_file()


def test_broker_settings_are_read_and_the_dev_password_refused_in_production() -> None:
    settings = HubSettings.from_env(
        {
            "SETLEDGER_HUB_BROKER_URL": "mqtts://broker.example.in:8883",
            "SETLEDGER_HUB_MQTT_USERNAME": "hub-a",
            "SETLEDGER_HUB_MQTT_PASSWORD": "m" * 32,
            "SETLEDGER_HUB_WORKER_NAME": "hub-a.1",
            "SETLEDGER_HUB_WORKER_METRICS_PORT": "9464",
            "SETLEDGER_HUB_RESEND_AFTER_MS": "5000",
            "SETLEDGER_HUB_CATALOG_POLL_MS": "1000",
        }
    )
    assert settings.broker_url == "mqtts://broker.example.in:8883"
    assert (settings.mqtt_username, settings.mqtt_password.get_secret_value()) == (
        "hub-a",
        "m" * 32,
    )
    assert (settings.worker_name, settings.worker_metrics_port) == ("hub-a.1", 9464)
    assert (settings.resend_after_ms, settings.catalog_poll_ms) == (5000, 1000)
    assert "m" * 32 not in repr(settings)
    with pytest.raises(ValidationError):
        HubSettings(broker_url="http://broker:1883")
    production = HubSettings(env="production")
    with pytest.raises(ValueError, match="SETLEDGER_HUB_MQTT_PASSWORD"):
        production.require_broker_secret()
    production.model_copy(update={"mqtt_password": SecretStr(STRONG)}).require_broker_secret()
