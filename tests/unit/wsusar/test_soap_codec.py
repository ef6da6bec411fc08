"""The SOAP codec: envelopes, value decoding by xsi:type, arrays, rows, faults."""

from __future__ import annotations

import base64
import datetime
import os

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._wsusar import soap
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusProtocolError, WsusSoapFault
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import (
    CONFIGURATION_FIELD_ORDER,
    NAMESPACE,
    OPERATIONS,
    soap_action,
)

from support.paths import REFERENCE

UTC = datetime.timezone.utc
T = "{%s}" % NAMESPACE


def envelope(inner):
    return (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/'
        'envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/'
        'XMLSchema"><soap:Body>%s</soap:Body></soap:Envelope>' % inner
    ).encode()


def rows_response(op, rows_xml):
    return envelope(
        '<{op}Response xmlns="{ns}"><{op}Result>{rows}</{op}Result></{op}Response>'.format(
            op=op, ns=NAMESPACE, rows=rows_xml
        )
    )


def test_spec_example_get_categories_response_decodes():
    path = os.path.join(REFERENCE, "spec-examples", "ExecuteSPGetCategories.response.xml")
    if not os.path.exists(path):
        pytest.skip("../shared/reference is not beside the checkout")
    with open(path, "rb") as handle:
        rows = soap.decode_response("ExecuteSPGetCategories", handle.read())
    assert [row[7] for row in rows] == ["Security Updates", "Critical Updates", "Drivers"]
    first = rows[0]
    assert first[0] == 5 and first[1] == "0fa1201d-4330-4fa8-8ae9-b877473b6441"
    assert first[2] == "UpdateClassification" and first[3] is True and first[4] is False
    assert first[6] is None and first[9] is None
    assert first[10] == datetime.datetime(2013, 9, 13, 18, 55, 51, 377000, tzinfo=UTC)
    assert first[11] == 0


def test_any_type_values_decode_by_xsi_type():
    values = "".join(
        [
            '<anyType xsi:type="xsd:int">-7</anyType>',
            '<anyType xsi:type="xsd:short">12</anyType>',
            '<anyType xsi:type="xsd:unsignedByte">255</anyType>',
            '<anyType xsi:type="xsd:string">Windows &amp; more</anyType>',
            '<anyType xsi:type="xsd:boolean">false</anyType>',
            '<anyType xsi:type="xsd:dateTime">2024-03-01T10:20:30.5</anyType>',
            '<anyType xmlns:q7="http://microsoft.com/wsdl/types/" xsi:type="q7:guid">'
            "E6CF1350-C01B-414D-A61F-263D14D133B4</anyType>",
            '<anyType xsi:nil="true" />',
            '<anyType xsi:type="xsd:string" />',
        ]
    )
    body = rows_response(
        "GetServerSyncProgress", "<GenericReadableRow><Values>%s</Values></GenericReadableRow>" % values
    )
    [row] = soap.decode_response("GetServerSyncProgress", body)
    assert row == [
        -7,
        12,
        255,
        "Windows & more",
        False,
        datetime.datetime(2024, 3, 1, 10, 20, 30, 500000, tzinfo=UTC),
        "e6cf1350-c01b-414d-a61f-263d14d133b4",
        None,
        "",
    ]


def test_zoneless_datetime_is_utc_and_zoned_one_is_converted():
    assert soap.parse_datetime("2024-01-02T03:04:05") == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert soap.parse_datetime("2024-01-02T03:04:05+02:00") == datetime.datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert soap.parse_datetime("2024-01-02T03:04:05Z").tzinfo == UTC
    assert soap.parse_datetime("0001-01-01T00:00:00") is None
    assert soap.parse_datetime("9999-12-31T23:59:59.9999999") is None
    with pytest.raises(WsusProtocolError):
        soap.parse_datetime("yesterday")


def test_datetime_is_written_in_utc_without_zone():
    berlin = datetime.timezone(datetime.timedelta(hours=1))
    assert soap.format_datetime(datetime.datetime(2024, 1, 2, 4, 0, tzinfo=berlin)) == "2024-01-02T03:00:00"
    assert soap.format_datetime(None) == "0001-01-01T00:00:00"
    assert soap.format_datetime(datetime.datetime(2024, 1, 2, 3, 0, 0, 250000)) == "2024-01-02T03:00:00.25"


def body_element(data):
    return soap.parse_envelope(data)


def test_request_envelope_has_operation_in_namespace_and_params_in_wsdl_order():
    data = soap.encode_request(
        "ExecuteSPGetCategories",
        {
            "toSyncDate": soap.MAX_DATETIME_TEXT,
            "preferredCulture": "de",
            "retrieveUpdateClassifications": True,
            "fromSyncDate": soap.MIN_DATETIME,
        },
    )
    element = body_element(data)
    assert element.tag == T + "ExecuteSPGetCategories"
    assert [child.tag[len(T) :] for child in element] == [
        "preferredCulture",
        "retrieveUpdateClassifications",
        "fromSyncDate",
        "toSyncDate",
    ]
    assert [child.text for child in element] == ["de", "true", "0001-01-01T00:00:00", soap.MAX_DATETIME_TEXT]
    assert soap_action("GetSubscription") == '"%s/GetSubscription"' % NAMESPACE


def test_array_of_guid_and_array_of_any_type_encoding():
    ids = ["e6cf1350-c01b-414d-a61f-263d14d133b4", "0fa1201d-4330-4fa8-8ae9-b877473b6441"]
    row = soap.OrderedRow([("synchronizeAutomaticallyTimeOfDay", "0")])
    element = body_element(
        soap.encode_request(
            "SetSubscription",
            {"subscription": row, "categoryIds": [], "updateClassificationIds": ids, "userName": "WSUS\\admin"},
        )
    )
    assert [g.text for g in element.find(T + "updateClassificationIds")] == ids
    assert element.find(T + "categoryIds") is not None and len(element.find(T + "categoryIds")) == 0
    listing = body_element(
        soap.encode_request(
            "ExecuteSPSetConfiguration", {"row": row, "listTrue": [9, "de", True, None], "listFalse": []}
        )
    ).find(T + "listTrue")
    xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
    assert [(item.get(xsi_type), item.text) for item in listing] == [
        ("xsd:int", "9"),
        ("xsd:string", "de"),
        ("xsd:boolean", "true"),
        (None, None),
    ]
    with pytest.raises(ValueError):
        soap.encode_request("SetSubscription", {"categoryIds": ["not-a-guid"]})


def test_encode_rejects_unknown_and_missing_required_parameters():
    with pytest.raises(ValueError, match="no parameter"):
        soap.encode_request("GetSubscription", {"bogus": 1})
    with pytest.raises(ValueError, match="needs a value"):
        soap.encode_request("SetSubscriptionFrequency", {})


def test_strings_are_escaped():
    element = body_element(soap.encode_request("SetSubscription", {"userName": 'A<B>&"C'}))
    assert element.find(T + "userName").text == 'A<B>&"C'


def test_base64_password_bytes():
    element = body_element(soap.encode_request("SetProxyPassword", {"passwordBytes": "pä".encode("utf-16-le")}))
    assert base64.b64decode(element.find(T + "passwordBytes").text).decode("utf-16-le") == "pä"


def make_configuration(names):
    fields = "".join("<{0}>{1}</{0}>".format(name, "v%d" % index) for index, name in enumerate(names))
    return envelope(
        '<ExecuteSPGetConfigurationResponse xmlns="{ns}"><ExecuteSPGetConfigurationResult>'
        "<Configuration>{f}</Configuration></ExecuteSPGetConfigurationResult>"
        "</ExecuteSPGetConfigurationResponse>".format(ns=NAMESPACE, f=fields)
    )


@pytest.mark.parametrize("profile", ["ws2022", "spec"])
def test_configuration_row_round_trips_every_field_in_order(profile):
    names = list(CONFIGURATION_FIELD_ORDER)
    if profile == "spec":
        names.remove("TrackDynamicCategories")
        names.remove("DetectConfigChange")
    names.insert(40, "AFieldFromTheFuture")  # unknown to the client: must survive untouched
    row = soap.decode_response("ExecuteSPGetConfiguration", make_configuration(names))
    assert row.names() == names
    row.set("UseProxy", True)
    element = body_element(soap.encode_request("ExecuteSPSetConfiguration", {"row": row}))
    sent = element.find(T + "row")
    assert [child.tag[len(T) :] for child in sent] == names
    values = {child.tag[len(T) :]: child.text for child in sent}
    for index, name in enumerate(names):
        assert values[name] == ("true" if name == "UseProxy" else "v%d" % index)
    assert row.changed_fields == ["UseProxy"]


def test_setting_an_omitted_string_field_inserts_it_at_its_place_and_none_omits_it():
    names = [n for n in CONFIGURATION_FIELD_ORDER if n not in ("ProxyName", "ProxyUserName")]
    row = soap.decode_response("ExecuteSPGetConfiguration", make_configuration(names))
    assert row.get_str("ProxyName") is None
    assert row.set("ProxyName", "proxy.corp") is True
    order = row.names()
    assert order.index("ProxyName") == order.index("UseProxy") + 1
    assert order.index("ProxyServerPort") == order.index("ProxyName") + 1
    assert row.set("ProxyName", "proxy.corp") is False
    assert row.set("ProxyName", None) is True and "ProxyName" not in row.names()


def test_typed_getters():
    row = soap.OrderedRow([("A", "true"), ("B", "42"), ("C", "2024-01-01T00:00:00"), ("D", None)])
    assert row.get_bool("A") is True and row.get_int("B") == 42
    assert row.get_datetime("C") == datetime.datetime(2024, 1, 1, tzinfo=UTC)
    assert row.get_str("D") is None and row.get_bool("missing") is None


def test_soap_fault_with_exception_detail_becomes_typed_error():
    fault = envelope(
        "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>System.Web.Services.Protocols.SoapException: "
        "Server was unable to process request. ---&gt; System.InvalidOperationException: a sync runs"
        '</faultstring><detail><Exception Assembly="mscorlib" Type="System.InvalidOperationException" '
        'Message="The operation cannot be performed while a synchronization is running." /></detail></soap:Fault>'
    )
    with pytest.raises(WsusSoapFault) as caught:
        soap.decode_response("SetSubscription", fault)
    error = caught.value
    assert error.exception_type == "System.InvalidOperationException"
    assert error.short_type == "InvalidOperationException"
    assert error.faultcode == "soap:Server"
    assert str(error) == (
        "WSUS rejected SetSubscription: InvalidOperationException: The operation cannot be "
        "performed while a synchronization is running."
    )


def test_fault_without_detail_uses_the_innermost_faultstring():
    fault = envelope(
        "<soap:Fault><faultcode>soap:Client</faultcode><faultstring>Outer ---&gt; Inner ---&gt; "
        "System.ArgumentException: bad value</faultstring></soap:Fault>"
    )
    with pytest.raises(WsusSoapFault, match="soap:Client: System.ArgumentException: bad value"):
        soap.decode_response("GetSubscription", fault)


@pytest.mark.parametrize(
    "body, message",
    [
        (b"<html>oops</html>", "not a SOAP 1.1 envelope"),
        (b"not xml", "not XML"),
        (envelope('<WrongResponse xmlns="%s"/>' % NAMESPACE), "expected GetSubscriptionStateResponse"),
    ],
)
def test_unexpected_answers_raise_protocol_errors(body, message):
    with pytest.raises(WsusProtocolError, match=message):
        soap.decode_response("GetSubscriptionState", body)


def test_void_and_simple_results():
    assert (
        soap.decode_response("StopSubscription", envelope('<StopSubscriptionResponse xmlns="%s"/>' % NAMESPACE)) is None
    )
    body = envelope(
        '<GetSubscriptionStateResponse xmlns="{0}"><GetSubscriptionStateResult>2'
        "</GetSubscriptionStateResult></GetSubscriptionStateResponse>".format(NAMESPACE)
    )
    assert soap.decode_response("GetSubscriptionState", body) == 2


def test_every_operation_has_a_result_decoder_and_known_parameter_kinds():
    for operation in OPERATIONS.values():
        assert operation.result is None or operation.result in soap._RESULT_DECODERS
        for _, kind in operation.params:
            assert kind in soap._ENCODERS
