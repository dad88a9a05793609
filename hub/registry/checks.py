"""Checks of registry input that the kernel's rules decide (pure functions)."""

from __future__ import annotations

from setledger import errors, gstin
from setledger.states import is_domestic


def check_domestic_state(code: str) -> None:
    """Orgs and stores are in India: a state or UT code, not "96" (abroad)."""
    if not is_domestic(code):
        raise errors.STATE_CODE_UNKNOWN.error(code=code)


def check_gstin_for_state(value: str | None, state_code: str) -> None:
    """A GSTIN is valid and registered in ``state_code`` (its first two digits)."""
    if value is None:
        return
    if not gstin.is_valid_gstin(value):
        raise errors.GSTIN_INVALID.error(gstin=value)
    registered = gstin.state_of(value)
    if registered != state_code:
        raise errors.GSTIN_STATE_MISMATCH.error(
            gstin=value, gstin_state=registered, state_code=state_code
        )
