"""Simulated synchronizations: state, phases, progress, events, stop, failures, writes during a run."""

from __future__ import annotations

import base64
import time

import pytest

from wsusclient import (events, get_configuration, rows, scalar, set_configuration, subscription,
                        subscription_xml)

EVENT_ORDER = ["EventInstanceId", "EventId", "NamespaceId", "SourceId", "TimeAtTarget", "TimeAtServer", "StateId",
               "SeverityId", "Win32HResult", "MessageTemplate", "AppName", "MiscData", "ReplacementStrings",
               "UpdateId", "RevisionNumber"]


def progress(client):
    return rows(client.ok("GetServerSyncProgress").result("GetServerSyncProgress"))[0]


def state(client):
    return int(scalar(client, "GetSubscriptionState"))


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


def wait_idle(client, limit=10.0):
    deadline = time.time() + limit
    while state(client) != 0:
        assert time.time() < deadline, "still running"
        time.sleep(0.05)


def phases_in_order(seen):
    order = []
    for current, phase, _, _ in seen:
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
    assert set_configuration(slow_admin, {"SyncToMU": False, "UpstreamServerName": "up.example",
                                          "ReplicaMode": True}).status == 200
    slow_admin.ok("StartSubscriptionManually")
    assert phases_in_order(observe(slow_admin)) == [3, 1, 2]


def test_stop_cancels(admin, emu):
    admin.ok("StartSubscriptionManually")
    time.sleep(0.3)
    assert state(admin) == 2
    admin.ok("StopSubscription")
    assert state(admin) == 0
    assert subscription(admin)["LastSynchronizationTime"] == "0001-01-01T00:00:00"
    assert [e["EventId"] for e in events(admin)] == [385, 382]
    assert emu.state()["sync"]["last_run"]["result"] == "canceled"
    admin.ok("StopSubscription")  # idle: a no-op
    assert len(events(admin)) == 2


def test_second_start_is_a_no_op(admin, emu):
    admin.ok("StartSubscriptionManually")
    first = emu.state()["sync"]["current_run"]
    admin.ok("StartSubscriptionManually")
    admin.ok("StartSubscriptionManuallyForCategoryOnly")
    assert emu.state()["sync"]["current_run"]["id"] == first["id"]
    assert emu.state()["sync"]["runs"] == 1
    wait_idle(admin)
    assert [e["EventId"] for e in events(admin)] == [384, 382]


def test_injected_failure(admin, emu):
    emu.faults([{"next_sync_result": {"result": "failed", "error_text": "Upstream unreachable"}}])
    admin.ok("StartSubscriptionManually")
    wait_idle(admin)
    found = events(admin)
    assert [e["EventId"] for e in found] == [386, 382]
    assert found[0]["ReplacementStrings"][0] == "Upstream unreachable"
    assert subscription(admin)["LastSynchronizationTime"] == "0001-01-01T00:00:00"
    assert emu.state()["sync"]["last_run"]["error_text"] == "Upstream unreachable"
    # the rule applied once: the next run succeeds
    admin.ok("StartSubscriptionManually")
    wait_idle(admin)
    assert events(admin)[0]["EventId"] == 384


def test_injected_cancel_through_control(admin, emu):
    emu.faults({"rules": [{"next_sync_result": {"result": "canceled"}}]})
    admin.ok("StartSubscriptionManuallyForCategoryOnly")
    wait_idle(admin)
    assert events(admin)[0]["EventId"] == 385


def test_writes_during_sync_are_refused(admin, emu):
    fields = get_configuration(admin)
    admin.ok("StartSubscriptionManually")
    attempts = {
        "ExecuteSPSetConfiguration": set_configuration(admin, {}, fields=fields),
        "SetSubscription": admin.call("SetSubscription", subscription_xml()),
        "SetSubscriptionFrequency": admin.call("SetSubscriptionFrequency",
                                               "<numberOfSynchronizationsPerDay>2</numberOfSynchronizationsPerDay>"),
        "SetProxyPassword": admin.call("SetProxyPassword", "<passwordBytes>%s</passwordBytes>"
                                       % base64.b64encode("pw".encode("utf-16-le")).decode()),
    }
    for operation, response in attempts.items():
        assert response.status == 500, operation
        assert response.fault["type"] == "System.InvalidOperationException", operation
        assert "while a synchronization is running" in response.fault["message"]
    # reads still work
    assert admin.ok("GetSubscription")
    admin.ok("StopSubscription")
    assert admin.call("SetSubscriptionFrequency",
                      "<numberOfSynchronizationsPerDay>2</numberOfSynchronizationsPerDay>").status == 200


@pytest.mark.parametrize("live", [True, False])
def test_event_filter_forms_and_ranges(admin, live):
    admin.ok("StartSubscriptionManually")
    admin.ok("StopSubscription")
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
    assert emu.state()["sync"]["running"] is False
