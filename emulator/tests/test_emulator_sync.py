"""Simulated synchronizations: state, phases, progress, events, stop (through "stopping"), failures, writes
during a run, starts refused while busy or saving, the cancel event id, and the start race injection."""

from __future__ import annotations

import base64
import time

import pytest

from wsusclient import (
    events,
    get_configuration,
    rows,
    set_configuration,
    subscription,
    subscription_xml,
    wait_idle,
)
from wsusclient import subscription_state as state

ALL_SYNC_EVENTS = (381, 382, 384, 385, 386, 387)
FAILURE_HRESULT = "-2146233079"
EVENT_ORDER = [
    "EventInstanceId",
    "EventId",
    "NamespaceId",
    "SourceId",
    "TimeAtTarget",
    "TimeAtServer",
    "StateId",
    "SeverityId",
    "Win32HResult",
    "MessageTemplate",
    "AppName",
    "MiscData",
    "ReplacementStrings",
    "UpdateId",
    "RevisionNumber",
]


def progress(client):
    return rows(client.ok("GetServerSyncProgress").result("GetServerSyncProgress"))[0]


def observe(client, limit=10.0):
    """Poll state and progress until idle: [(state, phase, total, processed)]."""
    seen = []
    deadline = time.time() + limit
    while time.time() < deadline:
        current = state(client)
        phase, total, processed = progress(client)
        seen.append((current, phase, total, processed))
        if current == 0:
            return seen
        time.sleep(0.03)
    raise AssertionError("the synchronization did not end: %s" % seen[-5:])


def phases_in_order(seen):
    order = []
    for current, phase, dummy, dummy in seen:
        if current == 2 and phase != 0 and (not order or order[-1] != phase):  # phase 0: ended between reads
            order.append(phase)
    return order


@pytest.fixture(scope="module")
def slow_emu(emu_factory):
    return emu_factory("--control", "--sync-seconds", "2")


@pytest.fixture
def slow_admin(slow_emu):
    slow_emu.reset()
    client = slow_emu.client()
    yield client
    client.close()


def test_idle(admin):
    assert state(admin) == 0
    assert progress(admin) == [0, 0, 0]


def test_full_sync_phases_and_events(slow_admin, slow_emu):
    before = subscription(slow_admin)["LastSynchronizationTime"]
    started = time.time()
    slow_admin.ok("StartSubscriptionManually")
    seen = observe(slow_admin)
    elapsed = time.time() - started
    assert 1.8 <= elapsed <= 4
    assert seen[0][0] == 3 and seen[0][1:] == (0, 0, 0)  # run requested
    assert phases_in_order(seen) == [3, 1]  # Categories, then Updates
    for phase in (3, 1):
        samples = [s for s in seen if s[0] == 2 and s[1] == phase]
        processed = [s[3] for s in samples]
        assert processed == sorted(processed)
        assert all(0 <= s[3] <= s[2] for s in samples) and samples[0][2] > 0
        assert processed[-1] > processed[0]
    assert seen[-1] == (0, 0, 0, 0)
    after = subscription(slow_admin)["LastSynchronizationTime"]
    assert after != before and after.startswith(time.strftime("%Y-", time.gmtime()))
    found = events(slow_admin)
    assert [e["EventId"] for e in found] == [384, 382]  # newest first
    assert found[0]["_order"] == EVENT_ORDER
    assert found[0]["NamespaceId"] == "2"
    assert found[0]["TimeAtServer"] == after
    run = slow_emu.state()["sync"]["last_run"]
    assert run["result"] == "succeeded" and run["category_only"] is False


def test_category_only_has_categories_phase_only(slow_admin):
    slow_admin.ok("StartSubscriptionManuallyForCategoryOnly")
    seen = observe(slow_admin)
    assert phases_in_order(seen) == [3]


def test_replica_has_approvals_phase(slow_admin):
    assert (
        set_configuration(
            slow_admin, {"SyncToMU": False, "UpstreamServerName": "up.example", "ReplicaMode": True}
        ).status
        == 200
    )
    slow_admin.ok("StartSubscriptionManually")
    assert phases_in_order(observe(slow_admin)) == [3, 1, 2]


def test_stop_passes_through_stopping_then_cancels(admin, emu):
    """The default --stop-seconds 0.5: StopSubscription leaves the run "stopping" (state 2, progress frozen)
    before it ends canceled; a second stop and a start in that time change nothing."""
    admin.ok("StartSubscriptionManually")
    time.sleep(0.3)
    assert state(admin) == 2
    admin.ok("StopSubscription")
    began = time.time()
    view = emu.state()["sync"]
    assert view["running"] is True and view["stopping"] is True and view["state"] == 2
    assert "stop_requested" in view["current_run"]
    frozen = progress(admin)
    assert frozen[0] == 3 and state(admin) == 2  # still busy, the Categories phase where the stop found it
    time.sleep(0.1)
    assert progress(admin) == frozen
    assert [e["EventId"] for e in events(admin)] == [382]  # no end event yet
    admin.ok("StopSubscription")  # already stopping: a no-op
    refused = admin.call("StartSubscriptionManually")
    assert refused.status == 500 and refused.fault["type"] == "System.InvalidOperationException"
    assert "current state (Stopping)" in refused.fault["message"]
    wait_idle(admin)
    assert 0.3 <= time.time() - began <= 3
    assert subscription(admin)["LastSynchronizationTime"] == "0001-01-01T00:00:00"
    assert [e["EventId"] for e in events(admin)] == [385, 382]
    assert emu.state()["sync"]["last_run"]["result"] == "canceled"
    assert emu.state()["sync"]["stopping"] is False
    admin.ok("StopSubscription")  # idle: a no-op
    assert len(events(admin)) == 2


def test_second_start_during_a_run_is_refused(admin, emu):
    """A real server throws InvalidOperationException (a SOAP fault) for a start while a run is going."""
    admin.ok("StartSubscriptionManually")
    first = emu.state()["sync"]["current_run"]
    for operation in ("StartSubscriptionManually", "StartSubscriptionManuallyForCategoryOnly"):
        response = admin.call(operation)
        assert response.status == 500, operation
        assert response.fault["code"] == "soap:Server"
        assert response.fault["type"] == "System.InvalidOperationException"
        assert response.fault["message"] == (
            "%s: the synchronization cannot be started because of its current state (Running)." % operation
        )
    assert emu.state()["sync"]["current_run"]["id"] == first["id"]
    assert emu.state()["sync"]["runs"] == 1
    wait_idle(admin)
    assert [e["EventId"] for e in events(admin)] == [384, 382]
    assert [
        (e["operation"], e["http_status"]) for e in emu.requests() if e["operation"].startswith("StartSubscription")
    ] == [
        ("StartSubscriptionManually", 200),
        ("StartSubscriptionManually", 500),
        ("StartSubscriptionManuallyForCategoryOnly", 500),
    ]


def test_injected_failure(admin, emu):
    emu.faults([{"next_sync_result": {"result": "failed", "error_text": "Upstream unreachable"}}])
    admin.ok("StartSubscriptionManually")
    wait_idle(admin)
    found = events(admin)
    assert [e["EventId"] for e in found] == [386, 382]
    # shaped like a real failure: "Synchronization failed. Reason: ...", ErrorCode -2146233079
    assert found[0]["MessageTemplate"] == "Synchronization failed. Reason: %1"
    assert found[0]["ReplacementStrings"] == ["Upstream unreachable"]
    assert found[0]["Win32HResult"] == FAILURE_HRESULT and found[0]["SeverityId"] == "3"
    assert subscription(admin)["LastSynchronizationTime"] == "0001-01-01T00:00:00"
    assert emu.state()["sync"]["last_run"]["error_text"] == "Upstream unreachable"
    # the rule applied once: the next run succeeds
    admin.ok("StartSubscriptionManually")
    wait_idle(admin)
    assert events(admin)[0]["EventId"] == 384


def test_injected_failure_without_a_reason(admin, emu):
    """error_text "" models the servers that show no error details since the October 2025 update."""
    emu.faults([{"next_sync_result": {"result": "failed", "error_text": ""}}])
    admin.ok("StartSubscriptionManually")
    wait_idle(admin)
    end = events(admin)[0]
    assert end["EventId"] == 386 and end["ReplacementStrings"] == []
    assert (end.get("MessageTemplate") or "") == "" and end["Win32HResult"] == "0"
    assert emu.state()["sync"]["last_run"]["result"] == "failed"
    assert emu.state()["sync"]["last_run"]["error_text"] == ""


def test_injected_failure_without_error_text_gets_a_default_reason(admin, emu):
    emu.faults([{"next_sync_result": {"result": "failed"}}])
    admin.ok("StartSubscriptionManually")
    wait_idle(admin)
    end = events(admin)[0]
    assert end["EventId"] == 386 and end["ReplacementStrings"][0].startswith("The remote name could not be")


def test_injected_cancel_through_control(admin, emu):
    emu.faults({"rules": [{"next_sync_result": {"result": "canceled"}}]})
    admin.ok("StartSubscriptionManuallyForCategoryOnly")
    wait_idle(admin)
    assert events(admin)[0]["EventId"] == 385


def test_cancel_event_387_from_the_command_line(emu_factory):
    emulator = emu_factory("--control", "--sync-seconds", "1", "--cancel-event", "387", "--stop-seconds", "0")
    client = emulator.client()
    assert emulator.control("GET", "settings") == {
        "sync_seconds": 1.0,
        "stop_seconds": 0.0,
        "save_seconds": 0.0,
        "cancel_event": 387,
        "scheduler_stopped": False,
        "new_updates_per_sync": 0,
        "name": "wsus-%d.emulator.test" % emulator.port,  # the server's identity (hierarchy.py)
        "version": "10.0.20348.1",
    }
    client.ok("StartSubscriptionManually")
    client.ok("StopSubscription")
    assert state(client) == 0  # --stop-seconds 0: no stopping state
    emulator.faults([{"next_sync_result": {"result": "canceled"}}])
    client.ok("StartSubscriptionManually")
    wait_idle(client)
    assert [e["EventId"] for e in events(client, event_ids=ALL_SYNC_EVENTS)] == [387, 382, 387, 382]
    assert [e["EventId"] for e in events(client, event_ids=(381, 382, 384, 385, 386))] == [382, 382]
    emulator.reset()
    assert emulator.control("GET", "settings")["cancel_event"] == 387  # the command line's value stays
    client.close()


def test_cancel_event_through_the_settings_api(admin, emu):
    assert emu.control("POST", "settings", {"cancel_event": 387, "stop_seconds": 0}) == {
        "sync_seconds": 1.0,
        "stop_seconds": 0.0,
        "save_seconds": 0.0,
        "cancel_event": 387,
        "scheduler_stopped": False,
        "new_updates_per_sync": 0,
        "name": "wsus-%d.emulator.test" % emu.port,
        "version": "10.0.20348.1",
    }
    admin.ok("StartSubscriptionManually")
    admin.ok("StopSubscription")
    assert [e["EventId"] for e in events(admin, event_ids=ALL_SYNC_EVENTS)] == [387, 382]
    assert emu.state()["sync"]["settings"]["cancel_event"] == 387
    emu.reset()  # back to the command line's settings
    assert emu.control("GET", "settings") == {
        "sync_seconds": 1.0,
        "stop_seconds": 0.5,
        "save_seconds": 0.0,
        "cancel_event": 385,
        "scheduler_stopped": False,
        "new_updates_per_sync": 0,
        "name": "wsus-%d.emulator.test" % emu.port,
        "version": "10.0.20348.1",
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"cancel_event": 386},
        {"cancel_event": True},
        {"stop_seconds": -1},
        {"sync_seconds": 0},
        {"save_seconds": "1"},
        {"surprise": 1},
        ["not", "an object"],
    ],
)
def test_invalid_settings_are_400_and_change_nothing(emu, bad):
    before = emu.control("GET", "settings")
    payload = dict(bad, save_seconds=3) if isinstance(bad, dict) and "save_seconds" not in bad else bad
    assert "error" in emu.control("POST", "settings", payload, expect=400)
    assert emu.control("GET", "settings") == before


def test_start_refused_while_the_configuration_is_being_saved(admin, emu):
    """--save-seconds / save_seconds: for that long after ExecuteSPSetConfiguration a start is refused with
    InvalidOperationException while the state reads idle (.NET: "WSUS is currently saving server
    configuration changes")."""
    emu.control("POST", "settings", {"save_seconds": 1})
    assert set_configuration(admin, {}).status == 200
    assert emu.state()["sync"]["saving"] is True
    for operation in ("StartSubscriptionManually", "StartSubscriptionManuallyForCategoryOnly"):
        response = admin.call(operation)
        assert response.status == 500 and response.fault["type"] == "System.InvalidOperationException"
        assert "currently saving server configuration changes" in response.fault["message"]
    assert state(admin) == 0 and emu.state()["sync"]["runs"] == 0
    time.sleep(1.05)
    assert emu.state()["sync"]["saving"] is False
    admin.ok("StartSubscriptionManually")
    assert emu.state()["sync"]["runs"] == 1


def test_save_seconds_from_the_command_line(emu_factory):
    emulator = emu_factory("--control", "--save-seconds", "30")
    client = emulator.client()
    assert emulator.control("GET", "settings")["save_seconds"] == 30.0
    client.ok("StartSubscriptionManually")  # no save yet: starts
    client.ok("StopSubscription")
    wait_idle(client)
    assert set_configuration(client, {}).status == 200
    assert client.call("StartSubscriptionManually").status == 500
    client.close()


@pytest.mark.parametrize("kind, event_id", [(True, 381), ("scheduled", 381), ("manual", 382)])
def test_a_run_injected_right_after_a_state_read(admin, emu, kind, event_id):
    """start_sync_after: the request is answered normally (idle), and a run starts before the caller sees
    that answer, so the caller's next start meets a running synchronization."""
    emu.faults([{"operation": "GetSubscriptionState", "start_sync_after": kind}])
    assert state(admin) == 0
    assert state(admin) in (2, 3)
    refused = admin.call("StartSubscriptionManually")
    assert refused.status == 500 and "current state (Running)" in refused.fault["message"]
    run = emu.state()["sync"]["current_run"]
    assert run["manual"] is (kind == "manual") and emu.state()["sync"]["runs"] == 1
    assert [e["EventId"] for e in events(admin)] == [event_id]
    assert emu.control("GET", "faults") == {"rules": []}  # used once


def test_start_sync_after_rule_is_validated(emu):
    assert "error" in emu.control("POST", "faults", [{"start_sync_after": "later"}], expect=400)
    assert "error" in emu.control("POST", "faults", [{"start_sync_after": True, "http_status": 503}], expect=400)


def test_writes_during_sync_are_refused(admin, emu):
    fields = get_configuration(admin)
    admin.ok("StartSubscriptionManually")
    attempts = {
        "ExecuteSPSetConfiguration": set_configuration(admin, {}, fields=fields),
        "SetSubscription": admin.call("SetSubscription", subscription_xml()),
        "SetSubscriptionFrequency": admin.call(
            "SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>2</numberOfSynchronizationsPerDay>"
        ),
        "SetProxyPassword": admin.call(
            "SetProxyPassword",
            "<passwordBytes>%s</passwordBytes>" % base64.b64encode("pw".encode("utf-16-le")).decode(),
        ),
    }
    for operation, response in attempts.items():
        assert response.status == 500, operation
        assert response.fault["type"] == "System.InvalidOperationException", operation
        assert "while a synchronization is running" in response.fault["message"]
    # reads still work
    assert admin.ok("GetSubscription")
    admin.ok("StopSubscription")
    wait_idle(admin)  # stopping is still busy
    assert (
        admin.call(
            "SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>2</numberOfSynchronizationsPerDay>"
        ).status
        == 200
    )


@pytest.mark.parametrize("live", [True, False])
def test_event_filter_forms_and_ranges(admin, live):
    admin.ok("StartSubscriptionManually")
    admin.ok("StopSubscription")
    wait_idle(admin)
    assert [e["EventId"] for e in events(admin, live=live)] == [385, 382]
    assert [e["EventId"] for e in events(admin, live=live, event_ids=[382])] == [382]
    assert events(admin, live=live, low="9000-01-01T00:00:00") == []
    assert events(admin, live=live, high="2000-01-01T00:00:00") == []
    assert len(events(admin, live=live, event_ids=())) == 2  # an empty id filter does not filter


def test_state_and_progress_visible_in_control_state(admin, emu):
    admin.ok("StartSubscriptionManually")
    view = emu.state()["sync"]
    assert view["running"] is True and view["state"] in (2, 3)
    assert view["current_run"]["started_by"] == "WSUS\\admin"
    admin.ok("StopSubscription")
    assert emu.state()["sync"]["running"] is True and emu.state()["sync"]["stopping"] is True
    wait_idle(admin)
    assert emu.state()["sync"]["running"] is False
