"""Properties of the time of day conversion (``_state/schedule.py``): for every IANA zone, at instants
around its changes of UTC offset (daylight saving, and the historical ones), the two directions are exact
inverses at minute precision. A disagreement makes server_info's export plan a change when applied back."""

from __future__ import annotations

import datetime
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ops.wsus.plugins.module_utils._state.schedule import (
    SECONDS_PER_DAY,
    local_to_utc_seconds,
    utc_seconds_to_local,
)

UTC = datetime.timezone.utc
ZONES = sorted(zoneinfo.available_timezones())
times = st.builds(lambda h, m: "%02d:%02d" % (h, m), st.integers(0, 23), st.integers(0, 59))


def _first_change(name, start, days=400):
    """The first hour after ``start`` at which ``name``'s offset differs, or ``start`` when none comes."""
    tz = zoneinfo.ZoneInfo(name)
    offset = start.astimezone(tz).utcoffset()
    for hour in range(1, days * 24 + 1):
        candidate = start + datetime.timedelta(hours=hour)
        if candidate.astimezone(tz).utcoffset() != offset:
            return candidate
    return start


@st.composite
def zone_and_instant(draw):
    """A zone and an instant within a day and a half of one of its offset changes (or of a random instant
    when the zone has none in the year drawn)."""
    name = draw(st.sampled_from(ZONES))
    start = datetime.datetime(draw(st.integers(1880, 2060)), 1, 1, tzinfo=UTC) + datetime.timedelta(
        hours=draw(st.integers(0, 365 * 24))
    )
    change = _first_change(name, start)
    instant = change + datetime.timedelta(minutes=draw(st.integers(-36 * 60, 36 * 60)))
    return name, instant


@settings(max_examples=400, deadline=None)
@given(zone_and_instant(), times)
def test_local_to_utc_to_local_is_the_identity(zone_instant, text):
    name, now = zone_instant
    seconds = local_to_utc_seconds(text, name, now)
    assert 0 <= seconds < SECONDS_PER_DAY and seconds % 60 == 0
    assert utc_seconds_to_local(seconds, name, now) == text


@settings(max_examples=400, deadline=None)
@given(zone_and_instant(), st.integers(0, SECONDS_PER_DAY - 1))
def test_utc_to_local_to_utc_keeps_the_minute(zone_instant, stored):
    # What server_info exports (UTC seconds read back as local time) plans no change when applied back.
    name, now = zone_instant
    local = utc_seconds_to_local(stored, name, now)
    assert local_to_utc_seconds(local, name, now) == stored // 60 * 60
