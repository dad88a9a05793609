"""The correlation id of the work in progress (a request, a worker's message)."""

from __future__ import annotations

from contextvars import ContextVar, Token

_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current() -> str | None:
    return _current.get()


def bind(value: str | None) -> Token[str | None]:
    """Set the id for work outside a request (workers, scripts); reset with ``unbind``."""
    return _current.set(value)


def unbind(token: Token[str | None]) -> None:
    _current.reset(token)
