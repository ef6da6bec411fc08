"""Sync health, pure: thresholds, the last result, schedule adherence with WSUS's 30-minute offset, content
and components, and the worst status."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._state import health
from ansible_collections.ops.wsus.plugins.module_utils._sync_status import reason_of, summarize_events

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def at(hours_ago, minutes=0):
    return NOW - datetime.timedelta(hours=hours_ago, minutes=minutes)


def event(event_id, when, text=None, hresult=0):
    found = {"EventId": event_id, "NamespaceId": 2, "TimeAtServer": when, "Win32HResult": hresult}
    if text is not None:
        found.update(MessageTemplate="Synchronization failed. Reason: %1", ReplacementStrings=[text])
    return found


def subscription(automatic=True, per_day=2, time_of_day=0, modified=None, last=None):
    return {
        "SynchronizeAutomatically": automatic,
        "NumberOfSynchronizationsPerDay": per_day,
        "synchronizeAutomaticallyTimeOfDay": time_of_day,
        "LastModifiedTime": modified or NOW - datetime.timedelta(days=30),
        "LastSynchronizationTime": last,
    }


def scheduled_history(per_day=2, days=3, offset_minutes=17, fail_last=None):
    """A server whose scheduled runs started on time (+ offset) for ``days`` days, each lasting 10 minutes."""
    events = []
    for moment in health.planned_times(0, per_day, NOW - datetime.timedelta(days=days), NOW):
        start = moment + datetime.timedelta(minutes=offset_minutes)
        if start > NOW:
            continue
        end = start + datetime.timedelta(minutes=10)
        events += [event(381, start), event(384, end)]
    if fail_last:
        events[-1] = event(386, events[-1]["TimeAtServer"], fail_last, hresult=-2146233079)
    return events


def evaluate(events, sub=None, running=False, **kwargs):
    events = sorted(events, key=lambda e: e["TimeAtServer"])
    result, last = summarize_events(events, running=running)
    if last.get("error_text"):
        last["reason"] = reason_of(last["error_text"])
    return health.evaluate(
        NOW, result, last, events, sub or subscription(), NOW + datetime.timedelta(hours=1), **kwargs
    )


def test_a_server_on_schedule_within_the_random_offset_is_healthy():
    report = evaluate(scheduled_history(offset_minutes=29))
    assert report["status"] == "healthy" and report["reasons"] == []
    assert report["schedule"]["planned"] == 5 and report["schedule"]["missed"] == 0
    assert report["last_sync"]["kind"] == "scheduled" and report["last_sync"]["result"] == "succeeded"


def test_a_start_later_than_the_tolerance_is_missed():
    report = evaluate(scheduled_history(offset_minutes=45))
    assert report["schedule"]["missed"] == 5 and report["status"] == "critical"


def test_scheduled_syncs_that_stopped_two_days_ago_are_critical():
    events = [e for e in scheduled_history(days=4) if e["TimeAtServer"] < at(48)]
    report = evaluate(events)
    assert report["status"] == "critical"
    schedule_reason = [r for r in report["reasons"] if r.startswith("Scheduled synchronizations are not starting")]
    assert len(schedule_reason) == 1
    assert "no scheduled synchronization (event 381) since" in schedule_reason[0]
    assert "2 a day at 00:00, 12:00 UTC" in schedule_reason[0]
    assert report["schedule"]["missed_in_a_row"] == 4


def test_one_missed_start_is_a_warning():
    events = [e for e in scheduled_history() if not at(12) < e["TimeAtServer"] < at(11)]  # no midnight run
    report = evaluate(events)
    assert report["schedule"]["missed_in_a_row"] == 1 and report["schedule"]["status"] == "warning"
    assert report["status"] == "warning"


def test_the_last_scheduled_failure_shows_its_text_and_code():
    report = evaluate(scheduled_history(fail_last="The remote name could not be resolved"))
    assert report["status"] == "warning"
    assert report["last_sync"]["error_text"] == "Synchronization failed. Reason: The remote name could not be resolved"
    assert report["last_sync"]["error_code"] == -2146233079
    assert "failed: The remote name could not be resolved (error code -2146233079)" in report["reasons"][0]
    assert "(scheduled, started " in report["reasons"][0]


@pytest.mark.parametrize(
    "hours_ago,status",
    [(25, "healthy"), (27, "warning"), (73, "critical")],
)
def test_last_success_age_thresholds(hours_ago, status):
    events = [event(382, at(hours_ago, 10)), event(384, at(hours_ago))]
    report = evaluate(events, subscription(automatic=False))
    assert report["status"] == status
    assert report["last_success_age_s"] == pytest.approx(hours_ago * 3600)


def test_thresholds_are_options():
    events = [event(382, at(5, 10)), event(384, at(5))]
    report = evaluate(events, subscription(automatic=False), thresholds={"success_age_warning_hours": 4})
    assert report["status"] == "warning" and "more than 4.0 h" in report["reasons"][0]


def test_never_synchronized_is_critical():
    report = evaluate([], subscription(automatic=False))
    assert report["status"] == "critical" and "never synchronized" in report["reasons"][0]


def test_planned_times_before_the_last_schedule_change_are_not_counted():
    report = evaluate([event(382, at(3)), event(384, at(2, 50))], subscription(modified=at(2)))
    assert report["schedule"]["planned"] == 0 and report["status"] == "healthy"


def test_a_planned_time_during_a_long_run_is_not_missed():
    events = [e for e in scheduled_history() if not at(12) < e["TimeAtServer"] < at(11)]  # no midnight run
    events += [event(382, at(12, 30)), event(384, at(10))]  # a manual run from 23:30 to 02:00 over midnight
    report = evaluate(events)
    assert report["schedule"]["missed"] == 0 and report["schedule"]["planned"] == 4


def test_content_and_components():
    report = evaluate(
        scheduled_history(),
        downloads=(10, 5000),
        failed_downloads=3,
        components_with_errors=["Database"],
        thresholds={"pending_download_bytes_warning": 1000},
    )
    assert report["status"] == "critical"
    assert report["downloads"] == {"downloaded_bytes": 10, "pending_bytes": 5000, "failed_updates": 3}
    assert [r.split(" ")[0] for r in report["reasons"]] == ["5000", "3", "Server"]


def test_automatic_without_a_next_time_is_a_warning():
    events = sorted(scheduled_history(), key=lambda e: e["TimeAtServer"])
    result, last = summarize_events(events, running=False)
    report = health.evaluate(NOW, result, last, events, subscription(), None)
    assert report["status"] == "warning" and "plans no next" in report["reasons"][0]


def test_worst():
    assert health.worst([]) == "healthy"
    assert health.worst(["warning", "healthy"]) == "warning"
    assert health.worst(["warning", "critical", "healthy"]) == "critical"
