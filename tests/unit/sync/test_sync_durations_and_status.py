"""parse_duration, the event summary (result/sync shape shared by sync and server_info), and run_sync's
option handling."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._sync_run import parse_duration
from ansible_collections.ops.wsus.plugins.module_utils._sync_status import (
    progress_dict, read_sync_status, summarize_events)
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import SyncProgress
from ansible_collections.ops.wsus.plugins.modules.sync import run_sync

from fake_wsus import EPOCH, FakeClock, FakeWsus


# ------------------------------------------------------------------ parse_duration

@pytest.mark.parametrize("value, seconds", [
    ("90", 90), (90, 90), (2.5, 2.5), ("0", 0), ("90s", 90), ("90m", 5400), ("24h", 86400), ("7d", 604800),
    ("1w", 604800), ("1h30m", 5400), ("1h 30m", 5400), ("1.5h", 5400), (" 2H ", 7200), ("1d12h", 129600),
    ("3s", 3), ("1m30s", 90),
])
def test_parse_duration_valid(value, seconds):
    assert parse_duration(value) == seconds
    assert isinstance(parse_duration(value), float)


@pytest.mark.parametrize("value", [
    "", " ", "h", "soon", "5x", "1h30", "-5m", "-5", "1,5h", "P1D", "5 minutes", "1e3", "h1", "90 s s", True, None,
])
def test_parse_duration_invalid_names_the_option(value):
    with pytest.raises(ValueError, match=r"^max_age must be a duration such as 90s, 30m, 2h, 7d or 1h30m, got "):
        parse_duration(value, "max_age")


# ------------------------------------------------------------------ the event summary

def event(event_id, seconds, strings=(), template=None):
    return {"EventId": event_id, "NamespaceId": 2, "TimeAtServer": EPOCH + datetime.timedelta(seconds=seconds),
            "ReplacementStrings": list(strings), "MessageTemplate": template}


def test_never_run_and_unknown():
    assert summarize_events([], running=False)[0] == "never_run"
    result, sync = summarize_events([event(382, 0)], running=False)
    assert result == "unknown" and sync["started_at"] == "2026-03-01T12:00:00Z" and sync["finished_at"] is None


def test_running_reports_the_newest_start():
    result, sync = summarize_events([event(382, 0), event(384, 5), event(381, 100)], running=True)
    assert result == "running"
    assert sync == {"started_at": "2026-03-01T12:01:40Z", "finished_at": None, "duration_s": None,
                    "manual": False, "error_text": None}


@pytest.mark.parametrize("end_id, result", [(384, "succeeded"), (385, "canceled"), (386, "failed")])
def test_the_newest_end_gives_the_result_with_its_own_start(end_id, result):
    events = [event(381, 0), event(384, 30), event(382, 100.25), event(end_id, 112.5, ["boom"])]
    got, sync = summarize_events(events, running=False)
    assert got == result
    assert sync["started_at"] == "2026-03-01T12:01:40.250000Z" and sync["finished_at"] == "2026-03-01T12:01:52.500000Z"
    assert sync["duration_s"] == 12.25 and sync["manual"] is True
    assert sync["error_text"] == ("boom" if result == "failed" else None)


def test_failed_without_replacement_strings_falls_back_to_the_message():
    _, sync = summarize_events([event(382, 0), event(386, 1, [""], "Synchronization failed")], running=False)
    assert sync["error_text"] == "Synchronization failed"
    _, sync = summarize_events([event(382, 0), event(386, 1)], running=False)
    assert sync["error_text"] == "synchronization failed"


def test_a_start_after_the_newest_end_is_not_its_start():
    # a run was requested after the last end but the state already reads idle: the last end keeps its own start
    result, sync = summarize_events([event(382, 0), event(384, 10), event(382, 20)], running=False)
    assert result == "succeeded" and sync["started_at"] == "2026-03-01T12:00:00Z" and sync["duration_s"] == 10.0


@pytest.mark.parametrize("total, processed, percent", [(0, 0, 0), (3400, 1200, 35), (10, 10, 100), (10, 11, 100)])
def test_progress_dict(total, processed, percent):
    assert progress_dict(SyncProgress("updates", total, processed)) == {
        "phase": "updates", "processed": processed, "total": total, "percent": percent}


def test_read_sync_status_is_the_shape_server_info_returns():
    clock = FakeClock()
    wsus = FakeWsus(clock, duration=5.0)
    wsus.start_sync()
    clock.t = 3.0
    status = read_sync_status(wsus)
    assert set(status) == {"result", "sync", "progress", "state"}
    assert status["result"] == "running" and status["state"] == 2 and status["progress"]["phase"] == "updates"
    assert set(status["sync"]) == {"started_at", "finished_at", "duration_s", "manual", "error_text"}
    clock.t = 6.0
    status = read_sync_status(wsus)
    assert status["result"] == "succeeded" and status["sync"]["duration_s"] == 5.0 and status["state"] == 0


# ------------------------------------------------------------------ run_sync (module and action plugin)

PARAMS = {"server": "wsus01.corp.example", "state": "completed", "mode": "full", "max_age": None,
          "wait_timeout": "2h", "poll_interval": 15, "cancel_on_timeout": False, "fail_on_error": True}


@pytest.mark.parametrize("option, value", [("max_age", "soon"), ("wait_timeout", "1h30"), ("wait_timeout", "-1s")])
def test_run_sync_rejects_a_bad_duration_before_any_request(option, value):
    wsus = FakeWsus(FakeClock())
    with pytest.raises(ValueError, match="^%s must be a duration" % option):
        run_sync(wsus, dict(PARAMS, **{option: value}), check_mode=False)
    assert wsus.calls == []


def test_run_sync_labels_lines_with_the_inventory_name_and_stops():
    clock = FakeClock()
    wsus = FakeWsus(clock)
    wsus.start_run()
    lines = []
    outcome = run_sync(wsus, dict(PARAMS, state="stopped"), check_mode=False, report=lines.append, label="wsus01")
    assert outcome["changed"] is True and outcome["result"] == "canceled"
    assert lines == ["wsus01: synchronization canceled"]
