"""parse_duration, the event summary (result/sync shape shared by sync and server_info), and run_sync's
option handling."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._sync_run import parse_duration, run_sync
from ansible_collections.ops.wsus.plugins.module_utils import _sync_status
from ansible_collections.ops.wsus.plugins.module_utils._sync_status import (
    error_text,
    progress_dict,
    read_sync_status,
    summarize_events,
)
from ansible_collections.ops.wsus.plugins.module_utils._wsusar import client as wsus_client
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import SyncProgress

from fake_wsus import EPOCH, FakeClock, FakeWsus


# ------------------------------------------------------------------ parse_duration


@pytest.mark.parametrize(
    "value, seconds",
    [
        ("90", 90),
        (90, 90),
        (2.5, 2.5),
        ("0", 0),
        ("90s", 90),
        ("90m", 5400),
        ("24h", 86400),
        ("7d", 604800),
        ("1w", 604800),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("1.5h", 5400),
        (" 2H ", 7200),
        ("1d12h", 129600),
        ("3s", 3),
        ("1m30s", 90),
    ],
)
def test_parse_duration_valid(value, seconds):
    assert parse_duration(value) == seconds
    assert isinstance(parse_duration(value), float)


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "h",
        "soon",
        "5x",
        "1h30",
        "-5m",
        "-5",
        "1,5h",
        "P1D",
        "5 minutes",
        "1e3",
        "h1",
        "90 s s",
        True,
        None,
    ],
)
def test_parse_duration_invalid_names_the_option(value):
    with pytest.raises(ValueError, match=r"^max_age must be a duration such as 90s, 30m, 2h, 7d or 1h30m, got "):
        parse_duration(value, "max_age")


# ------------------------------------------------------------------ the event summary


def event(event_id, seconds, strings=(), template=None, hresult=0, severity=1):
    return {
        "EventId": event_id,
        "NamespaceId": 2,
        "TimeAtServer": EPOCH + datetime.timedelta(seconds=seconds),
        "ReplacementStrings": list(strings),
        "MessageTemplate": template,
        "Win32HResult": hresult,
        "SeverityId": severity,
    }


REAL_FAILURE = "Synchronization failed. Reason: The remote name could not be resolved: 'fe2.update.microsoft.com'."


def test_never_run_and_unknown():
    assert summarize_events([], running=False)[0] == "never_run"
    result, sync = summarize_events([event(382, 0)], running=False)
    assert result == "unknown" and sync["started_at"] == "2026-03-01T12:00:00Z" and sync["finished_at"] is None


def test_running_reports_the_newest_start():
    result, sync = summarize_events([event(382, 0), event(384, 5), event(381, 100)], running=True)
    assert result == "running"
    assert sync == {
        "started_at": "2026-03-01T12:01:40Z",
        "finished_at": None,
        "duration_s": None,
        "manual": False,
        "error_text": None,
        "event_id": None,
    }


@pytest.mark.parametrize("end_id, result", [(384, "succeeded"), (385, "canceled"), (386, "failed")])
def test_the_newest_end_gives_the_result_with_its_own_start(end_id, result):
    events = [event(381, 0), event(384, 30), event(382, 100.25), event(end_id, 112.5, ["boom"])]
    got, sync = summarize_events(events, running=False)
    assert got == result
    assert sync["started_at"] == "2026-03-01T12:01:40.250000Z" and sync["finished_at"] == "2026-03-01T12:01:52.500000Z"
    assert sync["duration_s"] == 12.25 and sync["manual"] is True
    assert sync["error_text"] == ("boom" if result == "failed" else None)
    assert sync["event_id"] == end_id


def test_the_event_ids_are_defined_once_in_the_client():
    assert wsus_client.SYNC_START_EVENTS == {381: "scheduled_start", 382: "manual_start"}
    assert wsus_client.SYNC_END_EVENTS == {384: "succeeded", 385: "canceled", 386: "failed", 387: "canceled"}
    assert sorted(wsus_client.SYNC_EVENTS) == [381, 382, 384, 385, 386, 387]
    assert _sync_status.SYNC_END_EVENTS is wsus_client.SYNC_END_EVENTS  # imported, not repeated


@pytest.mark.parametrize(
    "end_id, hresult, severity, result",
    [
        (384, 0, 1, "succeeded"),
        (384, 0, 3, "succeeded"),  # SeverityId is not used: its scale is not documented
        (385, 0, 2, "canceled"),
        (387, 0, 2, "canceled"),  # the SUSDB script's end event (it never reads 385)
        (386, 0, 3, "failed"),  # a failure without details: still a failure
        (386, -2146233079, 3, "failed"),
        (387, -2146233079, 3, "failed"),  # an end event with an error HRESULT fails, whatever its id
        (385, -2146233079, 2, "failed"),
        (384, -2146233079, 1, "failed"),
        (390, 0, 1, "unknown"),  # an end event we do not know
        (390, -2146233079, 3, "failed"),
    ],
)
def test_end_events_error_hresult_and_unknown_ids(end_id, hresult, severity, result):
    got, sync = summarize_events([event(382, 0), event(end_id, 5, hresult=hresult, severity=severity)], running=False)
    assert got == result and sync["event_id"] == end_id and sync["finished_at"] == "2026-03-01T12:00:05Z"
    assert sync["duration_s"] == 5.0


def test_an_unknown_end_is_never_reported_as_the_previous_result():
    events = [event(382, 0), event(384, 10), event(382, 20), event(390, 30)]
    result, sync = summarize_events(events, running=False)
    assert result == "unknown" and sync["event_id"] == 390 and sync["started_at"] == "2026-03-01T12:00:20Z"


@pytest.mark.parametrize(
    "strings, template, expected",
    [
        (
            ["The remote name could not be resolved: 'fe2.update.microsoft.com'."],
            "Synchronization failed. Reason: %1",
            REAL_FAILURE,
        ),
        ([], REAL_FAILURE, REAL_FAILURE),  # the whole message in the template
        (["proxy said 407"], "Synchronization failed. Reason: {0}", "Synchronization failed. Reason: proxy said 407"),
        (["boom"], None, "boom"),
        (["boom"], "Synchronization failed.", "Synchronization failed. boom"),  # a string the template does not use
        ([], "", None),  # no details at all (after the October 2025 update)
        ([], None, None),
        ([""], "Synchronization failed. Reason: %1", None),  # only the generic words: no reason
        ([""], "Synchronization failed", None),
        (["  "], "Synchronization failed. Reason: %1", None),
        (["Reasonable proxy"], "%1", "Reasonable proxy"),
    ],
)
def test_error_text_of_a_failure(strings, template, expected):
    assert error_text(event(386, 1, strings, template)) == expected
    _, sync = summarize_events([event(382, 0), event(386, 1, strings, template)], running=False)
    assert sync["error_text"] == expected


def test_a_start_after_the_newest_end_is_not_its_start():
    # a run was requested after the last end but the state already reads idle and no end is visible: unknown,
    # never the previous run's result
    result, sync = summarize_events([event(382, 0), event(384, 10), event(382, 20)], running=False)
    assert result == "unknown" and sync["started_at"] == "2026-03-01T12:00:20Z" and sync["finished_at"] is None
    assert sync["event_id"] is None


@pytest.mark.parametrize("total, processed, percent", [(0, 0, 0), (3400, 1200, 35), (10, 10, 100), (10, 11, 100)])
def test_progress_dict(total, processed, percent):
    assert progress_dict(SyncProgress("updates", total, processed)) == {
        "phase": "updates",
        "processed": processed,
        "total": total,
        "percent": percent,
    }


def test_read_sync_status_is_the_shape_server_info_returns():
    clock = FakeClock()
    wsus = FakeWsus(clock, duration=5.0)
    wsus.start_sync()
    clock.t = 3.0
    status = read_sync_status(wsus)
    assert set(status) == {"result", "sync", "progress", "state"}
    assert status["result"] == "running" and status["state"] == 2 and status["progress"]["phase"] == "updates"
    assert set(status["sync"]) == {"started_at", "finished_at", "duration_s", "manual", "error_text", "event_id"}
    clock.t = 6.0
    status = read_sync_status(wsus)
    assert status["result"] == "succeeded" and status["sync"]["duration_s"] == 5.0 and status["state"] == 0
    assert status["sync"]["event_id"] == 384


def test_read_sync_status_finds_an_end_event_it_does_not_know():
    clock = FakeClock()
    wsus = FakeWsus(clock, duration=5.0, result=390)
    wsus.add_past_sync(ended_s_ago=-0.0, duration=1.0)  # an earlier success must not be reported
    clock.t = 10.0
    wsus.start_sync()
    clock.t = 16.0
    status = read_sync_status(wsus)
    assert status["result"] == "unknown" and status["sync"]["event_id"] == 390
    assert status["sync"]["started_at"] == "2026-03-01T12:00:10Z"
    assert status["sync"]["finished_at"] == "2026-03-01T12:00:15Z"
    # the known ids first, then every namespace-2 event since the newest start
    assert wsus.calls[-2:] == ["ExecuteSPSearchEventHistory", "ExecuteSPSearchEventHistory"]


def test_read_sync_status_makes_one_event_request_when_the_end_is_known():
    clock = FakeClock()
    wsus = FakeWsus(clock, duration=5.0, result="canceled", cancel_event=387)
    wsus.start_sync()
    clock.t = 6.0
    status = read_sync_status(wsus)
    assert status["result"] == "canceled" and status["sync"]["event_id"] == 387
    assert wsus.calls.count("ExecuteSPSearchEventHistory") == 1


# ------------------------------------------------------------------ run_sync (module and action plugin)

PARAMS = {
    "server": "wsus01.corp.example",
    "state": "completed",
    "mode": "full",
    "max_age": None,
    "wait_timeout": "2h",
    "poll_interval": 15,
    "cancel_on_timeout": False,
    "fail_on_error": True,
}


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
