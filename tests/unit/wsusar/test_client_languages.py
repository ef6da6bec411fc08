"""WsusClient languages without a server: both row layouts, the "all" row, and the list items it sends."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import Language, WsusClient
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusProtocolError
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import NAMESPACE
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.soap import OrderedRow

XSI = "http://www.w3.org/2001/XMLSchema-instance"
T = "{%s}" % NAMESPACE
OP = "ExecuteSPGetAllLanguagesWithEnabledState"


def _item(value):
    if value is None:
        return '<anyType xsi:nil="true" />'
    if isinstance(value, bool):
        return '<anyType xsi:type="xsd:boolean">%s</anyType>' % str(value).lower()
    if isinstance(value, int):
        return '<anyType xsi:type="xsd:int">%d</anyType>' % value
    return '<anyType xsi:type="xsd:string">%s</anyType>' % value


def envelope(inner):
    return (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/'
        'envelope/" xmlns:xsi="%s" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>%s</soap:Body>'
        "</soap:Envelope>" % (XSI, inner)
    ).encode()


def language_response(rows):
    inner = "".join(
        "<GenericReadableRow><Values>%s</Values></GenericReadableRow>" % "".join(map(_item, row)) for row in rows
    )
    return envelope(
        '<{op}Response xmlns="{ns}"><{op}Result>{rows}</{op}Result></{op}Response>'.format(
            op=OP, ns=NAMESPACE, rows=inner
        )
    )


class FakeTransport:
    """Answers from a table and keeps every request body."""

    username, where = "WSUS\\admin", "fake"

    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.sent = []

    def post(self, operation, body, soap_action, write=False):
        self.sent.append((operation, body))
        answer = self.answers.get(operation, envelope('<%sResponse xmlns="%s" />' % (operation, NAMESPACE)))
        return 200, answer

    def close(self):
        pass


LIVE_ROWS = [["all", False, True], ["en", True, True], ["de", False, True], ["pt-br", False, False]]
SPEC_ROWS = [
    [0, "all", "All languages", False],
    [9, "en", "English", True],
    [7, "de", "German", False],
    [1046, "pt-br", "Portuguese (Brazil)", False],
]


def test_live_layout_decodes_skips_all_and_keys_by_code():
    client = WsusClient(FakeTransport({OP: language_response(LIVE_ROWS)}))
    languages = client.get_languages()
    assert [language.short for language in languages] == ["en", "de", "pt-br"], "the 'all' row is not a language"
    assert languages[0] == Language(None, "en", "en", True, "live", True)
    assert [language.key for language in languages] == ["en", "de", "pt-br"]
    assert languages[2].uss_enabled is False


def test_spec_layout_decodes_skips_all_and_keys_by_id():
    client = WsusClient(FakeTransport({OP: language_response(SPEC_ROWS)}))
    languages = client.get_languages()
    assert [(language.short, language.key, language.enabled) for language in languages] == [
        ("en", 9, True),
        ("de", 7, False),
        ("pt-br", 1046, False),
    ]
    assert {language.layout for language in languages} == {"spec"}


def test_live_layout_without_uss_column():
    client = WsusClient(FakeTransport({OP: language_response([["EN", True], ["de", False]])}))
    assert [(language.short, language.key) for language in client.get_languages()] == [("en", "en"), ("de", "de")]


@pytest.mark.parametrize(
    "rows",
    [
        [[None, True, True]],  # nil short code
        [[9, "en", "English", None]],  # nil Enabled
        [[None, "en", "English", True]],  # nil LanguageId
        [["en", "yes", True]],  # Enabled is not a boolean
        [[9, "en", True]],  # neither layout
        [["en", True, True, "extra"]],  # neither layout
        [[]],
    ],
)
def test_unknown_row_layout_is_refused(rows):
    client = WsusClient(FakeTransport({OP: language_response(rows)}))
    with pytest.raises(WsusProtocolError, match="unexpected language row"):
        client.get_languages()


def test_mixed_layouts_are_refused():
    client = WsusClient(FakeTransport({OP: language_response([LIVE_ROWS[1], SPEC_ROWS[2]])}))
    with pytest.raises(WsusProtocolError, match="mix layouts"):
        client.get_languages()


def _lists(body):
    operation = ET.fromstring(body).find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]
    found = {}
    for name in ("listTrue", "listFalse", "ussListTrue", "ussListFalse"):
        element = operation.find(T + name)
        found[name] = [(item.get("{%s}type" % XSI), item.get("{%s}nil" % XSI), item.text) for item in element]
    return found


ROW = OrderedRow([("SyncToMU", "true")])


def test_codes_are_sent_as_xsd_string_and_ids_as_xsd_int():
    transport = FakeTransport()
    client = WsusClient(transport)
    client.set_configuration(ROW, ["de", "pt-br"], ["en"])
    assert _lists(transport.sent[-1][1]) == {
        "listTrue": [("xsd:string", None, "de"), ("xsd:string", None, "pt-br")],
        "listFalse": [("xsd:string", None, "en")],
        "ussListTrue": [],
        "ussListFalse": [],
    }
    client.set_configuration(ROW, [7], [9, 1046])
    assert _lists(transport.sent[-1][1])["listFalse"] == [("xsd:int", None, "9"), ("xsd:int", None, "1046")]


@pytest.mark.parametrize(
    "enable, disable",
    [
        ([None], []),
        (["de"], [None]),
        ([""], []),
        ([True], []),
        ([7.0], []),
        (["de"], [9]),
    ],
)
def test_nil_or_mixed_items_are_never_sent(enable, disable):
    transport = FakeTransport()
    with pytest.raises(WsusProtocolError, match="refusing to write the configuration"):
        WsusClient(transport).set_configuration(ROW, enable, disable)
    assert transport.sent == [], "nothing was sent"
