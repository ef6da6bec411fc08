"""Control API, fault injection, CLI options (--servers, --state-dir, --profile, --latency-ms), start/stop."""

from __future__ import annotations

import http.client
import json
import os
import signal
import time

import pytest

from emuproc import Emulator
from wsusclient import get_configuration, scalar, set_configuration, subscription, subscription_xml

SECURITY = "0fa1201d-4330-4fa8-8ae9-b877473b6441"
SERVER_2022 = "aaaaaaaa-0000-4000-8000-000000000012"


def test_start_line(emu):
    assert set(emu.info) == {"pid", "urls", "ports", "ca_path", "control", "names", "ids"}
    assert emu.info["urls"] == ["http://127.0.0.1:%d/ApiRemoting30/WebService.asmx" % emu.port]
    assert emu.info["ca_path"] is None and emu.info["control"] is True
    assert isinstance(emu.pid, int)


def test_request_log_and_clear(emu, admin):
    scalar(admin, "GetServerVersion")
    emu.client(password="bad").call("GetSubscription")
    emu.client("WSUS\\nobody").call("GetSubscription")
    assert emu.requests() == [
        {"operation": "GetServerVersion", "user": "WSUS\\admin", "http_status": 200},
        {"operation": "GetSubscription", "user": None, "http_status": 401},
        {"operation": "GetSubscription", "user": "WSUS\\nobody", "http_status": 403},
    ]
    assert emu.clear_requests() == []
    assert emu.requests() == []


def test_reset(emu, admin):
    admin.ok("SetSubscription", subscription_xml(per_day=5, categories=[SERVER_2022], classifications=[SECURITY]))
    emu.faults([{"operation": "GetSubscription", "http_status": 503, "count": 5}])
    state = emu.reset()
    assert state["categories"] == [] and state["subscription"]["NumberOfSynchronizationsPerDay"] == 1
    assert emu.requests() == []
    assert emu.control("GET", "faults") == {"rules": []}
    assert admin.call("GetSubscription").status == 200  # same connection stays authenticated


def test_http_status_rule_with_count(emu, admin):
    emu.faults([{"operation": "GetSubscription", "http_status": 503, "count": 2}])
    assert scalar(admin, "GetServerVersion")  # other operations are not affected
    assert admin.call("GetSubscription").status == 503
    assert admin.call("GetSubscription").status == 503
    assert admin.call("GetSubscription").status == 200
    assert [entry["http_status"] for entry in emu.requests()] == [200, 503, 503, 200]


def test_soap_fault_rule(emu, admin):
    emu.faults(
        {
            "rules": [
                {
                    "operation": "any",
                    "soap_fault": {"type": "System.Data.SqlClient.SqlException", "message": "Timeout expired."},
                }
            ]
        }
    )
    response = admin.call("GetSubscriptionState")
    assert response.status == 500
    assert response.fault["type"] == "System.Data.SqlClient.SqlException"
    assert response.fault["string"].endswith("---> System.Data.SqlClient.SqlException: Timeout expired.")
    assert admin.call("GetSubscriptionState").status == 200


def test_drop_connection_rule(emu, admin):
    emu.faults([{"operation": "GetSubscription", "drop_connection": True}])
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        admin.call("GetSubscription")
    admin.close()
    assert admin.call("GetSubscription").status == 200
    assert emu.requests() == [
        {"operation": "GetSubscription", "user": "WSUS\\admin", "http_status": None},
        {"operation": "GetSubscription", "user": "WSUS\\admin", "http_status": 200},
    ]


def test_delay_rule(emu, admin):
    scalar(admin, "GetServerVersion")
    emu.faults([{"operation": "GetServerVersion", "delay_ms": 400}])
    started = time.time()
    assert scalar(admin, "GetServerVersion")
    assert time.time() - started >= 0.38
    started = time.time()
    scalar(admin, "GetServerVersion")
    assert time.time() - started < 0.3


def test_rules_apply_only_after_authentication(emu):
    emu.faults([{"http_status": 503}])
    client = emu.client()
    assert client.call("GetServerVersion").status == 503  # the handshake itself is not consumed
    assert client.handshakes == 1
    assert client.call("GetServerVersion").status == 200


@pytest.mark.parametrize(
    "bad",
    [
        [{"http_status": 503, "soap_fault": {"type": "X"}}],
        [{"operation": "GetSubscription"}],
        [{"http_status": "503"}],
        [{"count": 0, "http_status": 503}],
        [{"soap_fault": "nope"}],
        [{"next_sync_result": {"result": "maybe"}}],
        [{"surprise": 1, "http_status": 503}],
        "not a list",
    ],
)
def test_invalid_rules_are_400(emu, bad):
    assert "error" in emu.control("POST", "faults", bad, expect=400)


def test_list_and_clear_rules(emu):
    emu.faults(
        [
            {"operation": "GetSubscription", "http_status": 500, "count": 3},
            {"next_sync_result": {"result": "failed", "error_text": "boom"}, "count": 2},
        ]
    )
    rules = emu.control("GET", "faults")["rules"]
    assert {"operation": "GetSubscription", "count": 3, "http_status": 500} in rules
    assert any(
        rule.get("next_sync_result") == {"result": "failed", "error_text": "boom"} and rule["count"] == 2
        for rule in rules
    )
    assert emu.control("DELETE", "faults") == {"rules": []}
    assert emu.control("GET", "faults") == {"rules": []}


def test_unknown_control_endpoint(emu):
    emu.control("GET", "nothing-here", expect=404)
    emu.control("PUT", "state", {}, expect=405)


def test_control_off_without_flag(emu_factory):
    emulator = emu_factory()
    assert emulator.info["control"] is False
    emulator.control("GET", "state", expect=404)
    assert scalar(emulator.client(), "GetCurrentUserRole") == "2"


def test_two_servers_are_independent(emu_factory):
    emulator = emu_factory("--control", "--servers", "2")
    assert len(emulator.ports) == 2 and len(set(emulator.ports)) == 2
    first, second = emulator.client(index=0), emulator.client(index=1)
    first.ok("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>7</numberOfSynchronizationsPerDay>")
    assert subscription(first)["NumberOfSynchronizationsPerDay"] == "7"
    assert subscription(second)["NumberOfSynchronizationsPerDay"] == "1"
    assert dict(get_configuration(first))["ServerId"] != dict(get_configuration(second))["ServerId"]
    assert len(emulator.requests(0)) == 3 and len(emulator.requests(1)) == 2
    emulator.faults([{"http_status": 503}], index=1)
    assert first.call("GetSubscription").status == 200
    assert second.call("GetSubscription").status == 503


def test_consecutive_ports(emu_factory):
    probe = emu_factory("--servers", "1")
    base = probe.port
    probe.stop()
    try:
        emulator = Emulator(["--port", str(base), "--servers", "2"])
    except RuntimeError:
        pytest.skip("port %d or %d was taken meanwhile" % (base, base + 1))
    try:
        assert emulator.ports == [base, base + 1]
    finally:
        emulator.stop()


def test_state_dir_persists_across_restart(tmp_path):
    first = Emulator(["--control", "--state-dir", str(tmp_path), "--sync-seconds", "0.3"])
    port = first.port
    try:
        client = first.client()
        assert set_configuration(client, {"UseProxy": True, "ProxyName": "proxy.example"}, enable=["de"]).status == 200
        client.ok("SetSubscription", subscription_xml(per_day=3, categories=[SERVER_2022], classifications=[SECURITY]))
        client.ok("SetProxyPassword", "<passwordBytes>cAB3AA==</passwordBytes>")
        client.ok("StartSubscriptionManually")
        time.sleep(0.5)
        assert scalar(client, "GetSubscriptionState") == "0"
        before = first.state()
    finally:
        assert first.stop() == 0
    path = tmp_path / ("server-%d.json" % port)
    assert path.is_file()
    assert "pw" not in json.loads(path.read_text()).get("proxy_password_sha256", "")
    second = Emulator(["--control", "--state-dir", str(tmp_path), "--port", str(port)])
    try:
        after = second.state()
        for key in (
            "configuration",
            "categories",
            "classifications",
            "enabled_languages",
            "proxy_password_sha256",
            "subscription",
            "events",
        ):
            assert after[key] == before[key], key
        client = second.client()
        assert dict(get_configuration(client))["ProxyName"] == "proxy.example"
        assert scalar(client, "HasProxyPassword") == "true"
        assert subscription(client)["LastSynchronizationTime"] == before["subscription"]["LastSynchronizationTime"]
    finally:
        second.stop()


def test_state_dir_finishes_a_run_interrupted_by_restart(tmp_path):
    first = Emulator(["--control", "--state-dir", str(tmp_path), "--sync-seconds", "0.8"])
    port = first.port
    try:
        first.client().ok("StartSubscriptionManually")
    finally:
        first.stop()
    time.sleep(0.9)
    second = Emulator(["--control", "--state-dir", str(tmp_path), "--port", str(port)])
    try:
        view = second.state()
        assert view["sync"]["running"] is False
        assert view["sync"]["last_run"]["result"] == "succeeded"
        assert [event["event_id"] for event in view["events"]] == [382, 384]
    finally:
        second.stop()


def test_spec_profile_has_119_fields(emu_factory, admin):
    full_row = get_configuration(admin)  # ws2022: 121 fields
    emulator = emu_factory("--control", "--profile", "spec")
    client = emulator.client()
    fields = get_configuration(client)
    assert len(fields) == 119
    names = [name for name, dummy in fields]
    assert "TrackDynamicCategories" not in names and "DetectConfigChange" not in names
    assert names[-1] == "HmWebServicesFlags"
    assert set_configuration(client, {"ProxyServerPort": 8080}, fields=fields).status == 200
    response = set_configuration(client, {}, fields=full_row)
    assert response.fault["code"] == "soap:Client"
    assert "TrackDynamicCategories" in response.fault["string"]
    assert emulator.state()["profile"] == "spec"


def test_latency(emu_factory):
    emulator = emu_factory("--latency-ms", "150")
    client = emulator.client()
    scalar(client, "GetServerVersion")
    started = time.time()
    scalar(client, "GetServerVersion")
    assert time.time() - started >= 0.14


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_clean_stop(signum):
    emulator = Emulator(["--control"])
    os.kill(emulator.pid, signum)
    assert emulator.process.wait(10) == 0
    emulator.stop()


def test_stop_is_quick_with_open_connections():
    emulator = Emulator(["--control"])
    client = emulator.client()
    scalar(client, "GetServerVersion")  # an authenticated keep-alive connection stays open
    started = time.time()
    assert emulator.stop() == 0
    assert time.time() - started < 3
    client.close()


def test_bad_users_file_fails_to_start(tmp_path):
    users = tmp_path / "users"
    users.write_text("admin:pw:administrator\n")
    with pytest.raises(RuntimeError, match="domain"):
        Emulator(["--users", str(users)])
