"""SOAP envelope handling, SOAPAction, strict request validation and the ASMX fault shape."""

from __future__ import annotations

import re

import pytest

from wsusclient import SOAP_NS, TNS, XSI, envelope, subscription_xml

READ = "System.Web.Services.Protocols.SoapException: Server was unable to read request. ---> "


def client_fault(response, contains=None, type_=None):
    assert response.status == 500, response.text
    fault = response.fault
    assert fault["code"] == "soap:Client", fault
    assert fault["string"].startswith(READ + "System.InvalidOperationException: There is an error in XML document ("), fault
    if contains:
        assert contains in fault["string"], fault["string"]
    if type_:
        assert fault["type"] == type_
    assert fault["assembly"]
    return fault


@pytest.mark.parametrize("action", [
    None,
    '"%s/GetServerVersion"' % TNS,
    '"%s/ApiRemotingSoap/GetServerVersionRequest"' % TNS,
    "%s/GetServerVersion" % TNS,
    '""',
])
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
    body = ('<s:Envelope xmlns:s="%s"><s:Header/><s:Body><w:SetSubscriptionFrequency xmlns:w="%s">'
            "<w:numberOfSynchronizationsPerDay> 3 </w:numberOfSynchronizationsPerDay>"
            "</w:SetSubscriptionFrequency></s:Body></s:Envelope>" % (SOAP_NS, TNS)).encode()
    assert admin.post(body).status == 200
    assert admin.ok("GetSubscription").result("GetSubscription").findtext(
        "{%s}NumberOfSynchronizationsPerDay" % TNS) == "3"


def test_response_shape(admin):
    response = admin.ok("GetServerVersion")
    assert response.header_values("Content-Type") == ["text/xml; charset=utf-8"]
    text = response.text
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="%s" xmlns:xsi="%s" '
                           'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>' % (SOAP_NS, XSI))
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
    response = admin.post(b"<soap:Envelope xmlns:soap='%s'><soap:Body><GetServerVersion" % SOAP_NS.encode(),
                          '"%s/GetServerVersion"' % TNS)
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
        b"<soap:Body>", b'<soap:Header><x:Sec xmlns:x="urn:x" soap:mustUnderstand="1"/></soap:Header><soap:Body>')
    response = admin.post(body)
    assert response.fault["code"] == "soap:MustUnderstand"


def test_unknown_element(admin):
    client_fault(admin.call("GetSubscriptionCategories",
                            "<preferredCulture>en</preferredCulture><bogus>1</bogus>"
                            "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>"), "bogus")


def test_unknown_element_in_empty_operation(admin):
    client_fault(admin.call("GetServerVersion", "<extra/>"), "extra")


def test_element_in_wrong_namespace(admin):
    client_fault(admin.call("SetSubscriptionFrequency",
                            '<numberOfSynchronizationsPerDay xmlns="">2</numberOfSynchronizationsPerDay>'),
                 "must be in the namespace")


def test_misordered_elements(admin):
    client_fault(admin.call("GetSubscriptionCategories",
                            "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>"
                            "<preferredCulture>en</preferredCulture>"), "out of order")


def test_misordered_nested_elements(admin):
    inner = subscription_xml().replace(
        "<LastModifiedTime>2024-01-01T00:00:00</LastModifiedTime>"
        "<LastSynchronizationTime>0001-01-01T00:00:00</LastSynchronizationTime>",
        "<LastSynchronizationTime>0001-01-01T00:00:00</LastSynchronizationTime>"
        "<LastModifiedTime>2024-01-01T00:00:00</LastModifiedTime>")
    client_fault(admin.call("SetSubscription", inner), "LastModifiedTime")


def test_repeated_element(admin):
    client_fault(admin.call("SetSubscriptionFrequency",
                            "<numberOfSynchronizationsPerDay>2</numberOfSynchronizationsPerDay>"
                            "<numberOfSynchronizationsPerDay>3</numberOfSynchronizationsPerDay>"), "repeated")


def test_missing_required_element(admin):
    client_fault(admin.call("SetSubscriptionFrequency", ""), "numberOfSynchronizationsPerDay")
    client_fault(admin.call("ExecuteSPGetCategories",
                            "<preferredCulture>en</preferredCulture>"
                            "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>"
                            "<fromSyncDate>0001-01-01T00:00:00</fromSyncDate>"), "toSyncDate")


def test_missing_required_nested_element(admin):
    inner = subscription_xml().replace("<IsCategoryOnly>false</IsCategoryOnly>", "")
    client_fault(admin.call("SetSubscription", inner), "IsCategoryOnly")


@pytest.mark.parametrize("operation,inner,kind", [
    ("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>two</numberOfSynchronizationsPerDay>",
     "System.FormatException"),
    ("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>1.5</numberOfSynchronizationsPerDay>",
     "System.FormatException"),
    ("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>4294967296</numberOfSynchronizationsPerDay>",
     "System.OverflowException"),
    ("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay />", "System.FormatException"),
    ("GetSubscriptionCategories", "<retrieveUpdateClassifications>yes</retrieveUpdateClassifications>",
     "System.FormatException"),
    ("GetSubscriptionCategories", "<retrieveUpdateClassifications>True</retrieveUpdateClassifications>",
     "System.FormatException"),
    ("ExecuteSPGetSubcategories", "<categoryId>not-a-guid</categoryId>", "System.FormatException"),
    ("ExecuteSPGetCategories", "<retrieveUpdateClassifications>1</retrieveUpdateClassifications>"
                               "<fromSyncDate>yesterday</fromSyncDate><toSyncDate>2024-01-01T00:00:00</toSyncDate>",
     "System.FormatException"),
    ("SetProxyPassword", "<passwordBytes>***</passwordBytes>", "System.FormatException"),
])
def test_wrong_simple_type(admin, operation, inner, kind):
    client_fault(admin.call(operation, inner), type_=kind)


def test_short_and_long_ranges(admin):
    bad_short = ("<eventHistoryFilter><eventIdFilter><EventIdFilter><NamespaceId>2</NamespaceId>"
                 "<EventId>40000</EventId></EventIdFilter></eventIdFilter>"
                 "<fromTimeAtTarget>0001-01-01T00:00:00</fromTimeAtTarget>"
                 "<toTimeAtTarget>0001-01-01T00:00:00</toTimeAtTarget>"
                 "<fromTimeAtServer>0001-01-01T00:00:00</fromTimeAtServer>"
                 "<toTimeAtServer>0001-01-01T00:00:00</toTimeAtServer></eventHistoryFilter>")
    client_fault(admin.call("ExecuteSPSearchEventHistory", bad_short), type_="System.OverflowException")
    inner = subscription_xml().replace("<synchronizeAutomaticallyTimeOfDay>0<",
                                       "<synchronizeAutomaticallyTimeOfDay>9223372036854775808<")
    client_fault(admin.call("SetSubscription", inner), type_="System.OverflowException")


def test_xsi_nil_on_non_nillable(admin):
    client_fault(admin.call("SetSubscriptionFrequency",
                            '<numberOfSynchronizationsPerDay xsi:nil="true" />'), "not nillable")


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
    response = admin.call("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>0</numberOfSynchronizationsPerDay>")
    fault = response.fault
    assert fault["code"] == "soap:Server"
    assert fault["string"].startswith("System.Web.Services.Protocols.SoapException: Server was unable to process "
                                      "request. ---> System.ArgumentOutOfRangeException: ")
    assert fault["type"] == "System.ArgumentOutOfRangeException"
    assert fault["assembly"].startswith("mscorlib, Version=4.0.0.0")
    assert fault["message"] in fault["string"]
