"""Reservations in the kernel: available, conflicts with offline sales, negative stock,
and resolutions that only ever add records."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from setledger import errors
from setledger import reservations as rs
from setledger.reservations import Move, Reservation

U = 1000
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
STORE, WAREHOUSE, RICE = "store-a", "wh-1", "rice-5kg"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def move(
    move_id: str,
    qty: int,
    minutes: int,
    *,
    device: str | None = "box-1",
    location: str = STORE,
    reason: str = "sale",
) -> Move:
    return Move(move_id, location, RICE, qty, at(minutes), reason, device)


def reserve(rid: str, qty: int, minutes: int, available: int) -> rs.ReservationEvent:
    return rs.new_reservation(
        reservation_id=rid,
        location=STORE,
        product=RICE,
        qty=qty,
        source="b2b_order",
        reference="PO-17",
        created_at=at(minutes),
        available=available,
    )


def test_conflict_by_hand_names_both_sides_and_the_rule() -> None:
    # 6 received; the hub reserves 5 for a B2B order; the box, offline, then sells 3.
    moves = [move("receipt", 6 * U, 0, device=None, reason="receipt")]
    created = reserve("R1", 5 * U, 10, available=6 * U)
    moves.append(move("sale-1", -2 * U, 20))
    moves.append(move("sale-2", -1 * U, 30))
    book = rs.fold([created])
    assert rs.available(rs.on_hand(moves), book.values()) == {(STORE, RICE): -2 * U}

    [short] = rs.shortages(moves, book.values())
    assert short.kind == "reservation_conflict"
    assert (short.on_hand, short.reserved, short.shortfall) == (3 * U, 5 * U, 2 * U)
    assert short.reservation_ids == ("R1",)
    assert short.move_ids == ("sale-1", "sale-2")
    assert "keeps its claim" in short.rule

    # Resolved by 2 coming in from the warehouse: the reservation and the sales stay.
    moves.append(move("in-1", 2 * U, 40, device=None, reason="transfer_in"))
    rs.check_resolution(short, "transfer", 2 * U)
    assert rs.shortages(moves, book.values()) == []
    assert book["R1"].holds == 5 * U
    assert {"sale-1", "sale-2"} <= {m.move_id for m in moves}


def test_sales_before_the_reservation_are_not_its_conflict() -> None:
    moves = [move("receipt", 6 * U, 0, device=None), move("early", -1 * U, 5)]
    book = rs.fold([reserve("R1", 5 * U, 10, available=5 * U)])
    assert rs.shortages(moves, book.values()) == []
    moves.append(move("late", -1 * U, 20))
    [short] = rs.shortages(moves, book.values())
    assert short.move_ids == ("late",)
    assert short.shortfall == 1 * U


def test_negative_stock_names_the_sales_since_it_was_last_in_stock() -> None:
    moves = [
        move("receipt", 1 * U, 0, device=None),
        move("s1", -1 * U, 1),  # back to 0: fine
        move("receipt2", 1 * U, 2, device=None),
        move("s2", -2 * U, 3),
        move("s3", -1 * U, 4),
    ]
    [short] = rs.shortages(moves, [])
    assert short.kind == "negative_stock"
    assert (short.on_hand, short.shortfall, short.reservation_ids) == (-2 * U, 2 * U, ())
    assert short.move_ids == ("s2", "s3")
    with pytest.raises(errors.SetLedgerError) as refused:
        rs.check_resolution(short, "release", 1 * U)
    assert refused.value.code == "STOCK_RESOLUTION_NEEDS_RESERVATION"


def test_a_count_below_the_moves_makes_negative_stock_from_the_levels() -> None:
    # Moves sum to +1, but a count found 2 fewer: the hub's level is -1. The cause walks
    # back from the level to the sale that took it below zero.
    moves = [move("receipt", 3 * U, 0, device=None), move("s1", -1 * U, 5), move("s2", -1 * U, 6)]
    [short] = rs.shortages(moves, [], {(STORE, RICE): -1 * U})
    assert (short.kind, short.shortfall, short.move_ids) == ("negative_stock", 1 * U, ("s2",))
    assert rs.shortages(moves, []) == []


def test_reservation_lifecycle_is_appended_events() -> None:
    created = reserve("R1", 5 * U, 0, available=9 * U)
    reduced = rs.change(rs.fold([created])["R1"], "reduced", at(1), 2 * U)
    state = rs.fold([created, reduced])["R1"]
    assert (state.qty, state.status) == (3 * U, "active")
    released = rs.release_event(state, 3 * U, at(2))
    assert released.kind == "released"
    final = rs.fold([created, reduced, released])["R1"]
    assert (final.status, final.holds) == ("released", 0)
    with pytest.raises(errors.SetLedgerError) as refused:
        rs.change(final, "fulfilled", at(3))
    assert refused.value.code == "RESERVATION_NOT_ACTIVE"
    back = rs.change(state, "back_ordered", at(2))
    assert rs.fold([created, reduced, back])["R1"].holds == 0


@pytest.mark.parametrize(
    ("qty", "source", "available", "code"),
    [
        (0, "b2b_order", 10 * U, "RESERVATION_QTY_INVALID"),
        (1.5, "b2b_order", 10 * U, "RESERVATION_QTY_INVALID"),
        (U, "walk_in", 10 * U, "RESERVATION_SOURCE_INVALID"),
        (11 * U, "online_order", 10 * U, "RESERVATION_EXCEEDS_AVAILABLE"),
    ],
)
def test_refused_reservations(qty: object, source: str, available: int, code: str) -> None:
    with pytest.raises(errors.SetLedgerError) as refused:
        rs.new_reservation(
            reservation_id="R",
            location=STORE,
            product=RICE,
            qty=qty,  # type: ignore[arg-type]
            source=source,
            reference="W-1",
            created_at=T0,
            available=available,
        )
    assert refused.value.code == code


def test_release_resolution_checks() -> None:
    moves = [move("receipt", 4 * U, 0, device=None), move("s", -2 * U, 20)]
    book = rs.fold([reserve("R1", 3 * U, 10, available=4 * U)])
    [short] = rs.shortages(moves, book.values())
    other = Reservation("R9", STORE, RICE, U, "online_order", "W", T0)
    for how, qty, res, code in [
        ("refund", U, None, "STOCK_RESOLUTION_INVALID"),
        ("transfer", 0, None, "RESERVATION_QTY_INVALID"),
        ("release", U, other, "STOCK_RESOLUTION_NEEDS_RESERVATION"),
        ("release", 4 * U, book["R1"], "RESERVATION_REDUCE_TOO_MUCH"),
    ]:
        with pytest.raises(errors.SetLedgerError) as refused:
            rs.check_resolution(short, how, qty, res)
        assert refused.value.code == code
    rs.check_resolution(short, "release", U, book["R1"])
    reduced = rs.fold(
        [reserve("R1", 3 * U, 10, available=4 * U), rs.release_event(book["R1"], U, at(30))]
    )
    assert rs.shortages(moves, reduced.values()) == []


# -- properties ---------------------------------------------------------------

moves_st = st.lists(
    st.tuples(
        st.sampled_from([STORE, WAREHOUSE]), st.integers(-5, 5), st.integers(0, 100), st.booleans()
    ),
    max_size=25,
)
claims_st = st.lists(
    st.tuples(
        st.sampled_from([STORE, WAREHOUSE]),
        st.integers(1, 6),
        st.integers(0, 100),
        st.sampled_from(["active", "active", "released", "fulfilled", "back_ordered"]),
    ),
    max_size=5,
)


def build(
    raw_moves: list[tuple[str, int, int, bool]], raw_claims: list[tuple[str, int, int, str]]
) -> tuple[list[Move], list[Reservation]]:
    moves = [
        Move(f"m{i}", loc, RICE, q * U, at(t), "sale", "box" if box else None)
        for i, (loc, q, t, box) in enumerate(raw_moves)
    ]
    claims = [
        Reservation(f"r{i}", loc, RICE, q * U, "online_order", "W", at(t), status)  # type: ignore[arg-type]
        for i, (loc, q, t, status) in enumerate(raw_claims)
    ]
    return moves, claims


@settings(max_examples=150, deadline=None)
@given(moves_st, claims_st, st.randoms(use_true_random=False))
def test_shortages_are_exactly_negative_available_whatever_the_order(
    raw_moves: list[tuple[str, int, int, bool]],
    raw_claims: list[tuple[str, int, int, str]],
    rng: random.Random,
) -> None:
    moves, claims = build(raw_moves, raw_claims)
    free = rs.available(rs.on_hand(moves), claims)
    found = rs.shortages(moves, claims)
    assert {s.key: -s.shortfall for s in found} == {k: v for k, v in free.items() if v < 0}
    for short in found:
        assert short.available == -short.shortfall
        assert (short.kind == "reservation_conflict") == bool(short.reservation_ids)
        named = set(short.move_ids)
        assert all(m.qty < 0 and m.key == short.key for m in moves if m.move_id in named)
    # Given the levels (as the hub gives them), the same shortages come out.
    levels = rs.on_hand(moves)
    every_key = {m.key for m in moves} | {c.key for c in claims}
    assert rs.shortages(moves, claims, {k: levels.get(k, 0) for k in every_key}) == found
    shuffled_moves, shuffled_claims = moves[:], claims[:]
    rng.shuffle(shuffled_moves)
    rng.shuffle(shuffled_claims)
    assert rs.shortages(shuffled_moves, shuffled_claims) == found


@settings(max_examples=150, deadline=None)
@given(moves_st, claims_st, st.booleans())
def test_resolving_by_the_shortfall_clears_it_and_keeps_every_record(
    raw_moves: list[tuple[str, int, int, bool]],
    raw_claims: list[tuple[str, int, int, str]],
    by_release: bool,
) -> None:
    moves, claims = build(raw_moves, raw_claims)
    for n, short in enumerate(rs.shortages(moves, claims)):
        if by_release and short.reservation_ids and short.shortfall <= short.reserved:
            # Release from the newest claims first until the shortfall is covered.
            left = short.shortfall
            events = []
            for rid in reversed(short.reservation_ids):
                current = next(c for c in claims if c.reservation_id == rid)
                take = min(left, current.qty)
                if take:
                    rs.check_resolution(short, "release", take, current)
                    events.append(rs.release_event(current, take, at(200)))
                    left -= take
            created = [
                rs.ReservationEvent(c.reservation_id, "created", c.created_at, c.qty, c)
                for c in claims
            ]
            claims = list(rs.fold([*created, *events]).values())
        else:
            rs.check_resolution(short, "adjustment", short.shortfall)
            moves.append(
                Move(f"fix{n}", short.location, RICE, short.shortfall, at(300), "adjustment")
            )
    assert rs.shortages(moves, claims) == []
    assert {f"m{i}" for i in range(len(raw_moves))} <= {m.move_id for m in moves}
    assert {f"r{i}" for i in range(len(raw_claims))} == {c.reservation_id for c in claims}


def test_a_unit_sold_at_two_shops_names_both_sales_since_it_came_in() -> None:
    """One phone, received at the warehouse, sent to shop A, sold there and (offline,
    the same IMEI keyed in) at shop B: B's unit is at -1, both sales are named, the
    sale before the unit last came in is not."""
    unit = [
        move("old-sale", -1000, 0, reason="sale", location="A"),
        move("back", 1000, 1, reason="return", location="A"),
        move("in", 1000, 2, reason="receipt", location="WH"),
        move("out", -1000, 3, reason="transfer_out", location="WH"),
        move("to-a", 1000, 4, reason="transfer_in", location="A"),
        move("sold-a", -1000, 5, reason="sale", location="A", device="till-a"),
        move("sold-b", -1000, 6, reason="sale", location="B", device="till-b"),
    ]
    found = rs.unit_shortage("B", RICE, -1000, reversed(unit))
    assert found is not None
    assert (found.kind, found.on_hand, found.shortfall) == ("unit_oversold", -1000, 1000)
    assert found.move_ids == ("sold-a", "sold-b")
    assert found.reservation_ids == ()
    assert found.rule == rs.UNIT_RULE
    assert rs.unit_shortage("A", RICE, 0, unit) is None
    rs.check_resolution(found, "adjustment", 1000)
    with pytest.raises(errors.SetLedgerError) as refused:
        rs.check_resolution(found, "release", 1000)
    assert refused.value.code == "STOCK_RESOLUTION_NEEDS_RESERVATION"
