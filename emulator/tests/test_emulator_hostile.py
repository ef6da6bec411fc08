"""Hostile answers (hostile.py): each kind arrives on the wire as GUIDE.md says, after authentication, once.

The answers are read with http.client on the test client's authenticated connection, and never whole: an
oversized one is read for a few MiB and dropped, as a careful client does.
"""

from __future__ import annotations

import http.client
import time

import pytest

from wsusclient import TNS, envelope

OP = "GetSubscription"


@pytest.fixture
def hostile(emu, admin):
    """Send one authenticated GetSubscription under a hostile rule; returns the http.client response."""
    assert admin.call("GetServerVersion").status == 200  # authenticates the connection first

    def send(spec):
        emu.faults([{"operation": OP, "hostile": spec}])
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"%s/%s"' % (TNS, OP)}
        admin.connection.request("POST", admin.path, body=envelope(OP), headers=headers)
        return admin.connection.getresponse()

    return send


def test_garbage(hostile, emu):
    response = hostile("garbage")
    body = response.read()
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/xml")
    assert len(body) == 4096 and len(set(body)) > 200  # pseudo-random bytes, not XML
    assert response.getheader("Connection") == "close"
    assert emu.requests()[-1] == {"operation": OP, "user": "WSUS\\admin", "http_status": 200}
    assert emu.control("GET", "faults") == {"rules": []}, "used up"


def test_oversized_announces_two_gib_and_streams(hostile):
    response = hostile("oversized")
    assert int(response.getheader("Content-Length")) == 2 * 1024**3
    head = response.read(4 * 1024 * 1024)
    assert head.startswith(b"<?xml") and b"<GetSubscriptionResult>" in head[:2000] and head.endswith(b"A" * 1000)
    response.close()  # the emulator notices and stops writing


def test_oversized_chunked(hostile):
    response = hostile({"kind": "oversized", "chunked": True, "bytes": 3 * 1024 * 1024})
    assert response.getheader("Transfer-Encoding") == "chunked" and response.getheader("Content-Length") is None
    body = response.read()
    assert len(body) == 3 * 1024 * 1024 and b"Result>" in body[:2000]


def test_slow_drip(hostile):
    response = hostile({"kind": "slow_drip", "interval_ms": 100})
    length = int(response.getheader("Content-Length"))
    started = time.monotonic()
    first = response.read(5)
    assert first == b"<?xml" and time.monotonic() - started >= 0.3  # 5 bytes, 100 ms apart
    assert length > 500
    response.close()


def test_doctype_bomb(hostile):
    body = hostile("doctype_bomb").read()
    assert b"<!DOCTYPE soap:Envelope [" in body and b'<!ENTITY lol9 "&lol8;' in body
    assert b"<GetSubscriptionResult>&lol9;</GetSubscriptionResult>" in body


def test_truncated(hostile):
    response = hostile("truncated")
    length = int(response.getheader("Content-Length"))
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    assert len(caught.value.partial) == length // 2


def test_html_200(hostile):
    response = hostile("html_200")
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/html")
    assert b"<title>Sign in to continue - Corporate Web Proxy</title>" in response.read()


def test_redirect(hostile, emu):
    response = hostile({"kind": "redirect", "status": 307, "location": "http://elsewhere.example/x"})
    response.read()
    assert response.status == 307 and response.getheader("Location") == "http://elsewhere.example/x"
    assert emu.requests()[-1]["http_status"] == 307


def test_wrong_content_type(hostile):
    response = hostile("wrong_content_type")
    assert response.getheader("Content-Type").startswith("application/json")
    assert response.read().startswith(b'{"error": "Unsupported request"')


def test_a_hostile_answer_to_a_write_still_applies_it_where_the_real_answer_is_needed(emu, admin):
    assert admin.call("GetServerVersion").status == 200
    emu.faults([{"operation": "SetSubscriptionFrequency", "hostile": "truncated"}])
    with pytest.raises(http.client.IncompleteRead):
        admin.call("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>5</numberOfSynchronizationsPerDay>")
    assert emu.state()["subscription"]["NumberOfSynchronizationsPerDay"] == 5


@pytest.mark.parametrize(
    "bad",
    [
        {"hostile": "nonsense"},
        {"hostile": {"kind": "garbage", "bytes": 5}},
        {"hostile": {"kind": "oversized", "bytes": -1}},
        {"hostile": {"kind": "oversized", "chunked": "yes"}},
        {"hostile": {"kind": "redirect", "status": 200}},
        {"hostile": {"kind": "redirect", "location": "http://x/\r\nSet-Cookie: a=b"}},
        {"hostile": "garbage", "http_status": 503},
    ],
)
def test_invalid_hostile_rules_are_400(emu, bad):
    assert "error" in emu.control("POST", "faults", [bad], expect=400)
