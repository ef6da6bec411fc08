"""Time of day conversion between the declared zone and WSUS's UTC seconds."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._state.schedule import (
    ScheduleError,
    local_to_utc_seconds,
    same_minute,
    utc_seconds_to_local,
)

WINTER = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.timezone.utc)
SUMMER = datetime.datetime(2026, 7, 15, 12, 0, tzinfo=datetime.timezone.utc)


def test_utc_is_identity():
    assert local_to_utc_seconds("03:30", "UTC", WINTER) == 3 * 3600 + 1800
    assert utc_seconds_to_local(3 * 3600 + 1800, "UTC", WINTER) == "03:30"


def test_daylight_saving_changes_the_utc_time():
    assert local_to_utc_seconds("03:00", "Europe/Berlin", WINTER) == 2 * 3600
    assert local_to_utc_seconds("03:00", "Europe/Berlin", SUMMER) == 1 * 3600
    # The server keeps 02:00 UTC: in summer that is 04:00 in Berlin, so the next run re-plans.
    assert utc_seconds_to_local(2 * 3600, "Europe/Berlin", SUMMER) == "04:00"


def test_wraps_around_midnight():
    assert local_to_utc_seconds("00:30", "Europe/Berlin", WINTER) == 23 * 3600 + 1800
    assert local_to_utc_seconds("22:00", "America/New_York", WINTER) == 3 * 3600
    assert utc_seconds_to_local(3 * 3600, "America/New_York", WINTER) == "22:00"


@pytest.mark.parametrize("bad", ["24:00", "7", "ab:cd", "12:60"])
def test_bad_times(bad):
    with pytest.raises(ScheduleError):
        local_to_utc_seconds(bad)


def test_unknown_zone():
    with pytest.raises(ScheduleError, match="unknown time zone 'Mars/Olympus'"):
        local_to_utc_seconds("01:00", "Mars/Olympus")


def test_minute_precision():
    assert same_minute(3600, 3659) and not same_minute(3600, 3660)
