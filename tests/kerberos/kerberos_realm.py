"""A throwaway MIT Kerberos realm on loopback for the Kerberos tests (fixtures in conftest.py).

The realm is k5test's (the harness python-gssapi, pyspnego and requests-gssapi test with): a KDC database in a
temporary directory and ``krb5kdc`` as a child process, stopped by its pid at the end of the session. Its
krb5.conf names the KDC by address and turns off DNS and reverse-DNS canonicalization, so that the service
principal is exactly ``HTTP/<name>`` as the client asks for it.

``make kerberos-deps`` (run by ``make pytest``/``make test``) installs what this needs: the KDC and its tools
(krb5-kdc, krb5-admin-server, krb5-user), libkrb5-dev, and gssapi, krb5 and k5test in .venv. When they are
missing the tests FAIL rather than skip: CI installs them, so missing means broken.

Accounts (the emulator maps ``user@WSUS.TEST`` to its user ``WSUS\\user``): admin (WSUS Administrators),
reporter (WSUS Reporters), nobody (no role). Service principals, in the emulator's keytab:
``HTTP/localhost`` (the tests' server name) and ``HTTP/wsus01.wsus.test`` (a name that is not the server's, for
spn_host). Nothing else of the realm's environment leaks into the test process: a test that needs Kerberos
in-process asks for ``kerberos_env``, which sets KRB5_CONFIG and a fresh, empty KRB5CCNAME for that test only.
"""

from __future__ import annotations

import os
import shutil
import socket

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._wsusar import kerberos

REALM = "WSUS.TEST"
# kadmin.local's -q parser takes quotes literally: passwords here are letters and digits only
PASSWORDS = {"admin": "KrbAdm1nSecret71", "reporter": "KrbRep0rterSecret72", "nobody": "KrbN0bodySecret73"}
SERVER = "localhost"  # the name the client uses; HTTP/localhost is registered
ALIAS_SPN_HOST = "wsus01.wsus.test"  # a second registered name, reached through server=127.0.0.1 + spn_host
TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit", "klist", "krb5-config")


def principal(user):
    return "%s@%s" % (user, REALM)


def _missing_tools():
    return [tool for tool in TOOLS if not (shutil.which(tool) or os.path.exists(os.path.join("/usr/sbin", tool)))]


def _free_port():
    """A port free for both TCP and UDP on every address (the KDC listens on both)."""
    for dummy in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("", 0))
            port = tcp.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.bind(("", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for the KDC")


class Realm:
    """The running realm: ``env`` for clients (KRB5_CONFIG), ``server_env`` for emulators, ``keytab`` with the
    HTTP/ service keys, ``kinit(user, ccache)``, ``pid`` of the KDC."""

    def __init__(self, k5):
        self.k5 = k5
        self.tmpdir = k5.tmpdir
        self.krb5_conf = k5.env["KRB5_CONFIG"]
        self.keytab = os.path.join(self.tmpdir, "http.keytab")
        self.env = {"KRB5_CONFIG": self.krb5_conf, "KRB5RCACHEDIR": self.tmpdir}
        self.server_env = dict(self.env)  # the emulator gets the keytab by --kerberos-keytab
        self.pid = k5._kdc_proc.pid

    def kadmin(self, query):
        self.k5.run_kadminl(query)

    def kinit(self, user, ccache, password=None):
        """A TGT for ``user`` in the file cache ``ccache`` (kinit, as an operator would)."""
        self.k5.run(
            [self.k5._kinit, "-c", ccache, principal(user)],
            env=dict(self.k5.env, KRB5CCNAME=ccache),
            input=(password or PASSWORDS[user]) + "\n",
        )
        return ccache

    def kdc_log(self):
        try:
            with open(os.path.join(self.tmpdir, "kdc.log"), encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""


def start_realm():
    try:
        import k5test
    except ImportError as error:
        pytest.fail(
            "the Kerberos tests need k5test, gssapi and krb5 in this venv and the MIT KDC on the machine: run "
            "make kerberos-deps (%s)" % error
        )
    if not kerberos.available():
        pytest.fail("pyspnego cannot do Kerberos here (gssapi or krb5 does not import): run make kerberos-deps")
    missing = _missing_tools()
    if missing:
        pytest.fail("the MIT Kerberos tools %s are missing: run make kerberos-deps" % ", ".join(missing))
    port = _free_port()
    k5 = k5test.K5Realm(
        realm=REALM,
        portbase=port,
        create_user=False,
        create_host=False,
        get_creds=False,
        krb5_conf={
            "libdefaults": {
                "dns_lookup_realm": "false",
                "rdns": "false",
                "dns_canonicalize_hostname": "false",
            },
            "realms": {"$realm": {"kdc": "127.0.0.1:$port0"}},
            "domain_realm": {SERVER: "$realm", ".wsus.test": "$realm"},
        },
    )
    return k5
