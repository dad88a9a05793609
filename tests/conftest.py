"""Shared test settings. Service fixtures live in tests/services.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=200
)
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=300
)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")

pytest_plugins = ["tests.services"]


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The shared reference data (GST rules, samples, forecast data).

    ``SETLEDGER_REFERENCE_DIR`` overrides the default ``../shared/reference``.
    A missing folder fails the test: the data is part of the machine.
    """
    path = Path(os.environ.get("SETLEDGER_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
    assert path.is_dir(), f"reference data not found at {path}; set SETLEDGER_REFERENCE_DIR"
    return path
