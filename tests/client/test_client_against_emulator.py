"""The client against a running emulator over real HTTP: authentication, TLS, errors, round trips."""

from __future__ import annotations

import hashlib
import time

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import WsusClient
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import (
    WsusAuthenticationError,
    WsusConnectionError,
    WsusHTTPError,
    WsusPermissionError,
    WsusSoapFault,
    WsusTLSError,
    WsusTimeoutError,
)

ADMIN, REPORTER, NOBODY, PASSWORD = "WSUS\\admin", "WSUS\\reporter", "WSUS\\nobody", "Passw0rd!"


def connect(server, username=ADMIN, password=PASSWORD, **kwargs):
    kwargs.setdefault("auth", "ntlm")
    kwargs.setdefault("timeout", 10)
    kwargs.setdefault("backoff", 0.05)
    return WsusClient.connect("127.0.0.1", port=server.port, username=username, password=password, **kwargs)


@pytest.mark.parametrize("auth", ["ntlm", "negotiate"])
def test_reads_version_role_configuration_and_subscription(fresh_emulator, auth):
    with connect(fresh_emulator, auth=auth) as client:
        assert client.get_server_version()
        assert client.get_current_user_role() == "administrator"
        config = client.get_configuration()
        assert len(config.names()) == 121 and config.get_bool("SyncToMU") is True
        subscription = client.get_subscription()
        assert subscription.get_bool("SynchronizeAutomatically") is False
        assert {c.title for c in client.get_subscription_categories(classifications=True)} == {
            "Critical Updates",
            "Security Updates",
        }
        assert client.transport.connections_opened == 1, "one keep-alive connection, authenticated once"
    log = fresh_emulator.requests()
    assert [entry["operation"] for entry in log] == [
        "GetServerVersion",
        "GetCurrentUserRole",
        "ExecuteSPGetConfiguration",
        "GetSubscription",
        "GetSubscriptionCategories",
    ]
    assert {entry["user"] for entry in log} == {ADMIN} and {entry["http_status"] for entry in log} == {200}


def test_tls_with_channel_binding(emulator_factory):
    server = emulator_factory("--tls")
    assert server.ca_path
    with connect(server, use_ssl=True, ca_path=server.ca_path) as client:
        assert client.get_current_user_role() == "administrator"
    with connect(server, use_ssl=True, ca_path=server.ca_path, auth="negotiate") as client:
        assert client.get_server_version()
    # the client sent the tls-server-end-point binding on both logons, and the emulator verified it
    assert [entry["channel_binding"] for entry in server.requests()] == [True, True]


def test_tls_certificate_that_does_not_verify(emulator_factory):
    server = emulator_factory("--tls")
    with pytest.raises(WsusTLSError) as caught:
        connect(server, use_ssl=True).get_server_version()
    assert "did not verify" in str(caught.value) and "ca_path" in str(caught.value)
    with connect(server, use_ssl=True, validate_certs=False) as client:
        assert client.get_server_version()


def test_wrong_password_is_401_with_the_user_named(fresh_emulator):
    with pytest.raises(WsusAuthenticationError) as caught:
        connect(fresh_emulator, password="wrong").get_server_version()
    message = str(caught.value)
    assert "authentication failed for user WSUS\\admin" in message and "wrong" not in message
    assert fresh_emulator.requests()[-1]["http_status"] == 401


def test_user_without_role_is_403(fresh_emulator):
    with pytest.raises(WsusPermissionError, match="user WSUS\\\\nobody has no WSUS role on server"):
        connect(fresh_emulator, username=NOBODY).get_server_version()


def test_reporter_reads_but_cannot_write(fresh_emulator):
    with connect(fresh_emulator, username=REPORTER) as client:
        assert client.get_current_user_role() == "reporter"
        with pytest.raises(WsusPermissionError, match="may not call SetSubscriptionFrequency"):
            client.set_subscription_frequency(3)


def test_unreachable_port():
    client = WsusClient.connect("127.0.0.1", port=1, username=ADMIN, password=PASSWORD, retries=1, backoff=0.01)
    with pytest.raises(WsusConnectionError, match="cannot connect to 127.0.0.1:1 .*check the server name, the port"):
        client.get_server_version()


def test_soap_fault_from_a_rule(fresh_emulator):
    fresh_emulator.faults(
        [
            {
                "operation": "GetSubscription",
                "soap_fault": {"type": "System.InvalidOperationException", "message": "boom for the test"},
            }
        ]
    )
    with connect(fresh_emulator) as client:
        with pytest.raises(WsusSoapFault) as caught:
            client.get_subscription()
        assert caught.value.exception_type == "System.InvalidOperationException"
        assert "boom for the test" in str(caught.value)
        assert client.get_subscription() is not None  # the rule applied once


def test_503_twice_then_success_is_retried(fresh_emulator):
    fresh_emulator.faults([{"operation": "GetServerVersion", "count": 2, "http_status": 503}])
    with connect(fresh_emulator) as client:
        assert client.get_server_version()
    assert [e["http_status"] for e in fresh_emulator.requests()] == [503, 503, 200]


def test_503_on_every_try_gives_up(fresh_emulator):
    fresh_emulator.faults([{"operation": "GetServerVersion", "count": 10, "http_status": 503}])
    with pytest.raises(WsusHTTPError, match="unavailable \\(HTTP 503\\).*after 3 attempts"):
        connect(fresh_emulator, retries=2).get_server_version()


def test_dropped_connection_is_retried_for_reads_not_for_writes(fresh_emulator):
    fresh_emulator.faults([{"operation": "GetSubscriptionState", "drop_connection": True}])
    with connect(fresh_emulator) as client:
        assert client.get_subscription_state() == 0
        fresh_emulator.faults([{"operation": "SetSubscriptionFrequency", "drop_connection": True}])
        with pytest.raises(WsusConnectionError, match="may or may not have been applied"):
            client.set_subscription_frequency(2)


def test_server_slower_than_timeout(fresh_emulator):
    fresh_emulator.faults([{"operation": "GetServerVersion", "delay_ms": 1500}])
    with pytest.raises(WsusTimeoutError, match="did not answer GetServerVersion within 0.5s"):
        connect(fresh_emulator, timeout=0.5).get_server_version()


@pytest.mark.parametrize("profile, fields", [("ws2022", 121), ("spec", 119)])
def test_configuration_round_trip_keeps_every_unmanaged_field(emulator_factory, profile, fields):
    server = emulator_factory("--profile", profile)
    with connect(server) as client:
        before = client.get_configuration()
        assert len(before.names()) == fields
        row = before.copy()
        row.set("UseProxy", True)
        row.set("ProxyName", "proxy.corp")
        client.set_configuration(row)
        after = client.get_configuration()
    changed = {name for name in before.names() if before.raw(name) != after.raw(name)}
    assert changed <= {"UseProxy", "ProxyName", "configurationChangeNumber", "LastConfigChange"}
    assert {"UseProxy", "ProxyName"} <= changed
    assert after.names() == before.names() or set(after.names()) == set(before.names()) | {"ProxyName"}


def test_proxy_password_is_sent_as_utf16le(fresh_emulator):
    with connect(fresh_emulator) as client:
        assert client.has_proxy_password() is False
        client.set_proxy_password("Prøxy-Pässwörd")
        assert client.has_proxy_password() is True
    digest = hashlib.sha256("Prøxy-Pässwörd".encode("utf-8")).hexdigest()
    state = fresh_emulator.state()
    assert state["proxy_password_set"] is True
    assert state["proxy_password_sha256"] == digest


def test_subscription_replaces_both_lists(fresh_emulator):
    with connect(fresh_emulator) as client:
        row = client.get_subscription()
        windows = [c for c in client.get_categories() if c.title == "Windows"][0]
        client.set_subscription(row, [windows.id], [], ADMIN)
        assert [c.id for c in client.get_subscription_categories()] == [windows.id]
        assert client.get_subscription_categories(classifications=True) == []


@pytest.mark.parametrize("layout", ["live", "spec"])
def test_languages_decode_and_toggle(fresh_emulator, emulator_factory, layout):
    server = fresh_emulator if layout == "live" else emulator_factory("--language-rows", "spec")
    with connect(server) as client:
        languages = {language.short: language for language in client.get_languages()}
        assert "all" not in languages, "the pseudo-language row is skipped"
        assert languages["en"].enabled and not languages["de"].enabled
        assert {language.layout for language in languages.values()} == {layout}
        assert languages["de"].key == ("de" if layout == "live" else 7)
        client.set_configuration(client.get_configuration(), [languages["de"].key], [languages["en"].key])
        enabled = {language.short for language in client.get_languages() if language.enabled}
    assert enabled == {"de"}
    [write] = [entry for entry in server.requests() if entry["operation"] == "ExecuteSPSetConfiguration"]
    assert write["language_lists"]["listTrue"] == [
        {"type": "string", "value": "de"} if layout == "live" else {"type": "int", "value": "7"}
    ]


def test_sync_runs_and_is_reported_by_events(fresh_emulator):
    with connect(fresh_emulator) as client:
        client.start_sync()
        assert client.get_subscription_state() != 0
        deadline = time.time() + 10
        while client.get_subscription_state() != 0 and time.time() < deadline:
            time.sleep(0.1)
        events = client.get_sync_events()
    assert [event["EventId"] for event in events][-2:] == [382, 384]


def test_sync_events_include_387_and_any_id_reads_the_whole_namespace(fresh_emulator):
    fresh_emulator.control("POST", "settings", {"cancel_event": 387, "stop_seconds": 0})
    with connect(fresh_emulator) as client:
        client.start_sync()
        with pytest.raises(WsusSoapFault) as refused:  # a second start while one runs
            client.start_sync(category_only=True)
        assert refused.value.short_type == "InvalidOperationException"
        client.stop_sync()
        known = client.get_sync_events()
        everything = client.get_sync_events(since=known[0]["TimeAtServer"], any_id=True)
    assert [event["EventId"] for event in known] == [382, 387]
    assert [event["EventId"] for event in everything] == [382, 387]
    assert all(event["NamespaceId"] == 2 for event in everything)
    assert known[1]["SeverityId"] == 2 and known[1]["Win32HResult"] == 0
