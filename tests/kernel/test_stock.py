"""On-hand from moves and counts: any order, any duplicates, the same answer."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from setledger.stock import (
    NO_LOT,
    Count,
    Move,
    MoveReason,
    StockKey,
    after_count,
    latest_counts,
    level_deltas,
    on_hand,
)

T0 = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
SHOP, GODOWN = uuid.UUID(int=1), uuid.UUID(int=2)
SALT, OIL = uuid.UUID(int=11), uuid.UUID(int=12)
LOT = uuid.UUID(int=21)

instants = st.integers(0, 20).map(lambda m: T0 + timedelta(minutes=m))
moves = st.builds(
    Move,
    move_id=st.uuids(),
    location_id=st.sampled_from([SHOP, GODOWN]),
    product_id=st.sampled_from([SALT, OIL]),
    qty=st.integers(-5000, 5000),
    reason=st.sampled_from(list(MoveReason)),
    moved_at=instants,
    lot_id=st.sampled_from([None, LOT]),
)
counts = st.builds(
    Count,
    count_id=st.uuids(),
    location_id=st.sampled_from([SHOP, GODOWN]),
    product_id=st.sampled_from([SALT, OIL]),
    counted_qty=st.integers(0, 9000),
    counted_at=instants,
    lot_id=st.sampled_from([None, LOT]),
)


def by_hand(ms: list[Move], cs: list[Count]) -> dict[StockKey, int]:
    """The definition, spelt out: per key the greatest (t, id) count plus later moves."""
    keys = {m.key for m in ms} | {c.key for c in cs}
    result = {}
    for key in keys:
        mine = [c for c in cs if c.key == key]
        latest = max(mine, key=lambda c: (c.counted_at, c.count_id)) if mine else None
        distinct = {m.move_id: m for m in ms if m.key == key}.values()
        later = [m.qty for m in distinct if latest is None or m.moved_at > latest.counted_at]
        result[key] = (latest.counted_qty if latest else 0) + sum(later)
    return result


@settings(max_examples=200)
@given(st.lists(moves, max_size=25), st.lists(counts, max_size=6), st.randoms())
def test_on_hand_is_the_definition_whatever_the_order_and_repeats(
    ms: list[Move], cs: list[Count], rnd: random.Random
) -> None:
    expected = by_hand(ms, cs)
    shuffled = [*ms, *rnd.sample(ms, k=len(ms) // 2)]
    rnd.shuffle(shuffled)
    counts_again = [*cs, *cs[:1]]
    rnd.shuffle(counts_again)
    assert on_hand(ms, cs) == expected
    assert on_hand(shuffled, counts_again) == expected


@settings(max_examples=200)
@given(st.lists(st.one_of(moves, counts), max_size=30))
def test_a_level_kept_by_deltas_and_recounts_is_the_ledger_sum(events: list[Move | Count]) -> None:
    """How the hub keeps its cache: moves add deltas past the key's count; a newer count
    resets the key to its quantity plus the moves after it. Any arrival order."""
    levels: dict[StockKey, int] = {}
    counted: dict[StockKey, Count] = {}
    seen: dict[uuid.UUID, Move] = {}
    for event in events:
        if isinstance(event, Move):
            if event.move_id in seen:
                continue
            seen[event.move_id] = event
            at = {k: c.counted_at for k, c in counted.items()}
            for key, delta in level_deltas([event], at).items():
                levels[key] = levels.get(key, 0) + delta
            continue
        held = counted.get(event.key)
        if held is not None and held.order >= event.order:
            continue
        counted[event.key] = event
        later = sum(
            m.qty for m in seen.values() if m.key == event.key and m.moved_at > event.counted_at
        )
        levels[event.key] = event.counted_qty + later
    ms = [e for e in events if isinstance(e, Move)]
    cs = [e for e in events if isinstance(e, Count)]
    assert levels == on_hand(ms, cs)


def test_a_move_at_the_count_instant_was_seen_by_the_count() -> None:
    count = Count(uuid.UUID(int=5), SHOP, SALT, 7000, T0)
    at_count = Move(uuid.UUID(int=6), SHOP, SALT, -1000, MoveReason.SALE, T0)
    after = Move(uuid.UUID(int=7), SHOP, SALT, -1000, MoveReason.SALE, T0 + timedelta(seconds=1))
    assert on_hand([at_count, after], [count]) == {StockKey(SHOP, SALT): 6000}
    assert not after_count(T0, T0)
    assert after_count(T0, None)


def test_counts_at_one_instant_are_ordered_by_their_ids() -> None:
    low = Count(uuid.UUID(int=1), SHOP, SALT, 100, T0)
    high = Count(uuid.UUID(int=2), SHOP, SALT, 200, T0)
    assert latest_counts([high, low]) == latest_counts([low, high]) == {StockKey(SHOP, SALT): high}


def test_a_lot_is_its_own_key_and_no_lot_is_the_nil_uuid() -> None:
    loose = Move(uuid.UUID(int=1), SHOP, SALT, 1000, MoveReason.RECEIPT, T0)
    batch = Move(uuid.UUID(int=2), SHOP, SALT, 2000, MoveReason.RECEIPT, T0, lot_id=LOT)
    assert on_hand([loose, batch]) == {
        StockKey(SHOP, SALT, NO_LOT): 1000,
        StockKey(SHOP, SALT, LOT): 2000,
    }
