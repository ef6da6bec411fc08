"""A tiny raw-HTTP SOAP client for the emulator tests: http.client + pyspnego as the NTLM/Negotiate initiator.

Deliberately independent from the collection's client (plugins/): it builds envelopes by hand so that tests
can send exactly the XML they want, including broken XML.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.client
import io
import os
import re
import ssl
import time
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit

import spnego
from spnego.channel_bindings import GssChannelBindings

TNS = "http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
GUID_NS = "http://microsoft.com/wsdl/types/"
PASSWORD = "Passw0rd!"
MIN_DATE = "0001-01-01T00:00:00"
MAX_DATE = "9999-12-31T23:59:59.9999999"


def envelope(operation: str, inner: str = "", namespace: str = TNS) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<soap:Envelope xmlns:soap="%s" xmlns:xsi="%s" xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        '<soap:Body><%s xmlns="%s">%s</%s></soap:Body></soap:Envelope>'
        % (SOAP_NS, XSI, operation, namespace, inner, operation)
    ).encode("utf-8")


class Response:
    def __init__(self, status: int, headers: List[Tuple[str, str]], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body
        self._root = None

    def header_values(self, name: str) -> List[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def root(self) -> ET.Element:
        if self._root is None:
            self._root = ET.fromstring(self.body)
        return self._root

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    # -- faults
    @property
    def fault(self) -> Optional[Dict[str, str]]:
        if self.status != 500:
            return None
        fault = self.root.find(".//{%s}Fault" % SOAP_NS)
        if fault is None:
            return None
        exception = fault.find("detail/Exception")
        return {
            "code": fault.findtext("faultcode"),
            "string": fault.findtext("faultstring"),
            "type": exception.get("Type") if exception is not None else None,
            "message": exception.get("Message") if exception is not None else None,
            "assembly": exception.get("Assembly") if exception is not None else None,
        }

    # -- results
    def response_element(self, operation: str) -> ET.Element:
        assert self.status == 200, "HTTP %d: %s" % (self.status, self.text[:2000])
        element = self.root.find(".//{%s}%sResponse" % (TNS, operation))
        assert element is not None, self.text
        return element

    def result(self, operation: str) -> Optional[ET.Element]:
        return self.response_element(operation).find("{%s}%sResult" % (TNS, operation))


def any_value(element: ET.Element):
    if element.get("{%s}nil" % XSI) == "true":
        return None
    declared = element.get("{%s}type" % XSI) or ""
    text = element.text or ""
    local = declared.split(":")[-1]
    if local == "int":
        return int(text)
    if local == "boolean":
        return text == "true"
    if local == "guid":
        return ("guid", text)
    if local == "dateTime":
        return ("dateTime", text)
    return text


def rows(result: Optional[ET.Element]) -> List[list]:
    if result is None:
        return []
    return [
        [any_value(item) for item in row.findall("{%s}Values/{%s}anyType" % (TNS, TNS))]
        for row in result.findall("{%s}GenericReadableRow" % TNS)
    ]


def row(result: Optional[ET.Element]) -> list:
    return [any_value(item) for item in result.findall("{%s}Values/{%s}anyType" % (TNS, TNS))]


def children(element: ET.Element) -> List[Tuple[str, str]]:
    """[(local name, text)] of the direct children."""
    return [(child.tag.split("}")[-1], child.text or "") for child in element]


def tls_end_point(certificate_der: bytes) -> bytes:
    return hashlib.sha256(certificate_der).digest()


class Client:
    """One keep-alive connection authenticated with NTLM or Negotiate (per connection, like IIS)."""

    def __init__(
        self,
        url: str,
        username: str = "WSUS\\admin",
        password: str = PASSWORD,
        protocol: str = "ntlm",
        ca_path: Optional[str] = None,
        bindings: str = "right",
        timeout: float = 15,
    ):
        parts = urlsplit(url)
        self.url = url
        self.host = parts.hostname
        self.port = parts.port
        self.path = parts.path
        self.https = parts.scheme == "https"
        self.username = username
        self.password = password
        self.protocol = protocol
        self.scheme = "NTLM" if protocol == "ntlm" else "Negotiate"
        self.ca_path = ca_path
        self.bindings = bindings  # right | none | wrong
        self.timeout = timeout
        self.connection = None
        self.authenticated = False
        self.handshakes = 0
        self.round_trips = 0

    def close(self):
        if self.connection is not None:
            self.connection.close()
        self.connection = None
        self.authenticated = False

    def _connect(self):
        if self.https:
            context = ssl.create_default_context(cafile=self.ca_path)
            self.connection = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=context)
        else:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self.connection.connect()
        self.authenticated = False

    def _channel_bindings(self):
        if not self.https or self.bindings == "none":
            return None
        der = self.connection.sock.getpeercert(binary_form=True)
        digest = tls_end_point(der) if self.bindings == "right" else b"\x00" * 31 + b"\x01"
        return GssChannelBindings(application_data=b"tls-server-end-point:" + digest)

    def _round_trip(
        self, body: bytes, headers: Dict[str, str], method: str = "POST", path: Optional[str] = None
    ) -> Response:
        self.round_trips += 1
        self.connection.request(method, path or self.path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        result = Response(response.status, response.getheaders(), data)
        if response.will_close:
            self.connection.close()
            self.connection = None
            self.authenticated = False
        return result

    def post(
        self,
        body: bytes,
        soap_action: Optional[str] = None,
        content_type: str = "text/xml; charset=utf-8",
        extra_headers: Optional[Dict[str, str]] = None,
        method: str = "POST",
    ) -> Response:
        headers = {"Content-Type": content_type}
        if soap_action is not None:
            headers["SOAPAction"] = soap_action
        headers.update(extra_headers or {})
        if self.connection is None:
            self._connect()
        if self.authenticated:
            return self._round_trip(body, headers, method)
        context = spnego.client(
            self.username,
            self.password,
            hostname=self.host,
            service="HTTP",
            protocol=self.protocol,
            channel_bindings=self._channel_bindings(),
        )
        token = context.step()
        while True:
            headers["Authorization"] = "%s %s" % (self.scheme, base64.b64encode(token).decode())
            response = self._round_trip(body, headers, method)
            server_token = None
            for value in response.header_values("WWW-Authenticate"):
                scheme, dummy, data = value.partition(" ")
                if scheme.lower() == self.scheme.lower() and data:
                    server_token = base64.b64decode(data)
            if response.status == 401:
                if server_token is None or context.complete or self.connection is None:
                    return response
                token = context.step(server_token)
                continue
            if server_token is not None and not context.complete:
                context.step(server_token)
            self.authenticated = True
            self.handshakes += 1
            return response

    def call(self, operation: str, inner: str = "", soap_action: Optional[str] = "live", **kwargs) -> Response:
        if soap_action == "live":
            soap_action = '"%s/%s"' % (TNS, operation)
        return self.post(envelope(operation, inner), soap_action, **kwargs)

    def ok(self, operation: str, inner: str = "") -> Response:
        response = self.call(operation, inner)
        assert response.status == 200, "%s: HTTP %d %s" % (operation, response.status, response.text[:3000])
        return response


# ---------------------------------------------------------------------------------------------- builders


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_escape(str(value))


def get_configuration(client: Client) -> List[Tuple[str, str]]:
    """The Configuration row as [(field, text)] in wire order."""
    result = client.ok("ExecuteSPGetConfiguration").result("ExecuteSPGetConfiguration")
    return children(result.find("{%s}Configuration" % TNS))


def row_xml(fields: List[Tuple[str, str]], overrides: Optional[Dict[str, object]] = None, tag: str = "row") -> str:
    """A ConfigurationTableRow element from ``fields`` with ``overrides`` (None drops a field)."""
    overrides = overrides or {}
    parts = []
    for name, text in fields:
        if name in overrides:
            if overrides[name] is None:
                continue
            text = _text(overrides[name])
        else:
            text = xml_escape(text)
        parts.append("<%s>%s</%s>" % (name, text, name))
    return "<%s>%s</%s>" % (tag, "".join(parts), tag)


def language_list(tag: str, items) -> str:
    """Language list items: ints as xsd:int LanguageIDs (--language-rows spec), strings as xsd:string short
    codes (the default live layout), None as an xsi:nil item."""
    return "<%s>%s</%s>" % (
        tag,
        "".join(
            '<anyType xsi:nil="true" />'
            if item is None
            else '<anyType xsi:type="xsd:string">%s</anyType>' % xml_escape(item)
            if isinstance(item, str)
            else '<anyType xsi:type="xsd:int">%d</anyType>' % item
            for item in items
        ),
        tag,
    )


def set_configuration(
    client: Client,
    overrides: Optional[Dict[str, object]] = None,
    enable=(),
    disable=(),
    fields: Optional[List[Tuple[str, str]]] = None,
    extra: str = "",
) -> Response:
    fields = fields if fields is not None else get_configuration(client)
    inner = row_xml(fields, overrides)
    if enable or disable:
        inner += language_list("listTrue", enable) + language_list("listFalse", disable)
    return client.call("ExecuteSPSetConfiguration", inner + extra)


def subscription_xml(
    synchronize_automatically: bool = False,
    time_of_day: int = 0,
    per_day: int = 1,
    categories=(),
    classifications=(),
    user: str = "WSUS\\admin",
    with_categories: bool = True,
    with_classifications: bool = True,
    category_only: bool = False,
) -> str:
    inner = (
        "<subscription><synchronizeAutomaticallyTimeOfDay>%d</synchronizeAutomaticallyTimeOfDay>"
        "<LastModifiedBy>%s</LastModifiedBy><LastModifiedTime>2024-01-01T00:00:00</LastModifiedTime>"
        "<LastSynchronizationTime>0001-01-01T00:00:00</LastSynchronizationTime>"
        "<SynchronizeAutomatically>%s</SynchronizeAutomatically>"
        "<NumberOfSynchronizationsPerDay>%d</NumberOfSynchronizationsPerDay>"
        "<IsCategoryOnly>%s</IsCategoryOnly></subscription>"
        % (time_of_day, xml_escape(user), _text(synchronize_automatically), per_day, _text(category_only))
    )
    if with_categories:
        inner += "<categoryIds>%s</categoryIds>" % "".join("<guid>%s</guid>" % g for g in categories)
    if with_classifications:
        inner += "<updateClassificationIds>%s</updateClassificationIds>" % "".join(
            "<guid>%s</guid>" % g for g in classifications
        )
    inner += "<userName>%s</userName>" % xml_escape(user)
    return inner


def event_filter_xml(
    event_ids=(381, 382, 384, 385, 386), live: bool = True, low: str = MIN_DATE, high: str = MAX_DATE
) -> str:
    ids = "".join(
        "<EventIdFilter><NamespaceId>2</NamespaceId><EventId>%d</EventId></EventIdFilter>" % i for i in event_ids
    )
    inner = (
        "<eventIdFilter>%s</eventIdFilter><fromTimeAtTarget>%s</fromTimeAtTarget><toTimeAtTarget>%s"
        "</toTimeAtTarget><fromTimeAtServer>%s</fromTimeAtServer><toTimeAtServer>%s</toTimeAtServer>"
        % (ids, low, high, low, high)
    )
    if live:
        inner += (
            "<FromTimeAtTarget>%s</FromTimeAtTarget><ToTimeAtTarget>%s</ToTimeAtTarget>"
            "<FromTimeAtServer>%s</FromTimeAtServer><ToTimeAtServer>%s</ToTimeAtServer>" % (low, high, low, high)
        )
    return "<eventHistoryFilter>%s</eventHistoryFilter>" % inner


def events(client: Client, **kwargs) -> List[Dict]:
    result = client.ok("ExecuteSPSearchEventHistory", event_filter_xml(**kwargs)).result("ExecuteSPSearchEventHistory")
    found = []
    for element in result.findall("{%s}EventHistoryTableRow" % TNS):
        entry = dict(children(element))
        entry["EventId"] = int(entry["EventId"])
        entry["ReplacementStrings"] = [
            s.text or "" for s in element.findall("{%s}ReplacementStrings/{%s}string" % (TNS, TNS))
        ]
        entry["_order"] = [name for name, dummy in children(element)]
        found.append(entry)
    return found


def scalar(client: Client, operation: str, inner: str = "") -> str:
    return client.ok(operation, inner).result(operation).text or ""


def subscription(client: Client) -> Dict[str, str]:
    return dict(children(client.ok("GetSubscription").result("GetSubscription")))


# ---------------------------------------------------------------------------------------------- subscription runs
def subscription_state(client: Client) -> int:
    return int(scalar(client, "GetSubscriptionState"))


def wait_idle(client: Client, limit: float = 10.0) -> None:
    deadline = time.time() + limit
    while subscription_state(client) != 0:
        assert time.time() < deadline, "still running"
        time.sleep(0.05)


def run_sync(client: Client, operation: str = "StartSubscriptionManually", limit: float = 15.0) -> None:
    """Start a synchronization and wait until it has ended."""
    client.ok(operation)
    wait_idle(client, limit)


# ---------------------------------------------------------------------------------------------- the live WSDL
LIVE_WSDL = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
    "shared",
    "reference",
    "ApiRemoting30.live-ws2022.wsdl.xml",
)


@functools.lru_cache(maxsize=None)
def live_schema():
    """The three schemas embedded in the live WSDL as one xmlschema validator (the main one last: it refers to
    the others' types; each gets the prefixes declared on <wsdl:definitions>). Kept here rather than borrowed
    from the collection's tests so that this suite runs alone; built once (it takes a while)."""
    import xmlschema

    assert os.path.isfile(LIVE_WSDL), "the live WSDL is expected beside the checkout: %s" % LIVE_WSDL
    with open(LIVE_WSDL, encoding="utf-8-sig") as handle:
        text = handle.read()
    declarations = dict(re.findall(r'xmlns:(\w+)="([^"]+)"', re.search(r"<wsdl:definitions\b[^>]*>", text).group(0)))
    sources = []
    for block in re.findall(r"<s:schema\b.*?</s:schema>", text, re.S):
        head = re.match(r"<s:schema\b[^>]*>", block).group(0)
        present = set(re.findall(r"xmlns:(\w+)=", head))
        extra = "".join(' xmlns:%s="%s"' % item for item in declarations.items() if item[0] not in present)
        sources.append(('ApiRemotingWebService"' in head, head[:-1] + extra + ">" + block[len(head) :]))
    sources.sort(key=lambda item: item[0])
    return xmlschema.XMLSchema([io.StringIO(source) for dummy, source in sources])


def body_errors(schema, envelope_bytes: bytes) -> List[str]:
    """The schema's complaints about the payload element of a SOAP answer ([] when it conforms)."""
    import xmlschema

    resource = xmlschema.XMLResource(io.BytesIO(envelope_bytes))
    found = schema.iter_errors(resource, path="/soap:Envelope/soap:Body/*", namespaces={"soap": SOAP_NS})
    return [str(error.reason or error.message) for error in found]
