"""The rupee sign drawn as strokes, for fonts that have no ₹ (Helvetica, printers).

Coordinates are in em units, y up from the baseline; the sign is as tall
as a capital and as wide as a digit.
"""

from __future__ import annotations

STROKE_EM = 0.07
BARS = (((0.06, 0.70), (0.50, 0.70)), ((0.06, 0.55), (0.50, 0.55)))
BOWL = ((0.15, 0.70), (0.44, 0.70), (0.46, 0.40), (0.13, 0.40))
"""A cubic Bezier: start, two control points, end (where the leg starts)."""
LEG_END = (0.46, 0.0)


def bowl_points(steps: int = 8) -> list[tuple[float, float]]:
    """The Bezier bowl as a polyline (for raster drawing)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = BOWL
    points = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
        points.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return points


def pdf_operators() -> str:
    """PDF path operators drawing the sign in a 1-unit em."""
    ops = [f"{STROKE_EM} w 1 J 1 j"]
    for (ax, ay), (bx, by) in BARS:
        ops.append(f"{ax} {ay} m {bx} {by} l S")
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = BOWL
    ops.append(f"{x0} {y0} m {x1} {y1} {x2} {y2} {x3} {y3} c {LEG_END[0]} {LEG_END[1]} l S")
    return "\n".join(ops)
