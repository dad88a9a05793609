import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from setledger.hlc import HLCTimestamp, HybridClock, skew_ms
from setledger.ids import (
    UUIDv7Factory,
    is_org_code,
    new_id,
    org_code,
    parse_user_code,
    user_code,
    uuid7_unix_ms,
)


def test_new_id_is_a_version_7_uuid() -> None:
    value = new_id()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


@given(st.lists(st.integers(min_value=0, max_value=2**40), min_size=1, max_size=300))
def test_uuid7_strictly_increases_even_when_the_clock_steps_back(clock: list[int]) -> None:
    ticks = iter(clock)
    last = [0]

    def clock_ms() -> int:
        last[0] = next(ticks, last[0])
        return last[0]

    factory = UUIDv7Factory(clock_ms=clock_ms)
    ids = [factory() for _ in clock]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(v.version == 7 for v in ids)
    assert uuid7_unix_ms(ids[0]) == clock[0]


def test_uuid7_survives_a_burst_within_one_millisecond() -> None:
    factory = UUIDv7Factory(clock_ms=lambda: 1_700_000_000_000)
    ids = [factory() for _ in range(10_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 10_000


def test_org_and_user_codes() -> None:
    org = org_code(uuid.UUID("1a2b3c4d-0000-4000-8000-000000000000"))
    assert org == "ORG-1a2b3c4d"
    assert is_org_code(org)
    assert user_code(org, 123) == "ORG-1a2b3c4d-U-000123"
    assert parse_user_code("ORG-1a2b3c4d-U-000123") == ("ORG-1a2b3c4d", 123)
    for bad in ("ORG-1A2B3C4D", "ORG-1a2b3c4", "org-1a2b3c4d"):
        assert not is_org_code(bad)
    with pytest.raises(ValueError, match="member sequence"):
        user_code(org, 0)
    with pytest.raises(ValueError, match="member sequence"):
        user_code(org, 1_000_000)


def test_hlc_encoding_sorts_like_the_timestamp() -> None:
    a = HLCTimestamp(5, 2, "box-a")
    b = HLCTimestamp(12, 0, "box-a")
    assert a < b
    assert a.encode() < b.encode()
    assert HLCTimestamp.decode(a.encode()) == a


events = st.lists(
    st.tuples(
        st.sampled_from(["local", "recv"]),
        st.integers(min_value=0, max_value=10**6),  # physical clock reading
        st.integers(min_value=0, max_value=10**6),  # remote wall
        st.integers(min_value=0, max_value=5),  # remote counter
    ),
    max_size=200,
)


@given(events)
def test_hlc_never_goes_back_and_orders_after_what_it_received(evs: list) -> None:
    physical = [0]
    clock = HybridClock("box-a", physical_ms=lambda: physical[0])
    previous = HLCTimestamp(-1, 0, "box-a")
    for kind, now, remote_wall, remote_counter in evs:
        physical[0] = now
        if kind == "local":
            stamp = clock.now()
        else:
            remote = HLCTimestamp(remote_wall, remote_counter, "hub")
            stamp = clock.update(remote)
            assert (stamp.wall_ms, stamp.counter) > (remote.wall_ms, remote.counter)
        assert (stamp.wall_ms, stamp.counter) > (previous.wall_ms, previous.counter)
        assert stamp.wall_ms >= now
        previous = stamp


def test_a_box_booting_at_1970_catches_up_from_the_hub() -> None:
    clock = HybridClock("box-a", physical_ms=lambda: 0)
    hub_stamp = HLCTimestamp(1_790_000_000_000, 3, "hub")
    after = clock.update(hub_stamp)
    assert after > hub_stamp
    assert clock.now().wall_ms == hub_stamp.wall_ms
    assert skew_ms(0, hub_stamp) == 1_790_000_000_000


def test_hlc_resumes_from_its_last_persisted_stamp() -> None:
    last = HLCTimestamp(2_000, 7, "box-a")
    clock = HybridClock("box-a", physical_ms=lambda: 1_000, last=last)
    assert clock.now() == HLCTimestamp(2_000, 8, "box-a")
