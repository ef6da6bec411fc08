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

What comes back is bounded (docs/faults.md, "Answers the client refuses"): an answer larger than
max_response_mb is refused before or while it is read; one call as a whole (connect, authentication,
send, receive, retries) ends at request_timeout, however slowly the server trickles; ``timeout`` is the
longest the server may stay silent. Redirects are not followed, and a 200 or 500 answer must be XML.
"""

from __future__ import annotations

import base64
import http.client
import io
import socket
import ssl
import time
import traceback

from . import kerberos, limits
from .errors import (
    WsusAuthenticationError,
    WsusConnectionError,
    WsusDeadlineError,
    WsusError,
    WsusHTTPError,
    WsusKerberosError,
    WsusMissingLibraryError,
    WsusPermissionError,
    WsusProtocolError,
    WsusResponseTooLargeError,
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
# Media types a SOAP answer may carry (SOAP 1.1: text/xml); an answer without Content-Type is parsed.
XML_CONTENT_TYPES = ("text/xml", "application/xml", "application/soap+xml")
REDIRECTS = (301, 302, 303, 307, 308)
_READ_CHUNK = 64 * 1024


class _Retryable(Exception):
    """Internal: a failure that may be retried; ``error`` is what to raise when retries run out."""

    def __init__(self, error, sent):
        super().__init__(str(error))
        self.error = error
        self.sent = sent  # whether the request may have reached the server


class _DeadlineSocket:
    """A connected socket whose every send and receive waits at most min(timeout, what is left of the call's
    deadline): ``timeout`` bounds each silence, and a server that trickles bytes (each within ``timeout``) or
    a status line cannot stretch the call past request_timeout. http.client reads the answer through
    makefile(), which goes through recv_into() here; everything else is the socket's."""

    def __init__(self, sock, transport):
        self._sock = sock
        self._transport = transport

    def _arm(self):
        remaining = self._transport._deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("request_timeout")
        self._sock.settimeout(min(self._transport.timeout, remaining))

    def recv_into(self, buffer, *args):
        self._arm()
        return self._sock.recv_into(buffer, *args)

    def recv(self, size, *args):
        self._arm()
        return self._sock.recv(size, *args)

    def sendall(self, data, *args):
        self._arm()  # sendall's timeout bounds the whole send (Python 3.5+)
        return self._sock.sendall(data, *args)

    def makefile(self, mode="r", buffering=None, **kwargs):
        if mode != "rb":  # http.client only reads the answer through a file
            raise ValueError("unsupported mode %r" % mode)
        self._sock._io_refs += 1  # as socket.makefile: the socket stays open while the file is
        raw = socket.SocketIO(self, "rb")  # type: ignore[arg-type]  # duck-typed: it calls recv_into() here
        return io.BufferedReader(raw, buffering or io.DEFAULT_BUFFER_SIZE)

    def _decref_socketios(self):
        self._sock._decref_socketios()

    def __getattr__(self, name):
        return getattr(self._sock, name)


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
        spn_host=None,
        timeout=60,
        request_timeout=limits.DEFAULT_REQUEST_TIMEOUT,
        max_response_mb=limits.DEFAULT_MAX_RESPONSE_MB,
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
        self.spn_host = spn_host or server  # Kerberos asks the KDC for a ticket to HTTP/<spn_host>
        # ntlm or kerberos: the mechanism of the last logon (its attempt, until it succeeds)
        self.mechanism = None
        self._kerberos_left_out = None  # negotiate: pyspnego's words for why it did not offer Kerberos
        self.timeout = timeout  # the longest silence: per connect, per read
        self.request_timeout = request_timeout  # one call in all
        self.max_response_mb = max_response_mb
        self.max_response_bytes = int(max_response_mb * limits.MIB)
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._conn = None
        self._deadline = float("inf")  # time.monotonic() by which the current call must end
        self._authenticated = False
        self._phase = "connecting"
        self.connections_opened = 0
        # True once a connection authenticated with NTLM over plain HTTP (the module warns once per task).
        self.ntlm_over_http = False
        self.last_content_type = None  # of the last 200 or 500 answer

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
        """Send one SOAP request; returns (status, body) for HTTP 200, or 500 carrying a SOAP fault.

        The whole call, retries included, ends within ``request_timeout`` (WsusDeadlineError)."""
        self._deadline = time.monotonic() + self.request_timeout
        try:
            return self._attempts(operation, body, soap_action, write)
        finally:
            self._deadline = float("inf")

    def _attempts(self, operation, body, soap_action, write):
        attempt = 0
        while True:
            try:
                return self._post_once(operation, body, soap_action)
            except WsusDeadlineError as error:  # a write may have been applied unless it was still connecting
                error.outcome_unknown = write and self._phase != "connecting"
                raise
            except (WsusTimeoutError, WsusProtocolError) as error:
                # sent, and no (readable) answer: a write may have been applied
                error.outcome_unknown = write
                raise
            except _Retryable as failure:
                self.close()
                if attempt >= self.retries or (write and failure.sent):
                    failure.error.outcome_unknown = write and failure.sent
                    raise failure.error from None
                attempt += 1
                wait = min(self.backoff * (2 ** (attempt - 1)), 8.0)
                if self._deadline - time.monotonic() <= wait:  # (a write that may have arrived never gets here)
                    self._phase = "about to try again (attempt %d)" % (attempt + 1)
                    raise self._deadline_error(operation, False, failure.error) from None
                self._sleep(wait)

    def _deadline_error(self, operation, write, last_failure=None):
        self.close()
        error = WsusDeadlineError(
            "WSUS server %s did not complete %s within %ss (request_timeout, the most one call may take: "
            "connecting, authenticating, sending and receiving the whole answer); when it gave up the client "
            "was %s%s: check the server's load and the network, or raise request_timeout"
            % (
                self.where,
                operation,
                self.request_timeout,
                self._phase,
                "; the last attempt failed: %s" % last_failure if last_failure is not None else "",
            ),
            operation,
        )
        error.outcome_unknown = write
        return error

    # ------------------------------------------------------------------ connection

    def _connection(self, operation):
        if self._conn is not None:
            return self._conn
        conn = self._new_connection()
        # connecting (and the TLS handshake, which Python bounds as a whole) may not outlast the deadline
        self._phase = "connecting"
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise self._deadline_error(operation, False)
        conn.timeout = min(self.timeout, remaining)
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
            if self._deadline_passed():
                raise self._deadline_error(operation, False) from None
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
        if conn.sock is not None:  # (not with the unit tests' fake connections)
            conn.sock = self._guard(conn.sock)
        self._conn = conn
        self._authenticated = False
        self.connections_opened += 1
        return conn

    def _guard(self, sock):
        """``sock`` with every send and receive bounded by the idle timeout and the call's deadline."""
        return _DeadlineSocket(sock, self)

    def _deadline_passed(self):
        return time.monotonic() >= self._deadline - 0.01

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
        with kerberos.NegotiateLog() as negotiate_log:  # why pyspnego's Negotiate leaves Kerberos out, if it does
            token = self._step(context, None, operation)
        self._kerberos_left_out = negotiate_log.reason
        while True:
            sent = dict(headers)
            sent["Authorization"] = "%s %s" % (scheme, base64.b64encode(token).decode("ascii"))
            status, response_headers, data = self._exchange(conn, body, sent, operation)
            self._note_ntlm_over_http(context)
            self.mechanism = _mechanism(context, self.auth)
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

    def _note_ntlm_over_http(self, context):
        """Remember that NTLM messages crossed plain HTTP (a relayable, offline-crackable exchange): the module
        turns it into one warning per task. Kerberos, also through Negotiate, is not flagged."""
        if not self.use_ssl and not self.ntlm_over_http:
            self.ntlm_over_http = _mechanism(context, self.auth) == "ntlm"

    def _auth_context(self, operation):
        if not HAS_SPNEGO:
            raise WsusMissingLibraryError(
                "the Python package pyspnego is required on the controller for Windows authentication: "
                "install it with 'pip install pyspnego' (see the collection's requirements.txt)",
                operation,
            )
        if self.auth == "kerberos":
            if not kerberos.available():
                raise WsusMissingLibraryError(
                    "Kerberos authentication is not available on the controller (pyspnego needs the Python packages "
                    "gssapi and krb5): install the system krb5 libraries and 'pip install pyspnego[kerberos]' "
                    "(docs/kerberos.md)",
                    operation,
                )
            if kerberos.is_ntlm_name(self.username):
                raise self._kerberos_failure("ntlm_name", "", operation)
        try:
            # auth=kerberos: pyspnego's GSSAPI context, Kerberos only (a bare Kerberos token in the Negotiate
            # header), so that a failed ticket never falls back to NTLM. negotiate: SPNEGO, Kerberos when a ticket
            # can be had (from the cache, or from username and password), else NTLM.
            return spnego.client(
                self.username,
                self._password,
                hostname=self.spn_host,
                service="HTTP",
                protocol=self.auth,
                channel_bindings=self._channel_bindings(),
            )
        except (spnego.exceptions.SpnegoError, ImportError, ValueError) as exc:
            if self.auth == "kerberos":
                raise self._kerberos_error(exc, operation) from None
            raise WsusAuthenticationError(
                "cannot start %s authentication for user %s: %s" % (self.auth, self.username, exc), operation
            ) from None
        except Exception as exc:  # krb5.Krb5Error: getting a ticket with the password failed
            if self.auth == "kerberos" and hasattr(exc, "err_code"):
                raise self._kerberos_error(exc, operation) from None
            raise

    def _step(self, context, in_token, operation):
        try:
            return context.step(in_token)
        except (spnego.exceptions.SpnegoError, AttributeError) as exc:
            # AttributeError: pyspnego reading the flags of a Kerberos context that gssapi refused
            if self.auth == "kerberos" or _mechanism(context, self.auth) == "kerberos":
                raise self._kerberos_error(exc, operation) from None
            raise WsusAuthenticationError(
                "%s authentication with %s failed for user %s (%s): check the user name (DOMAIN\\user), the "
                "password and, for Kerberos, the ticket and the server's SPN HTTP/%s"
                % (
                    self.auth,
                    self.where,
                    self.username,
                    exc.message if hasattr(exc, "message") else exc,
                    self.spn_host,
                ),
                operation,
            ) from None

    def _kerberos_error(self, exc, operation):
        reason, detail = kerberos.classify(exc)
        return self._kerberos_failure(reason, detail, operation)

    def _kerberos_failure(self, reason, detail, operation):
        return WsusKerberosError(
            "Kerberos authentication to %s failed: %s"
            % (self.where, kerberos.explain(reason, detail, self.username, "HTTP/%s" % self.spn_host)),
            operation,
            reason,
        )

    def _unauthorized(self, operation):
        """The error for a 401 that ends a logon: for Kerberos, what makes a server refuse a ticket; for NTLM
        under negotiate, why Kerberos was not used."""
        if self.mechanism == "kerberos":
            spn = "HTTP/%s" % self.spn_host
            return WsusKerberosError(
                "%s refused the Kerberos ticket of %s for %s (HTTP 401): the SPN may be registered on another "
                "account than the one that runs the WSUS site (setspn -Q %s; duplicates: setspn -X), the account's "
                "keys may have changed since the ticket was issued (kdestroy, then kinit), or Extended Protection "
                "refused the channel binding (a TLS-terminating proxy in between)"
                % (self.where, self.username or "the ticket cache's principal", spn, spn),
                operation,
                "refused",
            )
        message = (
            "authentication failed for user %s on %s (HTTP 401): check the user name (DOMAIN\\user) and the "
            "password, and that the server accepts %s" % (self.username, self.where, AUTH_SCHEMES[self.auth])
        )
        if self.auth == "negotiate" and self.mechanism == "ntlm":
            message += "; NTLM was used because Kerberos was not: %s" % self._why_not_kerberos()
        return WsusAuthenticationError(message, operation)

    def _why_not_kerberos(self):
        """From what pyspnego said while it left Kerberos out (no second attempt: with a password, that would be
        one more failed logon towards the account's lockout)."""
        if not kerberos.available():
            return "the controller lacks the Python packages gssapi and krb5 (pip install 'pyspnego[kerberos]')"
        if kerberos.is_ntlm_name(self.username):
            return kerberos.explain("ntlm_name", "", self.username)
        if self._kerberos_left_out:
            reason, detail = kerberos.classify_text(self._kerberos_left_out)
            return kerberos.explain(reason, detail, self.username, "HTTP/%s" % self.spn_host)
        return "pyspnego did not offer it (run with a ticket and auth: kerberos to see why)"

    def _exchange(self, conn, body, headers, operation):
        try:
            self._phase = "sending the request"
            conn.request("POST", ENDPOINT_PATH, body=body, headers=headers)
            self._phase = "waiting for the answer"
            response = conn.getresponse()
            data = self._read_body(response, operation)
        except socket.timeout:
            self.close()
            if self._deadline_passed():
                raise self._deadline_error(operation, False) from None
            raise WsusTimeoutError(
                "WSUS server %s did not answer %s within %ss (timeout, the longest the server may stay silent): "
                "check the server's load, or raise timeout" % (self.where, operation, self.timeout),
                operation,
            ) from None
        except WsusError:
            self.close()  # an answer refused half-read: the connection cannot carry another request
            raise
        except ssl.SSLError as exc:
            raise WsusTLSError("TLS error talking to %s: %s" % (self.where, exc.reason or exc), operation) from None
        except http.client.IncompleteRead:  # a chunked answer that stops in the middle
            self.close()
            raise WsusProtocolError(
                "WSUS server %s ended its answer to %s early (truncated: the connection closed in the middle of a "
                "chunk); %s" % (self.where, operation, limits.CHECK_SERVER),
                operation,
            ) from None
        except (http.client.LineTooLong, http.client.UnknownProtocol) as exc:
            self.close()
            raise WsusProtocolError(
                "WSUS server %s answered %s with something that is not HTTP (%s); %s"
                % (self.where, operation, type(exc).__name__, limits.CHECK_SERVER),
                operation,
            ) from None
        except http.client.RemoteDisconnected as exc:  # closed before answering (a keep-alive timeout, a crash)
            raise self._lost(operation, exc) from None
        except http.client.BadStatusLine as exc:  # a first line that is not HTTP's
            self.close()
            raise WsusProtocolError(
                "WSUS server %s answered %s with something that is not HTTP (its first line: %s); %s"
                % (
                    self.where,
                    operation,
                    limits.first_bytes(str(exc.args[0] if exc.args else "").encode("utf-8", "replace")),
                    limits.CHECK_SERVER,
                ),
                operation,
            ) from None
        except (http.client.HTTPException, OSError) as exc:
            raise self._lost(operation, exc) from None
        if response.will_close:
            self.close()
        return response.status, response.headers, data

    def _lost(self, operation, exc):
        return _Retryable(
            WsusConnectionError(
                "the connection to %s was lost during %s (%s); a read is retried, a write may or may not have "
                "been applied: run the task again to converge" % (self.where, operation, type(exc).__name__),
                operation,
            ),
            sent=True,
        )

    def _read_body(self, response, operation):
        """The whole body, refused (WsusResponseTooLargeError) past max_response_bytes: at once when
        Content-Length announces more, else as soon as the chunks read add up to more. Reads at most
        one recv() at a time, so the deadline and the idle timeout both apply between pieces."""
        limit = self.max_response_bytes
        announced = response.length  # None: chunked, or delimited by the connection's close
        if announced is not None and announced > limit:
            raise self._too_large(operation, "its Content-Length announces %s" % limits.size_text(announced))
        self._phase = "receiving the answer (0 bytes so far)"
        buffer = io.BytesIO()
        size = 0
        while True:
            chunk = response.read1(_READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise self._too_large(operation, "the answer went on past %s" % limits.size_text(limit))
            buffer.write(chunk)
            self._phase = "receiving the answer (%d bytes so far)" % size
        if announced is not None and response.length:  # EOF before Content-Length was reached
            raise WsusProtocolError(
                "WSUS server %s ended its answer to %s early (truncated: %d of the %d bytes its Content-Length "
                "announced arrived, %s); %s"
                % (self.where, operation, size, announced, limits.describe(buffer.getvalue()), limits.CHECK_SERVER),
                operation,
            )
        if not response.isclosed():
            response.read()  # nothing left to read: marks the response done, so the connection can send again
        return buffer.getvalue()

    def _too_large(self, operation, how):
        return WsusResponseTooLargeError(
            "WSUS server %s answered %s with more than max_response_mb allows (%s MiB; %s): ops.wsus stopped "
            "reading, as the largest real answer (the full category list) is about 2 MB; %s, or raise "
            "max_response_mb if this server's answers really are that large"
            % (self.where, operation, self.max_response_mb, how, limits.CHECK_SERVER),
            operation,
        )

    def _check_status(self, status, headers, data, operation):
        if status in (200, 500):
            self._check_content_type(status, headers, data, operation)
            return status, data
        if status in REDIRECTS:
            location = _printable(headers.get("Location") or "nowhere (no Location header)")[:200]
            raise WsusHTTPError(
                "WSUS server %s answered %s with a redirect (HTTP %d) to %s: ops.wsus does not follow redirects, "
                "which would send the request and the credentials to another address; if it points at https, set "
                "use_ssl: true (port 8531), else check server and port" % (self.where, operation, status, location),
                status,
                operation,
            )
        if status == 401:
            raise self._unauthorized(operation)
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
            "WSUS server %s answered HTTP %d to %s (%s)" % (self.where, status, operation, limits.describe(data)),
            status,
            operation,
        )

    def _check_content_type(self, status, headers, data, operation):
        """A SOAP answer is XML: refuse an HTML page, JSON, ... before parsing it (no Content-Type: parse)."""
        content_type = headers.get("Content-Type")
        self.last_content_type = _printable(content_type)[:80] if content_type else None  # for the decoder's errors
        if content_type is None:
            return
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type in XML_CONTENT_TYPES:
            return
        raise WsusProtocolError(
            "WSUS server %s answered %s with HTTP %d and Content-Type %s, not the text/xml of a SOAP answer: %s; %s"
            % (
                self.where,
                operation,
                status,
                _printable(content_type)[:80],
                limits.describe(data),
                limits.CHECK_SERVER,
            ),
            operation,
        )


def _printable(text):
    """``text`` with control characters replaced, for a one-line message."""
    return "".join(char if char.isprintable() else "?" for char in str(text))


def _mechanism(context, auth):
    """ntlm or kerberos: what a pyspnego context negotiated (or is trying), else what ``auth`` implies."""
    try:
        mechanism = getattr(context, "negotiated_protocol", None)
    except Exception:  # a SPNEGO context that has not chosen yet
        mechanism = None
    if isinstance(mechanism, str) and mechanism.lower() in ("ntlm", "kerberos"):
        return mechanism.lower()
    return auth if auth in ("ntlm", "kerberos") else None


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
