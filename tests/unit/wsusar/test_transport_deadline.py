"""The deadline of one call (request_timeout) and the idle timeout (timeout), on real sockets.

A tiny HTTP server in a thread on 127.0.0.1 plays one script per connection: an answer dribbled one byte at a
time (each byte well within ``timeout``, so only the deadline can end it), a status line dribbled the same
way, or silence. The transport's Windows authentication is replaced by a context that completes at once.
Each case takes about a second.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._wsusar import transport as transport_module
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import (
    WsusDeadlineError,
    WsusProtocolError,
    WsusTimeoutError,
)
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import soap_action
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.transport import Transport

READ = "GetSubscription"
WRITE = "SetSubscription"
ANSWER = b"<soap:Envelope>answer</soap:Envelope>"
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: %d\r\n\r\n"


class OneStepContext:
    complete = False
    negotiated_protocol = "ntlm"

    def step(self, token=None):
        self.complete = True
        return b"token"


@pytest.fixture(autouse=True)
def instant_authentication(monkeypatch):
    monkeypatch.setattr(transport_module.spnego, "client", lambda *args, **kwargs: OneStepContext())


class ScriptedServer:
    """Accepts connections on 127.0.0.1; the n-th connection runs ``scripts[n]`` after reading a request."""

    def __init__(self, *scripts):
        self.scripts = list(scripts)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)  # accept() polls, so that stop() ends the thread at once
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                connection, dummy = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            connection.settimeout(None)
            script = self.scripts.pop(0) if self.scripts else quick
            threading.Thread(target=self._run, args=(connection, script), daemon=True).start()

    def _run(self, connection, script):
        with connection:
            try:
                while not self.stopping.is_set():
                    if not _read_request(connection):
                        return
                    if script(connection, self.stopping) == "close":
                        return
            except OSError:  # the client gave up and closed: what it should do
                return

    def stop(self):
        self.stopping.set()
        self.listener.close()
        self.thread.join(5)


def _read_request(connection):
    data = b""
    while b"\r\n\r\n" not in data:
        piece = connection.recv(65536)
        if not piece:
            return False
        data += piece
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += connection.recv(65536)
    return True


def quick(connection, stopping):
    connection.sendall(HEAD % len(ANSWER) + ANSWER)


def dribble(data, interval=0.1, head=b""):
    """Send ``head`` at once, then ``data`` one byte every ``interval`` seconds."""

    def script(connection, stopping):
        connection.sendall(head)
        for index in range(len(data)):
            if stopping.wait(interval):
                return "close"
            connection.sendall(data[index : index + 1])
        return "close"

    return script


def silent(connection, stopping):
    stopping.wait(30)
    return "close"


@pytest.fixture
def scripted():
    servers = []

    def start(*scripts):
        server = ScriptedServer(*scripts)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def transport_for(server, timeout, request_timeout):
    return Transport(
        "127.0.0.1",
        port=server.port,
        username="WSUS\\admin",
        password="Passw0rd!",
        auth="ntlm",
        timeout=timeout,
        request_timeout=request_timeout,
        retries=0,
    )


def call(transport, operation=READ):
    return transport.post(operation, b"<request/>", soap_action(operation), write=operation == WRITE)


def test_an_answer_dribbled_byte_by_byte_ends_at_request_timeout(scripted):
    body = ANSWER * 100
    server = scripted(dribble(body, head=HEAD % len(body)))
    transport = transport_for(server, timeout=5, request_timeout=1)  # each byte within timeout: only the deadline
    started = time.monotonic()
    with pytest.raises(WsusDeadlineError) as caught:
        call(transport, WRITE)
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 2.0, elapsed
    message = str(caught.value)
    assert "did not complete %s within 1s (request_timeout, the most one call may take" % WRITE in message
    assert "was receiving the answer (" in message and "raise request_timeout" in message
    assert caught.value.outcome_unknown is True, "the write was sent"
    assert isinstance(caught.value, WsusTimeoutError)


def test_a_status_line_dribbled_byte_by_byte_ends_at_request_timeout(scripted):
    server = scripted(dribble(HEAD % len(ANSWER) + ANSWER, interval=0.2))
    transport = transport_for(server, timeout=5, request_timeout=1)
    started = time.monotonic()
    with pytest.raises(WsusDeadlineError) as caught:
        call(transport)
    assert time.monotonic() - started < 2.0
    assert "was waiting for the answer" in str(caught.value)
    assert caught.value.outcome_unknown is False


def test_a_silent_server_ends_at_timeout_and_the_message_says_timeout(scripted):
    server = scripted(silent)
    transport = transport_for(server, timeout=1, request_timeout=10)
    started = time.monotonic()
    with pytest.raises(WsusTimeoutError) as caught:
        call(transport)
    assert time.monotonic() - started < 2.5
    assert not isinstance(caught.value, WsusDeadlineError)
    assert "did not answer %s within 1s (timeout, the longest the server may stay silent)" % READ in str(caught.value)


def test_after_a_deadline_the_next_call_opens_a_new_connection(scripted):
    server = scripted(dribble(b"x" * 1000, head=HEAD % 1000), quick)
    transport = transport_for(server, timeout=5, request_timeout=1)
    with pytest.raises(WsusDeadlineError):
        call(transport)
    assert call(transport) == (200, ANSWER)
    assert transport.connections_opened == 2


def test_fast_calls_keep_their_connection_whatever_the_deadline(scripted):
    server = scripted(quick)
    transport = transport_for(server, timeout=5, request_timeout=1)
    started = time.monotonic()
    for dummy in range(50):
        assert call(transport) == (200, ANSWER)
    assert time.monotonic() - started > 0.0
    assert transport.connections_opened == 1, "each call has its own deadline; the connection outlives them"


def test_an_answer_that_is_not_http_is_a_protocol_error_and_not_retried(scripted):
    def not_http(connection, stopping):
        connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\x00\x01binary")
        return "close"

    server = scripted(not_http, quick)
    transport = transport_for(server, timeout=5, request_timeout=5)
    transport.retries = 3
    with pytest.raises(WsusProtocolError) as caught:
        call(transport)
    assert "answered %s with something that is not HTTP (its first line: " % READ in str(caught.value)
    assert "SSH-2.0-OpenSSH_9.6" in str(caught.value)
    assert transport.connections_opened == 1
