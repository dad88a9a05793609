"""Crash points for chaos tests: die here, now, as a power cut would.

``SETLEDGER_FAULTS="box.after_commit_before_publish=0.05,hub.after_commit_before_ack=0.1"``
makes the process SIGKILL itself at those points with those probabilities
(``SETLEDGER_FAULT_SEED`` makes it repeatable). Unset, a crash point costs
one dictionary lookup. Used only by the chaos tests, to hit the moments a
random external kill almost never lands on.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import sys
import threading

log = logging.getLogger("appkit.faults")
_lock = threading.Lock()
_config: dict[str, float] | None = None
_rng: random.Random | None = None


def _load() -> dict[str, float]:
    global _config, _rng
    spec = os.environ.get("SETLEDGER_FAULTS", "")
    config: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, probability = item.partition("=")
        config[name] = float(probability or "1")
    seed = os.environ.get("SETLEDGER_FAULT_SEED")
    _rng = random.Random(int(seed) if seed else None)  # noqa: S311 - fault injection, not security
    _config = config
    return config


def crash_point(name: str) -> None:
    config = _config if _config is not None else _load()
    probability = config.get(name)
    if not probability:
        return
    with _lock:
        assert _rng is not None
        hit = _rng.random() < probability
    if hit:
        log.warning("crash point hit: killing this process", extra={"point": name})
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)
