"""The schema inside the WSDL a real Windows Server 2022 WSUS serves, as an xmlschema validator.

The WSDL is Microsoft's: it is read from ../shared/reference/ (beside the checkout) and never copied
into the project.
"""

from __future__ import annotations

import io
import os
import re

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_CACHE = {}


def live_wsdl_path(reference_dir):
    return os.path.join(reference_dir, "ApiRemoting30.live-ws2022.wsdl.xml")


def load_schema(wsdl_path):
    """An ``xmlschema.XMLSchema`` of the WSDL's three embedded schemas.

    The embedded schemas use prefixes declared on <wsdl:definitions>, and the main one refers to
    types of a schema that follows it; so each is given the root's declarations and the
    dependencies are loaded first.
    """
    if wsdl_path in _CACHE:
        return _CACHE[wsdl_path]
    import xmlschema

    with open(wsdl_path, encoding="utf-8-sig") as handle:
        text = handle.read()
    root_tag = re.search(r"<wsdl:definitions\b[^>]*>", text).group(0)
    declarations = dict(re.findall(r'xmlns:(\w+)="([^"]+)"', root_tag))
    sources = []
    for block in re.findall(r"<s:schema\b.*?</s:schema>", text, re.S):
        head = re.match(r"<s:schema\b[^>]*>", block).group(0)
        present = set(re.findall(r"xmlns:(\w+)=", head))
        extra = "".join(' xmlns:%s="%s"' % item for item in declarations.items() if item[0] not in present)
        main = 'ApiRemotingWebService"' in head
        sources.append((main, head[:-1] + extra + ">" + block[len(head) :]))
    sources.sort(key=lambda item: item[0])  # the main schema last
    schema = xmlschema.XMLSchema([io.StringIO(source) for _, source in sources])
    _CACHE[wsdl_path] = schema
    return schema


def body_errors(schema, envelope_bytes):
    """Validation errors of the SOAP body's payload element (as text), [] when it conforms."""
    import xmlschema

    resource = xmlschema.XMLResource(io.BytesIO(envelope_bytes))
    return [
        _short(error)
        for error in schema.iter_errors(resource, path="/soap:Envelope/soap:Body/*", namespaces={"soap": SOAP_ENV})
    ]


def _short(error):
    return "%s at %s" % (error.reason or error.message, error.path)


def element_sequence(schema, element_name, namespace):
    """[(child name, type name, min_occurs)] of a global element or complex type, in order."""
    component = schema.maps.elements.get(element_name)
    if component is None:
        component = schema.maps.types.get(element_name)
    if component is None:
        raise KeyError("the WSDL defines no element or type %s" % element_name)
    xsd_type = getattr(component, "type", component)
    result = []
    content = getattr(xsd_type, "content", None)
    if content is None:
        return result
    for child in content.iter_elements():
        type_name = child.type.local_name if child.type.name else "anyType"
        result.append((child.local_name, type_name, child.min_occurs))
    return result
