"""Run an app's alembic migrations from code (no alembic.ini needed)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config(script_location: str) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location)
    return config


def head_revision(script_location: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(script_location)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine, script_location: str) -> None:
    """Upgrade in one transaction; the migration env reads the connection we pass."""
    config = alembic_config(script_location)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
