"""Days of a daylight saving change: both directions of the conversion use the offset in force at ``now``,
and the schedule's plan carries the same DST note as the status report time."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._state import plan as planner
from ansible_collections.ops.wsus.plugins.module_utils._state.document import normalize
from ansible_collections.ops.wsus.plugins.module_utils._state.read import read_schedule
from ansible_collections.ops.wsus.plugins.module_utils._sync_options import ensure_sync_options
from ansible_collections.ops.wsus.plugins.module_utils._state.schedule import (
    local_to_utc_seconds,
    offset_change_note,
    offset_minutes,
    utc_seconds_to_local,
)

from fake_server import FakeServer
from state_fixtures import subscription_row

UTC = datetime.timezone.utc


def _at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


# (zone, now, local time, the UTC seconds that local time means at now, the offset in force at now in
# minutes). Each `now` falls on a transition day where the UTC date and the local date give different
# offsets: the old rule read back another time than it had written (found in review).
TRANSITION_DAYS = [
    # CET (+1) until 2026-03-29T01:00Z; 23:30Z on the 28th is already the 29th in Berlin.
    ("Europe/Berlin", "2026-03-28T23:30:00", "03:00", 2 * 3600, 60),
    # NZDT (+13) until 2026-04-04T14:00Z.
    ("Pacific/Auckland", "2026-04-04T00:00:00", "03:00", 14 * 3600, 13 * 60),
    # PST (-8) until 2026-03-08T10:00Z; 00:00Z on the 8th is still the 7th in Los Angeles.
    ("America/Los_Angeles", "2026-03-08T00:00:00", "02:00", 10 * 3600, -8 * 60),
    # LHDT (+11) until 2026-04-04T15:00Z, then +10:30.
    ("Australia/Lord_Howe", "2026-04-04T00:00:00", "02:00", 15 * 3600, 11 * 60),
]


@pytest.mark.parametrize("name, now, local, utc_seconds, offset", TRANSITION_DAYS)
def test_both_directions_use_the_offset_in_force_at_now(name, now, local, utc_seconds, offset):
    moment = _at(now)
    assert offset_minutes(name, moment) == offset
    assert local_to_utc_seconds(local, name, moment) == utc_seconds
    assert utc_seconds_to_local(utc_seconds, name, moment) == local


@pytest.mark.parametrize("name, now, local, utc_seconds, offset", TRANSITION_DAYS)
def test_server_info_export_applied_back_plans_no_change(name, now, local, utc_seconds, offset):
    moment = _at(now)
    row = subscription_row(synchronizeAutomaticallyTimeOfDay=utc_seconds, SynchronizeAutomatically=True)
    exported = read_schedule(row, name, moment)
    assert exported["time"] == local
    plan = planner.plan_subscription(normalize({"schedule": exported}), row, now=moment)
    assert plan.changes == [] and not plan.changed


def test_offsets_with_seconds_round_to_the_minute():
    # Local mean time of Amsterdam in 1900: +00:19:32.
    moment = _at("1900-06-01T12:00:00")
    assert offset_minutes("Europe/Amsterdam", moment) == 20
    assert (
        utc_seconds_to_local(local_to_utc_seconds("00:05", "Europe/Amsterdam", moment), "Europe/Amsterdam", moment)
        == "00:05"
    )


BERLIN_WINTER = _at("2026-12-01T12:00:00")


def test_schedule_plan_carries_the_dst_note_in_the_diff_not_in_changes():
    row = subscription_row(synchronizeAutomaticallyTimeOfDay=2 * 3600, SynchronizeAutomatically=True)
    document = normalize({"schedule": {"automatic": True, "time": "03:00", "timezone": "Europe/Berlin"}})
    plan = planner.plan_subscription(document, row, now=BERLIN_WINTER)
    assert plan.changes == [] and not plan.changed
    assert plan.dst_note == (
        "on 2027-03-28 Europe/Berlin changes its UTC offset: schedule.time (03:00), stored as 02:00 UTC, will "
        "then mean 04:00 local time instead of 03:00; run the role again on or after that day to move it back"
    )
    assert plan.diff()["after"]["schedule"]["dst_note"] == plan.dst_note
    assert "dst_note" not in plan.diff()["before"]["schedule"]
    # The note is the one function notifications use: one place for this knowledge.
    assert plan.dst_note == offset_change_note(2 * 3600, "Europe/Berlin", BERLIN_WINTER, "schedule.time (03:00)")
    assert planner.merge(planner.Plan(), plan).dst_note == plan.dst_note


def test_schedule_note_also_when_the_time_changes():
    row = subscription_row(synchronizeAutomaticallyTimeOfDay=0)
    document = normalize({"schedule": {"time": "22:00", "timezone": "America/New_York"}})
    plan = planner.plan_subscription(document, row, now=_at("2026-07-01T12:00:00"))
    assert plan.changes == ["schedule.time: 20:00 -> 22:00 (America/New_York)"]
    assert plan.dst_note.startswith("on 2026-11-01 America/New_York changes its UTC offset: schedule.time (22:00)")
    assert "stored as 02:00 UTC, will then mean 21:00 local time instead of 22:00" in plan.dst_note


@pytest.mark.parametrize("timezone", ["UTC", "Etc/GMT-2", "Asia/Tokyo"])
def test_no_note_without_daylight_saving(timezone):
    document = normalize({"schedule": {"time": "03:00", "timezone": timezone}})
    plan = planner.plan_subscription(document, subscription_row(), now=BERLIN_WINTER)
    assert plan.dst_note is None and "dst_note" not in plan.diff()["after"]["schedule"]


def test_no_note_without_a_declared_time():
    plan = planner.plan_subscription(normalize({"schedule": {"per_day": 2}}), subscription_row(), now=BERLIN_WINTER)
    assert plan.dst_note is None


@pytest.mark.parametrize("check_mode", [True, False])
def test_the_module_result_has_the_schedule_note_and_stays_unchanged_on_the_next_run(check_mode):
    server = FakeServer()
    schedule = {"schedule": {"automatic": True, "time": "03:00", "timezone": "Europe/Berlin"}}
    changed, result = ensure_sync_options(server, schedule, check_mode=check_mode, now=BERLIN_WINTER)
    assert changed is True and "schedule.time: 01:00 -> 03:00 (Europe/Berlin)" in result["changes"]
    assert "will then mean 04:00 local time instead of 03:00" in result["dst_note"]
    assert result["diff"]["after"]["schedule"]["dst_note"] == result["dst_note"]
    if not check_mode:
        changed, again = ensure_sync_options(server, schedule, now=BERLIN_WINTER)
        assert changed is False and again["changes"] == [] and again["dst_note"] == result["dst_note"]
