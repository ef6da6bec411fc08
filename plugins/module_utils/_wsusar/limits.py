# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a WSUS server may send back: the limits on an answer, and how an unreadable answer is described.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. No Ansible imports, no I/O.

The numbers and where they come from are in docs/faults.md ("Answers the client refuses") and
docs/evidence.md ("Answer sizes"). In short: the largest answer a real server sends the collection is the
full category list (ExecuteSPGetCategories), estimated at 2 MB for a server that offers every product;
the default limit is 32 times that.
"""

from __future__ import annotations

import re

MIB = 1024 * 1024
# max_response_mb: the largest answer accepted, in MiB. 64 MiB is 32 times the largest realistic answer
# (the full category list, about 2 MB) and holds some 90,000 event rows.
DEFAULT_MAX_RESPONSE_MB = 64
# request_timeout: seconds one SOAP call may take in all (connect, authentication, send, receive, retries).
DEFAULT_REQUEST_TIMEOUT = 300
# Real answers nest 8 elements deep at most (Envelope/Body/Response/Result/Row/Values/anyType).
MAX_DEPTH = 32
# An answer may hold one XML tag per 16 bytes of max_response_mb: real answers average 19 (event rows) to
# 26 (category rows) bytes per tag. This bounds the parsed tree (about 100 bytes per element) as the size
# limit bounds the bytes, whatever the answer is made of.
BYTES_PER_TAG = 16

_HTML = re.compile(rb"<\s*(!doctype\s+html|html[\s>])", re.IGNORECASE)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def max_tags(max_bytes):
    """How many XML tags an answer of at most ``max_bytes`` may hold."""
    return max(1024, int(max_bytes) // BYTES_PER_TAG)


def size_text(size):
    """``2048`` -> ``2 KiB``; exact bytes below 10 KiB."""
    if size < 10 * 1024:
        return "%d bytes" % size
    if size < 10 * MIB:
        return "%d KiB" % (size // 1024)
    return "%d MiB" % (size // MIB)


def first_bytes(data, count=48):
    """The first ``count`` bytes of ``data`` as one quoted line (non-printable bytes escaped)."""
    text = repr(bytes(data[:count]).decode("utf-8", "backslashreplace"))
    if len(text) > count + 24:  # mostly escapes: binary
        return text[: count + 20] + "'..."
    return text + ("..." if len(data) > count else "")


def html_title(data):
    """The title of an HTML page (IIS and proxies send one with their errors), or None when ``data``
    does not look like HTML."""
    head = bytes(data[:4096])
    if not _HTML.search(head):
        return None
    match = _TITLE.search(head)
    title = match.group(1).decode("utf-8", "replace") if match else ""
    title = " ".join(title.split())[:80]
    return title or "(no title)"


def describe(data):
    """What arrived, for an error message: an HTML page and its title, or the first bytes."""
    title = html_title(data)
    if title is not None:
        return "an HTML page titled %r (%s)" % (title, size_text(len(data)))
    if not data:
        return "an empty body"
    return "%s starting with %s" % (size_text(len(data)), first_bytes(data))


CHECK_SERVER = (
    "check that server and port lead to the WSUS web service (8530 HTTP, 8531 HTTPS) and that no proxy, load "
    "balancer or error page answers in its place"
)
