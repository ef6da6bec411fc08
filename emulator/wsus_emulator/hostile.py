"""Hostile answers: what a broken or malicious server (or something in its place) sends back.

A fault rule ``{"operation": ..., "hostile": KIND}`` or ``{"hostile": {"kind": KIND, option: value}}``
answers one authenticated SOAP request like this instead of like WSUS (GUIDE.md, "Hostile answers"):

==================== ============================================================================================
garbage              HTTP 200, text/xml, 4 KiB of pseudo-random bytes
oversized            HTTP 200, text/xml, the start of a real answer and then ``bytes`` (default 2 GiB) of
                     filler, announced by Content-Length, or sent in chunks with ``"chunked": true``; streamed
                     1 MiB at a time until the client stops reading (the emulator holds 1 MiB, never the whole)
slow_drip            HTTP 200, text/xml, the real answer one byte every ``interval_ms`` (default 2000)
doctype_bomb         HTTP 200, text/xml, an envelope whose DOCTYPE declares nested entities ("billion laughs")
truncated            HTTP 200, text/xml, Content-Length of the whole real answer, half of it, then the
                     connection closes
html_200             HTTP 200, text/html, a proxy's sign-in page
redirect             HTTP ``status`` (default 302) to ``location`` (default another host)
wrong_content_type   HTTP 200, application/json, a JSON body
==================== ============================================================================================

The request is processed first where the answer needs the real one (slow_drip, truncated, and oversized for
its first bytes), so a hostile answer to a write has applied the write: as on a real server whose answer is
lost. Every hostile answer closes the connection afterwards.
"""

from __future__ import annotations

import random
import time
from typing import Callable, Dict

KINDS = (
    "garbage",
    "oversized",
    "slow_drip",
    "doctype_bomb",
    "truncated",
    "html_200",
    "redirect",
    "wrong_content_type",
)
DEFAULT_OVERSIZED_BYTES = 2 * 1024**3
DEFAULT_INTERVAL_MS = 2000
DEFAULT_LOCATION = "http://wsus-elsewhere.example:8530/ApiRemoting30/WebService.asmx"
_OPTIONS = {
    "oversized": {"bytes": DEFAULT_OVERSIZED_BYTES, "chunked": False},
    "slow_drip": {"interval_ms": DEFAULT_INTERVAL_MS},
    "redirect": {"status": 302, "location": DEFAULT_LOCATION},
}
_CHUNK = 1024 * 1024
XML = "text/xml; charset=utf-8"

HTML_PAGE = (
    b'<!DOCTYPE html>\r\n<html><head><meta charset="utf-8"><title>Sign in to continue - Corporate Web Proxy'
    b"</title></head><body><h1>Authentication required</h1><p>Your request to this site was intercepted by "
    b"the web proxy. Sign in to continue.</p></body></html>\r\n"
)


def parse_spec(value) -> Dict:
    """The rule's value as {"kind": ..., options with their defaults}; ValueError says what is wrong."""
    if isinstance(value, str):
        value = {"kind": value}
    if not isinstance(value, dict) or value.get("kind") not in KINDS:
        raise ValueError('hostile must be one of %s, or {"kind": ..., options}' % ", ".join(KINDS))
    kind = value["kind"]
    spec = {"kind": kind}
    spec.update(_OPTIONS.get(kind, {}))
    unknown = sorted(set(value) - set(spec))
    if unknown:
        raise ValueError(
            "hostile %s takes no option %s (options: %s)"
            % (kind, ", ".join(unknown), ", ".join(sorted(spec)[1:]) or "none")
        )
    for key, default in spec.items():
        if key == "kind" or key not in value:
            continue
        given = value[key]
        if isinstance(default, bool):
            if not isinstance(given, bool):
                raise ValueError("hostile %s: %s must be true or false" % (kind, key))
        elif isinstance(default, int):
            if not isinstance(given, int) or isinstance(given, bool) or given < 0:
                raise ValueError("hostile %s: %s must be an integer >= 0" % (kind, key))
        elif not isinstance(given, str) or not given or "\r" in given or "\n" in given:
            raise ValueError("hostile %s: %s must be a one-line string" % (kind, key))
        spec[key] = given
    if kind == "redirect" and spec["status"] not in (301, 302, 303, 307, 308):
        raise ValueError("hostile redirect: status must be 301, 302, 303, 307 or 308")
    return spec


def status_of(spec: Dict) -> int:
    """The HTTP status the answer carries (for the request log)."""
    return spec["status"] if spec["kind"] == "redirect" else 200


def send(handler, spec: Dict, operation: str, real_answer: Callable[[], bytes]) -> None:
    """Answer on ``handler`` (a BaseHTTPRequestHandler) as ``spec`` says. A client that hangs up ends it."""
    handler.close_connection = True
    try:
        _SENDERS[spec["kind"]](handler, spec, operation or "Unknown", real_answer)
    except OSError:  # the client stopped reading and closed: what a careful client does
        pass


def _head(handler, status: int, content_type: str, length=None, headers=()) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    if length is None:
        handler.send_header("Transfer-Encoding", "chunked")
    else:
        handler.send_header("Content-Length", str(length))
    for name, value in headers:
        handler.send_header(name, value)
    handler.send_header("Connection", "close")
    handler.end_headers()


def _garbage(handler, spec, operation, real_answer):
    generator = random.Random(20261201)  # the same bytes every time
    body = bytes(generator.getrandbits(8) for dummy in range(4096))
    _head(handler, 200, XML, len(body))
    handler.wfile.write(body)


def _oversized(handler, spec, operation, real_answer):
    real = real_answer()
    # the real answer up to its Result element, so that the first bytes look right
    cut = real.find(b"Result>")
    head = real[: cut + len(b"Result>")] if cut > 0 else real[:200]
    total = max(int(spec["bytes"]), len(head))
    filler = b"A" * _CHUNK
    chunked = spec["chunked"]
    _head(handler, 200, XML, None if chunked else total)
    sent = 0
    piece = head
    while sent < total:
        piece = piece[: total - sent]
        if chunked:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        else:
            handler.wfile.write(piece)
        sent += len(piece)
        piece = filler
    if chunked:
        handler.wfile.write(b"0\r\n\r\n")


def _slow_drip(handler, spec, operation, real_answer):
    body = real_answer()
    _head(handler, 200, XML, len(body))
    pause = spec["interval_ms"] / 1000.0
    for index in range(len(body)):
        handler.wfile.write(body[index : index + 1])
        time.sleep(pause)


def _doctype_bomb(handler, spec, operation, real_answer):
    entities = ['<!ENTITY lol0 "lol">'] + [
        '<!ENTITY lol%d "%s">' % (level, ("&lol%d;" % (level - 1)) * 10) for level in range(1, 10)
    ]
    body = (
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE soap:Envelope [%s]>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        '<{op}Response xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService">'
        "<{op}Result>&lol9;</{op}Result></{op}Response></soap:Body></soap:Envelope>"
    ).format(op=operation) % "".join(entities)
    data = body.encode("utf-8")
    _head(handler, 200, XML, len(data))
    handler.wfile.write(data)


def _truncated(handler, spec, operation, real_answer):
    body = real_answer()
    _head(handler, 200, XML, len(body))
    handler.wfile.write(body[: len(body) // 2])
    handler.wfile.flush()


def _html_200(handler, spec, operation, real_answer):
    _head(handler, 200, "text/html; charset=utf-8", len(HTML_PAGE))
    handler.wfile.write(HTML_PAGE)


def _redirect(handler, spec, operation, real_answer):
    body = (
        '<html><head><title>Object moved</title></head><body><h2>Object moved to <a href="%s">here</a>.</h2>'
        "</body></html>" % spec["location"]
    ).encode("utf-8")
    _head(handler, spec["status"], "text/html; charset=utf-8", len(body), (("Location", spec["location"]),))
    handler.wfile.write(body)


def _wrong_content_type(handler, spec, operation, real_answer):
    body = (
        '{"error": "Unsupported request", "operation": "%s", "hint": "this gateway speaks JSON"}' % operation
    ).encode("utf-8")
    _head(handler, 200, "application/json; charset=utf-8", len(body))
    handler.wfile.write(body)


_SENDERS = {
    "garbage": _garbage,
    "oversized": _oversized,
    "slow_drip": _slow_drip,
    "doctype_bomb": _doctype_bomb,
    "truncated": _truncated,
    "html_200": _html_200,
    "redirect": _redirect,
    "wrong_content_type": _wrong_content_type,
}
