# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors raised by the [MS-WSUSAR] client.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

Every message is one line that says what happened and what to check, because modules pass it
straight to ``fail_json(msg=...)``. No message ever contains a password.
"""

from __future__ import annotations


class WsusError(Exception):
    """Base class: anything the client could not do."""

    # True when a write was sent but its answer never came (connection lost, timeout): the server may or
    # may not have applied it. Set by the transport.
    outcome_unknown = False

    def __init__(self, message, operation=None):
        super().__init__(message)
        self.message = message
        self.operation = operation

    def __str__(self):
        return self.message


class WsusMissingLibraryError(WsusError):
    """A Python package the client needs is not installed on the controller."""


class WsusConnectionError(WsusError):
    """The TCP connection could not be made or was lost (refused, reset, DNS failure)."""


class WsusTimeoutError(WsusError):
    """The server did not answer within the configured timeout."""


class WsusDeadlineError(WsusTimeoutError):
    """One call as a whole (connect, authentication, send, receive, retries) took longer than
    request_timeout, for instance because the server trickled its answer."""


class WsusTLSError(WsusError):
    """The TLS handshake failed (certificate did not verify, wrong host name, protocol mismatch)."""


class WsusAuthenticationError(WsusError):
    """HTTP 401: the server rejected the credentials."""


class WsusKerberosError(WsusAuthenticationError):
    """Kerberos could not be used: no ticket could be had for the server's SPN, or the server refused it.
    ``reason``: one of kerberos.REASONS (no_ticket, wrong_password, unknown_spn, clock_skew, kdc_unreachable, ...)
    or ``refused`` (the server answered 401 to a ticket)."""

    def __init__(self, message, operation=None, reason="other"):
        super().__init__(message, operation)
        self.reason = reason


class WsusPermissionError(WsusError):
    """HTTP 403, or a fault saying the user's WSUS role does not allow the call."""


class WsusHTTPError(WsusError):
    """An HTTP status the protocol does not expect (404 wrong path, 503 after retries, ...)."""

    def __init__(self, message, status, operation=None):
        super().__init__(message, operation)
        self.status = status


class WsusProtocolError(WsusError):
    """The answer was not the SOAP message the operation defines."""


class WsusResponseTooLargeError(WsusProtocolError):
    """The answer was larger than max_response_mb (refused before or while reading it)."""


class WsusSoapFault(WsusError):
    """A SOAP 1.1 fault; ``exception_type``/``exception_message`` come from the <Exception> detail."""

    def __init__(
        self, message, operation=None, faultcode=None, faultstring=None, exception_type=None, exception_message=None
    ):
        super().__init__(message, operation)
        self.faultcode = faultcode
        self.faultstring = faultstring
        self.exception_type = exception_type
        self.exception_message = exception_message

    @property
    def short_type(self):
        """``InvalidOperationException`` for ``System.InvalidOperationException``."""
        return (self.exception_type or "").rsplit(".", 1)[-1]
