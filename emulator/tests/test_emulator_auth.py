"""Authentication like IIS Windows authentication: Negotiate/NTLM per connection, 401/403, TLS channel binding."""

from __future__ import annotations

import base64
import http.client
import os

import pytest

from wsusclient import Client, envelope, scalar


def test_unauthenticated_request_gets_both_challenges(emu):
    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    connection.request(
        "POST",
        "/ApiRemoting30/WebService.asmx",
        body=envelope("GetServerVersion"),
        headers={"Content-Type": "text/xml; charset=utf-8"},
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 401
    challenges = [value for key, value in response.getheaders() if key.lower() == "www-authenticate"]
    assert challenges == ["Negotiate", "NTLM"]
    connection.close()
    assert emu.requests() == []  # a challenge step is not logged


@pytest.mark.parametrize("protocol", ["ntlm", "negotiate"])
def test_handshake_once_per_connection(emu, protocol):
    client = emu.client(protocol=protocol)
    assert scalar(client, "GetCurrentUserRole") == "2"
    assert scalar(client, "GetServerVersion")
    assert scalar(client, "GetServerProtocolVersion")
    assert client.handshakes == 1
    assert client.round_trips == 4  # 2 for the handshake, then one per call
    assert emu.requests() == [
        {"operation": "GetCurrentUserRole", "user": "WSUS\\admin", "http_status": 200},
        {"operation": "GetServerVersion", "user": "WSUS\\admin", "http_status": 200},
        {"operation": "GetServerProtocolVersion", "user": "WSUS\\admin", "http_status": 200},
    ]
    client.close()


def test_new_connection_needs_new_handshake(emu):
    client = emu.client()
    scalar(client, "GetServerVersion")
    client.close()
    scalar(client, "GetServerVersion")
    assert client.handshakes == 2


def test_user_name_is_case_insensitive(emu):
    client = emu.client("wsus\\ADMIN")
    assert scalar(client, "GetCurrentUserRole") == "2"
    assert emu.requests()[-1]["user"] == "WSUS\\admin"


def test_upn_logon_maps_to_the_account(emu):
    client = emu.client("admin@WSUS")
    assert scalar(client, "GetCurrentUserRole") == "2"
    assert emu.requests()[-1]["user"] == "WSUS\\admin"


def test_wrong_password_is_401_and_closes(emu):
    client = emu.client(password="wrong")
    response = client.call("GetServerVersion")
    assert response.status == 401
    assert response.header_values("Connection") == ["close"]
    assert emu.requests() == [{"operation": "GetServerVersion", "user": None, "http_status": 401}]


def test_unknown_user_is_401(emu):
    response = emu.client("WSUS\\mallory").call("GetServerVersion")
    assert response.status == 401


def test_user_without_role_is_403(emu):
    client = emu.client("WSUS\\nobody")
    response = client.call("GetCurrentUserRole")
    assert response.status == 403
    assert emu.requests() == [{"operation": "GetCurrentUserRole", "user": "WSUS\\nobody", "http_status": 403}]


def test_reporter_reads_but_cannot_write(emu, reporter):
    assert scalar(reporter, "GetCurrentUserRole") == "1"
    assert reporter.ok("GetSubscription")
    for operation, inner in [
        ("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>2</numberOfSynchronizationsPerDay>"),
        ("SetProxyPassword", "<passwordBytes>%s</passwordBytes>" % base64.b64encode("x".encode("utf-16-le")).decode()),
        ("StartSubscriptionManually", ""),
        ("StartSubscriptionManuallyForCategoryOnly", ""),
        ("StopSubscription", ""),
    ]:
        response = reporter.call(operation, inner)
        assert response.status == 500, operation
        assert response.fault["code"] == "soap:Server"
        assert response.fault["type"] == "System.UnauthorizedAccessException"
    assert emu.state()["sync"]["runs"] == 0


def test_garbage_token_is_401(emu):
    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    connection.request(
        "POST",
        "/ApiRemoting30/WebService.asmx",
        body=envelope("GetServerVersion"),
        headers={"Content-Type": "text/xml", "Authorization": "NTLM bm90IGEgdG9rZW4="},
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 401
    connection.close()


def test_basic_auth_is_refused(emu):
    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    credentials = base64.b64encode(b"WSUS\\admin:Passw0rd!").decode()
    connection.request(
        "POST",
        "/ApiRemoting30/WebService.asmx",
        body=envelope("GetServerVersion"),
        headers={"Content-Type": "text/xml", "Authorization": "Basic " + credentials},
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 401
    connection.close()


def test_users_file_replaces_builtin_users(emu_factory, tmp_path):
    users = tmp_path / "users.txt"
    users.write_text("# test users\nCORP\\ops:S3cret!:administrator\nCORP\\audit:Audit1!:reporter\n")
    emulator = emu_factory("--control", "--users", str(users))
    assert scalar(emulator.client("CORP\\ops", password="S3cret!"), "GetCurrentUserRole") == "2"
    assert scalar(emulator.client("CORP\\audit", password="Audit1!"), "GetCurrentUserRole") == "1"
    assert emulator.client("WSUS\\admin").call("GetCurrentUserRole").status == 401


@pytest.fixture(scope="module")
def tls_emu(emu_factory):
    return emu_factory("--control", "--tls", "--sync-seconds", "1")


def test_tls_start_line(tls_emu):
    assert tls_emu.url.startswith("https://127.0.0.1:")
    assert tls_emu.ca_path and os.path.isfile(tls_emu.ca_path)
    assert tls_emu.info["control"] is True


@pytest.mark.parametrize("protocol", ["ntlm", "negotiate"])
def test_tls_channel_binding_right_is_accepted(tls_emu, protocol):
    tls_emu.clear_requests()
    client = tls_emu.client(protocol=protocol, bindings="right")
    assert scalar(client, "GetCurrentUserRole") == "2"
    assert scalar(client, "GetServerVersion")
    assert client.handshakes == 1
    assert [entry["channel_binding"] for entry in tls_emu.requests()] == [True, True]


def test_tls_without_channel_binding_is_accepted(tls_emu):
    tls_emu.clear_requests()
    client = tls_emu.client(bindings="none")
    assert scalar(client, "GetCurrentUserRole") == "2"
    # the log tells a bound logon from an unbound one, so a client's binding can be checked
    assert [entry["channel_binding"] for entry in tls_emu.requests()] == [False]


@pytest.mark.parametrize("protocol", ["ntlm", "negotiate"])
def test_tls_wrong_channel_binding_is_rejected(tls_emu, protocol):
    tls_emu.clear_requests()
    response = tls_emu.client(protocol=protocol, bindings="wrong").call("GetCurrentUserRole")
    assert response.status == 401
    assert tls_emu.requests() == [{"operation": "GetCurrentUserRole", "user": None, "http_status": 401}]


def test_plain_http_client_cannot_talk_to_tls(tls_emu):
    client = Client("http://127.0.0.1:%d/ApiRemoting30/WebService.asmx" % tls_emu.port, timeout=5)
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        client.call("GetServerVersion")


def test_tls_with_given_certificate(emu_factory, tmp_path):
    generated = emu_factory("--tls", "--state-dir", str(tmp_path))
    tls_dir = tmp_path / "tls"
    assert generated.ca_path == str(tls_dir / "ca.pem")
    again = emu_factory("--tls", "--state-dir", str(tmp_path))
    assert again.ca_path == generated.ca_path  # the CA in the state dir is reused
    given = emu_factory("--tls-cert", str(tls_dir / "server.pem"), "--tls-key", str(tls_dir / "server-key.pem"))
    assert given.ca_path is None and given.url.startswith("https://")
    client = given.client(ca_path=str(tls_dir / "ca.pem"))
    assert scalar(client, "GetCurrentUserRole") == "2"
    assert given.client(ca_path=str(tls_dir / "ca.pem"), bindings="wrong").call("GetServerVersion").status == 401


def test_concurrent_connections(emu):
    import threading

    errors = []

    def worker(user):
        try:
            client = emu.client(user)
            for dummy in range(5):
                scalar(client, "GetCurrentUserRole")
                client.ok("GetSubscription")
            assert client.handshakes == 1
            client.close()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=("WSUS\\admin" if i % 2 else "WSUS\\reporter",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    log = emu.requests()
    assert len(log) == 80 and all(entry["http_status"] == 200 for entry in log)
