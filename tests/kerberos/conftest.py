"""Fixtures of the Kerberos tests: the realm (kerberos_realm.py) for the session, and emulators that accept its
tickets. Everything started here is stopped by its pid."""

from __future__ import annotations

import os
import signal

import pytest

from kerberos_realm import ALIAS_SPN_HOST, PASSWORDS, REALM, SERVER, Realm, principal, start_realm


@pytest.fixture(scope="session")
def realm():
    """The realm for the session; the KDC is stopped by its pid, the directory removed."""
    k5 = start_realm()
    daemons = list(k5._daemons)
    try:
        for user, password in PASSWORDS.items():
            # +requires_preauth: as Active Directory, the KDC checks the password before it answers
            k5.run_kadminl("addprinc +requires_preauth -pw %s %s" % (password, principal(user)))
        found = Realm(k5)
        for host in (SERVER, ALIAS_SPN_HOST):
            name = "HTTP/%s@%s" % (host, REALM)
            k5.run_kadminl("addprinc -randkey %s" % name)
            k5.run_kadminl("ktadd -k %s %s" % (found.keytab, name))
        yield found
    finally:
        try:
            k5.stop()  # SIGTERM to the KDC's pid, then removes the directory
        finally:
            for process in daemons:
                if process.poll() is None:
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait()


@pytest.fixture
def kerberos_env(realm, monkeypatch, tmp_path):
    """This test's process sees the realm (KRB5_CONFIG) and a fresh ticket cache with no ticket in it."""
    ccache = str(tmp_path / "ccache")
    monkeypatch.setenv("KRB5_CONFIG", realm.krb5_conf)
    monkeypatch.setenv("KRB5CCNAME", "FILE:" + ccache)
    monkeypatch.delenv("KRB5_CLIENT_KTNAME", raising=False)
    return {"KRB5_CONFIG": realm.krb5_conf, "KRB5CCNAME": "FILE:" + ccache, "ccache": ccache}


@pytest.fixture(scope="session")
def kerberos_emulators(realm, emulator_factory):
    """Start emulators that accept the realm's tickets: ``start(*args)``; each is stopped by its pid."""

    def start(*args):
        return emulator_factory("--kerberos-keytab", realm.keytab, "--sync-seconds", "1", *args, env=realm.server_env)

    return start


@pytest.fixture(scope="session")
def _kerberos_http(kerberos_emulators):
    return kerberos_emulators()


@pytest.fixture(scope="session")
def _kerberos_only(kerberos_emulators):
    return kerberos_emulators("--no-ntlm")


@pytest.fixture(scope="session")
def _kerberos_tls_required(kerberos_emulators):
    return kerberos_emulators("--tls", "--require-channel-binding")


@pytest.fixture
def emu(_kerberos_http):
    """HTTP, NTLM and Kerberos accepted; reset (empty logs)."""
    _kerberos_http.reset()
    return _kerberos_http


@pytest.fixture
def emu_no_ntlm(_kerberos_only):
    """HTTP, NTLM refused (a server where NTLM is disabled); reset."""
    _kerberos_only.reset()
    return _kerberos_only


@pytest.fixture
def emu_tls_required(_kerberos_tls_required):
    """HTTPS, Extended Protection 'Required': a logon without a verified channel binding is refused; reset."""
    _kerberos_tls_required.reset()
    return _kerberos_tls_required
