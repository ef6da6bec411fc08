"""SOAP 1.1 envelope parsing, strict validation against the schema table, and ASMX-style serialization.

Parsing uses expat directly so that every element knows its line and column (ASMX reports
"There is an error in XML document (line, column)") and so that DTDs can be refused.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
from typing import Dict, List, NamedTuple, Optional, Tuple
from xml.parsers import expat

from . import faults
from .schema import (
    ENUM_TYPES,
    GUID_NS,
    MONITORABLE_NS,
    SOAP11_NS,
    SOAP12_NS,
    TNS,
    XSD_NS,
    XSI_NS,
    Field,
    Operation,
    Schema,
)

XML_NS = "http://www.w3.org/XML/1998/namespace"
MIN_DATETIME = _dt.datetime(1, 1, 1)
MAX_DATETIME = _dt.datetime(9999, 12, 31, 23, 59, 59, 999999)


# --------------------------------------------------------------------------------------------------------
# A small element tree with positions
# --------------------------------------------------------------------------------------------------------


class Node:
    __slots__ = ("uri", "name", "attrs", "children", "parts", "line", "column", "nsmap")

    def __init__(self, uri, name, attrs, line, column, nsmap):
        self.uri = uri
        self.name = name
        self.attrs = attrs  # {(uri, local): value}
        self.children: List["Node"] = []
        self.parts: List[str] = []
        self.line = line
        self.column = column
        self.nsmap = nsmap  # prefix -> uri in scope ("" is the default namespace)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def attr(self, uri, local) -> Optional[str]:
        return self.attrs.get((uri, local))

    def describe(self) -> str:
        return "<%s xmlns='%s'>" % (self.name, self.uri)


def _split(qualified: str) -> Tuple[str, str]:
    if " " in qualified:
        uri, local = qualified.split(" ", 1)
        return uri, local
    return "", qualified


class _Refused(Exception):
    pass


def parse_xml(data: bytes) -> Node:
    """Parse ``data`` into a Node tree; malformed XML raises a Client RequestError (XmlException)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    stack: List[Node] = []
    nsmaps = [{"xml": XML_NS}]
    pending: Dict[str, str] = {}
    result: List[Node] = []

    def start_ns(prefix, uri):
        pending[prefix or ""] = uri or ""

    def end_ns(prefix):
        pass

    def start(name, attrs):
        if pending:
            nsmap = dict(nsmaps[-1])
            nsmap.update(pending)
            pending.clear()
        else:
            nsmap = nsmaps[-1]
        nsmaps.append(nsmap)
        uri, local = _split(name)
        node = Node(
            uri,
            local,
            {_split(key): value for key, value in attrs.items()},
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber + 1,
            nsmap,
        )
        if stack:
            stack[-1].children.append(node)
        else:
            result.append(node)
        stack.append(node)

    def end(name):
        stack.pop()
        nsmaps.pop()

    def chars(text):
        if stack:
            stack[-1].parts.append(text)

    def refuse(*args):
        raise _Refused("For security reasons DTD is prohibited in this XML document.")

    parser.StartNamespaceDeclHandler = start_ns
    parser.EndNamespaceDeclHandler = end_ns
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        line, column = error.lineno, error.offset + 1
        raise faults.RequestError(
            "%s. Line %d, position %d." % (expat.ErrorString(error.code).capitalize(), line, column),
            line,
            column,
            faults.XML,
        ) from None
    except _Refused as error:
        line, column = parser.CurrentLineNumber, parser.CurrentColumnNumber + 1
        raise faults.RequestError(str(error), line, column, faults.XML) from None
    if not result:
        raise faults.RequestError("Root element is missing.", 0, 0, faults.XML)
    return result[0]


# --------------------------------------------------------------------------------------------------------
# Envelope
# --------------------------------------------------------------------------------------------------------


class Envelope(NamedTuple):
    root: Node
    body_element: Node  # the first child of soap:Body: the operation element

    @property
    def operation(self) -> str:
        return self.body_element.name

    @property
    def namespace(self) -> str:
        return self.body_element.uri


def _truthy(value: Optional[str]) -> bool:
    return (value or "").strip() in ("1", "true")


def parse_envelope(data: bytes) -> Envelope:
    root = parse_xml(data)
    if root.name == "Envelope" and root.uri == SOAP12_NS:
        raise faults.ProtocolError(
            "VersionMismatch",
            "Possible SOAP version mismatch: Envelope namespace %s was unexpected. "
            "Expecting %s. (The emulator serves SOAP 1.1 only.)" % (root.uri, SOAP11_NS),
        )
    if root.name != "Envelope" or root.uri != SOAP11_NS:
        raise faults.ProtocolError(
            "Client",
            "Possible SOAP version mismatch: Envelope namespace %s was unexpected. Expecting %s."
            % (root.uri, SOAP11_NS),
        )
    body = None
    for child in root.children:
        if child.uri == SOAP11_NS and child.name == "Header" and body is None:
            for entry in child.children:
                if _truthy(entry.attr(SOAP11_NS, "mustUnderstand")):
                    raise faults.ProtocolError("MustUnderstand", "SOAP header %s was not understood." % entry.name)
        elif child.uri == SOAP11_NS and child.name == "Body":
            body = child
            break
        else:
            raise faults.RequestError(
                "Element %s was not expected in the SOAP Envelope." % child.describe(), child.line, child.column
            )
    if body is None:
        raise faults.RequestError("The SOAP Envelope has no Body element.", root.line, root.column)
    if not body.children:
        raise faults.RequestError("The SOAP Body is empty: it must hold the operation element.", body.line, body.column)
    return Envelope(root, body.children[0])


def check_soap_action(header: Optional[str], envelope: Envelope) -> None:
    """Accept no SOAPAction, ``<tns>/<Op>`` or ``<tns>/ApiRemotingSoap/<Op>Request`` (quoted or not)."""
    if header is None:
        return
    value = header.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if value == "":
        return
    op, ns = envelope.operation, envelope.namespace
    accepted = {ns + "/" + op, ns + "/ApiRemotingSoap/" + op + "Request"}
    if value not in accepted:
        raise faults.ProtocolError(
            "Client", "Server did not recognize the value of HTTP Header SOAPAction: %s." % value
        )


# --------------------------------------------------------------------------------------------------------
# Simple types
# --------------------------------------------------------------------------------------------------------


class AnyValue(NamedTuple):
    """An ``anyType`` item as read from a request: its xsi:type (local name; None if untyped) and value."""

    type: Optional[str]
    value: object


_XML_WS = " \t\r\n"
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATETIME = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,7}))?(Z|[+-]\d\d:\d\d)?$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")

_INT_RANGES = {
    "int": ("Int32", -(2**31), 2**31 - 1),
    "long": ("Int64", -(2**63), 2**63 - 1),
    "short": ("Int16", -(2**15), 2**15 - 1),
    "unsignedByte": ("Byte", 0, 255),
    "unsignedInt": ("UInt32", 0, 2**32 - 1),
}


class ValueError_(Exception):
    """A lexical or range error of a simple value; ``kind`` is the .NET exception type."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def parse_simple(type_: str, text: str):
    """Convert the lexical form of a simple value; raises ValueError_ like XmlConvert would."""
    if type_ == "string":
        return text
    if type_ in ENUM_TYPES:
        # XmlSerializer's generated reader switches on the exact text (no trimming, case-sensitive)
        if text not in ENUM_TYPES[type_]:
            raise ValueError_(
                faults.INVALID_OPERATION, "Instance validation error: '%s' is not a valid value for %s." % (text, type_)
            )
        return text
    stripped = text.strip(_XML_WS)
    if type_ in _INT_RANGES:
        clr, low, high = _INT_RANGES[type_]
        if not _INTEGER.match(stripped):
            raise ValueError_(faults.FORMAT, "The string '%s' is not a valid %s value." % (text, clr))
        number = int(stripped)
        if not low <= number <= high:
            raise ValueError_(
                faults.OVERFLOW,
                "Value was either too large or too small for %s %s."
                % ("an" if clr.startswith(("I", "U")) else "a", clr),
            )
        return number
    if type_ == "boolean":
        if stripped in ("true", "1"):
            return True
        if stripped in ("false", "0"):
            return False
        raise ValueError_(faults.FORMAT, "The string '%s' is not a valid Boolean value." % text)
    if type_ == "dateTime":
        return parse_datetime(stripped, text)
    if type_ == "guid":
        if not _GUID.match(stripped):
            raise ValueError_(
                faults.FORMAT,
                "Guid should contain 32 digits with 4 dashes "
                "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx). Value: '%s'." % text,
            )
        return stripped.lower()
    if type_ == "base64Binary":
        compact = "".join(text.split())
        if len(compact) % 4 or not _BASE64.match(compact):
            raise ValueError_(
                faults.FORMAT,
                "The input is not a valid Base-64 string as it contains a non-base 64 "
                "character, more than two padding characters, or an illegal "
                "character among the padding characters.",
            )
        try:
            return base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError_(faults.FORMAT, "The input is not a valid Base-64 string.") from None
    raise AssertionError("not a simple type: %s" % type_)


def parse_datetime(stripped: str, original: Optional[str] = None) -> _dt.datetime:
    """xsd:dateTime -> naive UTC datetime (no zone = UTC; fractions beyond microseconds are truncated)."""
    match = _DATETIME.match(stripped)
    error = ValueError_(faults.FORMAT, "The string '%s' is not a valid AllXsd value." % (original or stripped))
    if not match:
        raise error
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        value = _dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0").ljust(6, "0")[:6]),
        )
    except ValueError:
        raise error from None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = _dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        try:
            value = value - sign * offset
        except OverflowError:
            value = MIN_DATETIME if sign > 0 else MAX_DATETIME
    return value


def format_datetime(value: _dt.datetime) -> str:
    """Like XmlConvert for DateTimeKind.Unspecified: no zone, fraction without trailing zeros."""
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
    )
    if value.microsecond:
        text += ("." + "%06d" % value.microsecond).rstrip("0")
    return text


def format_simple(type_: str, value) -> str:
    if type_ == "boolean":
        return "true" if value else "false"
    if type_ == "dateTime":
        return format_datetime(value)
    if type_ == "base64Binary":
        return base64.b64encode(value).decode("ascii")
    return str(value)


# --------------------------------------------------------------------------------------------------------
# Reading (strict validation)
# --------------------------------------------------------------------------------------------------------

_ANY_TYPES = {"int", "long", "short", "unsignedByte", "unsignedInt", "boolean", "dateTime", "string", "base64Binary"}


class Reader:
    """Validates request elements against a Schema and turns them into Python values.

    Values are read as ASMX's XmlSerializer reads them. Several structural checks are stricter than a
    real server (which skips unknown elements, ignores order, keeps defaults for missing ones): each is
    listed, with why it is kept, in GUIDE.md "Where the emulator is stricter than a real server".
    """

    def __init__(self, schema: Schema):
        self.schema = schema

    def read_operation(self, element: Node, operation: Operation) -> Dict[str, object]:
        return self._sequence(element, list(operation.params), operation.name)

    # -- helpers
    @staticmethod
    def _error(node: Node, message: str, kind: str = faults.INVALID_OPERATION) -> faults.RequestError:
        return faults.RequestError(message, node.line, node.column, kind)

    def _sequence(self, node: Node, fields: List[Field], context: str) -> Dict[str, object]:
        if node.text.strip(_XML_WS):
            raise self._error(node, "Element '%s' has a complex type and cannot contain text." % context)
        values: Dict[str, object] = {}
        for field in fields:
            if field.repeated:
                values[field.name] = []
        index = 0
        count = 0
        positions = {field.name: position for position, field in enumerate(fields)}
        order = ", ".join(field.name for field in fields) or "no child elements"
        for child in node.children:
            position = positions.get(child.name) if child.uri == TNS else None
            if position is None:
                if child.uri != TNS and child.name in positions:
                    raise self._error(
                        child,
                        "Unexpected element %s in '%s': it must be in the namespace %s."
                        % (child.describe(), context, TNS),
                    )
                raise self._error(
                    child,
                    "Unexpected element %s in '%s': the allowed elements are, in this "
                    "order: %s." % (child.describe(), context, order),
                )
            if position < index:
                raise self._error(
                    child,
                    "Element '%s' is out of order in '%s': the expected order is %s." % (child.name, context, order),
                )
            while index < position:
                if count < fields[index].min:
                    raise self._error(
                        child,
                        "The required element '%s' is missing from '%s' (found '%s' "
                        "instead)." % (fields[index].name, context, child.name),
                    )
                index += 1
                count = 0
            field = fields[index]
            count += 1
            if field.max is not None and count > field.max:
                raise self._error(
                    child,
                    "Element '%s' is repeated in '%s': it may occur at most %d time(s)."
                    % (child.name, context, field.max),
                )
            value = self._value(child, field, context)
            if field.repeated:
                values[field.name].append(value)
            else:
                values[field.name] = value
        while index < len(fields):
            if count < fields[index].min:
                raise self._error(
                    node, "The required element '%s' is missing from '%s'." % (fields[index].name, context)
                )
            index += 1
            count = 0
        return values

    def _value(self, node: Node, field: Field, context: str):
        # xsi:nil the way XmlSerializer reads it. Only a nillable element, or any literal array
        # (ArrayOfX), goes through ReadNull() and can become null. Everywhere else the attribute is never
        # looked at and the element is read by its content: a string becomes "", base64Binary b"", a
        # complex type its (here: required) children, and an int/boolean/dateTime/guid fails to parse ""
        # with a FormatException, as on a real server.
        nil = node.attr(XSI_NS, "nil")
        if nil is not None:
            if field.nillable or self.schema.is_array(field.type):
                if self._nil_flag(node, nil, field, context):
                    if node.children or node.text.strip(_XML_WS):  # stricter than ReadNull(), which skips it
                        raise self._error(node, "Element '%s' has xsi:nil='true' and must be empty." % field.name)
                    return None
            elif _truthy(nil):
                try:
                    return self._content(node, field, context)
                except faults.RequestError as error:
                    raise self._nil_hint(error, field, context) from None
        return self._content(node, field, context)

    def _nil_flag(self, node: Node, value: str, field: Field, context: str) -> bool:
        """XmlConvert.ToBoolean of the xsi:nil value, as XmlSerializationReader.GetNullAttr() does."""
        try:
            return parse_simple("boolean", value)
        except ValueError_ as error:
            raise self._error(
                node, "%s (xsi:nil of element '%s' in '%s')" % (error.message, field.name, context), error.kind
            ) from None

    @staticmethod
    def _nil_hint(error: "faults.RequestError", field: Field, context: str) -> "faults.RequestError":
        hint = (
            " Element '%s' in '%s' has xsi:nil='true' but is not nillable: XmlSerializer ignores xsi:nil "
            "there and reads the element's content." % (field.name, context)
        )
        return faults.RequestError(error.message + hint, error.line, error.column, error.exception_type)

    def _content(self, node: Node, field: Field, context: str):
        if field.type == "anyType":
            return self._any(node, field, context)
        if field.type in self.schema.types:
            declared = node.attr(XSI_NS, "type")
            if declared is not None and self._qname(node, declared)[1] != field.type:
                raise self._error(
                    node,
                    "The specified type was not recognized: name='%s' for element '%s' of "
                    "type '%s'." % (declared, field.name, field.type),
                )
            return self._sequence(node, self.schema.fields(field.type), field.name)
        return self._simple(node, field.type, "%s' in '%s" % (field.name, context))

    def _simple(self, node: Node, type_: str, where: str):
        if node.children:
            raise self._error(
                node.children[0],
                "Element '%s' has a simple type (%s) and cannot contain element "
                "%s." % (where, type_, node.children[0].describe()),
            )
        try:
            return parse_simple(type_, node.text)
        except ValueError_ as error:
            raise self._error(node, "%s (element '%s')" % (error.message, where), error.kind) from None

    def _qname(self, node: Node, qname: str) -> Tuple[str, str]:
        qname = qname.strip(_XML_WS)
        prefix, dummy, local = qname.rpartition(":")
        uri = node.nsmap.get(prefix)
        if uri is None:
            raise self._error(node, "Cannot find the namespace of prefix '%s' in xsi:type='%s'." % (prefix, qname))
        return uri, local

    def _any(self, node: Node, field: Field, context: str) -> AnyValue:
        declared = node.attr(XSI_NS, "type")
        if declared is None:
            if node.children:
                raise self._error(
                    node,
                    "Untyped anyType items with element content are not supported "
                    "(element '%s' in '%s')." % (field.name, context),
                )
            return AnyValue(None, node.text)
        uri, local = self._qname(node, declared)
        if uri == XSD_NS and local in _ANY_TYPES:
            type_ = local
        elif uri == GUID_NS and local == "guid":
            type_ = "guid"
        else:
            raise self._error(
                node,
                "The specified type was not recognized: name='%s', namespace='%s', at %s."
                % (local, uri, node.describe()),
            )
        return AnyValue(type_, self._simple(node, type_, "%s' in '%s" % (field.name, context)))


# --------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------

_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape_text(text: str) -> str:
    text = _INVALID_XML_CHARS.sub("?", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str) -> str:
    return escape_text(text).replace('"', "&quot;").replace("\r", "&#xD;").replace("\n", "&#xA;").replace("\t", "&#x9;")


ENVELOPE_OPEN = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="%s" xmlns:xsi="%s" '
    'xmlns:xsd="%s"><soap:Body>' % (SOAP11_NS, XSI_NS, XSD_NS)
)
ENVELOPE_CLOSE = "</soap:Body></soap:Envelope>"


class Writer:
    """Serializes Python values by the schema table, the way XmlSerializer shapes them."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self._prefixes = 0

    def response(self, operation: Operation, result) -> bytes:
        self._prefixes = 0
        out: List[str] = [ENVELOPE_OPEN]
        name = operation.name + "Response"
        if operation.out is not None:  # out-parameters straight inside the response element
            inner: List[str] = []
            for child in self.schema.fields(operation.out):
                self.element(inner, child, (result or {}).get(child.name))
            out.append(
                '<%s xmlns="%s">%s</%s>' % (name, TNS, "".join(inner), name)
                if inner
                else '<%s xmlns="%s" />' % (name, TNS)
            )
        elif operation.result is None:
            out.append('<%s xmlns="%s" />' % (name, TNS))
        else:
            out.append('<%s xmlns="%s">' % (name, TNS))
            self.element(out, operation.result, result)
            out.append("</%s>" % name)
        out.append(ENVELOPE_CLOSE)
        return "".join(out).encode("utf-8")

    def element(self, out: List[str], field: Field, value) -> None:
        if field.repeated:
            for item in value or []:
                self._single(out, field, item)
            return
        self._single(out, field, value)

    def _single(self, out: List[str], field: Field, value) -> None:
        name = field.name
        if value is None:
            if field.nillable:
                out.append('<%s xsi:nil="true" />' % name)
                return
            if field.min == 0:
                return
            raise AssertionError("required element %s has no value" % name)
        if field.type == "anyType":
            self._any(out, value)
            return
        if field.type in self.schema.types:
            inner: List[str] = []
            for child in self.schema.fields(field.type):
                self.element(inner, child, value.get(child.name))
            if inner:
                out.append("<%s>%s</%s>" % (name, "".join(inner), name))
            else:
                out.append("<%s />" % name)
            return
        text = escape_text(format_simple(field.type, value))
        out.append("<%s>%s</%s>" % (name, text, name) if text else "<%s />" % name)

    def _any(self, out: List[str], value) -> None:
        if isinstance(value, AnyValue):
            type_, value = value.type, value.value
        else:
            type_ = python_xsd_type(value)
        if value is None:
            out.append('<anyType xsi:nil="true" />')
            return
        text = escape_text(format_simple(type_, value))
        if type_ == "guid":
            self._prefixes += 1
            out.append(
                '<anyType xmlns:q%d="%s" xsi:type="q%d:guid">%s</anyType>'
                % (self._prefixes, GUID_NS, self._prefixes, text)
            )
        else:
            out.append('<anyType xsi:type="xsd:%s">%s</anyType>' % (type_, text))


class Guid(str):
    """A string that must be written as a GUID inside anyType rows."""


def python_xsd_type(value) -> str:
    if isinstance(value, Guid):
        return "guid"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, _dt.datetime):
        return "dateTime"
    if isinstance(value, bytes):
        return "base64Binary"
    return "string"


def fault_response(fault: faults.SoapFault) -> bytes:
    return (
        "%s<soap:Fault><faultcode>soap:%s</faultcode><faultstring>%s</faultstring><detail>"
        '<Exception Assembly="%s" Type="%s" Message="%s" /></detail></soap:Fault>%s'
        % (
            ENVELOPE_OPEN,
            fault.code,
            escape_text(fault.faultstring),
            escape_attr(fault.assembly),
            escape_attr(fault.exception_type),
            escape_attr(fault.message),
            ENVELOPE_CLOSE,
        )
    ).encode("utf-8")


__all__ = [
    "AnyValue",
    "Envelope",
    "Guid",
    "Node",
    "Reader",
    "Writer",
    "check_soap_action",
    "fault_response",
    "format_datetime",
    "parse_datetime",
    "parse_envelope",
    "parse_simple",
    "parse_xml",
    "MONITORABLE_NS",
]
