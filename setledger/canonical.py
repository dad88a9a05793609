"""Canonical JSON and its digest, so box and hub hash the same bytes.

Keys sorted, no spaces, UTF-8. A float anywhere is refused: amounts travel
as integer paise, so a float in a payload is a bug, not a number.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def _has_float(value: Any) -> bool:
    """Is there a float anywhere? (No paths: this runs on every message.)"""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind is float:
            return True
    return False


def _refuse_floats(value: Any, path: str = "$") -> None:
    """Raise naming where the float is (only called once one was found)."""
    if isinstance(value, float):
        raise TypeError(f"float at {path}: money and quantities travel as integers")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_floats(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _refuse_floats(item, f"{path}[{index}]")


def canonical_json(value: Any) -> bytes:
    if _has_float(value):
        _refuse_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """sha256 of the canonical JSON of ``value``."""
    return sha256_hex(canonical_json(value))
