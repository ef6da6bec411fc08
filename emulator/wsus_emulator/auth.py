"""Windows authentication like IIS: Negotiate / NTLM / Kerberos per TCP connection, with pyspnego as the acceptor.

Kerberos (``--kerberos-keytab``): a SPNEGO token offering Kerberos, or a bare Kerberos token, in the Negotiate
header; the keytab comes from KRB5_KTNAME, krb5.conf from KRB5_CONFIG. ``AuthPolicy`` holds what the server
accepts (NTLM on or off, Kerberos, one service principal, Extended Protection "Required").

pyspnego's NTLM acceptor reads its users from the file named by ``NTLM_USER_FILE`` (lines
``DOMAIN:user:password``); ``install_user_file`` writes that file into a private temporary directory.

Channel binding (EPA): over HTTPS the acceptor is given ``tls-server-end-point`` bindings (RFC 5929) only when
the client's NTLM AUTHENTICATE message carries a channel-bindings AV pair. pyspnego itself rejects a client
that sends none when the acceptor has bindings; IIS in "accept" mode does not, so the emulator looks first:
bindings not sent (or all zero) -> accepted; sent and wrong -> rejected (401).
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import os
import shutil
import tempfile
from typing import Dict, List, Optional, Tuple

import spnego
from spnego.channel_bindings import GssChannelBindings
from spnego.exceptions import SpnegoError

DEFAULT_PASSWORD = "Passw0rd!"
ROLES = ("administrator", "reporter", "none")


class User:
    __slots__ = ("domain", "name", "password", "role")

    def __init__(self, domain: str, name: str, password: str, role: str):
        self.domain = domain
        self.name = name
        self.password = password
        self.role = role

    @property
    def principal(self) -> str:
        return "%s\\%s" % (self.domain, self.name)


def default_users() -> List[User]:
    return [
        User("WSUS", "admin", DEFAULT_PASSWORD, "administrator"),
        User("WSUS", "reporter", DEFAULT_PASSWORD, "reporter"),
        User("WSUS", "nobody", DEFAULT_PASSWORD, "none"),
    ]


class UsersError(Exception):
    pass


def load_users(path: str) -> List[User]:
    """Lines ``DOMAIN\\user:password:role`` (role administrator|reporter|none); '#' comments, blank lines."""
    users = []
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            account, sep1, rest = line.partition(":")
            password, sep2, role = rest.rpartition(":")
            if not sep1 or not sep2:
                raise UsersError("%s:%d: expected DOMAIN\\user:password:role" % (path, number))
            domain, backslash, name = account.partition("\\")
            if not backslash or not domain or not name:
                raise UsersError(
                    "%s:%d: the user name %r must carry its domain (DOMAIN\\user)" % (path, number, account)
                )
            role = role.strip().lower()
            if role not in ROLES:
                raise UsersError("%s:%d: role %r is not one of %s" % (path, number, role, ", ".join(ROLES)))
            if ":" in password or ":" in domain or ":" in name:
                raise UsersError("%s:%d: ':' is not supported in passwords (NTLM_USER_FILE format)" % (path, number))
            users.append(User(domain, name, password, role))
    if not users:
        raise UsersError("%s: no users" % path)
    return users


class UserTable:
    """The accounts by logon name: ``DOMAIN\\user`` and ``user@DOMAIN`` (NTLM), and a Kerberos principal
    ``user@REALM`` as the account ``DOMAIN\\user`` of its realm's domain, as Active Directory maps them:
    ``realms`` maps a realm to its NetBIOS domain (``{"CORP.EXAMPLE.COM": "CORP"}``); a realm not in it maps
    to its first label (``user@WSUS.TEST`` is ``WSUS\\user``)."""

    def __init__(self, users: List[User], realms: Optional[Dict[str, str]] = None):
        self.users = list(users)
        self.realms = {realm.lower(): domain for realm, domain in (realms or {}).items()}
        self._by_key: Dict[str, User] = {}
        for user in self.users:
            self._by_key[user.principal.lower()] = user
            self._by_key.setdefault(("%s@%s" % (user.name, user.domain)).lower(), user)

    def find(self, principal: Optional[str]) -> Optional[User]:
        if not principal:
            return None
        found = self._by_key.get(principal.lower())
        if found is None and "@" in principal and "\\" not in principal:
            name, dummy, realm = principal.rpartition("@")
            domain = self.realms.get(realm.lower()) or realm.split(".")[0]
            found = self._by_key.get(("%s\\%s" % (domain, name)).lower())
        return found


def install_user_file(users: List[User]) -> str:
    """Write the NTLM_USER_FILE for pyspnego (into a private temp dir removed at exit) and point the env at it."""
    directory = tempfile.mkdtemp(prefix="wsus-emulator-")
    atexit.register(shutil.rmtree, directory, True)
    path = os.path.join(directory, "ntlm-users")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
        for user in users:
            handle.write("%s:%s:%s\n" % (user.domain, user.name, user.password))
            # the same account for a UPN-style logon (user@DOMAIN with an empty NTLM domain)
            handle.write(":%s@%s:%s\n" % (user.name, user.domain, user.password))
    os.environ["NTLM_USER_FILE"] = path
    return path


# ------------------------------------------------------------------------------------------------ TLS binding


def tls_server_end_point(certificate_der: bytes) -> bytes:
    """RFC 5929 tls-server-end-point: the certificate hashed with its signature hash (MD5/SHA-1 -> SHA-256)."""
    algorithm = "sha256"
    try:
        from cryptography import x509

        certificate = x509.load_der_x509_certificate(certificate_der)
        name = certificate.signature_hash_algorithm.name if certificate.signature_hash_algorithm else "sha256"
        if name in ("sha384", "sha512"):
            algorithm = name
    except Exception:  # pragma: no cover - unusual certificates fall back to SHA-256
        pass
    return hashlib.new(algorithm, certificate_der).digest()


def channel_bindings_for(certificate_der: bytes) -> GssChannelBindings:
    return GssChannelBindings(application_data=b"tls-server-end-point:" + tls_server_end_point(certificate_der))


_NTLM_SIGNATURE = b"NTLMSSP\x00"


def _ntlm_message(token: bytes) -> Optional[bytes]:
    """The raw NTLM message inside an NTLM or (NTLM-in-)SPNEGO token, or None."""
    offset = token.find(_NTLM_SIGNATURE)
    return token[offset:] if offset >= 0 else None


def ntlm_message_type(token: bytes) -> Optional[int]:
    message = _ntlm_message(token)
    if message is None or len(message) < 12:
        return None
    return int.from_bytes(message[8:12], "little")


def client_sent_bindings(token: bytes) -> bool:
    """Whether an NTLM AUTHENTICATE message carries a non-zero MsvAvChannelBindings AV pair."""
    message = _ntlm_message(token)
    if message is None or ntlm_message_type(token) != 3:
        return False
    try:
        from spnego._ntlm_raw.messages import AvId, Authenticate, NTClientChallengeV2

        authenticate = Authenticate.unpack(message)
        response = authenticate.nt_challenge_response or b""
        if len(response) <= 24:
            return False
        pairs = NTClientChallengeV2.unpack(response[16:]).av_pairs
        value = pairs.get(AvId.channel_bindings) if AvId.channel_bindings in pairs else None
        return bool(value) and value != b"\x00" * 16
    except Exception:
        # If the message cannot be inspected, check bindings (the strict choice).
        return True


# ------------------------------------------------------------------------------------------------ handshake

SCHEMES = {"negotiate": "Negotiate", "ntlm": "NTLM"}
NTLM, KERBEROS = "ntlm", "kerberos"
# The Kerberos 5 mechanism's OID (1.2.840.113554.1.2.2) and Microsoft's alias of it (1.2.840.48018.1.2.2), DER
_KERBEROS_OIDS = (bytes.fromhex("06092a864886f712010202"), bytes.fromhex("06092a864882f712010202"))
_GSS_C_CHANNEL_BOUND_FLAG = 0x800  # RFC 2744 extension; MIT sets it when the client's binding was verified


def token_mechanism(token: bytes) -> Optional[str]:
    """``ntlm`` for a token that carries an NTLM message (raw or inside SPNEGO), ``kerberos`` for one that
    carries a Kerberos AP-REQ (raw GSS token or SPNEGO with the Kerberos mechanism), else None."""
    if _ntlm_message(token) is not None:
        return NTLM
    if any(oid in token for oid in _KERBEROS_OIDS):
        return KERBEROS
    return None


class AuthPolicy:
    """The server's Windows authentication settings (IIS: its providers and Extended Protection).

    ``ntlm``: NTLM is accepted (False: a server where NTLM is disabled, Negotiate offers only Kerberos).
    ``kerberos``: Kerberos is accepted (a keytab was given: KRB5_KTNAME). ``kerberos_spn``: only tickets for
    this service principal (``HTTP/name``, the realm optional) are accepted; None: any key in the keytab.
    ``require_channel_binding``: over TLS, a logon without a verified channel binding is refused (Extended
    Protection "Required"; the default behaves like "Accept")."""

    def __init__(
        self,
        ntlm: bool = True,
        kerberos: bool = False,
        kerberos_spn: Optional[str] = None,
        require_channel_binding: bool = False,
    ):
        self.ntlm = ntlm
        self.kerberos = kerberos
        self.kerberos_spn = kerberos_spn
        self.require_channel_binding = require_channel_binding

    def challenges(self) -> Tuple[str, ...]:
        """The WWW-Authenticate schemes of a 401 (IIS lists its providers: Negotiate, then NTLM)."""
        return ("Negotiate", "NTLM") if self.ntlm else ("Negotiate",)


def keytab_principals(path: str) -> List[str]:
    """The principals of a keytab file (krb5 package; raises ImportError without it, OSError/ValueError when
    the file is not a keytab)."""
    import krb5

    context = krb5.init_context()
    try:
        keytab = krb5.kt_resolve(context, ("FILE:%s" % os.path.abspath(path)).encode())
        names = []
        for entry in keytab:
            name = krb5.unparse_name_flags(context, entry.principal).decode("utf-8", "replace")
            if name not in names:
                names.append(name)
    except krb5.Krb5Error as error:
        raise ValueError("cannot read the keytab %s: %s" % (path, error)) from None
    return names


def same_service_principal(wanted: str, actual: str) -> bool:
    """``HTTP/wsus01`` matches ``HTTP/wsus01@REALM``; the host part case-insensitively."""
    wanted_name, dummy, wanted_realm = wanted.partition("@")
    actual_name, dummy, actual_realm = actual.rstrip("\x00").partition("@")
    if wanted_realm and wanted_realm != actual_realm:
        return False
    wanted_service, dummy, wanted_host = wanted_name.partition("/")
    actual_service, dummy, actual_host = actual_name.partition("/")
    return wanted_service == actual_service and wanted_host.lower() == actual_host.lower()


class AuthOutcome:
    """continue: answer 401 with ``token``; done: ``principal`` authenticated (``token`` = final server token);
    failed: credentials rejected (``reason``). ``mechanism``: ntlm or kerberos, when known."""

    __slots__ = ("status", "token", "principal", "reason", "scheme", "mechanism")

    def __init__(
        self,
        status: str,
        scheme: str = "",
        token: Optional[bytes] = None,
        principal: Optional[str] = None,
        reason: str = "",
        mechanism: Optional[str] = None,
    ):
        self.status = status
        self.scheme = scheme
        self.token = token
        self.principal = principal
        self.reason = reason
        self.mechanism = mechanism

    def header(self) -> Optional[str]:
        if not self.token:
            return None
        return "%s %s" % (self.scheme, base64.b64encode(self.token).decode("ascii"))


def _inner_gss_context(context):
    """The gssapi.SecurityContext under a pyspnego acceptor that negotiated Kerberos, or None."""
    inner = getattr(context, "_context", None)  # NegotiateProxy: the chosen mechanism's context
    return getattr(inner, "_context", None)  # GSSAPIProxy: the gssapi.SecurityContext


class ConnectionAuth:
    """The authentication context of one TCP connection."""

    def __init__(self, channel_bindings: Optional[GssChannelBindings] = None, policy: Optional[AuthPolicy] = None):
        self.channel_bindings = channel_bindings
        self.policy = policy or AuthPolicy()
        self.context = None
        self.scheme: Optional[str] = None
        self.principal: Optional[str] = None
        # ntlm or kerberos: how this connection logged on (or tries to)
        self.mechanism: Optional[str] = None
        # Whether the logon of this connection carried channel bindings that were verified.
        self.channel_bound = False

    @property
    def authenticated(self) -> bool:
        return self.principal is not None

    def _refuse(self, scheme: str, reason: str, mechanism: Optional[str] = None) -> AuthOutcome:
        self.reset()
        return AuthOutcome("failed", scheme, reason=reason, mechanism=mechanism)

    def step(self, header_value: str) -> AuthOutcome:
        scheme_raw, dummy, data = header_value.strip().partition(" ")
        scheme = SCHEMES.get(scheme_raw.lower())
        if scheme is None or (scheme == "NTLM" and not self.policy.ntlm):
            return self._refuse(scheme or "", "unsupported authentication scheme %r" % scheme_raw)
        try:
            token = base64.b64decode(data.strip(), validate=True)
        except (ValueError, TypeError):
            return self._refuse(scheme, "the %s token is not base64" % scheme)
        if not token:
            return self._refuse(scheme, "empty %s token" % scheme)
        mechanism = NTLM if scheme == "NTLM" else token_mechanism(token)
        if mechanism == NTLM and not self.policy.ntlm:
            return self._refuse(scheme, "NTLM is disabled on this server", NTLM)
        if mechanism == KERBEROS and (scheme == "NTLM" or not self.policy.kerberos):
            # pyspnego's acceptor cannot pass over an optimistic Kerberos token to the next mechanism, and a Windows
            # server that cannot use a ticket refuses it too: no NTLM fallback after a Kerberos token
            return self._refuse(scheme, "Kerberos is not enabled on this server (no keytab)", KERBEROS)
        initial = ntlm_message_type(token) == 1 or token[:1] == b"\x60"
        if self.context is None or initial or scheme != self.scheme or self.principal is not None:
            self.principal = None
            self.scheme = scheme
            self.mechanism = mechanism
            self.context = spnego.server(
                protocol=scheme.lower(),
                options=spnego.NegotiateOptions.use_ntlm if scheme == "NTLM" else spnego.NegotiateOptions.use_negotiate,
            )
        elif mechanism:
            self.mechanism = mechanism
        bindings = None
        if self.channel_bindings is not None:
            # Kerberos: MIT's acceptor refuses a wrong binding and accepts a missing one (then the context is
            # not channel-bound). NTLM: pyspnego refuses a missing one, so bindings go in only when sent.
            if mechanism == KERBEROS or (mechanism == NTLM and client_sent_bindings(token)):
                bindings = self.channel_bindings
        try:
            out = self.context.step(token, channel_bindings=bindings)
        except SpnegoError as error:
            return self._refuse(scheme, str(error), mechanism)
        except AttributeError as error:
            # pyspnego reads the flags of a Kerberos context that gssapi refused (wrong channel binding, no key
            # for the ticket in the keytab) and raises this instead of a SpnegoError
            return self._refuse(scheme, "the Kerberos ticket was refused (%s)" % error, mechanism)
        except Exception as error:  # malformed tokens raise struct/ASN.1 errors
            return self._refuse(scheme, "invalid %s token: %s" % (scheme, error), mechanism)
        if not self.context.complete:
            return AuthOutcome("continue", scheme, token=out, mechanism=mechanism)
        return self._complete(scheme, out, bindings)

    def _complete(self, scheme: str, out: Optional[bytes], bindings: Optional[GssChannelBindings]) -> AuthOutcome:
        context = self.context
        self.context = None
        mechanism = getattr(context, "negotiated_protocol", None) or self.mechanism or NTLM
        self.mechanism = mechanism
        if mechanism == KERBEROS:
            gss = _inner_gss_context(context)
            try:
                flags = int(gss.actual_flags) if gss is not None else 0
                target = str(gss.target_name) if gss is not None else ""
            except Exception:  # unreadable: not verified (the strict choice)
                flags, target = 0, ""
            self.channel_bound = bindings is not None and bool(flags & _GSS_C_CHANNEL_BOUND_FLAG)
            spn = self.policy.kerberos_spn
            if spn and not same_service_principal(spn, target):
                return self._refuse(scheme, "the ticket is for %s, not for %s" % (target or "?", spn), mechanism)
        else:
            self.channel_bound = bindings is not None
            if not self.policy.ntlm:
                return self._refuse(scheme, "NTLM is disabled on this server", mechanism)
        if self.policy.require_channel_binding and self.channel_bindings is not None and not self.channel_bound:
            return self._refuse(
                scheme, "Extended Protection requires a channel binding and the logon carried none", mechanism
            )
        self.principal = context.client_principal
        if not self.principal:
            return self._refuse(scheme, "no client principal", mechanism)
        return AuthOutcome("done", scheme, token=out, principal=self.principal, mechanism=mechanism)

    def reset(self) -> None:
        self.context = None
        self.scheme = None
        self.principal = None
        self.mechanism = None
        self.channel_bound = False
