"""SOAP envelope handling, SOAPAction, strict request validation and the ASMX fault shape."""

from __future__ import annotations

import base64
import re

import pytest

from wsusclient import SOAP_NS, TNS, XSI, envelope, get_configuration, row_xml, subscription_xml

READ = "System.Web.Services.Protocols.SoapException: Server was unable to read request. ---> "


def client_fault(response, contains=None, type_=None):
    assert response.status == 500, response.text
    fault = response.fault
    assert fault["code"] == "soap:Client", fault
    assert fault["string"].startswith(READ + "System.InvalidOperationException: There is an error in XML document ("), (
        fault
    )
    if contains:
        assert contains in fault["string"], fault["string"]
    if type_:
        assert fault["type"] == type_
    assert fault["assembly"]
    return fault


@pytest.mark.parametrize(
    "action",
    [
        None,
        '"%s/GetServerVersion"' % TNS,
        '"%s/ApiRemotingSoap/GetServerVersionRequest"' % TNS,
        "%s/GetServerVersion" % TNS,
        '""',
    ],
)
def test_soap_action_forms_accepted(admin, action):
    response = admin.post(envelope("GetServerVersion"), action)
    assert response.status == 200, response.text


@pytest.mark.parametrize("action", ['"urn:something/else"', '"%s/GetSubscription"' % TNS])
def test_other_soap_action_is_client_fault(admin, action):
    response = admin.post(envelope("GetServerVersion"), action)
    assert response.status == 500
    assert response.fault["code"] == "soap:Client"
    assert "SOAPAction" in response.fault["string"]


def test_prefixed_request_is_accepted(admin):
    body = (
        '<s:Envelope xmlns:s="%s"><s:Header/><s:Body><w:SetSubscriptionFrequency xmlns:w="%s">'
        "<w:numberOfSynchronizationsPerDay> 3 </w:numberOfSynchronizationsPerDay>"
        "</w:SetSubscriptionFrequency></s:Body></s:Envelope>" % (SOAP_NS, TNS)
    ).encode()
    assert admin.post(body).status == 200
    assert (
        admin.ok("GetSubscription").result("GetSubscription").findtext("{%s}NumberOfSynchronizationsPerDay" % TNS)
        == "3"
    )


def test_response_shape(admin):
    response = admin.ok("GetServerVersion")
    assert response.header_values("Content-Type") == ["text/xml; charset=utf-8"]
    text = response.text
    assert text.startswith(
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="%s" xmlns:xsi="%s" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>' % (SOAP_NS, XSI)
    )
    assert '<GetServerVersionResponse xmlns="%s"><GetServerVersionResult>' % TNS in text
    void = admin.ok("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>1</numberOfSynchronizationsPerDay>")
    assert '<SetSubscriptionFrequencyResponse xmlns="%s" />' % TNS in void.text


def test_unknown_operation_is_client_fault(admin, emu):
    response = admin.call("NoSuchOperation")
    assert response.status == 500
    assert response.fault["code"] == "soap:Client"
    assert "NoSuchOperation" in response.fault["string"]
    assert emu.requests()[-1] == {"operation": "NoSuchOperation", "user": "WSUS\\admin", "http_status": 500}


def test_wsdl_operation_not_implemented_is_server_fault(admin):
    response = admin.call("ExecuteSPGetAllComputers")
    assert response.status == 500
    assert response.fault["code"] == "soap:Server"
    assert "operation ExecuteSPGetAllComputers is not implemented by the WSUS emulator" in response.fault["string"]


def test_malformed_xml_is_client_fault(admin):
    response = admin.post(
        b"<soap:Envelope xmlns:soap='%s'><soap:Body><GetServerVersion" % SOAP_NS.encode(), '"%s/GetServerVersion"' % TNS
    )
    fault = client_fault(response, type_="System.Xml.XmlException")
    assert re.search(r"There is an error in XML document \(1, \d+\)", fault["string"])


def test_dtd_is_refused(admin):
    body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + envelope("GetServerVersion").split(b"?>", 1)[1]
    client_fault(admin.post(body), "DTD is prohibited", "System.Xml.XmlException")


def test_soap12_envelope_is_version_mismatch(admin):
    body = envelope("GetServerVersion").replace(SOAP_NS.encode(), b"http://www.w3.org/2003/05/soap-envelope")
    response = admin.post(body)
    assert response.status == 500
    assert response.fault["code"] == "soap:VersionMismatch"


def test_must_understand_header(admin):
    body = envelope("GetServerVersion").replace(
        b"<soap:Body>", b'<soap:Header><x:Sec xmlns:x="urn:x" soap:mustUnderstand="1"/></soap:Header><soap:Body>'
    )
    response = admin.post(body)
    assert response.fault["code"] == "soap:MustUnderstand"


def test_unknown_element(admin):
    client_fault(
        admin.call(
            "GetSubscriptionCategories",
            "<preferredCulture>en</preferredCulture><bogus>1</bogus>"
            "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>",
        ),
        "bogus",
    )


def test_unknown_element_in_empty_operation(admin):
    client_fault(admin.call("GetServerVersion", "<extra/>"), "extra")


def test_element_in_wrong_namespace(admin):
    client_fault(
        admin.call(
            "SetSubscriptionFrequency", '<numberOfSynchronizationsPerDay xmlns="">2</numberOfSynchronizationsPerDay>'
        ),
        "must be in the namespace",
    )


def test_misordered_elements(admin):
    client_fault(
        admin.call(
            "GetSubscriptionCategories",
            "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>"
            "<preferredCulture>en</preferredCulture>",
        ),
        "out of order",
    )


def test_misordered_nested_elements(admin):
    inner = subscription_xml().replace(
        "<LastModifiedTime>2024-01-01T00:00:00</LastModifiedTime>"
        "<LastSynchronizationTime>0001-01-01T00:00:00</LastSynchronizationTime>",
        "<LastSynchronizationTime>0001-01-01T00:00:00</LastSynchronizationTime>"
        "<LastModifiedTime>2024-01-01T00:00:00</LastModifiedTime>",
    )
    client_fault(admin.call("SetSubscription", inner), "LastModifiedTime")


def test_repeated_element(admin):
    client_fault(
        admin.call(
            "SetSubscriptionFrequency",
            "<numberOfSynchronizationsPerDay>2</numberOfSynchronizationsPerDay>"
            "<numberOfSynchronizationsPerDay>3</numberOfSynchronizationsPerDay>",
        ),
        "repeated",
    )


def test_missing_required_element(admin):
    client_fault(admin.call("SetSubscriptionFrequency", ""), "numberOfSynchronizationsPerDay")
    client_fault(
        admin.call(
            "ExecuteSPGetCategories",
            "<preferredCulture>en</preferredCulture>"
            "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>"
            "<fromSyncDate>0001-01-01T00:00:00</fromSyncDate>",
        ),
        "toSyncDate",
    )


def test_missing_required_nested_element(admin):
    inner = subscription_xml().replace("<IsCategoryOnly>false</IsCategoryOnly>", "")
    client_fault(admin.call("SetSubscription", inner), "IsCategoryOnly")


@pytest.mark.parametrize(
    "operation,inner,kind",
    [
        (
            "SetSubscriptionFrequency",
            "<numberOfSynchronizationsPerDay>two</numberOfSynchronizationsPerDay>",
            "System.FormatException",
        ),
        (
            "SetSubscriptionFrequency",
            "<numberOfSynchronizationsPerDay>1.5</numberOfSynchronizationsPerDay>",
            "System.FormatException",
        ),
        (
            "SetSubscriptionFrequency",
            "<numberOfSynchronizationsPerDay>4294967296</numberOfSynchronizationsPerDay>",
            "System.OverflowException",
        ),
        ("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay />", "System.FormatException"),
        (
            "GetSubscriptionCategories",
            "<retrieveUpdateClassifications>yes</retrieveUpdateClassifications>",
            "System.FormatException",
        ),
        (
            "GetSubscriptionCategories",
            "<retrieveUpdateClassifications>True</retrieveUpdateClassifications>",
            "System.FormatException",
        ),
        ("ExecuteSPGetSubcategories", "<categoryId>not-a-guid</categoryId>", "System.FormatException"),
        (
            "ExecuteSPGetCategories",
            "<retrieveUpdateClassifications>1</retrieveUpdateClassifications>"
            "<fromSyncDate>yesterday</fromSyncDate><toSyncDate>2024-01-01T00:00:00</toSyncDate>",
            "System.FormatException",
        ),
        ("SetProxyPassword", "<passwordBytes>***</passwordBytes>", "System.FormatException"),
    ],
)
def test_wrong_simple_type(admin, operation, inner, kind):
    client_fault(admin.call(operation, inner), type_=kind)


def test_short_and_long_ranges(admin):
    bad_short = (
        "<eventHistoryFilter><eventIdFilter><EventIdFilter><NamespaceId>2</NamespaceId>"
        "<EventId>40000</EventId></EventIdFilter></eventIdFilter>"
        "<fromTimeAtTarget>0001-01-01T00:00:00</fromTimeAtTarget>"
        "<toTimeAtTarget>0001-01-01T00:00:00</toTimeAtTarget>"
        "<fromTimeAtServer>0001-01-01T00:00:00</fromTimeAtServer>"
        "<toTimeAtServer>0001-01-01T00:00:00</toTimeAtServer></eventHistoryFilter>"
    )
    client_fault(admin.call("ExecuteSPSearchEventHistory", bad_short), type_="System.OverflowException")
    inner = subscription_xml().replace(
        "<synchronizeAutomaticallyTimeOfDay>0<", "<synchronizeAutomaticallyTimeOfDay>9223372036854775808<"
    )
    client_fault(admin.call("SetSubscription", inner), type_="System.OverflowException")


def test_xsi_nil_on_non_nillable(admin):
    client_fault(
        admin.call("SetSubscriptionFrequency", '<numberOfSynchronizationsPerDay xsi:nil="true" />'), "not nillable"
    )


# ---------------------------------------------------------------- xsi:nil, read the way XmlSerializer reads it
# A non-nillable member's xsi:nil is never looked at: the element is read by its (empty) content. A string
# is then "" (not null), a value type fails to parse "" (FormatException), as on a real server.
SECURITY = "0fa1201d-4330-4fa8-8ae9-b877473b6441"


def test_xsi_nil_on_string_parameter_reads_empty(admin):
    response = admin.call(
        "GetSubscriptionCategories",
        '<preferredCulture xsi:nil="true" /><retrieveUpdateClassifications>true</retrieveUpdateClassifications>',
    )
    assert response.status == 200, response.text


def test_xsi_nil_on_string_in_subscription_row_reads_empty(admin):
    inner = subscription_xml(classifications=[SECURITY])
    nil_inside = inner.replace("<LastModifiedBy>WSUS\\admin</LastModifiedBy>", '<LastModifiedBy xsi:nil="true" />')
    assert nil_inside != inner
    assert admin.call("SetSubscription", nil_inside).status == 200


def test_xsi_nil_string_is_empty_not_null(admin, emu):
    """userName with xsi:nil is "" (accepted, stored as the modifier), not null (ArgumentNullException)."""
    inner = subscription_xml(classifications=[SECURITY])
    nil_user = inner.replace("<userName>WSUS\\admin</userName>", '<userName xsi:nil="true" />')
    assert nil_user != inner
    assert admin.call("SetSubscription", nil_user).status == 200
    assert emu.state()["subscription"]["LastModifiedBy"] == ""


def test_xsi_nil_on_string_in_configuration_row_is_stored_empty(admin, emu):
    fields = get_configuration(admin)
    inner = row_xml(fields)
    nil_inside = inner.replace("<ServerString>Default</ServerString>", '<ServerString xsi:nil="true" />')
    assert nil_inside != inner
    response = admin.call("ExecuteSPSetConfiguration", nil_inside)
    assert response.status == 200, response.text
    assert dict(get_configuration(admin))["ServerString"] == ""  # read back as <ServerString />, not omitted
    assert emu.state()["configuration"]["ServerString"] == ""


def test_xsi_nil_on_base64_reads_empty_bytes(admin, emu):
    assert (
        admin.call(
            "SetProxyPassword",
            "<passwordBytes>%s</passwordBytes>" % base64.b64encode("pw".encode("utf-16-le")).decode(),
        ).status
        == 200
    )
    assert admin.call("SetProxyPassword", '<passwordBytes xsi:nil="true" />').status == 200
    assert emu.state()["proxy_password_set"] is False  # empty bytes remove the password


@pytest.mark.parametrize(
    "operation,inner",
    [
        ("SetSubscriptionFrequency", '<numberOfSynchronizationsPerDay xsi:nil="true" />'),
        ("GetSubscriptionCategories", '<retrieveUpdateClassifications xsi:nil="true" />'),
        (
            "ExecuteSPGetCategories",
            "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>"
            '<fromSyncDate xsi:nil="true" /><toSyncDate>2024-01-01T00:00:00</toSyncDate>',
        ),
        ("ExecuteSPGetSubcategories", '<categoryId xsi:nil="true" />'),
        ("ExecuteSPGetUpdateCount", '<publicationState xsi:nil="true" />'),
    ],
)
def test_xsi_nil_on_value_type_is_format_exception(admin, operation, inner):
    client_fault(admin.call(operation, inner), "not nillable", "System.FormatException")


def test_xsi_nil_on_value_type_inside_row_is_format_exception(admin):
    inner = subscription_xml().replace("<IsCategoryOnly>false</IsCategoryOnly>", '<IsCategoryOnly xsi:nil="true" />')
    client_fault(admin.call("SetSubscription", inner), "IsCategoryOnly", "System.FormatException")


def test_xsi_nil_on_array_is_null(admin, emu):
    """Literal arrays always go through ReadNull(): a nil list is null, like an absent one."""
    admin.ok("SetSubscription", subscription_xml(classifications=[SECURITY]))
    inner = subscription_xml(with_classifications=False).replace(
        "<userName>", '<updateClassificationIds xsi:nil="true" /><userName>'
    )
    assert admin.call("SetSubscription", inner).status == 200
    assert emu.state()["classifications"] == []


def test_xsi_nil_on_non_nillable_row_reads_its_content(admin):
    """A nil complex member is read by its content, as XmlSerializer does; the emulator then wants its
    required elements (a real server would build a row of defaults: see the 'stricter' list)."""
    fault = client_fault(
        admin.call("SetSubscription", '<subscription xsi:nil="true" /><userName>u</userName>'),
        "synchronizeAutomaticallyTimeOfDay",
    )
    assert "not nillable" in fault["string"]


def test_xsi_nil_value_must_be_a_boolean(admin):
    client_fault(
        admin.call("ExecuteSPSetConfiguration", '<listTrue xsi:nil="yes" />'), "xsi:nil", "System.FormatException"
    )


def test_xsi_nil_item_with_content_is_refused(admin):
    client_fault(
        admin.call("ExecuteSPSetConfiguration", '<listTrue><anyType xsi:nil="true">3</anyType></listTrue>'),
        "must be empty",
    )


def test_text_in_complex_element(admin):
    client_fault(admin.call("SetSubscription", "<subscription>oops</subscription>"), "cannot contain text")


def test_unknown_xsi_type_in_any_type(admin):
    inner = '<listTrue><anyType xsi:type="xsd:decimal">1</anyType></listTrue>'
    client_fault(admin.call("ExecuteSPSetConfiguration", inner), "not recognized")


def test_validation_errors_are_logged(admin, emu):
    admin.call("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>x</numberOfSynchronizationsPerDay>")
    assert emu.requests()[-1] == {"operation": "SetSubscriptionFrequency", "user": "WSUS\\admin", "http_status": 500}


def test_wrong_content_type_is_415(admin):
    assert admin.post(envelope("GetServerVersion"), content_type="application/json").status == 415


def test_get_on_endpoint_is_405(admin):
    assert admin.post(b"", method="GET").status == 405


def test_unknown_path_is_404(emu):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    connection.request("POST", "/ApiRemoting30/Other.asmx", body=b"x")
    assert connection.getresponse().status == 404
    connection.close()


def test_application_fault_shape(admin):
    response = admin.call(
        "SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>0</numberOfSynchronizationsPerDay>"
    )
    fault = response.fault
    assert fault["code"] == "soap:Server"
    assert fault["string"].startswith(
        "System.Web.Services.Protocols.SoapException: Server was unable to process "
        "request. ---> System.ArgumentOutOfRangeException: "
    )
    assert fault["type"] == "System.ArgumentOutOfRangeException"
    assert fault["assembly"].startswith("mscorlib, Version=4.0.0.0")
    assert fault["message"] in fault["string"]
