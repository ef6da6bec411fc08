"""The transport without a network: a scripted fake HTTP connection and a fake NTLM context.

Covers what the emulator suites only reach through subprocesses: re-authentication on a new connection
(once), the bounded retries with backoff on 503 and lost connections, and the rule that a write is never
re-sent once it may have reached the server (the error then says ``outcome_unknown``).
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import time
import tracemalloc

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._wsusar import transport as transport_module
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import (
    WsusAuthenticationError,
    WsusConnectionError,
    WsusDeadlineError,
    WsusHTTPError,
    WsusPermissionError,
    WsusProtocolError,
    WsusResponseTooLargeError,
    WsusTimeoutError,
    WsusTLSError,
)
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import ENDPOINT_PATH, soap_action
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.transport import Transport

from largest_answer import largest_category_answer

READ = "GetSubscription"
WRITE = "SetSubscription"
BODY = b"<soap:Envelope>request</soap:Envelope>"
OK_BODY = b"<soap:Envelope>answer</soap:Envelope>"
NEGOTIATE, CHALLENGE, AUTHENTICATE = b"ntlm-negotiate", b"ntlm-challenge", b"ntlm-authenticate"

# Script events. A request event answers the next request; a connect event fails the next connect().
REFUSE = "refuse"  # connect(): ECONNREFUSED, nothing reached the server
CONNECT_TIMEOUT = "connect-timeout"  # connect(): socket.timeout
BAD_CERTIFICATE = "bad-certificate"  # connect(): the TLS certificate did not verify
UNKNOWN_HOST = "unknown-host"  # connect(): DNS failure
CONNECT_EVENTS = (REFUSE, CONNECT_TIMEOUT, BAD_CERTIFICATE, UNKNOWN_HOST)
DROP = "drop"  # the request was sent, then the server closed without an answer
RESET = "reset"  # the request was sent, then the connection was reset (an OSError)
TIMEOUT = "timeout"  # the request was sent, no answer in time


def answer(status, body=b"", challenge=None, bare_scheme=False, will_close=False, headers=None, length=-1):
    """One HTTP answer; ``challenge`` is a server NTLM token, ``bare_scheme`` a token-less 'NTLM' header.

    ``body``: bytes, or an iterable of chunks (a stream, read lazily); ``length``: the Content-Length
    (default: the body's length, or None for a stream: chunked); ``headers``: more headers."""
    return {
        "status": status,
        "body": body,
        "challenge": challenge,
        "bare": bare_scheme,
        "will_close": will_close,
        "headers": headers or {},
        "length": length,
    }


OK = answer(200, OK_BODY)
CHALLENGED = answer(401, challenge=CHALLENGE)  # the first leg of an NTLM handshake
DENIED = answer(401, bare_scheme=True)  # what IIS sends when it rejects the credentials
UNAVAILABLE = answer(503)


def handshake(final=OK):
    """The two requests that authenticate a new connection: negotiate -> challenge, authenticate -> final."""
    return [CHALLENGED, final]


class FakeResponse:
    def __init__(self, event):
        self.status = event["status"]
        self.will_close = event["will_close"]
        self.headers = http.client.HTTPMessage()
        if event["challenge"] is not None:
            self.headers["WWW-Authenticate"] = "NTLM " + base64.b64encode(event["challenge"]).decode("ascii")
        elif event["bare"]:
            self.headers["WWW-Authenticate"] = "NTLM"
        for name, value in event["headers"].items():
            self.headers[name] = value
        body = event["body"]
        streamed = not isinstance(body, bytes)
        self._chunks = iter(body) if streamed else iter([body])
        self._pending = b""
        # http.client: Content-Length, counting down as the body is read; None when chunked
        self.length = event["length"] if event["length"] != -1 else (None if streamed else len(body))
        self.read1_calls = 0

    def read1(self, amount):
        """At most ``amount`` bytes, like http.client's read1 (one recv)."""
        self.read1_calls += 1
        while not self._pending:
            self._pending = next(self._chunks, None)
            if self._pending is None:
                self._pending = b""
                return b""
        data, self._pending = self._pending[:amount], self._pending[amount:]
        if self.length is not None:
            self.length -= len(data)
        return data

    def isclosed(self):
        return self._pending == b"" and self.length in (0, None)

    def read(self):
        """What the transport calls once read1 found the end: http.client then releases the connection."""
        assert self.length in (0, None), "read() before the body was read: it would block on a real socket"
        return b""


class FakeConnection:
    """Stands in for http.client.HTTPConnection; every event comes from the server's script."""

    def __init__(self, server, number):
        self.server = server
        self.number = number
        self.sock = None
        self.connected = False
        self.closed = False
        self._pending = None

    def connect(self):
        self.server.connect_attempts += 1
        head = self.server.script[0] if self.server.script else None
        if head in CONNECT_EVENTS:
            self.server.script.pop(0)
            if head == REFUSE:
                raise ConnectionRefusedError(111, "Connection refused")
            if head == CONNECT_TIMEOUT:
                raise socket.timeout("timed out")
            if head == UNKNOWN_HOST:
                raise socket.gaierror(-2, "Name or service not known")
            error = ssl.SSLCertVerificationError(1, "certificate verify failed")
            error.verify_message, error.reason = "self-signed certificate", "CERTIFICATE_VERIFY_FAILED"
            raise error
        self.connected = True

    def request(self, method, url, body=None, headers=None):
        assert self.connected and not self.closed, "request on a connection that is not open"
        assert (method, url) == ("POST", ENDPOINT_PATH)
        if not self.server.script:
            raise AssertionError("unexpected request #%d: the script is used up" % (len(self.server.requests) + 1))
        event = self.server.script.pop(0)
        assert event not in CONNECT_EVENTS, "the script expected a connect, the transport sent a request"
        self.server.requests.append(
            {
                "connection": self.number,
                "body": body,
                "headers": dict(headers),
                "operation": headers["SOAPAction"].strip('"').rsplit("/", 1)[-1],
            }
        )
        self._pending = event

    def getresponse(self):
        event, self._pending = self._pending, None
        if event == DROP:
            raise http.client.RemoteDisconnected("Remote end closed connection without response")
        if event == RESET:
            raise ConnectionResetError(104, "Connection reset by peer")
        if event == TIMEOUT:
            raise socket.timeout("timed out")
        return FakeResponse(event)

    def close(self):
        self.closed = True


class FakeServer:
    """A script of events, and what reached it: every connection and every request."""

    def __init__(self, *script):
        self.script = []
        for event in script:
            self.script.extend(event if isinstance(event, list) else [event])
        self.connections = []
        self.connect_attempts = 0
        self.requests = []

    def new_connection(self):
        connection = FakeConnection(self, len(self.connections))
        self.connections.append(connection)
        return connection

    def operations(self):
        return [request["operation"] for request in self.requests]

    def authorizations(self):
        """Per request: the NTLM token it carried (decoded), or None."""
        tokens = []
        for request in self.requests:
            header = request["headers"].get("Authorization")
            tokens.append(base64.b64decode(header.split(" ", 1)[1]) if header else None)
        return tokens


class FakeContext:
    """A two-leg NTLM client context: negotiate, then authenticate after the server's challenge."""

    def __init__(self):
        self.complete = False
        self.steps = []

    def step(self, token):
        self.steps.append(token)
        if token is None:
            return NEGOTIATE
        assert token == CHALLENGE, token
        self.complete = True
        return AUTHENTICATE


@pytest.fixture
def contexts(monkeypatch):
    """Every auth context the transport creates (spnego.client is replaced: no real NTLM)."""
    created = []

    def client(username, password, hostname=None, service=None, protocol=None, channel_bindings=None):
        assert (username, password, hostname, service, protocol) == (
            "WSUS\\admin",
            "Passw0rd!",
            "wsus.example",
            "HTTP",
            "ntlm",
        )
        context = FakeContext()
        created.append(context)
        return context

    monkeypatch.setattr(transport_module.spnego, "client", client)
    return created


@pytest.fixture(autouse=True)
def no_real_connections(monkeypatch):
    """A test that slips past the fake must fail, never touch the network."""

    def refuse(*args, **kwargs):
        raise AssertionError("a real http.client connection was created")

    monkeypatch.setattr(transport_module.http.client, "HTTPConnection", refuse)
    monkeypatch.setattr(transport_module.http.client, "HTTPSConnection", refuse)


def make(server, retries=3, backoff=0.5, use_ssl=False):
    """A Transport on ``server``; returns it and the list of backoff sleeps it asked for."""
    sleeps = []
    transport = Transport(
        "wsus.example",
        username="WSUS\\admin",
        password="Passw0rd!",
        auth="ntlm",
        retries=retries,
        backoff=backoff,
        use_ssl=use_ssl,
        sleep=sleeps.append,
    )
    transport._new_connection = server.new_connection
    return transport, sleeps


def read(transport):
    return transport.post(READ, BODY, soap_action(READ), write=False)


def write(transport):
    return transport.post(WRITE, BODY, soap_action(WRITE), write=True)


# ----------------------------------------------------------------------------- happy path, keep-alive


def test_authenticates_a_connection_once_then_sends_without_authorization(contexts):
    server = FakeServer(handshake(), OK)
    transport, sleeps = make(server)
    assert read(transport) == (200, OK_BODY)
    assert write(transport) == (200, OK_BODY)
    assert server.authorizations() == [NEGOTIATE, AUTHENTICATE, None]
    assert [request["connection"] for request in server.requests] == [0, 0, 0]
    assert server.operations() == [READ, READ, WRITE]
    assert all(request["body"] == BODY for request in server.requests)
    assert server.requests[2]["headers"]["SOAPAction"] == soap_action(WRITE)
    assert transport.connections_opened == 1 and len(contexts) == 1 and sleeps == []
    assert contexts[0].steps == [None, CHALLENGE]


def test_a_soap_fault_answer_is_returned_not_raised(contexts):
    server = FakeServer(handshake(answer(500, b"<soap:Fault/>")))
    transport, dummy = make(server)
    assert read(transport) == (500, b"<soap:Fault/>")
    assert len(server.requests) == 2


def test_a_connection_the_server_closes_is_reopened_and_authenticated_again(contexts):
    server = FakeServer(handshake(answer(200, OK_BODY, will_close=True)), handshake())
    transport, sleeps = make(server)
    read(transport)
    read(transport)
    assert server.connections[0].closed
    assert [request["connection"] for request in server.requests] == [0, 0, 1, 1]
    assert server.authorizations() == [NEGOTIATE, AUTHENTICATE, NEGOTIATE, AUTHENTICATE]
    assert transport.connections_opened == 2 and sleeps == []


# ----------------------------------------------------------------------------- 401


def test_401_on_an_authenticated_connection_reauthenticates_once_on_a_new_connection(contexts):
    # e.g. the server restarted and forgot the connection: the request is sent again, authenticated
    server = FakeServer(handshake(), DENIED, handshake())
    transport, sleeps = make(server)
    read(transport)
    assert write(transport) == (200, OK_BODY)
    assert server.operations() == [READ, READ, WRITE, WRITE, WRITE]
    assert server.authorizations() == [NEGOTIATE, AUTHENTICATE, None, NEGOTIATE, AUTHENTICATE]
    assert [request["connection"] for request in server.requests] == [0, 0, 0, 1, 1]
    assert server.connections[0].closed and not server.connections[1].closed
    assert len(contexts) == 2 and sleeps == []


def test_401_loop_gives_up_after_one_reauthentication_with_an_authentication_error(contexts):
    server = FakeServer(handshake(), DENIED, handshake(DENIED), handshake(DENIED), handshake(DENIED))
    transport, sleeps = make(server)
    read(transport)
    with pytest.raises(WsusAuthenticationError) as caught:
        read(transport)
    assert "HTTP 401" in str(caught.value) and "WSUS\\admin" in str(caught.value)
    assert caught.value.operation == READ and caught.value.outcome_unknown is False
    # the failing call: 1 request on the old connection + one handshake on one new connection, no more
    assert len(server.requests) == 2 + 1 + 2
    assert transport.connections_opened == 2 and len(contexts) == 2
    assert len(server.script) == 4, "the remaining handshakes must not be used"
    assert sleeps == [], "an authentication failure is not retried"


def test_a_server_that_always_challenges_ends_after_one_handshake(contexts):
    server = FakeServer(*[CHALLENGED] * 10)
    transport, sleeps = make(server)
    with pytest.raises(WsusAuthenticationError):
        write(transport)
    assert server.authorizations() == [NEGOTIATE, AUTHENTICATE]
    assert transport.connections_opened == 1 and sleeps == []


def test_rejected_credentials_on_a_new_connection_are_not_retried(contexts):
    server = FakeServer(handshake(DENIED), handshake())
    transport, sleeps = make(server)
    with pytest.raises(WsusAuthenticationError) as caught:
        write(transport)
    assert caught.value.outcome_unknown is False
    assert len(server.requests) == 2 and transport.connections_opened == 1 and sleeps == []


def test_403_is_a_permission_error_and_not_retried(contexts):
    server = FakeServer(handshake(answer(403)), handshake())
    transport, sleeps = make(server)
    with pytest.raises(WsusPermissionError) as caught:
        read(transport)
    assert "WSUS Administrators" in str(caught.value)
    assert len(server.requests) == 2 and sleeps == []


# ----------------------------------------------------------------------------- 503


def test_503_then_200_on_a_read_is_retried_with_backoff(contexts):
    server = FakeServer(handshake(UNAVAILABLE), handshake())
    transport, sleeps = make(server)
    assert read(transport) == (200, OK_BODY)
    assert sleeps == [0.5]
    assert server.operations() == [READ] * 4
    assert [request["connection"] for request in server.requests] == [0, 0, 1, 1]
    assert server.connections[0].closed, "a failed attempt closes its connection"


def test_503_on_a_write_is_retried_because_iis_answers_before_the_application(contexts):
    server = FakeServer(handshake(UNAVAILABLE), handshake(UNAVAILABLE), handshake())
    transport, sleeps = make(server)
    assert write(transport) == (200, OK_BODY)
    assert server.operations() == [WRITE] * 6
    assert sleeps == [0.5, 1.0]


def test_503_until_the_retries_run_out_is_an_http_error_after_retries_plus_one_attempts(contexts):
    server = FakeServer(*[handshake(UNAVAILABLE)] * 5)
    transport, sleeps = make(server, retries=3, backoff=0.5)
    with pytest.raises(WsusHTTPError) as caught:
        write(transport)
    assert caught.value.status == 503 and "after 4 attempts" in str(caught.value)
    assert caught.value.outcome_unknown is False, "a 503 never reached the application"
    assert len(server.requests) == 4 * 2 and transport.connections_opened == 4
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(server.script) == 2, "one handshake left over: no fifth attempt"


def test_backoff_doubles_and_is_capped_at_eight_seconds(contexts):
    server = FakeServer(*[handshake(UNAVAILABLE)] * 6, handshake())
    transport, sleeps = make(server, retries=6, backoff=1.0)
    assert read(transport) == (200, OK_BODY)
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_no_retries_means_one_attempt(contexts):
    server = FakeServer(handshake(UNAVAILABLE), handshake())
    transport, sleeps = make(server, retries=0)
    with pytest.raises(WsusHTTPError):
        read(transport)
    assert len(server.requests) == 2 and sleeps == []


# ----------------------------------------------------------------------------- lost connections


def test_a_dropped_connection_on_a_read_is_retried_on_a_new_connection(contexts):
    server = FakeServer(handshake(), DROP, handshake())
    transport, sleeps = make(server)
    read(transport)
    assert read(transport) == (200, OK_BODY)
    assert server.operations() == [READ] * 5
    assert [request["connection"] for request in server.requests] == [0, 0, 0, 1, 1]
    assert server.connections[0].closed and sleeps == [0.5]


def test_a_dropped_connection_after_a_write_was_sent_is_outcome_unknown_and_not_retried(contexts):
    server = FakeServer(handshake(), DROP, handshake())
    transport, sleeps = make(server)
    read(transport)
    with pytest.raises(WsusConnectionError) as caught:
        write(transport)
    assert caught.value.outcome_unknown is True
    assert caught.value.operation == WRITE
    assert "was lost during %s" % WRITE in str(caught.value) and "may or may not" in str(caught.value)
    assert server.operations() == [READ, READ, WRITE], "the write was sent exactly once"
    assert sleeps == [] and len(server.script) == 2
    assert server.connections[0].closed


def test_a_write_dropped_during_its_handshake_is_outcome_unknown(contexts):
    # the body goes with every leg of the handshake: even the first request may have reached WSUS
    server = FakeServer(RESET, handshake())
    transport, sleeps = make(server)
    with pytest.raises(WsusConnectionError) as caught:
        write(transport)
    assert caught.value.outcome_unknown is True and len(server.requests) == 1 and sleeps == []


def test_dropped_reads_until_the_retries_run_out_are_a_connection_error(contexts):
    server = FakeServer(DROP, RESET, DROP, handshake())
    transport, sleeps = make(server, retries=2)
    with pytest.raises(WsusConnectionError) as caught:
        read(transport)
    assert caught.value.outcome_unknown is False, "a read has no unknown outcome"
    assert len(server.requests) == 3 and sleeps == [0.5, 1.0] and len(server.script) == 2


def test_connection_refused_on_a_write_is_retried_because_nothing_reached_the_server(contexts):
    server = FakeServer(REFUSE, REFUSE, handshake())
    transport, sleeps = make(server)
    assert write(transport) == (200, OK_BODY)
    assert server.connect_attempts == 3 and transport.connections_opened == 1
    assert server.operations() == [WRITE, WRITE]
    assert sleeps == [0.5, 1.0]


def test_connection_refused_until_the_retries_run_out(contexts):
    server = FakeServer(*[REFUSE] * 4)
    transport, sleeps = make(server, retries=3)
    with pytest.raises(WsusConnectionError) as caught:
        write(transport)
    assert caught.value.outcome_unknown is False, "nothing reached the server"
    assert "cannot connect to wsus.example:8530" in str(caught.value)
    assert server.connect_attempts == 4 and server.requests == [] and sleeps == [0.5, 1.0, 2.0]


def test_a_connect_timeout_on_a_write_is_retried(contexts):
    server = FakeServer(CONNECT_TIMEOUT, handshake())
    transport, sleeps = make(server)
    assert write(transport) == (200, OK_BODY)
    assert server.connect_attempts == 2 and sleeps == [0.5]


def test_an_unknown_host_is_not_retried(contexts):
    server = FakeServer(UNKNOWN_HOST, handshake())
    transport, sleeps = make(server)
    with pytest.raises(WsusConnectionError) as caught:
        read(transport)
    assert "cannot resolve" in str(caught.value)
    assert server.connect_attempts == 1 and sleeps == []


def test_a_certificate_that_does_not_verify_is_a_tls_error_and_not_retried(contexts):
    server = FakeServer(BAD_CERTIFICATE, handshake())
    transport, sleeps = make(server, use_ssl=True)
    with pytest.raises(WsusTLSError) as caught:
        read(transport)
    assert "self-signed certificate" in str(caught.value) and "wsus.example:8531" in str(caught.value)
    assert server.connect_attempts == 1 and sleeps == []


# ----------------------------------------------------------------------------- timeouts


def test_a_timeout_on_a_read_is_not_retried(contexts):
    server = FakeServer(handshake(), TIMEOUT, handshake())
    transport, sleeps = make(server, retries=3)
    read(transport)
    with pytest.raises(WsusTimeoutError) as caught:
        read(transport)
    assert caught.value.outcome_unknown is False
    assert "did not answer %s within 60s" % READ in str(caught.value)
    assert len(server.requests) == 3 and sleeps == [] and len(server.script) == 2
    assert server.connections[0].closed, "a timed-out connection is not reused"


def test_a_timeout_on_a_write_is_outcome_unknown_and_not_retried(contexts):
    server = FakeServer(handshake(), TIMEOUT, handshake())
    transport, sleeps = make(server)
    read(transport)
    with pytest.raises(WsusTimeoutError) as caught:
        write(transport)
    assert caught.value.outcome_unknown is True
    assert server.operations() == [READ, READ, WRITE] and sleeps == []


# ----------------------------------------------------------------------------- bounded answers


MIB = 1024 * 1024


def endless():
    """What a 2 GiB answer looks like to the transport: produced lazily, so only what is read exists."""
    return (b"A" * MIB for dummy in range(2048))


def test_an_answer_announcing_more_than_max_response_mb_is_refused_unread(contexts):
    server = FakeServer(handshake(answer(200, endless(), length=2048 * MIB)), handshake())
    transport, sleeps = make(server)
    with pytest.raises(WsusResponseTooLargeError) as caught:
        write(transport)
    message = str(caught.value)
    assert "answered %s with more than max_response_mb allows (64 MiB" % WRITE in message
    assert "Content-Length announces 2048 MiB" in message and "raise max_response_mb" in message
    assert isinstance(caught.value, WsusProtocolError) and caught.value.operation == WRITE
    assert caught.value.outcome_unknown is True, "the write reached the server"
    assert server.connections[0].closed and sleeps == [] and len(server.requests) == 2, "not retried"


def test_a_chunked_answer_is_refused_once_it_passes_the_limit_and_memory_stays_bounded(contexts):
    server = FakeServer(handshake(answer(200, endless())))  # no Content-Length: chunked
    transport, sleeps = make(server)
    transport.max_response_bytes = 4 * MIB
    tracemalloc.start()
    try:
        with pytest.raises(WsusResponseTooLargeError) as caught:
            read(transport)
        dummy, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "went on past 4096 KiB" in str(caught.value)
    # what was read (4 MiB) and the chunk in hand, never the 2 GiB: the buffer grows by doubling at most
    assert peak < 3 * 4 * MIB, peak
    assert caught.value.outcome_unknown is False and server.connections[0].closed


def test_an_answer_of_exactly_the_limit_is_accepted_and_read_in_pieces(contexts):
    body = b"<x>" + b"y" * (MIB - 7) + b"</x>"
    response = answer(200, [body[:1000], body[1000:]])  # chunked, as http.client hands it over
    server = FakeServer(handshake(response))
    transport, dummy = make(server)
    transport.max_response_bytes = MIB
    assert read(transport) == (200, body)


def test_defaults_are_the_documented_limits(contexts):
    transport, dummy = make(FakeServer())
    assert transport.max_response_bytes == 64 * MIB and transport.request_timeout == 300 and transport.timeout == 60


def test_a_body_shorter_than_its_content_length_is_a_truncated_answer_not_retried(contexts):
    server = FakeServer(handshake(answer(200, [OK_BODY[:10]], length=len(OK_BODY))), handshake())
    transport, sleeps = make(server)
    with pytest.raises(WsusProtocolError) as caught:
        read(transport)
    assert "ended its answer to %s early (truncated: 10 of the %d bytes" % (READ, len(OK_BODY)) in str(caught.value)
    assert sleeps == [] and len(server.script) == 2 and server.connections[0].closed


@pytest.mark.parametrize(
    "content_type, body, expected",
    [
        (
            "text/html; charset=utf-8",
            b"<html><head><title>Proxy sign-in</title></head></html>",
            "titled 'Proxy sign-in'",
        ),
        ("application/json", b'{"error": 1}', "Content-Type application/json"),
        ("application/octet-stream", b"\x00\x01\xfe", "3 bytes starting with '\\x00\\x01\\\\xfe'"),
    ],
)
def test_a_200_that_is_not_xml_is_a_protocol_error_naming_what_arrived(contexts, content_type, body, expected):
    server = FakeServer(handshake(answer(200, body, headers={"Content-Type": content_type})))
    transport, sleeps = make(server)
    with pytest.raises(WsusProtocolError) as caught:
        read(transport)
    message = str(caught.value)
    assert "answered %s with HTTP 200 and Content-Type %s" % (READ, content_type) in message
    assert expected in message, message
    assert "check that server and port lead to the WSUS web service" in message and "\n" not in message
    assert sleeps == []


@pytest.mark.parametrize("content_type", ["text/xml; charset=utf-8", "application/soap+xml", "TEXT/XML", None])
def test_xml_content_types_and_none_at_all_are_accepted(contexts, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    server = FakeServer(handshake(answer(200, OK_BODY, headers=headers)))
    transport, dummy = make(server)
    assert read(transport) == (200, OK_BODY)


def test_a_redirect_is_not_followed(contexts):
    location = "http://elsewhere.example:8530/ApiRemoting30/WebService.asmx"
    server = FakeServer(handshake(answer(302, b"<html>moved</html>", headers={"Location": location})), handshake())
    transport, sleeps = make(server)
    with pytest.raises(WsusHTTPError) as caught:
        read(transport)
    assert caught.value.status == 302
    assert "redirect (HTTP 302) to %s" % location in str(caught.value)
    assert "does not follow redirects" in str(caught.value) and "use_ssl: true" in str(caught.value)
    assert len(server.requests) == 2 and len(server.connections) == 1 and sleeps == []


def test_another_status_says_what_came_with_it(contexts):
    page = b"<!DOCTYPE html><html><head><title>502 - Web server received an invalid response</title></head></html>"
    server = FakeServer(handshake(answer(502, page, headers={"Content-Type": "text/html"})))
    transport, dummy = make(server)
    with pytest.raises(WsusHTTPError) as caught:
        read(transport)
    assert "answered HTTP 502 to %s (an HTML page titled '502 - Web server received" % READ in str(caught.value)


def test_the_retries_stop_at_request_timeout(contexts):
    server = FakeServer(*[handshake(UNAVAILABLE)] * 4)
    transport, dummy = make(server, backoff=0.4)
    transport._sleep = time.sleep  # real pauses: 0.4 s, then 0.8 s would pass the deadline
    transport.request_timeout = 1
    started = time.monotonic()
    with pytest.raises(WsusDeadlineError) as caught:
        read(transport)
    assert time.monotonic() - started < 1.0
    message = str(caught.value)
    assert "did not complete %s within 1s (request_timeout" % READ in message
    assert "the last attempt failed: WSUS server wsus.example:8530 is unavailable (HTTP 503)" in message
    assert len(server.requests) == 4, "two attempts, not four"


# ----------------------------------------------------------------------------- NTLM over plain HTTP


def test_ntlm_over_plain_http_is_recorded_once_per_transport(contexts):
    server = FakeServer(handshake(), OK)
    transport, dummy = make(server)
    assert transport.ntlm_over_http is False
    read(transport)
    read(transport)
    assert transport.ntlm_over_http is True


def test_ntlm_over_https_is_not_recorded(contexts):
    server = FakeServer(handshake())
    transport, dummy = make(server, use_ssl=True)
    transport._channel_bindings = lambda: None  # the fake connection has no certificate
    read(transport)
    assert transport.ntlm_over_http is False


def test_kerberos_through_negotiate_over_http_is_not_recorded(contexts, monkeypatch):
    monkeypatch.setattr(FakeContext, "negotiated_protocol", "kerberos", raising=False)
    server = FakeServer(handshake())
    transport, dummy = make(server)
    read(transport)
    assert transport.ntlm_over_http is False


def test_the_largest_realistic_answer_is_read_whole_with_the_default_limit(contexts):
    body = largest_category_answer()
    pieces = [body[start : start + 16384] for start in range(0, len(body), 16384)]  # as the network delivers it
    server = FakeServer(handshake(answer(200, pieces, length=len(body), headers={"Content-Type": "text/xml"})))
    transport, dummy = make(server)
    assert read(transport) == (200, body)


def test_a_reauthentication_after_the_deadline_is_a_deadline_error_not_a_socket_error(contexts, monkeypatch):
    # the server forgets the connection (401) just as the call's time runs out: no new connection is opened
    server = FakeServer(handshake(), DENIED, handshake())
    transport, dummy = make(server)
    read(transport)
    clock = [1000.0]
    monkeypatch.setattr(transport_module.time, "monotonic", lambda: clock[0])
    transport.request_timeout = 5
    original = server.new_connection

    def late_connection():
        clock[0] += 10  # the 401 took all the time there was
        return original()

    transport._new_connection = late_connection
    with pytest.raises(WsusDeadlineError) as caught:
        write(transport)
    assert "when it gave up the client was connecting" in str(caught.value)
    assert caught.value.outcome_unknown is False
    assert server.connect_attempts == 1, "the second connection was never opened"
