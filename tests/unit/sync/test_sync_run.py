"""SyncRun with a fake client and a fake clock: schedules, timeouts, transient errors, progress lines.
Nothing here sleeps for real (FakeClock.sleep only advances the fake time)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.ops.wsus.plugins.module_utils import _sync_run
from ansible_collections.ops.wsus.plugins.module_utils._sync_run import SyncError, SyncRun
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import (
    WsusConnectionError,
    WsusHTTPError,
    WsusSoapFault,
    WsusTimeoutError,
)

from fake_wsus import FakeClock, FakeWsus, ScriptedProgress

START = "StartSubscriptionManually"
STATUS = ("GetServerSyncProgress", "GetSubscriptionState")


@pytest.fixture
def clock():
    return FakeClock()


def make_run(client, clock, check_mode=False):
    lines = []
    run = SyncRun(
        client, "wsus01", check_mode=check_mode, report=lines.append, clock=clock, sleep=clock.sleep, now=clock.now
    )
    return run, lines


def progress_lines(lines):
    return [line for line in lines if " synchronizing " in line]


# ------------------------------------------------------------------ polling schedule


def test_five_second_sync_with_the_default_poll_interval_makes_exactly_these_calls(clock):
    """2 s first pause, x1.5 after: polls at 0, 2 and 5 s. The first sees the run requested (no phase,
    so it also reads the state), the second a phase (one request), the third the end (two)."""
    wsus = FakeWsus(clock, duration=5.0)
    run, lines = make_run(wsus, clock)
    outcome = run.run(poll_interval=15)
    assert clock.sleeps == [2.0, 3.0]
    assert wsus.calls == [
        "GetSubscriptionState",
        START,
        "GetServerSyncProgress",
        "GetSubscriptionState",
        "GetServerSyncProgress",
        "GetServerSyncProgress",
        "GetSubscriptionState",
        "ExecuteSPSearchEventHistory",
    ]
    assert outcome["changed"] is True and outcome["started"] is True and outcome["result"] == "succeeded"
    assert lines == [
        "wsus01: synchronization started",
        "wsus01: synchronizing categories 240/360 (66 %)",
        "wsus01: synchronization succeeded",
    ]


@pytest.mark.parametrize(
    "poll_interval, expected_start",
    [
        (15, [2.0, 3.0, 4.5, 6.75, 10.125, 15.0, 15.0]),
        (5, [2.0, 3.0, 4.5, 5.0, 5.0]),
        (1, [1.0, 1.0, 1.0]),
        (2, [2.0, 2.0, 2.0]),
    ],
)
def test_poll_backoff_starts_near_two_seconds_and_grows_to_the_cap(clock, poll_interval, expected_start):
    wsus = FakeWsus(clock, duration=200.0)
    run, _ = make_run(wsus, clock)
    assert run.run(poll_interval=poll_interval)["result"] == "succeeded"
    assert clock.sleeps[: len(expected_start)] == expected_start
    assert set(clock.sleeps[len(expected_start) :]) == {float(poll_interval)}
    # it stopped at the first poll after the end, not one interval later
    assert 200.0 <= clock.t < 200.0 + poll_interval


def test_a_running_phase_costs_one_status_request_per_poll(clock):
    wsus = FakeWsus(clock, duration=200.0, requested_s=0.0)
    run, _ = make_run(wsus, clock)
    run.run(poll_interval=15)
    polls = len(clock.sleeps) + 1
    status = [call for call in wsus.calls[2:] if call in STATUS]
    # one GetServerSyncProgress per poll; GetSubscriptionState only on the last one (phase idle)
    assert status.count("GetServerSyncProgress") == polls
    assert status.count("GetSubscriptionState") == 1


# ------------------------------------------------------------------ timeout


def test_timeout_math_last_pause_is_cut_to_the_deadline(clock):
    wsus = FakeWsus(clock, duration=100.0)
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError) as caught:
        run.run(wait_timeout=10, poll_interval=15)
    # polls at 0, 2, 5, 9.5 and 10: the pause after 9.5 s is cut from 6.75 s to the 0.5 s left
    assert clock.sleeps == [2.0, 3.0, 4.5, 0.5]
    assert clock.t == 10.0
    message = str(caught.value)
    assert "did not finish within 10s (reached categories 68/360 (18 %)); left it running" in message
    result = caught.value.result
    assert result["changed"] is True and result["started"] is True and result["result"] == "running"
    assert result["progress"] == {"phase": "categories", "processed": 68, "total": 360, "percent": 18}
    assert "StopSubscription" not in wsus.calls
    assert wsus.run is not None  # left running


def test_timeout_before_the_server_begins_says_so(clock):
    wsus = FakeWsus(clock, duration=100.0, requested_s=100.0)  # stuck in "run requested" (state 3)
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match=r"within 5s \(reached no phase: the server had not begun working on it\)"):
        run.run(wait_timeout=5, poll_interval=1)


def test_timeout_with_every_poll_failed_says_unknown_progress(clock):
    wsus = FakeWsus(clock, duration=100.0)
    wsus.fail("GetServerSyncProgress", *[WsusConnectionError("lost")] * 5)
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match=r"within 3s \(reached unknown progress\); left it running"):
        run.run(wait_timeout=3, poll_interval=1)


def test_timeout_shorter_than_the_first_pause(clock):
    wsus = FakeWsus(clock, duration=100.0)
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match=r"did not finish within 0\.5s \(reached categories 0/360 \(0 %\)\)"):
        run.run(wait_timeout=0.5, poll_interval=15)
    assert clock.sleeps == [0.5]


def test_timeout_with_cancel_on_timeout_stops_it(clock):
    wsus = FakeWsus(clock, duration=100.0)
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match="canceled it") as caught:
        run.run(wait_timeout=10, poll_interval=15, cancel_on_timeout=True)
    assert wsus.calls[-2:] == ["StopSubscription", "GetSubscriptionState"] and wsus.run is None
    assert wsus.events[-1]["EventId"] == 385
    assert caught.value.result["result"] == "canceled" and caught.value.result["changed"] is True


def test_timeout_of_a_joined_sync_is_no_change_unless_canceled(clock):
    wsus = FakeWsus(clock, duration=100.0)
    wsus.start_run()
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError) as caught:
        run.run(wait_timeout=5, poll_interval=1)
    assert caught.value.result["changed"] is False and caught.value.result["started"] is False
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError) as caught:
        run.run(wait_timeout=5, poll_interval=1, cancel_on_timeout=True)
    assert caught.value.result["changed"] is True and caught.value.result["started"] is False


@pytest.mark.parametrize("seconds, shown", [(7200, "2h"), (5400, "90m"), (90, "90s"), (3, "3s")])
def test_timeout_message_shows_the_duration_as_written(clock, seconds, shown):
    wsus = FakeWsus(clock, duration=1e6)
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match=r"did not finish within %s \(" % shown):
        run.run(wait_timeout=seconds, poll_interval=15)
    assert clock.t == pytest.approx(seconds)


# ------------------------------------------------------------------ transient errors


def test_failed_polls_are_tolerated_and_reported(clock):
    wsus = FakeWsus(clock, duration=20.0)
    wsus.fail(
        "GetServerSyncProgress",
        WsusConnectionError("connection lost"),
        WsusHTTPError("HTTP 503", 503),
        WsusTimeoutError("no answer"),
    )
    run, lines = make_run(wsus, clock)
    outcome = run.run(poll_interval=1)
    assert outcome["result"] == "succeeded" and outcome["changed"] is True
    retried = [line for line in lines if "status request failed" in line]
    assert retried == [
        "wsus01: status request failed (connection lost); retrying",
        "wsus01: status request failed (HTTP 503); retrying",
        "wsus01: status request failed (no answer); retrying",
    ]


def test_ten_failed_polls_in_a_row_are_tolerated(clock):
    assert _sync_run.TRANSIENT_POLL_FAILURES == 10
    wsus = FakeWsus(clock, duration=60.0)
    wsus.fail("GetServerSyncProgress", *[WsusConnectionError("lost %d" % n) for n in range(10)])
    run, _ = make_run(wsus, clock)
    assert run.run(poll_interval=1)["result"] == "succeeded"


def test_the_eleventh_failed_poll_in_a_row_fails_but_keeps_changed(clock):
    wsus = FakeWsus(clock, duration=60.0)
    wsus.fail("GetServerSyncProgress", *[WsusConnectionError("lost %d" % n) for n in range(11)])
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match=r"11 status requests in a row failed \(last: lost 10\)") as caught:
        run.run(poll_interval=1)
    # the task did start a synchronization: the failure must still say so
    assert caught.value.result["changed"] is True and caught.value.result["started"] is True
    assert caught.value.result["result"] == "unknown"
    assert clock.sleeps == [1.0] * 10


def test_the_failure_counter_resets_after_a_good_poll(clock):
    wsus = FakeWsus(clock, duration=60.0)
    # 3 x 8 failures separated by good polls: 24 in all, never more than 10 in a row
    wsus.fail("GetServerSyncProgress", *([WsusConnectionError("lost")] * 8 + [None]) * 3)
    run, lines = make_run(wsus, clock)
    assert run.run(poll_interval=1)["result"] == "succeeded"
    assert len([line for line in lines if "status request failed" in line]) == 24


def test_a_soap_fault_while_polling_is_not_retried(clock):
    wsus = FakeWsus(clock, duration=60.0)
    wsus.fail("GetServerSyncProgress", WsusSoapFault("boom", "GetServerSyncProgress"))
    run, _ = make_run(wsus, clock)
    with pytest.raises(WsusSoapFault):
        run.run(poll_interval=1)


# ------------------------------------------------------------------ progress lines


def test_one_progress_line_per_phase_change_and_ten_percent_step(clock):
    wsus = ScriptedProgress(
        clock,
        [
            ("categories", 100, 0),
            ("categories", 100, 5),
            ("categories", 100, 9),
            ("categories", 100, 10),
            ("categories", 100, 19),
            ("categories", 100, 35),
            ("updates", 3400, 0),
            ("updates", 3400, 1200),
            ("updates", 3400, 1250),
            ("updates", 3400, 1300),
            ("updates", 3400, 3400),
            ("updates", 3400, 3400),
        ],
    )
    run, lines = make_run(wsus, clock)
    assert run.run(poll_interval=1)["result"] == "succeeded"
    assert progress_lines(lines) == [
        "wsus01: synchronizing categories 0/100 (0 %)",
        "wsus01: synchronizing categories 10/100 (10 %)",
        "wsus01: synchronizing categories 35/100 (35 %)",
        "wsus01: synchronizing updates 0/3400 (0 %)",
        "wsus01: synchronizing updates 1200/3400 (35 %)",
        "wsus01: synchronizing updates 3400/3400 (100 %)",
    ]


def test_no_progress_line_while_the_run_is_only_requested(clock):
    wsus = FakeWsus(clock, duration=0.9, requested_s=0.9)
    run, lines = make_run(wsus, clock)
    run.run(poll_interval=1)
    assert progress_lines(lines) == []


def test_progress_lines_match_the_documented_format(clock):
    wsus = FakeWsus(clock, duration=30.0)
    run, lines = make_run(wsus, clock)
    run.run(poll_interval=1)
    found = progress_lines(lines)
    assert len(found) >= 10  # two phases, ten steps each at least partly seen
    for line in found:
        assert re.match(r"^wsus01: synchronizing (categories|updates) \d+/\d+ \(\d{1,3} %\)$", line), line


# ------------------------------------------------------------------ states, joining, max_age, results


def test_a_running_sync_is_joined_not_started_twice(clock):
    wsus = FakeWsus(clock, duration=5.0)
    wsus.start_run()
    run, lines = make_run(wsus, clock)
    outcome = run.run(poll_interval=1)
    assert START not in wsus.calls
    assert outcome["changed"] is False and outcome["started"] is False and outcome["result"] == "succeeded"
    assert "wsus01: a synchronization is already running; waiting for it" in lines


def test_started_does_not_wait(clock):
    wsus = FakeWsus(clock, duration=5.0)
    run, lines = make_run(wsus, clock)
    outcome = run.run(state="started")
    assert clock.sleeps == [] and wsus.calls.count(START) == 1
    assert outcome["changed"] is True and outcome["result"] == "running"
    assert outcome["sync"]["started_at"] == "2026-03-01T12:00:00Z" and outcome["sync"]["manual"] is True
    assert lines == ["wsus01: synchronization started"]
    again, lines = make_run(wsus, clock)
    assert again.run(state="started")["changed"] is False
    assert wsus.calls.count(START) == 1
    assert lines == ["wsus01: a synchronization is already running"]  # not "waiting for it": it does not


def test_stopped_cancels_a_running_sync_and_is_no_change_when_idle(clock):
    wsus = FakeWsus(clock, duration=50.0)
    wsus.start_run()
    run, _ = make_run(wsus, clock)
    outcome = run.run(state="stopped")
    assert outcome["changed"] is True and outcome["result"] == "canceled"
    # the state is read again after the stop: idle at once (this fake stops instantly by default)
    assert wsus.calls == ["GetSubscriptionState", "StopSubscription", "GetSubscriptionState"] and wsus.run is None
    run, _ = make_run(wsus, clock)
    outcome = run.run(state="stopped")
    assert outcome["changed"] is False and outcome["result"] == "not_running"
    assert "StopSubscription" not in wsus.calls[2:]


def test_check_mode_starts_and_stops_nothing(clock):
    wsus = FakeWsus(clock, duration=50.0)
    run, _ = make_run(wsus, clock, check_mode=True)
    outcome = run.run()
    assert outcome["changed"] is True and outcome["started"] is True
    assert wsus.calls == ["GetSubscriptionState"] and clock.sleeps == []
    wsus.start_run()
    run, _ = make_run(wsus, clock, check_mode=True)
    assert run.run(state="stopped")["changed"] is True
    assert "StopSubscription" not in wsus.calls and wsus.run is not None
    run, lines = make_run(wsus, clock, check_mode=True)
    joined = run.run()
    assert joined["changed"] is False and joined["result"] == "running" and clock.sleeps == []
    assert lines == ["wsus01: a synchronization is already running"]


def test_categories_only_uses_the_category_operation(clock):
    wsus = FakeWsus(clock, duration=3.0)
    run, _ = make_run(wsus, clock)
    run.run(mode="categories_only", poll_interval=1)
    assert "StartSubscriptionManuallyForCategoryOnly" in wsus.calls and START not in wsus.calls


def test_max_age_skips_a_fresh_success_and_starts_after_an_old_one(clock):
    clock.t = 10000.0
    wsus = FakeWsus(clock, duration=3.0)
    wsus.add_past_sync(ended_s_ago=1800)
    run, _ = make_run(wsus, clock)
    fresh = run.run(max_age=3600)
    assert fresh["changed"] is False and fresh["started"] is False and fresh["result"] == "succeeded"
    assert fresh["msg"] == "the last synchronization succeeded 1800 s ago (max_age 3600 s)"
    assert fresh["sync"]["duration_s"] == 60.0
    assert wsus.calls == ["GetSubscriptionState", "ExecuteSPSearchEventHistory"]
    run, _ = make_run(wsus, clock)
    stale = run.run(max_age=600, poll_interval=1)
    assert stale["changed"] is True and wsus.calls.count(START) == 1


def test_max_age_after_a_failure_starts_again(clock):
    clock.t = 10000.0
    wsus = FakeWsus(clock, duration=3.0)
    wsus.add_past_sync(ended_s_ago=60, result="failed", error_text="proxy refused")
    run, _ = make_run(wsus, clock)
    assert run.run(max_age=3600, poll_interval=1)["started"] is True


def test_max_age_counts_the_last_success_even_after_a_later_failure(clock):
    clock.t = 10000.0
    wsus = FakeWsus(clock, duration=3.0)
    wsus.add_past_sync(ended_s_ago=1800)
    wsus.add_past_sync(ended_s_ago=60, result="failed", error_text="proxy refused")
    run, _ = make_run(wsus, clock)
    outcome = run.run(max_age=3600, poll_interval=1)
    assert outcome["started"] is False and outcome["changed"] is False and START not in wsus.calls
    assert outcome["msg"] == "the last synchronization succeeded 1800 s ago (max_age 3600 s)"


def test_max_age_joins_a_running_sync(clock):
    clock.t = 10000.0
    wsus = FakeWsus(clock, duration=3.0)
    wsus.add_past_sync(ended_s_ago=60)
    wsus.start_run()
    run, _ = make_run(wsus, clock)
    outcome = run.run(max_age=3600, poll_interval=1)
    assert START not in wsus.calls and outcome["changed"] is False and clock.sleeps


def test_a_failed_sync_fails_with_the_error_text_or_reports_it(clock):
    wsus = FakeWsus(clock, duration=3.0, result="failed", error_text="WebException: the proxy refused")
    run, lines = make_run(wsus, clock)
    with pytest.raises(SyncError, match="the synchronization failed: WebException: the proxy refused") as caught:
        run.run(poll_interval=1)
    assert caught.value.result["result"] == "failed" and caught.value.result["changed"] is True
    # error_text is the server's whole message; the task's message keeps only the reason
    assert caught.value.result["sync"]["error_text"] == (
        "Synchronization failed. Reason: WebException: the proxy refused"
    )
    assert lines[-1] == "wsus01: synchronization failed"
    run, _ = make_run(wsus, clock)
    outcome = run.run(poll_interval=1, fail_on_error=False)
    assert outcome["result"] == "failed"
    assert outcome["sync"]["error_text"] == "Synchronization failed. Reason: WebException: the proxy refused"


def test_a_canceled_sync_fails_unless_fail_on_error_is_false(clock):
    wsus = FakeWsus(clock, duration=3.0, result="canceled")
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match="the synchronization canceled: canceled on the server"):
        run.run(poll_interval=1)
    run, _ = make_run(wsus, clock)
    assert run.run(poll_interval=1, fail_on_error=False)["result"] == "canceled"


def test_success_reports_times_duration_and_manual(clock):
    clock.t = 100.0
    wsus = FakeWsus(clock, duration=5.0)
    run, _ = make_run(wsus, clock)
    outcome = run.run(poll_interval=1)
    assert outcome["sync"] == {
        "started_at": "2026-03-01T12:01:40Z",
        "finished_at": "2026-03-01T12:01:45Z",
        "duration_s": 5.0,
        "manual": True,
        "error_text": None,
        "event_id": 384,
    }


# ------------------------------------------------------------------ end events: 387, no reason, unknown ids


@pytest.mark.parametrize("cancel_event", [385, 387])
def test_a_run_ending_with_385_or_387_is_canceled(clock, cancel_event):
    wsus = FakeWsus(clock, duration=3.0, result="canceled", cancel_event=cancel_event)
    run, _ = make_run(wsus, clock)
    with pytest.raises(
        SyncError, match=r"the synchronization canceled: canceled on the server \(event %d\)" % cancel_event
    ) as caught:
        run.run(poll_interval=1)
    assert caught.value.result["result"] == "canceled" and caught.value.result["sync"]["event_id"] == cancel_event
    run, _ = make_run(wsus, clock)
    outcome = run.run(poll_interval=1, fail_on_error=False)
    assert outcome["result"] == "canceled" and outcome["sync"]["event_id"] == cancel_event
    assert outcome["sync"]["finished_at"] is not None and outcome["sync"]["error_text"] is None


def test_a_387_with_an_error_hresult_is_a_failure(clock):
    wsus = FakeWsus(clock, duration=3.0, result=387, end_hresult=-2146233079)
    run, _ = make_run(wsus, clock)
    outcome = run.run(poll_interval=1, fail_on_error=False)
    assert outcome["result"] == "failed" and outcome["sync"]["event_id"] == 387


@pytest.mark.parametrize("error_text", ["", None])
def test_a_failure_without_a_reason_says_so_and_where_to_look(clock, error_text):
    """Servers after the October 2025 security update may record a failure with no error details."""
    wsus = FakeWsus(clock, duration=3.0, result="failed", error_text=error_text)
    run, lines = make_run(wsus, clock)
    with pytest.raises(SyncError) as caught:
        run.run(poll_interval=1)
    message = str(caught.value)
    assert message.startswith("the synchronization failed and the server gave no reason (event 386; ")
    assert "Synchronizations node of the WSUS console" in message
    assert "%ProgramFiles%\\Update Services\\LogFiles\\SoftwareDistribution.log" in message
    assert caught.value.result["result"] == "failed" and caught.value.result["sync"]["error_text"] is None
    assert lines[-1] == "wsus01: synchronization failed"


def test_an_end_event_it_does_not_know_is_unknown_with_its_id_never_the_previous_result(clock):
    clock.t = 1000.0
    wsus = FakeWsus(clock, duration=3.0, result=390)
    wsus.add_past_sync(ended_s_ago=100)  # the previous run succeeded
    run, lines = make_run(wsus, clock)
    with pytest.raises(
        SyncError,
        match=r"^the synchronization ended with event 390, which ops.wsus does not know, "
        r"so its result is unknown: look at the Synchronizations node",
    ) as caught:
        run.run(poll_interval=1)
    result = caught.value.result
    assert result["result"] == "unknown" and result["sync"]["event_id"] == 390 and result["changed"] is True
    assert result["sync"]["finished_at"] == "2026-03-01T12:16:43Z" and result["sync"]["duration_s"] == 3.0
    assert lines[-1] == "wsus01: synchronization unknown"
    run, _ = make_run(wsus, clock)
    outcome = run.run(poll_interval=1, fail_on_error=False)
    assert outcome["result"] == "unknown" and outcome["sync"]["event_id"] == 390


def test_an_end_event_written_late_is_waited_for(clock):
    wsus = FakeWsus(clock, duration=3.0, end_event_delay=2.5)
    run, _ = make_run(wsus, clock)
    outcome = run.run(poll_interval=1)
    assert outcome["result"] == "succeeded" and outcome["sync"]["event_id"] == 384
    assert clock.sleeps[-2:] == [1.0, 2.0]  # END_EVENT_PAUSES, until the event shows


def test_no_end_event_at_all_is_unknown_not_the_previous_result(clock):
    clock.t = 1000.0
    wsus = FakeWsus(clock, duration=3.0, end_event_delay=1e9)
    wsus.add_past_sync(ended_s_ago=100)
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match="the server recorded no end event for it, so its result is unknown"):
        run.run(poll_interval=1)
    assert clock.sleeps[-3:] == list(_sync_run.END_EVENT_PAUSES)


# ------------------------------------------------------------------ races: a start that meets a run or a save


def test_a_run_that_begins_between_the_state_read_and_the_start_is_joined(clock):
    """Idle when read, running when started (a scheduled run): WSUS refuses the start with
    InvalidOperationException, the state now reads busy, and the task joins that run."""
    wsus = FakeWsus(clock, duration=5.0)
    wsus.start_after_state_read = True
    run, lines = make_run(wsus, clock)
    outcome = run.run(poll_interval=1)
    assert wsus.calls[:3] == ["GetSubscriptionState", START, "GetSubscriptionState"]
    assert wsus.calls.count(START) == 1  # refused; never tried again
    assert outcome["changed"] is False and outcome["started"] is False and outcome["result"] == "succeeded"
    assert outcome["msg"] == _sync_run.JOINED_RACE
    assert outcome["sync"]["manual"] is False  # the schedule's run
    assert [event["EventId"] for event in wsus.events] == [381, 384]  # one run
    assert (
        "wsus01: a synchronization started on the server between the state read and the start request; "
        "joining it" in lines
    )
    assert "wsus01: synchronization started" not in lines


def test_the_join_race_with_state_started_does_not_wait(clock):
    wsus = FakeWsus(clock, duration=5.0)
    wsus.start_after_state_read = True
    run, _ = make_run(wsus, clock)
    outcome = run.run(state="started", mode="categories_only")
    assert outcome["changed"] is False and outcome["started"] is False and outcome["result"] == "running"
    assert outcome["msg"] == _sync_run.JOINED_RACE and clock.sleeps == []
    assert wsus.calls.count("StartSubscriptionManuallyForCategoryOnly") == 1


def test_a_start_refused_while_a_save_is_in_progress_is_retried(clock):
    wsus = FakeWsus(clock, duration=3.0)
    wsus.saving_until = 2.5
    run, lines = make_run(wsus, clock)
    outcome = run.run(poll_interval=15)
    assert outcome["changed"] is True and outcome["started"] is True and outcome["result"] == "succeeded"
    assert wsus.calls[:7] == [
        "GetSubscriptionState",
        START,
        "GetSubscriptionState",
        START,
        "GetSubscriptionState",
        START,
        "GetServerSyncProgress",
    ]
    assert clock.sleeps[:2] == [1.0, 2.0]
    retried = [line for line in lines if "refused to start" in line]
    assert retried == [
        "wsus01: WSUS refused to start a synchronization while none runs (the synchronization "
        "cannot be started because WSUS is currently saving server configuration changes.); it is "
        "probably saving its configuration: retrying in %gs" % pause
        for pause in (1, 2)
    ]
    assert [event["EventId"] for event in wsus.events] == [382, 384]


def test_a_start_refused_until_wait_timeout_fails_clearly(clock):
    wsus = FakeWsus(clock, duration=3.0)
    wsus.saving_until = 1e9
    run, _ = make_run(wsus, clock)
    with pytest.raises(
        SyncError,
        match=r"^WSUS refused to start a synchronization 5 time\(s\) although none was "
        r"running \(last: .*saving server configuration changes\.\)\. It refuses "
        r"while it saves its configuration",
    ) as caught:
        run.run(wait_timeout=10, poll_interval=15)
    assert clock.sleeps == [1.0, 2.0, 4.0, 3.0]  # the last pause is cut to the deadline
    assert caught.value.result["changed"] is False and caught.value.result["started"] is False
    assert caught.value.result["result"] == "not_started"
    assert wsus.events == []


def test_retry_pauses_are_capped_by_poll_interval(clock):
    wsus = FakeWsus(clock, duration=3.0)
    wsus.saving_until = 7.5
    run, _ = make_run(wsus, clock)
    assert run.run(poll_interval=2)["started"] is True
    assert clock.sleeps[:4] == [1.0, 2.0, 2.0, 2.0]


def test_other_start_faults_are_not_retried(clock):
    wsus = FakeWsus(clock, duration=3.0)
    wsus.fail(START, WsusSoapFault("boom", START, exception_type="System.Data.SqlClient.SqlException"))
    run, _ = make_run(wsus, clock)
    with pytest.raises(WsusSoapFault):
        run.run(poll_interval=1)
    assert wsus.calls == ["GetSubscriptionState", START]


# ------------------------------------------------------------------ stopping takes time


def test_cancel_on_timeout_waits_for_the_stop_or_says_it_is_still_stopping(clock):
    wsus = FakeWsus(clock, duration=100.0, stop_s=3.0)
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match=r"; canceled it\.") as caught:
        run.run(wait_timeout=10, poll_interval=15, cancel_on_timeout=True)
    assert caught.value.result["result"] == "canceled" and wsus.run is None and clock.t == 13.5
    wsus = FakeWsus(clock, duration=1000.0, stop_s=500.0)
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match=r"; asked it to stop, but it was still stopping 60s later\.") as caught:
        run.run(wait_timeout=10, poll_interval=15, cancel_on_timeout=True)
    assert caught.value.result["result"] == "stopping" and caught.value.result["changed"] is True


def test_stopped_waits_until_the_run_has_stopped(clock):
    wsus = FakeWsus(clock, duration=100.0, stop_s=1.2)
    wsus.start_run()
    run, lines = make_run(wsus, clock)
    outcome = run.run(state="stopped", poll_interval=15)
    assert outcome["changed"] is True and outcome["result"] == "canceled"
    assert clock.sleeps == [0.5, 1.0] and wsus.run is None
    assert wsus.calls == ["GetSubscriptionState", "StopSubscription"] + ["GetSubscriptionState"] * 3
    assert lines == ["wsus01: synchronization stopping", "wsus01: synchronization canceled"]
    assert wsus.events[-1]["EventId"] == 385


def test_stopped_fails_when_still_stopping_at_wait_timeout(clock):
    wsus = FakeWsus(clock, duration=1000.0, stop_s=500.0)
    wsus.start_run()
    run, _ = make_run(wsus, clock)
    with pytest.raises(SyncError, match="asked to stop, but it was still stopping after the wait_timeout") as caught:
        run.run(state="stopped", wait_timeout=5, poll_interval=2)
    assert caught.value.result["changed"] is True and caught.value.result["result"] == "stopping"
    assert clock.t == 5.0
