"""Box settings, read once at start from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

from setledger.gst import Rounding


class BoxSettings(BaseModel):
    data_dir: Path = Path("var/box")
    """Holds box.db, its WAL, and backups/ taken before each migration."""
    environment: str = "development"
    rounding: Rounding = Rounding.RUPEE
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    max_lines_per_sale: int = Field(default=500, ge=1)
    provision_file: Path | None = None
    """A provisioning bundle (identity + catalog snapshot) applied at start."""
    log_level: str = "INFO"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "box.db"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @classmethod
    def from_env(cls) -> BoxSettings:
        env = os.environ
        values: dict[str, object] = {}
        if "SETLEDGER_BOX_DATA_DIR" in env:
            values["data_dir"] = Path(env["SETLEDGER_BOX_DATA_DIR"])
        if "SETLEDGER_ENV" in env:
            values["environment"] = env["SETLEDGER_ENV"]
        if "SETLEDGER_BOX_ROUNDING" in env:
            values["rounding"] = Rounding(env["SETLEDGER_BOX_ROUNDING"])
        if "SETLEDGER_BOX_PROVISION_FILE" in env:
            values["provision_file"] = Path(env["SETLEDGER_BOX_PROVISION_FILE"])
        if "SETLEDGER_LOG_LEVEL" in env:
            values["log_level"] = env["SETLEDGER_LOG_LEVEL"]
        return cls.model_validate(values)
