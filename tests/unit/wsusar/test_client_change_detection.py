"""WsusClient.set_configuration sends detectConfigChange (and the WS2022 twin DetectConfigChange when the row
has it) with the change number that was read, so WSUS refuses a write based on a stale read."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import WsusClient
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import CONFIGURATION_FIELD_ORDER, NAMESPACE
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.soap import OrderedRow

T = "{%s}" % NAMESPACE


class FakeTransport:
    username, where = "WSUS\\admin", "fake"

    def __init__(self):
        self.sent = []

    def post(self, operation, body, soap_action, write=False):
        self.sent.append(body)
        return 200, (
            '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            '<soap:Body><%sResponse xmlns="%s" /></soap:Body></soap:Envelope>' % (operation, NAMESPACE)
        ).encode()


def sent_row(body):
    row = ET.fromstring(body).find(".//%srow" % T)
    return {child.tag[len(T) :]: child.text for child in row}


def server_row(twin):
    """A row as WS2022 (with DetectConfigChange last) or the spec (without) sends it."""
    names = [name for name in CONFIGURATION_FIELD_ORDER if twin or name != "DetectConfigChange"]
    values = {
        "configurationChangeNumber": "41",
        "detectConfigChange": "false",
        "DetectConfigChange": "false",
        "SyncToMU": "true",
    }
    return OrderedRow([(name, values.get(name, "0")) for name in names], CONFIGURATION_FIELD_ORDER)


@pytest.mark.parametrize("twin", [True, False], ids=["ws2022", "spec"])
def test_the_flags_and_the_change_number_read_are_sent(twin):
    transport = FakeTransport()
    row = server_row(twin)
    WsusClient(transport).set_configuration(row)
    sent = sent_row(transport.sent[-1])
    assert sent["detectConfigChange"] == "true" and sent["configurationChangeNumber"] == "41"
    assert ("DetectConfigChange" in sent) is twin, "the twin only where the server's row has it"
    if twin:
        assert sent["DetectConfigChange"] == "true"
    assert list(sent) == row.names(), "nothing added, nothing reordered"
    assert row.get_bool("detectConfigChange") is False and row.changed_fields == [], "the caller's row is untouched"


def test_detection_can_be_left_off():
    transport = FakeTransport()
    WsusClient(transport).set_configuration(server_row(True), detect_change=False)
    sent = sent_row(transport.sent[-1])
    assert sent["detectConfigChange"] == "false" and sent["DetectConfigChange"] == "false"


def test_a_row_without_a_change_number_is_sent_as_it_is():
    transport = FakeTransport()
    WsusClient(transport).set_configuration(OrderedRow([("SyncToMU", "true")]))
    assert sent_row(transport.sent[-1]) == {"SyncToMU": "true"}
