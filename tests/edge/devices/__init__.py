"""Scanners and the device manager."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own. A test process that has driven
    Chromium holds Playwright's running event loop in its main thread, where
    ``asyncio.run`` refuses to start; which tests a process ran before depends on
    how the suite is split across workers."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
