# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP transport for [MS-WSUSAR]: one keep-alive connection per server, Windows authentication.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. No Ansible imports.

IIS authenticates NTLM/Negotiate per TCP connection, so the transport keeps one connection open
and authenticates it once; every later call on it goes without an Authorization header. Over
HTTPS it sends a tls-server-end-point channel binding (RFC 5929), which IIS Extended Protection
requires. Reads are retried a bounded number of times, with backoff, on connection failures and
HTTP 503; writes only when nothing reached the server (connection refused) or on 503 (IIS answers
503 before the application sees the request).
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import time
import traceback

from .errors import (
    WsusAuthenticationError,
    WsusConnectionError,
    WsusHTTPError,
    WsusMissingLibraryError,
    WsusPermissionError,
    WsusTimeoutError,
    WsusTLSError,
)
from .operations import ENDPOINT_PATH

try:
    import spnego
    import spnego.channel_bindings
    import spnego.exceptions

    HAS_SPNEGO = True
    SPNEGO_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the sanity import test
    HAS_SPNEGO = False
    SPNEGO_IMPORT_ERROR = traceback.format_exc()

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover
    HAS_CRYPTOGRAPHY = False

AUTH_SCHEMES = {"negotiate": "Negotiate", "ntlm": "NTLM", "kerberos": "Negotiate"}
DEFAULT_HTTP_PORT = 8530
DEFAULT_HTTPS_PORT = 8531


class _Retryable(Exception):
    """Internal: a failure that may be retried; ``error`` is what to raise when retries run out."""

    def __init__(self, error, sent):
        super().__init__(str(error))
        self.error = error
        self.sent = sent  # whether the request may have reached the server


class Transport:
    """POSTs SOAP envelopes to one WSUS server over one authenticated keep-alive connection."""

    def __init__(
        self,
        server,
        port=None,
        use_ssl=False,
        validate_certs=True,
        ca_path=None,
        username=None,
        password=None,
        auth="negotiate",
        timeout=60,
        retries=3,
        backoff=0.5,
        sleep=time.sleep,
    ):
        if auth not in AUTH_SCHEMES:
            raise ValueError("auth must be one of %s" % ", ".join(sorted(AUTH_SCHEMES)))
        self.server = server
        self.port = int(port or (DEFAULT_HTTPS_PORT if use_ssl else DEFAULT_HTTP_PORT))
        self.use_ssl = use_ssl
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.username = username
        self._password = password
        self.auth = auth
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._conn = None
        self._authenticated = False
        self.connections_opened = 0

    @property
    def base_url(self):
        return "%s://%s:%d%s" % ("https" if self.use_ssl else "http", self.server, self.port, ENDPOINT_PATH)

    @property
    def where(self):
        return "%s:%d" % (self.server, self.port)

    def close(self):
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._authenticated = False

    # ------------------------------------------------------------------ public

    def post(self, operation, body, soap_action, write=False):
        """Send one SOAP request; returns the response body (HTTP 200, or 500 carrying a SOAP fault)."""
        attempt = 0
        while True:
            try:
                return self._post_once(operation, body, soap_action)
            except WsusTimeoutError as error:  # sent, no answer in time: a write may have been applied
                error.outcome_unknown = write
                raise
            except _Retryable as failure:
                self.close()
                if attempt >= self.retries or (write and failure.sent):
                    failure.error.outcome_unknown = write and failure.sent
                    raise failure.error from None
                attempt += 1
                self._sleep(min(self.backoff * (2 ** (attempt - 1)), 8.0))

    # ------------------------------------------------------------------ connection

    def _connection(self, operation):
        if self._conn is not None:
            return self._conn
        conn = self._new_connection()
        try:
            conn.connect()
        except ssl.SSLCertVerificationError as exc:
            raise WsusTLSError(
                "the TLS certificate of %s did not verify (%s): set ca_path to the CA that issued it, check "
                "that the server name matches the certificate, or set validate_certs: false for a test server"
                % (self.where, exc.verify_message or exc.reason),
                operation,
            ) from None
        except ssl.SSLError as exc:
            raise WsusTLSError(
                "TLS handshake with %s failed (%s): check that the port serves HTTPS (8531) and "
                "the TLS versions the server allows" % (self.where, exc.reason or exc),
                operation,
            ) from None
        except socket.gaierror as exc:
            raise WsusConnectionError(
                "cannot resolve the WSUS server name %r (%s): check the server name" % (self.server, exc.strerror),
                operation,
            ) from None
        except socket.timeout:
            raise _Retryable(
                WsusTimeoutError(
                    "connecting to %s timed out after %ss: check the server name, the port and any firewall"
                    % (self.where, self.timeout),
                    operation,
                ),
                sent=False,
            ) from None
        except OSError as exc:
            raise _Retryable(
                WsusConnectionError(
                    "cannot connect to %s (%s): check the server name, the port (8530 for HTTP, 8531 for HTTPS) "
                    "and that IIS and the WSUS service are running" % (self.where, exc.strerror or exc),
                    operation,
                ),
                sent=False,
            ) from None
        self._conn = conn
        self._authenticated = False
        self.connections_opened += 1
        return conn

    def _new_connection(self):
        """An unconnected ``http.client`` connection; the unit tests replace this to inject a fake one."""
        if self.use_ssl:
            return http.client.HTTPSConnection(
                self.server, self.port, timeout=self.timeout, context=self._ssl_context()
            )
        return http.client.HTTPConnection(self.server, self.port, timeout=self.timeout)

    def _ssl_context(self):
        context = ssl.create_default_context(cafile=self.ca_path)
        if not self.validate_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _channel_bindings(self):
        if not self.use_ssl or self._conn is None or self._conn.sock is None:
            return None
        certificate = self._conn.sock.getpeercert(binary_form=True)
        if not certificate or not HAS_CRYPTOGRAPHY:
            return None
        return spnego.channel_bindings.GssChannelBindings(
            application_data=b"tls-server-end-point:" + tls_server_end_point(certificate)
        )

    # ------------------------------------------------------------------ one request

    def _post_once(self, operation, body, soap_action):
        conn = self._connection(operation)
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": soap_action}
        if self._authenticated:
            status, response_headers, data = self._exchange(conn, body, headers, operation)
            if status == 401:  # the server forgot this connection (e.g. it restarted): authenticate anew
                self.close()
                conn = self._connection(operation)
                status, response_headers, data = self._authenticate(conn, body, headers, operation)
        else:
            status, response_headers, data = self._authenticate(conn, body, headers, operation)
        return self._check_status(status, response_headers, data, operation)

    def _authenticate(self, conn, body, headers, operation):
        context = self._auth_context(operation)
        scheme = AUTH_SCHEMES[self.auth]
        token = self._step(context, None, operation)
        while True:
            sent = dict(headers)
            sent["Authorization"] = "%s %s" % (scheme, base64.b64encode(token).decode("ascii"))
            status, response_headers, data = self._exchange(conn, body, sent, operation)
            server_token = _server_token(response_headers, scheme)
            if status != 401:
                if server_token and not context.complete:
                    self._step(context, server_token, operation)  # mutual authentication, if any
                self._authenticated = status not in (401, 403)
                return status, response_headers, data
            if server_token is None or context.complete:
                return status, response_headers, data
            token = self._step(context, server_token, operation)
            if token is None:
                return status, response_headers, data

    def _auth_context(self, operation):
        if not HAS_SPNEGO:
            raise WsusMissingLibraryError(
                "the Python package pyspnego is required on the controller for Windows authentication: "
                "install it with 'pip install pyspnego' (see the collection's requirements.txt)",
                operation,
            )
        try:
            return spnego.client(
                self.username,
                self._password,
                hostname=self.server,
                service="HTTP",
                protocol=self.auth,
                channel_bindings=self._channel_bindings(),
            )
        except (spnego.exceptions.SpnegoError, ImportError, ValueError) as exc:
            if self.auth == "kerberos":
                raise WsusMissingLibraryError(
                    "Kerberos authentication is not available on the controller (%s): install the system krb5 "
                    "libraries and 'pip install pyspnego[kerberos]', and get a ticket with kinit" % exc,
                    operation,
                ) from None
            raise WsusAuthenticationError(
                "cannot start %s authentication for user %s: %s" % (self.auth, self.username, exc), operation
            ) from None

    def _step(self, context, in_token, operation):
        try:
            return context.step(in_token)
        except spnego.exceptions.SpnegoError as exc:
            raise WsusAuthenticationError(
                "%s authentication with %s failed for user %s (%s): check the user name (DOMAIN\\user), the "
                "password and, for Kerberos, the ticket and the server's SPN HTTP/%s"
                % (self.auth, self.where, self.username, exc.message if hasattr(exc, "message") else exc, self.server),
                operation,
            ) from None

    def _exchange(self, conn, body, headers, operation):
        try:
            conn.request("POST", ENDPOINT_PATH, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except socket.timeout:
            self.close()
            raise WsusTimeoutError(
                "WSUS server %s did not answer %s within %ss: check the server's load, or "
                "raise timeout" % (self.where, operation, self.timeout),
                operation,
            ) from None
        except ssl.SSLError as exc:
            raise WsusTLSError("TLS error talking to %s: %s" % (self.where, exc.reason or exc), operation) from None
        except (http.client.HTTPException, OSError) as exc:
            raise _Retryable(
                WsusConnectionError(
                    "the connection to %s was lost during %s (%s); a read is retried, a write may or may not have "
                    "been applied: run the task again to converge" % (self.where, operation, type(exc).__name__),
                    operation,
                ),
                sent=True,
            ) from None
        if response.will_close:
            self.close()
        return response.status, response.headers, data

    def _check_status(self, status, headers, data, operation):
        if status in (200, 500):
            return status, data
        if status == 401:
            raise WsusAuthenticationError(
                "authentication failed for user %s on %s (HTTP 401): check the user name (DOMAIN\\user) and the "
                "password, and that the server accepts %s" % (self.username, self.where, AUTH_SCHEMES[self.auth]),
                operation,
            )
        if status == 403:
            raise WsusPermissionError(
                "user %s has no WSUS role on server %s (HTTP 403): add the account to the local group WSUS "
                "Administrators (or WSUS Reporters for read-only use)" % (self.username, self.where),
                operation,
            )
        if status == 503:
            raise _Retryable(
                WsusHTTPError(
                    "WSUS server %s is unavailable (HTTP 503) for %s after %d attempts: check the WsusPool "
                    "application pool in IIS" % (self.where, operation, self.retries + 1),
                    status,
                    operation,
                ),
                sent=False,
            )
        if status == 404:
            raise WsusHTTPError(
                "%s answered 404 for %s: check that this is a WSUS server and the port "
                "(8530 for HTTP, 8531 for HTTPS)" % (self.where, ENDPOINT_PATH),
                status,
                operation,
            )
        raise WsusHTTPError(
            "WSUS server %s answered HTTP %d to %s" % (self.where, status, operation), status, operation
        )


def _server_token(headers, scheme):
    for value in headers.get_all("WWW-Authenticate") or ():
        parts = value.strip().split(None, 1)
        if len(parts) == 2 and parts[0].lower() == scheme.lower():
            try:
                return base64.b64decode(parts[1])
            except ValueError:
                return None
    return None


def tls_server_end_point(certificate_der):
    """RFC 5929 tls-server-end-point: the certificate hashed with its signature's hash algorithm,
    SHA-256 when that is MD5 or SHA-1 (or unknown)."""
    certificate = x509.load_der_x509_certificate(certificate_der)
    try:
        algorithm = certificate.signature_hash_algorithm
    except Exception:  # an unsupported signature algorithm, e.g. Ed25519
        algorithm = None
    if algorithm is None or algorithm.name in ("md5", "sha1"):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(certificate_der)
    return digest.finalize()
