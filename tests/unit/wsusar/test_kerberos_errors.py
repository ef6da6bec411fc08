"""Kerberos without a KDC: how failures are classified and explained, and what the transport does with them.

The shapes are pyspnego's (checked against a real MIT KDC in tests/kerberos/): a krb5.Krb5Error with ``err_code``
when pyspnego gets the ticket from a password itself, a SpnegoError whose ``base_error`` is a gssapi GSSError
(``min_code`` unsigned, ``maj_code``) when GSSAPI reads the cache or asks for the service ticket. Fakes with the
same attributes stand in for them here, so this runs without gssapi/krb5 installed.
"""

from __future__ import annotations

import logging

import pytest
import spnego.exceptions

from ansible_collections.ops.wsus.plugins.module_utils._wsusar import kerberos
from ansible_collections.ops.wsus.plugins.module_utils._wsusar import transport as transport_module
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import (
    WsusAuthenticationError,
    WsusKerberosError,
    WsusMissingLibraryError,
)
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.transport import Transport

SECRET = "S3cret-Kerb-Pass"


class Krb5Error(Exception):
    """Like krb5.Krb5Error: the message ends with the code."""

    def __init__(self, message, code):
        super().__init__("%s %d" % (message, code))
        self.err_code = code


class GSSError(Exception):
    def __init__(self, major, minor, text):
        super().__init__("Major (%d): Unspecified GSS failure, Minor (%d): %s" % (major, minor, text))
        self.maj_code = major
        self.min_code = minor


def gss(code, text, major=851968):
    """What pyspnego raises when GSSAPI fails: a SpnegoError around the GSSError."""
    return spnego.exceptions.SpnegoError(base_error=GSSError(major, code & 0xFFFFFFFF, text), context_msg="step")


@pytest.mark.parametrize(
    "error, reason, detail",
    [
        (Krb5Error("Preauthentication failed", -1765328360), "wrong_password", "Preauthentication failed"),
        (Krb5Error("Decrypt integrity check failed", -1765328353), "wrong_password", "Decrypt integrity check failed"),
        (Krb5Error("Clock skew too great", -1765328347), "clock_skew", "Clock skew too great"),
        (
            Krb5Error("Cannot contact any KDC for realm 'CORP.EXAMPLE.COM'", -1765328228),
            "kdc_unreachable",
            "Cannot contact any KDC for realm 'CORP.EXAMPLE.COM'",
        ),
        (
            Krb5Error('Cannot find KDC for realm "NOPE"', -1765328230),
            "kdc_unreachable",
            'Cannot find KDC for realm "NOPE"',
        ),
        (
            Krb5Error("Client 'svc@CORP' not found in Kerberos database", -1765328378),
            "unknown_user",
            "Client 'svc@CORP' not found in Kerberos database",
        ),
        (
            Krb5Error("Clients credentials have been revoked", -1765328366),
            "account",
            "Clients credentials have been revoked",
        ),
        (
            gss(-1765328377, "Server HTTP/wsus01@CORP not found in Kerberos database"),
            "unknown_spn",
            "Server HTTP/wsus01@CORP not found in Kerberos database",
        ),
        (
            gss(-1765328243, "No Kerberos credentials available (default cache: FILE:/tmp/krb5cc_0)", major=458752),
            "no_ticket",
            "No Kerberos credentials available (default cache: FILE:/tmp/krb5cc_0)",
        ),
        (gss(-1765328347, "Clock skew too great"), "clock_skew", "Clock skew too great"),
        (gss(-1765328352, "Ticket expired", major=720896), "no_ticket", "Ticket expired"),
        (gss(12345, "something new", major=458752), "no_ticket", "something new"),  # GSS_S_NO_CRED
        (gss(12345, "something new"), "other", "something new"),
        (
            AttributeError("Cannot read flags from a security context"),
            "other",
            "Cannot read flags from a security context",
        ),
    ],
)
def test_classify(error, reason, detail):
    assert kerberos.classify(error) == (reason, detail)


@pytest.mark.parametrize(
    "reason, words",
    [
        ("no_ticket", "run kinit svc-wsus@CORP.EXAMPLE.COM"),
        ("wrong_password", "check the password"),
        ("unknown_user", "give the user as user@REALM"),
        ("unknown_spn", "setspn -S HTTP/wsus01.corp.example.com <account>), or set spn_host"),
        ("clock_skew", "synchronize the controller's clock"),
        ("kdc_unreachable", "port 88"),
        ("no_realm", "set default_realm"),
        ("account", "disabled, locked out"),
        ("etype", "enable AES"),
        ("ntlm_name", "is an NTLM logon name"),
    ],
)
def test_every_reason_says_what_to_do(reason, words):
    message = kerberos.explain(
        reason, "the library's words", "svc-wsus@CORP.EXAMPLE.COM", "HTTP/wsus01.corp.example.com"
    )
    assert words in message
    assert reason == "ntlm_name" or "(the library's words)" in message
    assert set(kerberos.REASONS) >= {reason}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Preauthentication failed -1765328360", ("wrong_password", "Preauthentication failed")),
        (
            "SpnegoError (4294967295): Major (851968): Unspecified GSS failure.  Minor code may provide more "
            "information, Minor (2529638919): Server HTTP/x@R not found in Kerberos database, Context: Processing "
            "security token",
            ("unknown_spn", "Server HTTP/x@R not found in Kerberos database"),
        ),
        ("something else entirely", ("other", "something else entirely")),
    ],
)
def test_classify_text_reads_what_pyspnego_logs(text, expected):
    assert kerberos.classify_text(text) == expected


def test_negotiate_log_catches_why_pyspnego_left_kerberos_out(caplog):
    logger = logging.getLogger("spnego._negotiate")
    level = logger.level
    # a handler on the root logger that takes everything, the root logger itself not enabled for debug (as a
    # logging.basicConfig(filename=..., level=INFO) would leave it): a propagated debug record would reach it
    caplog.handler.setLevel(logging.DEBUG)
    assert not logging.getLogger().isEnabledFor(logging.DEBUG)
    with kerberos.NegotiateLog() as caught:
        logger.debug("SPNEGO step input: %s", "dG9rZW4=")
        logger.debug("Attempting to create kerberos context when building SPNEGO mech list")
        logger.debug(
            "Failed to create context for SPNEGO protocol %s: %s", "kerberos", "Clock skew too great -1765328347"
        )
        logger.debug("Failed to create context for SPNEGO protocol %s: %s", "ntlm", "no NTLM_USER_FILE")
    assert caught.reason == "Clock skew too great -1765328347"
    assert kerberos.classify_text(caught.reason)[0] == "clock_skew"
    assert logger.level == level and caught not in logger.handlers and logger.propagate
    assert "dG9rZW4=" not in caplog.text  # the tokens pyspnego logs at debug level went nowhere else


def test_an_unknown_failure_still_names_the_library_words():
    assert kerberos.explain("other", "Unknown code krb5 42") == "Kerberos failed (Unknown code krb5 42)"


# ----------------------------------------------------------------------------- the transport


def make(**settings):
    settings.setdefault("username", "svc-wsus@CORP.EXAMPLE.COM")
    settings.setdefault("password", SECRET)
    settings.setdefault("auth", "kerberos")
    return Transport("wsus01.corp.example.com", **settings)


@pytest.fixture
def kerberos_here(monkeypatch):
    monkeypatch.setattr(kerberos, "available", lambda: True)


@pytest.fixture
def calls(monkeypatch):
    """spnego.client replaced: records its arguments, raises what the test puts in ``raise``."""
    made = {"raise": None, "args": []}

    def client(username, password, hostname=None, service=None, protocol=None, channel_bindings=None):
        made["args"].append((username, hostname, service, protocol))
        if made["raise"] is not None:
            raise made["raise"]
        return object()

    monkeypatch.setattr(transport_module.spnego, "client", client)
    return made


def test_kerberos_without_the_libraries_says_what_to_install(monkeypatch):
    monkeypatch.setattr(kerberos, "available", lambda: False)
    with pytest.raises(WsusMissingLibraryError) as caught:
        make()._auth_context("GetServerVersion")
    assert "pip install pyspnego[kerberos]" in str(caught.value)


def test_kerberos_asks_for_http_spn_host_and_never_negotiate(kerberos_here, calls):
    make()._auth_context("GetServerVersion")
    make(spn_host="wsus.corp.example.com")._auth_context("GetServerVersion")
    assert calls["args"] == [
        ("svc-wsus@CORP.EXAMPLE.COM", "wsus01.corp.example.com", "HTTP", "kerberos"),
        ("svc-wsus@CORP.EXAMPLE.COM", "wsus.corp.example.com", "HTTP", "kerberos"),
    ]


def test_negotiate_and_ntlm_use_spn_host_too(calls):
    make(auth="negotiate", spn_host="wsus.corp.example.com")._auth_context("GetServerVersion")
    assert calls["args"] == [("svc-wsus@CORP.EXAMPLE.COM", "wsus.corp.example.com", "HTTP", "negotiate")]


def test_an_ntlm_name_is_refused_before_any_kdc_is_asked(kerberos_here, calls):
    with pytest.raises(WsusKerberosError) as caught:
        make(username="CORP\\svc-wsus")._auth_context("GetServerVersion")
    assert caught.value.reason == "ntlm_name" and calls["args"] == []


def test_a_refused_password_is_a_kerberos_error_without_the_password(kerberos_here, calls):
    calls["raise"] = Krb5Error("Preauthentication failed", -1765328360)
    with pytest.raises(WsusKerberosError) as caught:
        make()._auth_context("GetServerVersion")
    assert caught.value.reason == "wrong_password"
    assert str(caught.value) == (
        "Kerberos authentication to wsus01.corp.example.com:8530 failed: the KDC refused the password of "
        "svc-wsus@CORP.EXAMPLE.COM (Preauthentication failed): check the password; a locked or expired account "
        "fails the same way"
    )
    assert SECRET not in str(caught.value)


class FailingContext:
    negotiated_protocol = "kerberos"
    complete = False

    def __init__(self, error):
        self.error = error

    def step(self, token):
        raise self.error


def test_a_service_ticket_failure_while_stepping_is_explained(kerberos_here):
    transport = Transport("10.0.0.5", auth="kerberos")
    with pytest.raises(WsusKerberosError) as caught:
        transport._step(FailingContext(gss(-1765328377, "Server HTTP/10.0.0.5@CORP not found")), None, "op")
    assert caught.value.reason == "unknown_spn" and "setspn -S HTTP/10.0.0.5 <account>" in str(caught.value)


def test_pyspnego_attribute_error_on_a_refused_context_is_an_authentication_error(kerberos_here):
    with pytest.raises(WsusKerberosError) as caught:
        make()._step(FailingContext(AttributeError("Cannot read flags")), None, "op")
    assert "Cannot read flags" in str(caught.value)


def test_a_401_to_a_ticket_names_the_usual_causes():
    transport = make()
    transport.mechanism = "kerberos"
    error = transport._unauthorized("GetServerVersion")
    assert isinstance(error, WsusKerberosError) and error.reason == "refused"
    assert "setspn -Q HTTP/wsus01.corp.example.com" in str(error)


def test_a_401_to_ntlm_under_negotiate_says_why_kerberos_was_not_used(monkeypatch):
    monkeypatch.setattr(kerberos, "available", lambda: False)
    transport = make(auth="negotiate", username="CORP\\svc-wsus")
    transport.mechanism = "ntlm"
    error = transport._unauthorized("GetServerVersion")
    assert type(error) is WsusAuthenticationError
    assert str(error).endswith(
        "NTLM was used because Kerberos was not: the controller lacks the Python packages gssapi and krb5 "
        "(pip install 'pyspnego[kerberos]')"
    )
