"""The hub's clock: aware UTC instants only (a naive datetime is a bug here)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
