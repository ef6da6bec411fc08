# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kerberos on the controller: why a ticket could not be had or used, in words that say what to do.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. No Ansible imports.

pyspnego reports a Kerberos failure in one of two shapes. When it gets a ticket from a password itself, the krb5
package raises ``Krb5Error`` whose ``err_code`` is a krb5 com_err code. When GSSAPI reads the ticket cache or asks
the KDC for the service ticket, pyspnego raises a ``SpnegoError`` whose ``base_error`` is a gssapi ``GSSError``:
``min_code`` carries the same krb5 code as an unsigned 32-bit number, ``maj_code`` the GSS routine error.
The codes are those of MIT krb5's ``krb5.h`` (Heimdal uses the same table for these).
"""

from __future__ import annotations

import importlib
import logging
import re

# krb5 com_err codes (krb5.h) -> reason
_KRB5_CODES = {
    -1765328378: "unknown_user",  # KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN  Client not found in Kerberos database
    -1765328377: "unknown_spn",  # KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN  Server not found in Kerberos database
    -1765328370: "etype",  # KRB5KDC_ERR_ETYPE_NOSUPP  KDC has no support for encryption type
    -1765328366: "account",  # KRB5KDC_ERR_CLIENT_REVOKED  Client's credentials have been revoked (disabled, locked)
    -1765328361: "account",  # KRB5KDC_ERR_KEY_EXP  Password has expired
    -1765328360: "wrong_password",  # KRB5KDC_ERR_PREAUTH_FAILED  Preauthentication failed
    -1765328353: "wrong_password",  # KRB5KRB_AP_ERR_BAD_INTEGRITY  (a KDC that does not require preauthentication)
    -1765328174: "wrong_password",  # KRB5_PREAUTH_FAILED  Generic preauthentication failure
    -1765328352: "no_ticket",  # KRB5KRB_AP_ERR_TKT_EXPIRED  Ticket expired
    -1765328347: "clock_skew",  # KRB5KRB_AP_ERR_SKEW  Clock skew too great
    -1765328243: "no_ticket",  # KRB5_CC_NOTFOUND  no ticket (for that principal) in the cache (collection)
    -1765328242: "no_ticket",  # KRB5_CC_END
    -1765328189: "no_ticket",  # KRB5_FCC_NOFILE  No credentials cache found
    -1765328230: "kdc_unreachable",  # KRB5_REALM_UNKNOWN  Cannot find KDC for realm
    -1765328228: "kdc_unreachable",  # KRB5_KDC_UNREACH  Cannot contact any KDC for realm
    -1765328164: "kdc_unreachable",  # KRB5_REALM_CANT_RESOLVE  Cannot resolve network address for KDC in realm
    -1765328160: "no_realm",  # KRB5_CONFIG_NODEFREALM  Configuration file does not specify default realm
}
# GSS routine errors (RFC 2744), for a failure whose minor code is not in the table
_GSS_S_NO_CRED = 7 << 16
_GSS_S_CREDENTIALS_EXPIRED = 11 << 16

REASONS = (
    "no_ticket",
    "wrong_password",
    "unknown_user",
    "unknown_spn",
    "clock_skew",
    "kdc_unreachable",
    "no_realm",
    "account",
    "etype",
    "ntlm_name",
    "other",
)


def available():
    """Whether pyspnego can do Kerberos here: it needs both gssapi and krb5 (pyspnego[kerberos])."""
    for name in ("gssapi", "krb5"):
        try:
            importlib.import_module(name)
        except ImportError:
            return False
    return True


def _signed(code):
    return code - (1 << 32) if code >= (1 << 31) else code


def _codes(error):
    """(krb5 code or None, GSS major code or None, the library's own words) of a pyspnego/krb5 failure."""
    if hasattr(error, "err_code"):  # krb5.Krb5Error: "Preauthentication failed -1765328360"
        text = re.sub(r"\s*-?\d+$", "", str(error))
        return error.err_code, None, text
    base = getattr(error, "base_error", None)
    while base is not None and getattr(base, "base_error", None) is not None and not hasattr(base, "min_code"):
        base = base.base_error
    if base is not None and hasattr(base, "err_code"):
        return base.err_code, None, re.sub(r"\s*-?\d+$", "", str(base))
    if base is not None and hasattr(base, "min_code"):
        text = str(base)
        minor = re.search(r"Minor \(\d+\): (.*)$", text)
        if minor:
            text = minor.group(1)
        return _signed(base.min_code or 0) or None, base.maj_code, text.strip()
    text = getattr(error, "message", None) or str(error)
    return None, None, text


def classify_text(text):
    """(reason, the library's words) from the text of a failure, as pyspnego logs it: a krb5 code at the end
    (``Preauthentication failed -1765328360``) or a GSS minor code (``Minor (2529638919): Server ... not found``)."""
    minor = re.search(r"Minor \((\d+)\): (.*?)(?:, Context: .*)?$", text)
    if minor:
        code, detail = _signed(int(minor.group(1))), minor.group(2).strip()
    else:
        tail = re.search(r"^(.*?)\s+(-\d{6,})$", text.strip())
        code, detail = (int(tail.group(2)), tail.group(1)) if tail else (None, text.strip())
    return _KRB5_CODES.get(code, "other") if code is not None else "other", detail


class NegotiateLog(logging.Handler):
    """While a pyspnego Negotiate context starts, what it says at debug level about leaving Kerberos out
    ("Failed to create context/first token for SPNEGO protocol kerberos: <error>"): pyspnego then offers NTLM
    alone and tells nobody else. Use as a context manager; ``reason`` is the last such error's text or None."""

    _LOGGER = "spnego._negotiate"
    _PATTERN = re.compile(r"^Failed to create (?:context|first token) for SPNEGO protocol kerberos: (.*)$", re.S)

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.reason = None
        self._logger = logging.getLogger(self._LOGGER)
        self._level = logging.NOTSET
        self._propagate = True

    def emit(self, record):
        try:
            found = self._PATTERN.match(record.getMessage())
        except Exception:  # a record that does not format: not ours
            return
        if found:
            self.reason = found.group(1).strip()

    def __enter__(self):
        self._level, self._propagate = self._logger.level, self._logger.propagate
        if not self._logger.isEnabledFor(logging.DEBUG):
            # enabled for this handler only: pyspnego's debug records carry the tokens, which must not reach a
            # log file that the controller's logging set up
            self._logger.setLevel(logging.DEBUG)
            self._logger.propagate = False
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc_info):
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)
        self._logger.propagate = self._propagate


def classify(error):
    """(reason, the library's words) for a Kerberos failure raised by pyspnego, gssapi or krb5."""
    code, major, text = _codes(error)
    reason = _KRB5_CODES.get(code) if code is not None else None
    if reason is None and major is not None:
        routine = major & 0x00FF0000
        if routine in (_GSS_S_NO_CRED, _GSS_S_CREDENTIALS_EXPIRED):
            reason = "no_ticket"
    return reason or "other", text


def explain(reason, detail, principal=None, spn=None):
    """One sentence: what went wrong (with the library's ``detail``) and what to do about it."""
    user = principal or "the default principal of the ticket cache"
    advice = {
        "no_ticket": "no usable Kerberos ticket on the controller for %s (%s): run kinit %s as the user that runs "
        "Ansible (klist lists the tickets, KRB5CCNAME names the cache), or give username (user@REALM) and password"
        % (user, detail, principal or "user@REALM"),
        "wrong_password": "the KDC refused the password of %s (%s): check the password; a locked or expired account "
        "fails the same way" % (user, detail),
        "unknown_user": "the KDC does not know the user %s (%s): give the user as user@REALM, the realm in capitals "
        "(CORP.EXAMPLE.COM)" % (user, detail),
        "unknown_spn": "the KDC has no service principal %s (%s): register it on the account that runs the WSUS "
        "site (setspn -S %s <account>), or set spn_host to the name it is registered under (a DNS alias, a "
        "load balancer or an IP address as server needs it)" % (spn, detail, spn),
        "clock_skew": "the controller's clock and the domain's differ by more than the allowed skew, usually 5 "
        "minutes (%s): synchronize the controller's clock with the domain controllers (chrony/NTP)" % detail,
        "kdc_unreachable": "cannot reach a KDC for the realm of %s (%s): check the realm's kdc entries in krb5.conf "
        "(or dns_lookup_kdc and the domain's _kerberos SRV records) and that the controller reaches the domain "
        "controllers on port 88, TCP and UDP" % (user, detail),
        "no_realm": "krb5.conf names no default realm (%s): set default_realm in its [libdefaults], or give the "
        "user as user@REALM" % detail,
        "account": "the KDC refused the account %s (%s): it is disabled, locked out, or its password expired"
        % (
            user,
            detail,
        ),
        "etype": "the KDC and the controller share no encryption type (%s): enable AES for the account "
        "(msDS-SupportedEncryptionTypes) or allow its types in krb5.conf (permitted_enctypes)" % detail,
        "ntlm_name": "%s is an NTLM logon name (DOMAIN\\user) that Kerberos cannot use: give the user as "
        "user@REALM (svc-wsus@CORP.EXAMPLE.COM)" % user,
    }
    return advice.get(reason) or "Kerberos failed (%s)" % detail


def is_ntlm_name(username):
    return bool(username) and "\\" in username
