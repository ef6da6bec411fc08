"""Kerberos against a real KDC (conftest.py: a k5test realm on loopback) and emulators that hold a keytab.

The client side is the collection's own (WsusClient / Transport, and the role through ansible-playbook); the
server side is the emulator with ``--kerberos-keytab`` (and ``--no-ntlm``, ``--tls --require-channel-binding``).
What the server saw is read from its request log (``mechanism`` of every request) and its auth log (every
Authorization token, with the mechanism it carried), so "no NTLM was tried" is an observation, not a belief.
"""

from __future__ import annotations

import base64
import http.client
import os
import ssl
import sys

import pytest
import spnego
from spnego.channel_bindings import GssChannelBindings

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import WsusClient
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import (
    WsusAuthenticationError,
    WsusKerberosError,
    WsusPermissionError,
)
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import ENDPOINT_PATH
from kerberos_realm import ALIAS_SPN_HOST, PASSWORDS, SERVER, principal
from support.playbook import run_playbook
from support.secrets import leaks
from wsus_emulator.testing import EmulatorProcess, free_port

NTLM_PASSWORD = "Passw0rd!"  # the emulator's built-in users' NTLM password
WRONG = "Wr0ngKrbSecret74"
DOCUMENT = {
    "schedule": {"automatic": True, "time": "02:00", "per_day": 1},
    "classifications": ["Critical Updates", "Security Updates", "Definition Updates"],
}


def connect(emu, server=SERVER, **settings):
    settings.setdefault("timeout", 10)
    settings.setdefault("retries", 0)
    if emu.url.startswith("https:"):
        settings.setdefault("use_ssl", True)
        settings.setdefault("ca_path", emu.ca_path)
    return WsusClient.connect(server, port=emu.port, **settings)


def version(emu, **settings):
    """GetServerVersion with these settings; returns the transport's mechanism."""
    with connect(emu, **settings) as client:
        client.get_server_version()
        return client.transport.mechanism


def mechanisms(emu):
    return [entry.get("mechanism") for entry in emu.requests()]


def auth_mechanisms(emu):
    return [entry["mechanism"] for entry in emu.auth_log()]


# ----------------------------------------------------------------------------- logons


def test_ticket_cache_login(emu, realm, kerberos_env):
    realm.kinit("admin", kerberos_env["ccache"])
    with connect(emu, auth="kerberos") as client:
        assert client.get_current_user_role() is not None
        client.get_server_version()
        assert client.transport.mechanism == "kerberos"
    assert emu.requests() == [
        {"operation": "GetCurrentUserRole", "user": "WSUS\\admin", "http_status": 200, "mechanism": "kerberos"},
        {"operation": "GetServerVersion", "user": "WSUS\\admin", "http_status": 200, "mechanism": "kerberos"},
    ]
    # one token, the bare Kerberos AP-REQ, authenticated the connection (no SPNEGO round trip, no NTLM)
    assert emu.auth_log() == [{"scheme": "Negotiate", "mechanism": "kerberos", "outcome": "done"}]


def test_password_only_login_leaves_the_ticket_cache_alone(emu, kerberos_env):
    assert version(emu, auth="kerberos", username=principal("admin"), password=PASSWORDS["admin"]) == "kerberos"
    assert mechanisms(emu) == ["kerberos"] and emu.requests()[0]["user"] == "WSUS\\admin"
    assert not os.path.exists(kerberos_env["ccache"])  # the ticket lived in memory for this run only


def test_negotiate_uses_kerberos_when_it_can_and_ntlm_otherwise(emu, realm, kerberos_env):
    # no ticket and an NTLM account: NTLM inside SPNEGO
    assert version(emu, auth="negotiate", username="WSUS\\admin", password=NTLM_PASSWORD) == "ntlm"
    # a ticket can be had from user@REALM and the password: Kerberos inside SPNEGO
    assert version(emu, auth="negotiate", username=principal("admin"), password=PASSWORDS["admin"]) == "kerberos"
    # a ticket in the cache, no user name: Kerberos
    realm.kinit("admin", kerberos_env["ccache"])
    assert version(emu) == "kerberos"
    assert mechanisms(emu) == ["ntlm", "kerberos", "kerberos"]
    assert {entry["user"] for entry in emu.requests()} == {"WSUS\\admin"}


# ----------------------------------------------------------------------------- failures: what, and what to do


def preauth_failures(realm):
    """How many wrong passwords the KDC has seen (each counts towards an account's lockout in AD)."""
    return realm.kdc_log().count("PREAUTH_FAILED")


def test_kerberos_with_a_wrong_password_fails_and_never_tries_ntlm(emu, realm, kerberos_env):
    before = preauth_failures(realm)
    with pytest.raises(WsusKerberosError) as caught:
        version(emu, auth="kerberos", username=principal("admin"), password=WRONG)
    assert preauth_failures(realm) == before + 1
    error = caught.value
    assert error.reason == "wrong_password"
    assert "the KDC refused the password of admin@WSUS.TEST (Preauthentication failed)" in str(error)
    assert WRONG not in str(error)
    # nothing reached the server: no NTLM message, no request at all
    assert emu.auth_log() == [] and emu.requests() == []


def test_negotiate_with_a_wrong_password_falls_back_to_ntlm_and_says_why(emu, realm, kerberos_env):
    """The trap auth: kerberos avoids: Negotiate silently tries NTLM when Kerberos cannot get a ticket. The reason
    comes from what pyspnego said, not from asking the KDC again (one more wrong password towards a lockout)."""
    before = preauth_failures(realm)
    with pytest.raises(WsusAuthenticationError) as caught:
        version(emu, auth="negotiate", username=principal("admin"), password=WRONG)
    assert preauth_failures(realm) == before + 1
    message = str(caught.value)
    assert "(HTTP 401)" in message
    assert "NTLM was used because Kerberos was not: the KDC refused the password of admin@WSUS.TEST" in message
    assert "ntlm" in auth_mechanisms(emu)


def test_no_ticket(emu, kerberos_env):
    with pytest.raises(WsusKerberosError) as caught:
        version(emu, auth="kerberos")
    assert caught.value.reason == "no_ticket"
    assert "no usable Kerberos ticket on the controller" in str(caught.value) and "run kinit" in str(caught.value)
    assert emu.auth_log() == []


def test_unknown_spn_and_spn_host(emu, realm, kerberos_env):
    realm.kinit("admin", kerberos_env["ccache"])
    # server given as an address: the KDC knows no HTTP/127.0.0.1
    with pytest.raises(WsusKerberosError) as caught:
        version(emu, server="127.0.0.1", auth="kerberos")
    assert caught.value.reason == "unknown_spn"
    message = str(caught.value)
    assert "the KDC has no service principal HTTP/127.0.0.1" in message
    assert "setspn -S HTTP/127.0.0.1 <account>" in message and "spn_host" in message
    with pytest.raises(WsusKerberosError) as caught:
        version(emu, auth="kerberos", spn_host="nope.wsus.test")
    assert caught.value.reason == "unknown_spn" and "HTTP/nope.wsus.test" in str(caught.value)
    assert emu.auth_log() == []
    # the same address, with the name the SPN is registered under (a DNS alias, a load balancer)
    assert version(emu, server="127.0.0.1", auth="kerberos", spn_host=ALIAS_SPN_HOST) == "kerberos"
    assert set(mechanisms(emu)) == {"kerberos"}


def test_kdc_unreachable(emu, kerberos_env, monkeypatch, tmp_path):
    conf = tmp_path / "krb5.conf"
    conf.write_text(
        "[libdefaults]\n default_realm = WSUS.TEST\n dns_lookup_kdc = false\n"
        "[realms]\n WSUS.TEST = {\n  kdc = 127.0.0.1:%d\n }\n" % free_port()
    )
    monkeypatch.setenv("KRB5_CONFIG", str(conf))
    with pytest.raises(WsusKerberosError) as caught:
        version(emu, auth="kerberos", username=principal("admin"), password=PASSWORDS["admin"])
    assert caught.value.reason == "kdc_unreachable"
    assert "cannot reach a KDC for the realm of admin@WSUS.TEST" in str(caught.value)


def test_an_ntlm_name_is_refused_for_kerberos(emu, kerberos_env):
    with pytest.raises(WsusKerberosError) as caught:
        version(emu, auth="kerberos", username="WSUS\\admin", password=PASSWORDS["admin"])
    assert caught.value.reason == "ntlm_name" and "give the user as user@REALM" in str(caught.value)


def test_a_server_that_refuses_the_ticket(kerberos_emulators, realm, kerberos_env):
    """The server holds only HTTP/wsus01.wsus.test (the SPN is registered on another account than ours)."""
    emu = kerberos_emulators("--kerberos-spn", "HTTP/%s" % ALIAS_SPN_HOST)
    realm.kinit("admin", kerberos_env["ccache"])
    with pytest.raises(WsusKerberosError) as caught:
        version(emu, auth="kerberos")
    assert caught.value.reason == "refused"
    assert "refused the Kerberos ticket" in str(caught.value) and "setspn -Q HTTP/localhost" in str(caught.value)
    refused = {"operation": "GetServerVersion", "user": None, "http_status": 401, "mechanism": "kerberos"}
    assert emu.requests() == [refused]
    emu.stop()


def test_a_server_without_a_keytab_refuses_a_ticket_and_takes_ntlm(realm, kerberos_env):
    """No keytab: a Kerberos token, bare or in SPNEGO, is refused (no switch to NTLM after it, as on Windows);
    a client that cannot get a ticket logs on with NTLM as before."""
    with EmulatorProcess([], env=realm.server_env) as emu:
        for auth in ("kerberos", "negotiate"):
            with pytest.raises(WsusKerberosError) as caught:
                version(emu, auth=auth, username=principal("admin"), password=PASSWORDS["admin"])
            assert caught.value.reason == "refused"
        assert (
            emu.auth_log()
            == [
                {
                    "scheme": "Negotiate",
                    "mechanism": "kerberos",
                    "outcome": "failed",
                    "reason": "Kerberos is not enabled on this server (no keytab)",
                }
            ]
            * 2
        )
        assert version(emu, username="WSUS\\admin", password=NTLM_PASSWORD) == "ntlm"
        assert "mechanism" not in emu.requests()[-1]  # a server without Kerberos does not log it


# ----------------------------------------------------------------------------- a server where NTLM is disabled


def test_a_server_without_ntlm_is_reached_by_negotiate_with_kerberos(emu_no_ntlm, realm, kerberos_env, monkeypatch):
    # its 401 offers Negotiate only
    connection = http.client.HTTPConnection("127.0.0.1", emu_no_ntlm.port, timeout=10)
    connection.request("POST", ENDPOINT_PATH, body=b"", headers={"Content-Type": "text/xml"})
    response = connection.getresponse()
    response.read()
    assert response.status == 401 and response.headers.get_all("WWW-Authenticate") == ["Negotiate"]
    connection.close()

    realm.kinit("admin", kerberos_env["ccache"])
    assert version(emu_no_ntlm) == "kerberos"  # auth: negotiate, the default
    assert emu_no_ntlm.requests() == [
        {"operation": "GetServerVersion", "user": "WSUS\\admin", "http_status": 200, "mechanism": "kerberos"}
    ]

    # without a ticket, negotiate can only offer NTLM, which the server refuses; the message says why
    monkeypatch.setenv("KRB5CCNAME", "FILE:" + kerberos_env["ccache"] + ".empty")
    emu_no_ntlm.reset()
    with pytest.raises(WsusAuthenticationError) as caught:
        version(emu_no_ntlm, username="WSUS\\admin", password=NTLM_PASSWORD)
    assert "NTLM was used because Kerberos was not: WSUS\\admin is an NTLM logon name" in str(caught.value)
    assert emu_no_ntlm.auth_log() == [
        {"scheme": "Negotiate", "mechanism": "ntlm", "outcome": "failed", "reason": "NTLM is disabled on this server"}
    ]


# ----------------------------------------------------------------------------- channel binding (Extended Protection)


def raw_logon(emu, bindings):
    """One request with a bare Kerberos token made by pyspnego with ``bindings``: the HTTP status."""
    context = spnego.client(hostname=SERVER, service="HTTP", protocol="kerberos", channel_bindings=bindings)
    token = context.step()
    tls = ssl.create_default_context(cafile=emu.ca_path)
    connection = http.client.HTTPSConnection(SERVER, emu.port, timeout=10, context=tls)
    try:
        connection.request(
            "POST",
            ENDPOINT_PATH,
            body=b"<x/>",
            headers={"Content-Type": "text/xml", "Authorization": "Negotiate " + base64.b64encode(token).decode()},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_channel_binding_required_over_tls(emu_tls_required, realm, kerberos_env):
    emu = emu_tls_required
    realm.kinit("admin", kerberos_env["ccache"])
    assert version(emu, auth="kerberos") == "kerberos"
    assert version(emu) == "kerberos"  # negotiate
    assert version(emu, auth="ntlm", username="WSUS\\admin", password=NTLM_PASSWORD) == "ntlm"
    assert [(entry["mechanism"], entry["channel_binding"], entry["http_status"]) for entry in emu.requests()] == [
        ("kerberos", True, 200),
        ("kerberos", True, 200),
        ("ntlm", True, 200),
    ]
    emu.reset()
    wrong = GssChannelBindings(application_data=b"tls-server-end-point:" + b"\x00" * 31 + b"\x01")
    assert raw_logon(emu, wrong) == 401
    assert raw_logon(emu, None) == 401  # accepted by Kerberos itself; refused because Extended Protection requires it
    assert [(entry["mechanism"], entry["outcome"]) for entry in emu.auth_log()] == [
        ("kerberos", "failed"),
        ("kerberos", "failed"),
    ]
    reasons = [entry["reason"] for entry in emu.auth_log()]
    assert "the Kerberos ticket was refused" in reasons[0]
    assert reasons[1] == "Extended Protection requires a channel binding and the logon carried none"


# ----------------------------------------------------------------------------- roles


def test_a_reporter_principal_is_refused_a_write(emu, kerberos_env):
    with connect(emu, auth="kerberos", username=principal("reporter"), password=PASSWORDS["reporter"]) as client:
        client.get_subscription()
        with pytest.raises(WsusPermissionError) as caught:
            client.set_subscription_frequency(4)
    assert "user reporter@WSUS.TEST may not call SetSubscriptionFrequency" in str(caught.value)
    assert [(entry["user"], entry["mechanism"]) for entry in emu.requests()] == [("WSUS\\reporter", "kerberos")] * 2


def test_a_principal_without_a_role_gets_403(emu, kerberos_env):
    with pytest.raises(WsusPermissionError):
        version(emu, auth="kerberos", username=principal("nobody"), password=PASSWORDS["nobody"])
    assert emu.requests()[0]["http_status"] == 403


# ----------------------------------------------------------------------------- the role, through ansible-playbook


def role_run(emu, collections_path, env, extra_args=(), callback="test_results", **role_vars):
    host_vars = {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "wsus_server": SERVER,
        "wsus_port": emu.port,
        "wsus_timeout": 10,
        "wsus_sync_run": "never",
        "wsus_sync": DOCUMENT,
    }
    host_vars.update(role_vars)
    inventory = {"all": {"hosts": {"wsus01": host_vars}}}
    plays = [{"name": "role", "hosts": "wsus01", "gather_facts": False, "roles": [{"role": "ops.wsus.wsus_sync"}]}]
    environment = {"KRB5_CONFIG": env["KRB5_CONFIG"], "KRB5CCNAME": env["KRB5CCNAME"]}
    return run_playbook(
        plays, collections_path, inventory=inventory, env=environment, extra_args=extra_args, callback=callback
    )


APPLY = "ops.wsus.wsus_sync : Apply the synchronization options"


def test_the_role_converges_by_kerberos_on_a_server_without_ntlm(emu_no_ntlm, realm, kerberos_env, collections_path):
    realm.kinit("admin", kerberos_env["ccache"])
    first = role_run(emu_no_ntlm, collections_path, kerberos_env)  # wsus_auth: negotiate (the default), the cache
    assert first.rc == 0, first.stdout[-4000:] + first.stderr[-2000:]
    assert first.result(APPLY)["changed"] is True
    second = role_run(
        emu_no_ntlm,
        collections_path,
        kerberos_env,
        wsus_auth="kerberos",
        wsus_username=principal("admin"),
        wsus_password=PASSWORDS["admin"],
    )
    assert second.rc == 0, second.stdout[-4000:] + second.stderr[-2000:]
    assert second.result(APPLY)["changed"] is False
    log = emu_no_ntlm.requests()
    assert len(log) > 4 and any(entry["operation"] == "SetSubscription" for entry in log)
    assert {(entry["mechanism"], entry["user"], entry["http_status"]) for entry in log} == {
        ("kerberos", "WSUS\\admin", 200)
    }
    assert "ntlm" not in auth_mechanisms(emu_no_ntlm)


def test_no_password_in_any_output_at_vvv(emu, kerberos_env, collections_path):
    tasks = [
        {"name": "right password", "ops.wsus.server_info": {}},
        {"name": "wrong password", "ops.wsus.server_info": {"password": WRONG}, "ignore_errors": True},
    ]
    defaults = {
        "server": SERVER,
        "port": emu.port,
        "auth": "kerberos",
        "username": principal("admin"),
        "password": PASSWORDS["admin"],
        "timeout": 10,
    }
    plays = [
        {
            "name": "kerberos",
            "hosts": "wsus01",
            "gather_facts": False,
            "module_defaults": {"group/ops.wsus.wsus": defaults},
            "tasks": tasks,
        }
    ]
    run = run_playbook(
        plays,
        collections_path,
        env={"KRB5_CONFIG": kerberos_env["KRB5_CONFIG"], "KRB5CCNAME": kerberos_env["KRB5CCNAME"]},
        extra_args=("-vvv",),
        callback="default",
    )
    output = run.stdout + run.stderr
    assert run.rc == 0, output[-4000:]
    assert "Preauthentication failed" in output and "ok: [wsus01]" in output
    assert leaks(output, (PASSWORDS["admin"], WRONG)) == []
    assert leaks(str(emu.requests()) + str(emu.auth_log()), (PASSWORDS["admin"], WRONG)) == []
    assert set(mechanisms(emu)) == {"kerberos"}
