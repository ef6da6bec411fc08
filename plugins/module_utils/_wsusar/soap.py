# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SOAP 1.1 codec for [MS-WSUSAR]: wrapped document/literal, parameters in WSDL order.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. No Ansible imports, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import itertools
import re
import xml.etree.ElementTree as ET
from xml.parsers import expat
from xml.sax.saxutils import escape

from .._guid import GUID_RE
from . import limits
from .errors import WsusProtocolError, WsusSoapFault
from .operations import (
    CONFIGURATION_FIELD_ORDER,
    EMAIL_CONFIGURATION_FIELD_ORDER,
    NAMESPACE,
    OPERATIONS,
    SUBSCRIPTION_FIELD_ORDER,
)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
WSDL_TYPES = "http://microsoft.com/wsdl/types/"

_T = "{%s}" % NAMESPACE
_XSI_TYPE = "{%s}type" % XSI
_XSI_NIL = "{%s}nil" % XSI

# "no lower bound" / "no upper bound" as the spec's own examples write them ([MS-WSUSAR] 4.4).
MIN_DATETIME = datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc)
MAX_DATETIME_TEXT = "9999-12-31T23:59:59.9999999"

_ENVELOPE_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<soap:Envelope xmlns:soap="%s" xmlns:xsi="%s" xmlns:xsd="%s" xmlns:q1="%s"><soap:Body>'
    % (SOAP_ENV, XSI, XSD, WSDL_TYPES)
)
_ENVELOPE_TAIL = "</soap:Body></soap:Envelope>"


# --------------------------------------------------------------------------- simple values


def format_bool(value):
    return "true" if value else "false"


def format_datetime(value):
    """UTC, no zone designator, as WSUS writes its own dateTimes. ``None`` is DateTime.MinValue."""
    if value is None:
        return "0001-01-01T00:00:00"
    if isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    # strftime writes year 1 as "1" on glibc: format the fields ourselves.
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
    )
    if value.microsecond:
        text += (".%06d" % value.microsecond).rstrip("0")
    return text


def parse_datetime(text):
    """Parse an xsd:dateTime; a zone-less value is UTC ([MS-WSUSAR] examples, SQL datetimes).

    Returns an aware ``datetime`` in UTC, or ``None`` for the "none" sentinels (year 1, 1753, 9999).
    """
    if text is None:
        return None
    text = text.strip()
    match = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$", text)
    if not match:
        raise WsusProtocolError("the server sent an invalid dateTime %r" % text[:40])
    year = int(match.group(1))
    if year in (1, 1753, 9999):
        return None
    fraction = (match.group(7) or "0")[:6].ljust(6, "0")
    try:
        value = datetime.datetime(
            year,
            int(match.group(2)),
            int(match.group(3)),
            int(match.group(4)),
            int(match.group(5)),
            int(match.group(6)),
            int(fraction),
        )
        zone = match.group(8)
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])) * sign
            return value.replace(tzinfo=datetime.timezone(offset)).astimezone(datetime.timezone.utc)
    except (ValueError, OverflowError):  # month 13, hour 25, an offset of 24 hours or more, year 0 ...
        raise WsusProtocolError("the server sent an invalid dateTime %r" % text[:40]) from None
    return value.replace(tzinfo=datetime.timezone.utc)


def parse_bool(text):
    value = (text or "").strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise WsusProtocolError("the server sent an invalid boolean %r" % (text or "")[:40])


def _parse_int(text):
    try:
        return int((text or "").strip())
    except ValueError:  # also a number of more than 4300 digits
        raise WsusProtocolError("the server sent an invalid integer %r" % (text or "")[:40]) from None


def _parse_float(text):
    try:
        return float((text or "").strip())
    except ValueError:
        raise WsusProtocolError("the server sent an invalid number %r" % (text or "")[:40]) from None


def _parse_guid(text):
    value = (text or "").strip().lower()
    if not GUID_RE.match(value):
        raise WsusProtocolError("the server sent an invalid guid %r" % (text or "")[:40])
    return value


def _parse_base64(text):
    try:
        return base64.b64decode(text or "")
    except (binascii.Error, ValueError):
        raise WsusProtocolError("the server sent invalid base64Binary %r" % (text or "")[:40]) from None


_SIMPLE_DECODERS = {
    "int": _parse_int,
    "short": _parse_int,
    "long": _parse_int,
    "unsignedByte": _parse_int,
    "unsignedInt": _parse_int,
    "unsignedShort": _parse_int,
    "byte": _parse_int,
    "boolean": parse_bool,
    "dateTime": parse_datetime,
    "string": lambda text: text or "",
    "guid": _parse_guid,
    "base64Binary": _parse_base64,
    "decimal": _parse_float,
    "double": _parse_float,
    "float": _parse_float,
}


def decode_any_type(element):
    """Decode one ``anyType`` by its ``xsi:type``: int, short, unsignedByte, string, boolean,
    dateTime, guid, ...; ``xsi:nil`` is ``None``.

    Only the local part of the type name is looked at: ElementTree does not keep the prefix
    bindings, and the names the service uses (xsd:* and the wsdl/types ``guid``) do not clash.
    """
    if element.get(_XSI_NIL) in ("true", "1"):
        return None
    xsi_type = element.get(_XSI_TYPE)
    if xsi_type is None:
        return element.text or ""
    local = xsi_type.rsplit(":", 1)[-1]
    decoder = _SIMPLE_DECODERS.get(local)
    if decoder is None:
        raise WsusProtocolError("the server sent a value of unsupported type %r" % xsi_type)
    return decoder(element.text)


def _encode_any_type(value):
    if value is None:
        return '<anyType xsi:nil="true" />'
    if isinstance(value, bool):
        return '<anyType xsi:type="xsd:boolean">%s</anyType>' % format_bool(value)
    if isinstance(value, int):
        return '<anyType xsi:type="xsd:int">%d</anyType>' % value
    if isinstance(value, datetime.datetime):
        return '<anyType xsi:type="xsd:dateTime">%s</anyType>' % format_datetime(value)
    text = str(value)
    if GUID_RE.match(text):
        return '<anyType xsi:type="q1:guid">%s</anyType>' % text
    return '<anyType xsi:type="xsd:string">%s</anyType>' % escape(text)


# --------------------------------------------------------------------------- ordered rows


class OrderedRow:
    """A ConfigurationTableRow or SubscriptionTableRow exactly as the server sent it.

    Every element, known to the client or not, is kept with its raw text and in order, so that a
    read-modify-write sends back what it read and changes only the fields it sets
    (Windows Server 2022 sends 121 configuration fields, the spec lists 119; both round-trip).
    """

    def __init__(self, fields, canonical_order=()):
        self._fields = [[name, text] for name, text in fields]
        self._canonical = list(canonical_order)
        self.changed_fields = []

    @classmethod
    def from_element(cls, element, canonical_order=()):
        fields = []
        for child in element:
            name = _local(child.tag)
            if len(child):
                raise WsusProtocolError("row field %s has unexpected child elements" % name)
            fields.append((name, None if child.get(_XSI_NIL) in ("true", "1") else (child.text or "")))
        return cls(fields, canonical_order)

    def names(self):
        return [name for name, dummy in self._fields]

    def raw(self, name):
        """The text as received, ``None`` for an omitted or nil element."""
        for field_name, text in self._fields:
            if field_name == name:
                return text
        return None

    def __contains__(self, name):
        return any(field_name == name for field_name, dummy in self._fields)

    def get_bool(self, name):
        text = self.raw(name)
        return None if text is None else parse_bool(text)

    def get_int(self, name):
        text = self.raw(name)
        return None if text is None else _parse_int(text)

    def get_str(self, name):
        return self.raw(name)

    def get_datetime(self, name):
        return parse_datetime(self.raw(name))

    def set(self, name, value):
        """Set a field from a Python value; ``None`` omits a string field. Returns True if it changed."""
        text = _row_text(value)
        if self.raw(name) == text and (text is not None or name not in self):
            return False
        for field in self._fields:
            if field[0] == name:
                if text is None:
                    self._fields.remove(field)
                else:
                    field[1] = text
                break
        else:
            if text is not None:
                self._fields.insert(self._insert_position(name), [name, text])
        self.changed_fields.append(name)
        return True

    def _insert_position(self, name):
        if name not in self._canonical:
            raise WsusProtocolError(
                "the server's row has no field %s and the client does not know where it goes" % name
            )
        earlier = set(self._canonical[: self._canonical.index(name)])
        position = 0
        for index, (field_name, dummy) in enumerate(self._fields):
            if field_name in earlier:
                position = index + 1
        return position

    def to_xml(self, element_name):
        parts = ["<%s>" % element_name]
        for name, text in self._fields:
            parts.append("<%s>%s</%s>" % (name, escape(text), name) if text is not None else "")
        parts.append("</%s>" % element_name)
        return "".join(parts)

    def as_dict(self):
        return dict((name, text) for name, text in self._fields)

    def copy(self):
        return OrderedRow(list(self._fields), self._canonical)


def _row_text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return format_bool(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    return str(value)


# --------------------------------------------------------------------------- requests


def encode_request(name, args=None):
    """The full SOAP 1.1 envelope for ``name`` with ``args`` (a dict) in WSDL order, as UTF-8 bytes.

    A parameter that is missing or ``None`` is omitted (all optional parameters are minOccurs=0).
    """
    operation = OPERATIONS[name]
    args = dict(args or {})
    unknown = set(args) - set(param for param, dummy in operation.params)
    if unknown:
        raise ValueError("%s has no parameter(s) %s" % (name, ", ".join(sorted(unknown))))
    parts = [_ENVELOPE_HEAD, '<%s xmlns="%s">' % (name, NAMESPACE)]
    for param, kind in operation.params:
        value = args.get(param)
        if value is None:
            if kind in _REQUIRED_KINDS:
                raise ValueError("%s needs a value for %s" % (name, param))
            continue
        parts.append(_ENCODERS[kind](param, value))
    parts.append("</%s>" % name)
    parts.append(_ENVELOPE_TAIL)
    return "".join(parts).encode("utf-8")


def _simple(formatter):
    return lambda param, value: "<%s>%s</%s>" % (param, formatter(value), param)


def _encode_guid(value):
    text = str(value)
    if not GUID_RE.match(text):
        raise ValueError("%r is not a GUID" % text)
    return text


def _encode_array_of_guid(param, values):
    return "<%s>%s</%s>" % (param, "".join("<guid>%s</guid>" % _encode_guid(v) for v in values), param)


def _encode_array_of_any_type(param, values):
    return "<%s>%s</%s>" % (param, "".join(_encode_any_type(v) for v in values), param)


def encode_event_history_filter(param, spec):
    """EventHistoryFilter as the live WS2022 WSDL defines it (the spec's form plus four PascalCase
    date elements at the end, which the live schema requires).

    ``spec``: ``{"event_ids": [(namespace_id, event_id), ...], "from": datetime|None, "to": datetime|None}``.
    """
    events = "".join(
        "<EventIdFilter><NamespaceId>%d</NamespaceId><EventId>%d</EventId></EventIdFilter>" % (namespace, event)
        for namespace, event in spec.get("event_ids", ())
    )
    low = format_datetime(spec.get("from"))
    high = format_datetime(spec.get("to")) if spec.get("to") else MAX_DATETIME_TEXT
    return (
        "<{p}>{ids}"
        "<fromTimeAtTarget>{min}</fromTimeAtTarget><toTimeAtTarget>{max}</toTimeAtTarget>"
        "<fromTimeAtServer>{low}</fromTimeAtServer><toTimeAtServer>{high}</toTimeAtServer>"
        "<FromTimeAtTarget>{min}</FromTimeAtTarget><ToTimeAtTarget>{max}</ToTimeAtTarget>"
        "<FromTimeAtServer>{low}</FromTimeAtServer><ToTimeAtServer>{high}</ToTimeAtServer>"
        "</{p}>"
    ).format(
        p=param,
        ids="<eventIdFilter>%s</eventIdFilter>" % events if events else "",
        min=format_datetime(None),
        max=MAX_DATETIME_TEXT,
        low=low,
        high=high,
    )


_ENCODERS = {
    "string": _simple(escape),
    "int": _simple(lambda v: "%d" % int(v)),
    "long": _simple(lambda v: "%d" % int(v)),
    "boolean": _simple(format_bool),
    "dateTime": _simple(format_datetime),
    "guid": _simple(_encode_guid),
    "base64Binary": _simple(lambda v: base64.b64encode(v).decode("ascii")),
    "ArrayOfGuid": _encode_array_of_guid,
    "ArrayOfAnyType": _encode_array_of_any_type,
    "row": lambda param, row: row.to_xml(param),
    "EventHistoryFilter": encode_event_history_filter,
}
# Simple parameters with minOccurs=1 in the WSDL: they cannot be left out.
_REQUIRED_KINDS = ("int", "long", "boolean", "dateTime", "guid")


# --------------------------------------------------------------------------- responses


def _local(tag):
    return tag.rsplit("}", 1)[-1]


_BLANK = re.compile(rb"[ \t\r\n]*\Z")


class _PrologEnd(Exception):
    """Internal: the root element starts, so no DOCTYPE can follow."""


class _Doctype(Exception):
    """Internal: the answer declares a DOCTYPE (and with it, perhaps, entities)."""


def _raise_prolog_end(*args):
    raise _PrologEnd()


def _raise_doctype(name, *args):
    raise _Doctype(name)


def _refuse_doctype(body):
    """Refuse a DOCTYPE (and so any entity declaration) before ElementTree sees the answer: SOAP 1.1
    messages must not carry one, and entity expansion is what makes an "XML bomb" expensive.

    A DOCTYPE can only stand before the root element, so expat reads only up to the root's start tag
    (microseconds, whatever the size); it reads in the document's own encoding, as ElementTree will."""
    parser = expat.ParserCreate()
    parser.StartElementHandler = _raise_prolog_end
    parser.StartDoctypeDeclHandler = _raise_doctype
    try:
        parser.Parse(body, True)
    except _PrologEnd:
        return
    except _Doctype as doctype:
        name = str(doctype.args[0] or "")
        if name.lower() == "html":
            raise WsusProtocolError(
                "the answer is not a SOAP 1.1 envelope but %s; %s" % (limits.describe(body), limits.CHECK_SERVER)
            ) from None
        raise WsusProtocolError(
            "the answer declares a DOCTYPE (%s), which SOAP 1.1 forbids: ops.wsus refuses it unread (entity "
            "declarations in it could expand without bound); %s" % (limits.first_bytes(body, 80), limits.CHECK_SERVER)
        ) from None
    except expat.ExpatError:
        return  # not well-formed: ElementTree reports it below, with its position
    except (LookupError, ValueError) as exc:  # an encoding that Python does not know, ...
        raise WsusProtocolError(
            "the answer is not XML (%s; %s); %s" % (exc, limits.describe(body), limits.CHECK_SERVER)
        ) from None


def _not_xml(body, error):
    """Why ``body`` did not parse, in words: truncated, invalid UTF-8, an HTML page, or not XML at all."""
    code = getattr(error, "code", None)
    line, column = getattr(error, "position", (0, 0))
    ends_early = code in (
        expat.errors.codes.get(expat.errors.XML_ERROR_NO_ELEMENTS),
        expat.errors.codes.get(expat.errors.XML_ERROR_UNCLOSED_TOKEN),
        expat.errors.codes.get(expat.errors.XML_ERROR_PARTIAL_CHAR),
    )
    if limits.html_title(body) is not None:
        what = "not a SOAP 1.1 envelope but %s" % limits.describe(body)
    elif ends_early and body.strip():
        what = "not XML: it ends before its last element is closed (truncated? %s in all, ending with %s)" % (
            limits.size_text(len(body)),
            limits.first_bytes(body[-40:], 40),
        )
    else:
        invalid = _invalid_utf8(body)
        if invalid is not None:
            what = "not XML: it is not valid UTF-8 (byte 0x%02x at offset %d; %s)" % (
                body[invalid],
                invalid,
                limits.describe(body),
            )
        else:
            what = "not XML (%s at line %d, column %d; %s)" % (
                expat.ErrorString(code) if isinstance(code, int) else error,
                line,
                column,
                limits.describe(body),
            )
    return "the answer is %s; %s" % (what, limits.CHECK_SERVER)


def _invalid_utf8(body):
    """The offset of the first byte that is not UTF-8, or None (also for a document that declares
    another encoding)."""
    head = bytes(body[:100]).lower()
    if head.startswith(b"<?xml") and b"encoding" in head.split(b"?>", 1)[0]:
        declared = head.split(b"encoding", 1)[1].split(b"?>", 1)[0]
        if b"utf-8" not in declared and b"utf8" not in declared:
            return None
    try:
        bytes(body).decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return None


def _check_depth(root):
    """Refuse an answer nested deeper than limits.MAX_DEPTH (real answers: 8 levels). Level by level, in C
    (only the elements that have children are descended into): about 0.04 ms per thousand elements."""
    level = [root]
    depth = 1
    while level:
        if depth > limits.MAX_DEPTH:
            raise WsusProtocolError(
                "the answer nests its XML elements more than %d levels deep (a real answer nests 8): ops.wsus "
                "refuses it; %s" % (limits.MAX_DEPTH, limits.CHECK_SERVER)
            )
        level = list(itertools.chain.from_iterable(itertools.compress(level, map(len, level))))
        depth += 1


def check_before_parsing(body, max_tags):
    """Refuse an empty answer, a DOCTYPE, and more than ``max_tags`` tags (which bounds the tree's memory),
    before ElementTree builds anything."""
    if _BLANK.match(body):
        raise WsusProtocolError("the answer is empty; %s" % limits.CHECK_SERVER)
    _refuse_doctype(body)
    tags = body.count(b"<")
    if tags > max_tags:
        raise WsusProtocolError(
            "the answer holds %d XML tags, more than the %d that max_response_mb allows (one per %d bytes; real "
            "answers have one per 19 to 26): ops.wsus refuses it unparsed; %s"
            % (tags, max_tags, limits.BYTES_PER_TAG, limits.CHECK_SERVER)
        )


def check_after_parsing(root):
    """Refuse a tree nested deeper than limits.MAX_DEPTH."""
    _check_depth(root)


def parse_envelope(body, max_tags=None):
    """The first child of soap:Body, or raise WsusProtocolError.

    check_before_parsing and check_after_parsing bound what ElementTree is given and what it built (default
    ``max_tags``: limits.max_tags of the default max_response_mb). Whatever ``body`` holds, only
    WsusProtocolError comes out (tests/unit/wsusar/test_soap_fuzz.py)."""
    if max_tags is None:
        max_tags = limits.max_tags(limits.DEFAULT_MAX_RESPONSE_MB * limits.MIB)
    check_before_parsing(body, max_tags)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise WsusProtocolError(_not_xml(body, exc)) from None
    except (ValueError, LookupError) as exc:  # e.g. an encoding Python does not know
        raise WsusProtocolError(
            "the answer is not XML (%s; %s); %s" % (exc, limits.describe(body), limits.CHECK_SERVER)
        ) from None
    check_after_parsing(root)
    found = root.find("{%s}Body" % SOAP_ENV)
    if root.tag != "{%s}Envelope" % SOAP_ENV or found is None or len(found) == 0:
        raise WsusProtocolError(
            "the answer is not a SOAP 1.1 envelope (its root element is <%s>; %s); %s"
            % (_local(root.tag)[:60], limits.describe(body), limits.CHECK_SERVER)
        )
    return found[0]


def fault_from_element(element, operation):
    """WsusSoapFault from a soap:Fault element ([MS-WSUSAR] 3.1.4.1: detail/Exception Type Message)."""
    faultcode = (element.findtext("faultcode") or "").strip()
    faultstring = (element.findtext("faultstring") or "").strip()
    exception_type = exception_message = None
    detail = element.find("detail")
    if detail is not None:
        for node in detail.iter():
            if _local(node.tag) == "Exception":
                exception_type = node.get("Type")
                exception_message = node.get("Message")
                break
    reason = exception_message or _innermost(faultstring) or "no reason given"
    label = (exception_type or faultcode or "fault").rsplit(".", 1)[-1]
    message = "WSUS rejected %s: %s: %s" % (operation, label, reason)
    return WsusSoapFault(message, operation, faultcode, faultstring, exception_type, exception_message)


def _innermost(faultstring):
    # ASMX wraps the inner exception: "SoapException: Server was unable ... ---> Type: message".
    return faultstring.rsplit("--->", 1)[-1].strip()


def decode_response(name, body, max_tags=None):
    """Decode the answer to ``name``; a SOAP fault becomes WsusSoapFault, anything unreadable
    WsusProtocolError (tests/unit/wsusar/test_soap_fuzz.py holds it to that). ``max_tags``: see
    parse_envelope."""
    operation = OPERATIONS[name]
    payload = parse_envelope(body, max_tags)
    if payload.tag == "{%s}Fault" % SOAP_ENV:
        raise fault_from_element(payload, name)
    if payload.tag != _T + name + "Response":
        raise WsusProtocolError("expected %sResponse from the server, got %s" % (name, _local(payload.tag)))
    if operation.result is None:
        return None
    result = payload.find(_T + name + "Result")
    return _RESULT_DECODERS[operation.result](result)


def _decode_simple(kind):
    def decode(element):
        if element is None:
            return None
        return _SIMPLE_DECODERS[kind](element.text)

    return decode


def decode_row(element):
    """GenericReadableRow -> list of Python values (by xsi:type)."""
    if element is None:
        return None
    values = element.find(_T + "Values")
    return [] if values is None else [decode_any_type(item) for item in values]


def decode_rows(element):
    """ArrayOfGenericReadableRow -> list of rows."""
    if element is None:
        return []
    return [decode_row(row) for row in element.findall(_T + "GenericReadableRow")]


def _decode_configuration(element):
    row = None if element is None else element.find(_T + "Configuration")
    if row is None:
        raise WsusProtocolError("ExecuteSPGetConfiguration returned no Configuration row")
    return OrderedRow.from_element(row, CONFIGURATION_FIELD_ORDER)


def _decode_subscription(element):
    if element is None:
        raise WsusProtocolError("GetSubscription returned no subscription")
    return OrderedRow.from_element(element, SUBSCRIPTION_FIELD_ORDER)


def _decode_email_configuration(element):
    if element is None:
        raise WsusProtocolError("ExecuteSPGetEmailNotificationConfiguration returned no configuration row")
    return OrderedRow.from_element(element, EMAIL_CONFIGURATION_FIELD_ORDER)


_EVENT_FIELDS = {
    "EventInstanceId": "guid",
    "EventId": "int",
    "NamespaceId": "int",
    "SourceId": "int",
    "TimeAtTarget": "dateTime",
    "TimeAtServer": "dateTime",
    "StateId": "int",
    "SeverityId": "int",
    "Win32HResult": "int",
    "UpdateId": "guid",
    "RevisionNumber": "int",
}


def _decode_events(element):
    events = []
    for row in [] if element is None else element.findall(_T + "EventHistoryTableRow"):
        event = {}
        for child in row:
            name = _local(child.tag)
            if name in ("MiscData", "ReplacementStrings"):
                event[name] = [item.text or "" for item in child]
            elif name in _EVENT_FIELDS:
                event[name] = _SIMPLE_DECODERS[_EVENT_FIELDS[name]](child.text)
            else:
                event[name] = child.text
        events.append(event)
    return events


def _decode_strings(element):
    """ArrayOfString -> list of str."""
    if element is None:
        return []
    return [item.text or "" for item in element.findall(_T + "string")]


_RESULT_DECODERS = {
    "string": _decode_simple("string"),
    "strings": _decode_strings,
    "int": _decode_simple("int"),
    "boolean": _decode_simple("boolean"),
    "dateTime": _decode_simple("dateTime"),
    "rows": decode_rows,
    "row": decode_row,
    "configuration": _decode_configuration,
    "subscription": _decode_subscription,
    "email_configuration": _decode_email_configuration,
    "events": _decode_events,
}
