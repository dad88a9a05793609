"""Printing benchmark figures: one JSON line each."""

from __future__ import annotations

import json
from typing import Any


def percentile(samples: list[float], pct: int) -> float:
    """Nearest-rank percentile (no interpolation: the figure was really seen)."""
    ordered = sorted(samples)
    rank = max(1, -(-pct * len(ordered) // 100))
    return ordered[rank - 1]


def emit(bench: str, value: float, unit: str, goal: float | None, **context: Any) -> None:
    print(
        json.dumps(
            {"bench": bench, "value": round(value, 3), "unit": unit, "goal": goal, **context}
        )
    )
