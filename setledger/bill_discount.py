"""A discount on the whole bill, spread over its lines.

A bill discount is never a line of its own: GST is due on each line's
discounted value, so the discount is split over the lines in proportion to
their amounts and each part becomes part of that line's discount. The split
is by largest remainder: every line gets the floor of its exact share, and
the paise left over go one each to the lines with the largest remainders
(ties to the earlier line), so the parts sum exactly to the discount, no
part is negative and none is more than its line's amount.
"""

from __future__ import annotations

from collections.abc import Sequence

from setledger.money import Paise


def percent_off(amount: Paise, percent_bp: int) -> Paise:
    """``percent_bp`` hundredths of a percent of ``amount``, rounded down to the paisa."""
    if amount < 0 or not 0 <= percent_bp <= 10_000:
        raise ValueError("a percent off is 0-100% of a non-negative amount")
    return amount * percent_bp // 10_000


def split_discount(amounts: Sequence[Paise], discount: Paise) -> tuple[Paise, ...]:
    """Each line's part of ``discount``, in proportion to ``amounts``.

    ``amounts`` are what each line asks before the bill discount (its price
    less any discount of its own). A discount above their sum cannot be
    spread and is refused.
    """
    if any(a < 0 for a in amounts):
        raise ValueError("a line amount is never negative")
    total = sum(amounts)
    if not 0 <= discount <= total:
        raise ValueError(f"a bill discount of {discount} paise is not within 0-{total}")
    if discount == 0:
        return tuple(0 for _ in amounts)
    shares = [divmod(discount * a, total) for a in amounts]
    parts = [whole for whole, _ in shares]
    left = discount - sum(parts)
    # A line with a remainder has floor(share) < share <= its amount, so one
    # more paisa never takes it over its amount.
    by_remainder = sorted(range(len(amounts)), key=lambda i: (-shares[i][1], i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return tuple(parts)
