"""The IUpdateServerConfiguration.Save() rules the emulator enforces on ExecuteSPSetConfiguration."""

from __future__ import annotations

import pytest

from wsusclient import get_configuration, set_configuration

INVALID_DATA = "Microsoft.UpdateServices.Administration.WsusInvalidDataException"
INVALID_OPERATION = "System.InvalidOperationException"
EN = "en"  # the default live language layout: the lists hold short codes


@pytest.mark.parametrize(
    "overrides,kind,words",
    [
        ({"UseProxy": True, "ProxyName": ""}, INVALID_DATA, "ProxyName"),
        ({"UseProxy": True, "ProxyName": None}, INVALID_DATA, "ProxyName"),
        ({"UseProxy": True, "ProxyName": "proxy", "ProxyServerPort": 0}, INVALID_DATA, "ProxyServerPort"),
        ({"UseProxy": True, "ProxyName": "proxy", "ProxyServerPort": 65536}, INVALID_DATA, "ProxyServerPort"),
        (
            {"UseProxy": True, "ProxyName": "proxy", "AnonymousProxyAccess": False, "ProxyUserName": ""},
            INVALID_DATA,
            "ProxyUserName",
        ),
        ({"SyncToMU": False, "UpstreamServerName": ""}, INVALID_DATA, "UpstreamServerName"),
        ({"HostOnMu": True, "ServerSupportsAllLanguages": False}, INVALID_DATA, "ServerSupportsAllLanguages"),
        ({"ReplicaMode": True, "SyncToMU": True}, INVALID_OPERATION, "replica"),
    ],
)
def test_save_rule(admin, emu, overrides, kind, words):
    before = emu.state()
    response = set_configuration(admin, overrides)
    assert response.status == 500, response.text
    assert response.fault["code"] == "soap:Server"
    assert response.fault["type"] == kind
    assert words.lower() in response.fault["message"].lower()
    after = emu.state()
    assert after["configuration"] == before["configuration"]  # nothing was stored


def test_empty_language_set_with_local_content(admin):
    response = set_configuration(admin, disable=[EN])
    assert response.fault["type"] == INVALID_DATA
    assert "language" in response.fault["message"]
    # allowed when all languages are enabled, or when clients download from Microsoft Update
    assert set_configuration(admin, {"ServerSupportsAllLanguages": True}, disable=[EN]).status == 200
    assert set_configuration(admin, {"ServerSupportsAllLanguages": True, "HostOnMu": True}).status == 200


def test_valid_combinations(admin):
    assert (
        set_configuration(
            admin,
            {
                "UseProxy": True,
                "ProxyName": "proxy",
                "ProxyServerPort": 65535,
                "AnonymousProxyAccess": False,
                "ProxyUserName": "svc",
            },
        ).status
        == 200
    )
    assert (
        set_configuration(
            admin,
            {
                "SyncToMU": False,
                "UpstreamServerName": "up.example",
                "ServerPortNumber": 8531,
                "UpstreamServerUseSsl": True,
            },
        ).status
        == 200
    )
    assert (
        set_configuration(admin, {"SyncToMU": False, "UpstreamServerName": "up.example", "ReplicaMode": True}).status
        == 200
    )
    assert dict(get_configuration(admin))["ReplicaMode"] == "true"
