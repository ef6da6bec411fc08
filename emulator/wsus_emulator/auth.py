"""Windows authentication like IIS: Negotiate / NTLM per TCP connection, with pyspnego as the acceptor.

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
from typing import Dict, List, Optional

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
    def __init__(self, users: List[User]):
        self.users = list(users)
        self._by_key: Dict[str, User] = {}
        for user in self.users:
            self._by_key[user.principal.lower()] = user
            self._by_key.setdefault(("%s@%s" % (user.name, user.domain)).lower(), user)

    def find(self, principal: Optional[str]) -> Optional[User]:
        if not principal:
            return None
        return self._by_key.get(principal.lower())


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


class AuthOutcome:
    """continue: answer 401 with ``token``; done: ``principal`` authenticated (``token`` = final server token);
    failed: credentials rejected (``reason``)."""

    __slots__ = ("status", "token", "principal", "reason", "scheme")

    def __init__(
        self,
        status: str,
        scheme: str = "",
        token: Optional[bytes] = None,
        principal: Optional[str] = None,
        reason: str = "",
    ):
        self.status = status
        self.scheme = scheme
        self.token = token
        self.principal = principal
        self.reason = reason

    def header(self) -> Optional[str]:
        if not self.token:
            return None
        return "%s %s" % (self.scheme, base64.b64encode(self.token).decode("ascii"))


class ConnectionAuth:
    """The authentication context of one TCP connection."""

    def __init__(self, channel_bindings: Optional[GssChannelBindings] = None):
        self.channel_bindings = channel_bindings
        self.context = None
        self.scheme: Optional[str] = None
        self.principal: Optional[str] = None
        # Whether the logon of this connection carried channel bindings that were verified.
        self.channel_bound = False

    @property
    def authenticated(self) -> bool:
        return self.principal is not None

    def step(self, header_value: str) -> AuthOutcome:
        scheme_raw, dummy, data = header_value.strip().partition(" ")
        scheme = SCHEMES.get(scheme_raw.lower())
        if scheme is None:
            self.reset()
            return AuthOutcome("failed", reason="unsupported authentication scheme %r" % scheme_raw)
        try:
            token = base64.b64decode(data.strip(), validate=True)
        except (ValueError, TypeError):
            self.reset()
            return AuthOutcome("failed", scheme, reason="the %s token is not base64" % scheme)
        if not token:
            self.reset()
            return AuthOutcome("failed", scheme, reason="empty %s token" % scheme)
        initial = ntlm_message_type(token) == 1 or token[:1] == b"\x60"
        if self.context is None or initial or scheme != self.scheme or self.principal is not None:
            self.principal = None
            self.scheme = scheme
            self.context = spnego.server(
                protocol=scheme.lower(),
                options=spnego.NegotiateOptions.use_ntlm if scheme == "NTLM" else spnego.NegotiateOptions.use_negotiate,
            )
        bindings = None
        if self.channel_bindings is not None and client_sent_bindings(token):
            bindings = self.channel_bindings
        try:
            out = self.context.step(token, channel_bindings=bindings)
        except SpnegoError as error:
            self.reset()
            return AuthOutcome("failed", scheme, reason=str(error))
        except Exception as error:  # malformed tokens raise struct/ASN.1 errors
            self.reset()
            return AuthOutcome("failed", scheme, reason="invalid %s token: %s" % (scheme, error))
        if not self.context.complete:
            return AuthOutcome("continue", scheme, token=out)
        self.principal = self.context.client_principal
        self.channel_bound = bindings is not None
        self.context = None
        if not self.principal:
            return AuthOutcome("failed", scheme, reason="no client principal")
        return AuthOutcome("done", scheme, token=out, principal=self.principal)

    def reset(self) -> None:
        self.context = None
        self.scheme = None
        self.principal = None
        self.channel_bound = False
