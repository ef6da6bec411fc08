"""What the decoder refuses, and how it says so: DOCTYPEs and entity declarations, depth, tag count, invalid
UTF-8, truncated bodies, HTML pages; and that the largest realistic answer still decodes within the limits.
(Random and mutated answers: test_soap_fuzz.py. The transport's side: test_transport.py.)"""

from __future__ import annotations

import time

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._wsusar import limits, soap
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import WsusClient
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusProtocolError
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import NAMESPACE

from largest_answer import largest_category_answer

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
OP = "GetSubscriptionState"


def envelope(inner=b"<GetSubscriptionStateResult>0</GetSubscriptionStateResult>", prolog=b""):
    return (
        b'<?xml version="1.0" encoding="utf-8"?>'
        + prolog
        + b'<soap:Envelope xmlns:soap="%s"><soap:Body><GetSubscriptionStateResponse xmlns="%s">'
        % (SOAP.encode(), NAMESPACE.encode())
        + inner
        + b"</GetSubscriptionStateResponse></soap:Body></soap:Envelope>"
    )


def refused(body, *needles, operation=OP):
    with pytest.raises(WsusProtocolError) as caught:
        soap.decode_response(operation, body)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 600, message
    for needle in needles:
        assert needle in message, (needle, message)
    return message


def test_a_well_formed_answer_decodes():
    assert soap.decode_response(OP, envelope()) == 0


@pytest.mark.parametrize(
    "prolog",
    [
        b"<!DOCTYPE soap:Envelope>",
        b'<!DOCTYPE soap:Envelope [<!ENTITY a "b">]>',
        b'<!DOCTYPE soap:Envelope SYSTEM "http://evil.example/dtd">',
        b'<!DOCTYPE soap:Envelope [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
        b"<!-- a comment first --><!DOCTYPE soap:Envelope>",
    ],
)
def test_any_doctype_is_refused_before_parsing(prolog):
    refused(envelope(prolog=prolog), "declares a DOCTYPE", "which SOAP 1.1 forbids", "refuses it unread")


def test_a_billion_laughs_is_refused_at_once():
    entities = b'<!ENTITY l0 "lol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (level, b"&l%d;" % (level - 1) * 10) for level in range(1, 10)
    )
    body = envelope(b"<GetSubscriptionStateResult>&l9;</GetSubscriptionStateResult>", b"<!DOCTYPE x [%s]>" % entities)
    started = time.perf_counter()
    refused(body, "declares a DOCTYPE")
    assert time.perf_counter() - started < 0.1


def test_a_doctype_in_another_encoding_is_refused_too():
    body = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE x><x/>'.encode("utf-16")
    refused(body, "declares a DOCTYPE")


def test_an_undeclared_entity_is_not_xml():
    refused(envelope(b"<GetSubscriptionStateResult>&e;</GetSubscriptionStateResult>"), "not XML", "undefined entity")


def test_nesting_deeper_than_the_limit_is_refused():
    deep = b"<x>" * limits.MAX_DEPTH + b"</x>" * limits.MAX_DEPTH
    refused(envelope(deep), "more than %d levels deep" % limits.MAX_DEPTH)
    shallow = b"<x>" * 20 + b"</x>" * 20  # envelope, body, response + 20: within the limit
    with pytest.raises(WsusProtocolError, match="expected GetSubscriptionStateResponse|invalid integer"):
        soap.decode_response(
            OP, envelope(b"<GetSubscriptionStateResult>" + shallow + b"x</GetSubscriptionStateResult>")
        )


def test_more_tags_than_the_limit_allows_are_refused_unparsed():
    flood = envelope(b"<a/>" * 5000)
    with pytest.raises(WsusProtocolError, match="holds 500[0-9] XML tags, more than the 4096 that max_response_mb"):
        soap.decode_response(OP, flood, max_tags=4096)
    assert soap.decode_response(OP, envelope(), max_tags=4096) == 0
    assert limits.max_tags(64 * limits.MIB) == 4 * limits.MIB


def test_invalid_utf8_says_where():
    body = envelope(b"<GetSubscriptionStateResult>\xff\xfe</GetSubscriptionStateResult>")
    refused(body, "not valid UTF-8 (byte 0xff at offset %d" % body.index(b"\xff"))


def test_a_truncated_body_says_it_ends_early():
    body = envelope()
    refused(body[: len(body) // 2], "ends before its last element is closed (truncated?")


def test_an_html_error_page_names_its_title():
    page = (
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"><html><head><title>IIS 10.0 Detailed Error - '
        b"503.0 - Service Unavailable</title></head><body></body></html>"
    )
    refused(page, "not a SOAP 1.1 envelope but an HTML page titled 'IIS 10.0 Detailed Error - 503.0")
    refused(b"<html><body>oops</body></html>", "not a SOAP 1.1 envelope", "an HTML page titled '(no title)'")


@pytest.mark.parametrize("body", [b"", b"  \r\n"])
def test_an_empty_answer(body):
    refused(body, "the answer is empty")


def test_binary_garbage_shows_its_first_bytes_escaped():
    message = refused(bytes(range(256)) * 4, "starting with '\\x00\\x01\\x02")
    assert "\x00" not in message


@pytest.mark.parametrize(
    "xsi_type, text, needle",
    [
        ("dateTime", "2026-13-01T00:00:00", "invalid dateTime"),
        ("dateTime", "2026-01-01T00:00:00+24:00", "invalid dateTime"),
        ("double", "lots", "invalid number"),
        ("base64Binary", "QUJ", "invalid base64Binary"),
        ("guid", "not-a-guid", "invalid guid"),
        ("int", "9" * 5000, "invalid integer"),
    ],
)
def test_invalid_typed_values_are_protocol_errors(xsi_type, text, needle):
    value = '<anyType xmlns:q1="http://microsoft.com/wsdl/types/" xsi:type="%s:%s">%s</anyType>' % (
        "q1" if xsi_type == "guid" else "xsd",
        xsi_type,
        text,
    )
    body = (
        '<?xml version="1.0"?><soap:Envelope xmlns:soap="%s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><GetServerSyncProgressResponse xmlns="%s">'
        "<GetServerSyncProgressResult><GenericReadableRow><Values>%s</Values></GenericReadableRow>"
        "</GetServerSyncProgressResult></GetServerSyncProgressResponse></soap:Body></soap:Envelope>"
        % (SOAP, NAMESPACE, value)
    ).encode()
    refused(body, needle, operation="GetServerSyncProgress")


def test_a_category_row_of_the_wrong_types_is_a_protocol_error():
    row = b'<anyType xsi:type="xsd:int">1</anyType>' * 12
    answer = largest_category_answer(1).replace(
        answer_row(largest_category_answer(1)), b"<GenericReadableRow><Values>%s</Values></GenericReadableRow>" % row
    )

    class Transport:
        where, username = "wsus.example:8530", "admin"

        def post(self, *args, **kwargs):
            return 200, answer

    with pytest.raises(WsusProtocolError, match="unexpected category row"):
        WsusClient(Transport()).get_categories()


def answer_row(body):
    start = body.index(b"<GenericReadableRow>")
    return body[start : body.index(b"</GenericReadableRow>") + len(b"</GenericReadableRow>")]


def test_the_largest_realistic_answer_decodes_within_the_default_limits():
    """The full category list of a server with every product (docs/evidence.md): about 2 MB, 32 times under
    max_response_mb, its tags 10 times under the tag limit, 7 levels deep."""
    body = largest_category_answer()
    assert 1.5e6 < len(body) < 2.5e6
    assert len(body) * 32 <= limits.DEFAULT_MAX_RESPONSE_MB * limits.MIB
    assert body.count(b"<") * 10 <= limits.max_tags(limits.DEFAULT_MAX_RESPONSE_MB * limits.MIB)
    rows = soap.decode_response("ExecuteSPGetCategories", body)
    assert len(rows) == 1500 and rows[-1][1] == "00000000-0000-0000-0000-0000000005dc"
    assert rows[0][8].startswith("Updates for product 00000.")
