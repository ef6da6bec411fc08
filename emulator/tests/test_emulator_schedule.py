"""The simulated clock (control API /_emulator/clock) and automatic synchronizations: a run starts on its own
(event 381) at each configured UTC time the clock passes, injected results apply to it, and a stopped scheduler
starts nothing. The content download backlog drains with the clock; failed downloads and component errors are
injected (/_emulator/content)."""

from __future__ import annotations

import datetime as dt

from wsusclient import events, scalar, subscription_xml

SYNC_EVENTS = (381, 382, 384, 385, 386, 387)


def emulator_now(emu):
    return dt.datetime.strptime(emu.control("GET", "clock")["now"][:19], "%Y-%m-%dT%H:%M:%S")


def schedule(admin, emu, per_day, at_seconds_from_now=3600):
    now = emulator_now(emu)
    time_of_day = (now.hour * 3600 + now.minute * 60 + now.second + at_seconds_from_now) % 86400
    admin.ok(
        "SetSubscription", subscription_xml(synchronize_automatically=True, time_of_day=time_of_day, per_day=per_day)
    )
    return time_of_day


def test_clock_moves_forward_only(emu):
    before = emu.control("GET", "clock")
    assert before["offset_seconds"] == 0
    after = emu.control("POST", "clock", {"advance_seconds": 86400})
    assert after["offset_seconds"] == 86400 and after["now"] > before["now"]
    assert "error" in emu.control("POST", "clock", {"advance_seconds": -1}, expect=400)
    assert "error" in emu.control("POST", "clock", {"seconds": 1}, expect=400)
    emu.reset()
    assert emu.control("GET", "clock")["offset_seconds"] == 0


def test_scheduled_runs_start_at_the_configured_times(admin, emu):
    schedule(admin, emu, per_day=2)
    assert [e["EventId"] for e in events(admin, event_ids=SYNC_EVENTS)] == []
    emu.control("POST", "clock", {"advance_seconds": 86400 + 7200})  # 3 scheduled times passed
    found = events(admin, event_ids=SYNC_EVENTS)
    assert [e["EventId"] for e in found] == [384, 381, 384, 381, 384, 381]
    starts = sorted(
        dt.datetime.strptime(e["TimeAtServer"][:19], "%Y-%m-%dT%H:%M:%S") for e in found if e["EventId"] == 381
    )
    assert [(b - a).total_seconds() for a, b in zip(starts, starts[1:])] == [43200.0, 43200.0]
    assert emu.state()["sync"]["last_run"]["manual"] is False
    assert scalar(admin, "GetSubscriptionNextSynchronizationTime") > emu.control("GET", "clock")["now"][:19]


def test_injected_failure_applies_to_a_scheduled_run(admin, emu):
    schedule(admin, emu, per_day=1)
    emu.faults([{"next_sync_result": {"result": "failed", "error_text": "Upstream unreachable"}}])
    emu.control("POST", "clock", {"advance_seconds": 7200})
    found = events(admin, event_ids=SYNC_EVENTS)
    assert [e["EventId"] for e in found] == [386, 381]
    assert found[0]["ReplacementStrings"] == ["Upstream unreachable"]


def test_a_stopped_scheduler_starts_nothing(admin, emu):
    schedule(admin, emu, per_day=2)
    emu.control("POST", "settings", {"scheduler_stopped": True})
    emu.control("POST", "clock", {"advance_seconds": 2 * 86400})
    assert events(admin, event_ids=SYNC_EVENTS) == []
    assert "error" in emu.control("POST", "settings", {"scheduler_stopped": 1}, expect=400)


def test_content_backlog_drains_with_the_clock_and_errors_are_injected(admin, emu):
    content = emu.control("POST", "content", {"pending_bytes": 1000, "bytes_per_second": 10, "failed_updates": 2})
    assert content["pending_bytes"] <= 1000 and content["failed_updates"] == 2
    emu.control("POST", "clock", {"advance_seconds": 50})
    now = emu.control("GET", "content")
    assert 400 <= now["pending_bytes"] <= 500 and now["downloaded_bytes"] == 1000 - now["pending_bytes"]
    assert scalar(admin, "ExecuteSPGetFailedToDownloadUpdatesCount") == "2"
    emu.control("POST", "content", {"components_with_errors": ["CatalogSyncAgent"]})
    result = admin.ok("ExecuteSPGetComponentsWithErrors").result("ExecuteSPGetComponentsWithErrors")
    assert [item.text for item in result] == ["CatalogSyncAgent"]
    emu.control("POST", "clock", {"advance_seconds": 100})
    assert emu.control("GET", "content")["pending_bytes"] == 0
    assert "error" in emu.control("POST", "content", {"pending": 1}, expect=400)
    assert "error" in emu.control("POST", "content", {"components_with_errors": [""]}, expect=400)
    emu.reset()
    assert emu.control("GET", "content")["components_with_errors"] == []
