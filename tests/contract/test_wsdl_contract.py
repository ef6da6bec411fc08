"""The client's requests and the emulator's responses hold against the live WS2022 WSDL.

Every operation in the client's table is serialized and validated against the schema a real
Windows Server 2022 WSUS publishes; the emulator's answer to each is validated the same way.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import time

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._wsusar import soap
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import WsusClient
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import NAMESPACE, OPERATIONS, soap_action

from support.paths import REFERENCE
from support import wsdl_contract
from support.fixtures import module_emulator
from wsus_emulator.testing import smtp_sink

WSDL = wsdl_contract.live_wsdl_path(REFERENCE)
pytestmark = pytest.mark.skipif(not os.path.exists(WSDL), reason="../shared/reference is not beside the checkout")

SECURITY_UPDATES = "0fa1201d-4330-4fa8-8ae9-b877473b6441"
SAMPLE_BY_TYPE = {
    "boolean": "false",
    "dateTime": "2024-01-01T00:00:00",
    "guid": SECURITY_UPDATES,
    "base64Binary": "AA==",
    "string": "x",
    "EmailStatusNotificationFrequency": "Daily",
}


@pytest.fixture(scope="module")
def schema():
    return wsdl_contract.load_schema(WSDL)


def sample_row(schema, type_name):
    """A row with a valid value for every field of a WSDL complex type."""
    fields = wsdl_contract.element_sequence(schema, "{%s}%s" % (NAMESPACE, type_name), NAMESPACE)
    return soap.OrderedRow([(name, SAMPLE_BY_TYPE.get(kind, "0")) for name, kind, _ in fields])


def sample_args(schema, operation):
    samples = {
        "string": "en",
        "int": 3,
        "long": 3,
        "boolean": True,
        "dateTime": soap.MIN_DATETIME,
        "guid": SECURITY_UPDATES,
        "base64Binary": b"secret",
        "ArrayOfGuid": [SECURITY_UPDATES],
        "ArrayOfAnyType": [9],
        "EventHistoryFilter": {"event_ids": [(2, 382)], "from": soap.MIN_DATETIME},
    }
    args = {}
    for param, kind in operation.params:
        if kind == "row":
            args[param] = sample_row(schema, ROW_TYPES[param])
        else:
            args[param] = ENUM_SAMPLES.get(param, samples[kind])
    return args


# The WSDL type of each ``row`` parameter, and a valid value for the string parameters that are enumerations.
ROW_TYPES = {
    "row": "ConfigurationTableRow",
    "subscription": "SubscriptionTableRow",
    "setting": "EmailNotificationConfigurationRow",
}
ENUM_SAMPLES = {"value": "NewSync", "notificationType": "Summary"}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_request_conforms_to_live_wsdl(schema, name):
    body = soap.encode_request(name, sample_args(schema, OPERATIONS[name]))
    assert wsdl_contract.body_errors(schema, body) == []


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_operation_table_matches_wsdl_parameters(schema, name):
    wsdl_params = wsdl_contract.element_sequence(schema, "{%s}%s" % (NAMESPACE, name), NAMESPACE)
    ours = [param for param, _ in OPERATIONS[name].params]
    wsdl_names = [param for param, _, _ in wsdl_params]
    assert ours == [param for param in wsdl_names if param in ours], "parameters out of WSDL order"
    required = [param for param, _, min_occurs in wsdl_params if min_occurs > 0]
    assert set(required) <= set(ours), "a required parameter is missing from the table"


def test_a_broken_request_is_caught(schema):
    """The contract check itself can fail: a misordered request does not validate."""
    body = soap.encode_request(
        "GetSubscriptionCategories", {"preferredCulture": "en", "retrieveUpdateClassifications": True}
    )
    swapped = body.replace(
        b"<preferredCulture>en</preferredCulture><retrieveUpdateClassifications>true</retrieveUpdateClassifications>",
        b"<retrieveUpdateClassifications>true</retrieveUpdateClassifications><preferredCulture>en</preferredCulture>",
    )
    assert swapped != body
    assert wsdl_contract.body_errors(schema, swapped)


def emulator_args(client, name, schema):
    """Arguments that make the emulator answer ``name`` successfully."""
    if name == "ExecuteSPSetConfiguration":
        return {"row": client.get_configuration(), "listTrue": [], "listFalse": []}
    if name == "SetSubscription":
        return {
            "subscription": client.get_subscription(),
            "categoryIds": [],
            "updateClassificationIds": [SECURITY_UPDATES],
            "userName": "WSUS\\admin",
        }
    if name == "ExecuteSPGetCategoryById":
        return {"preferredCulture": "en", "retrieveUpdateClassification": True, "id": SECURITY_UPDATES}
    if name == "ExecuteSPGetSubcategories":
        top = client.get_top_level_categories()
        return {"preferredCulture": "en", "categoryId": top[0].id}
    if name == "SetSubscriptionFrequency":
        return {"numberOfSynchronizationsPerDay": 2}
    if name == "ExecuteSPSetEmailNotificationConfiguration":
        return {"setting": client.get_email_configuration()}
    return sample_args(schema, OPERATIONS[name])


@pytest.fixture(scope="module")
def synced_client(emulator_factory):
    """An admin client on an emulator that has run one synchronization (so events exist)."""
    server = emulator_factory("--sync-seconds", "0.3")
    client = WsusClient.connect(
        "127.0.0.1", port=server.port, username="WSUS\\admin", password="Passw0rd!", auth="ntlm", timeout=10
    )
    client.start_sync()
    deadline = time.time() + 10
    while client.get_subscription_state() != 0 and time.time() < deadline:
        time.sleep(0.1)
    yield client
    client.close()


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_emulator_response_conforms_to_live_wsdl(schema, synced_client, name):
    args = emulator_args(synced_client, name, schema)
    if name == "StartSubscriptionManuallyForCategoryOnly" or name == "StartSubscriptionManually":
        synced_client.stop_sync()
        wait_idle(synced_client)  # a start while the run is still stopping is refused
    with contextlib.ExitStack() as stack:
        if name == "SendTestEmail":  # answered only once a message is delivered: to a real SMTP server
            sink = stack.enter_context(smtp_sink())
            args.update(
                senderEmailAddress="wsus@example.com",
                smtpHostName="127.0.0.1",
                smtpPort=sink.port,
                recipients="ops@example.com",
            )
        status, data = synced_client.transport.post(
            name, soap.encode_request(name, args), soap_action(name), write=OPERATIONS[name].write
        )
    assert status == 200, data[:500]
    assert wsdl_contract.body_errors(schema, data) == []
    assert soap.parse_envelope(data).tag == "{%s}%sResponse" % (NAMESPACE, name)
    if name in ("StartSubscriptionManually", "StartSubscriptionManuallyForCategoryOnly"):
        synced_client.stop_sync()


def test_emulator_sync_events_conform(schema, synced_client):
    events = synced_client.get_sync_events(since=datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
    assert {event["EventId"] for event in events} >= {382, 384}


# ------------------------------------------------------------------ every shape of answer, not just one
OFFICE_FAMILY = "477b856e-65c4-4473-b621-a8b230bb70d9"


def post(client, name, args=None):
    status, data = client.transport.post(
        name, soap.encode_request(name, args or {}), soap_action(name), write=OPERATIONS[name].write
    )
    assert status == 200, data[:500]
    return data


variants_server = module_emulator("--sync-seconds", "2")


@pytest.fixture
def variants_client(variants_server):
    variants_server.reset()
    client = WsusClient.connect(
        "127.0.0.1", port=variants_server.port, username="WSUS\\admin", password="Passw0rd!", auth="ntlm", timeout=10
    )
    yield client
    client.close()
    variants_server.reset()


def wait_idle(client, seconds=15):
    deadline = time.time() + seconds
    while client.get_subscription_state() != 0 and time.time() < deadline:
        time.sleep(0.1)


def test_product_answers_conform(schema, variants_client):
    """The category operations answer with products (not only classifications) in the live shape."""
    client = variants_client
    client.set_subscription(client.get_subscription(), [OFFICE_FAMILY], [SECURITY_UPDATES], "WSUS\\admin")
    answers = [
        post(
            client,
            "ExecuteSPGetCategories",
            {
                "preferredCulture": "en",
                "retrieveUpdateClassifications": False,
                "fromSyncDate": soap.MIN_DATETIME,
                "toSyncDate": soap.MAX_DATETIME_TEXT,
            },
        ),
        post(client, "GetSubscriptionCategories", {"preferredCulture": "en", "retrieveUpdateClassifications": False}),
        post(
            client,
            "ExecuteSPGetCategoryById",
            {"preferredCulture": "en", "retrieveUpdateClassification": False, "id": OFFICE_FAMILY},
        ),
        post(client, "ExecuteSPGetSubcategories", {"preferredCulture": "en", "categoryId": OFFICE_FAMILY}),
    ]
    for data in answers:
        assert wsdl_contract.body_errors(schema, data) == []
    assert [entry.id for entry in client.get_subscription_categories()] == [OFFICE_FAMILY]
    assert any(entry.type == "Product" for entry in client.get_subcategories(OFFICE_FAMILY))


def test_answers_during_a_run_conform(schema, variants_client):
    client = variants_client
    client.start_sync()
    time.sleep(0.8)  # past the "requested" moment: a phase with counts
    for name in ("GetServerSyncProgress", "GetSubscriptionState", "GetSubscriptionNextSynchronizationTime"):
        assert wsdl_contract.body_errors(schema, post(client, name)) == [], name
    progress = client.get_sync_progress()
    assert progress.phase != "not_processing" and progress.total > 0
    client.stop_sync()


@pytest.mark.parametrize("outcome, event_id", [("succeeded", 384), ("failed", 386), ("canceled", 385)])
def test_event_history_of_each_outcome_conforms(schema, variants_server, variants_client, outcome, event_id):
    client = variants_client
    if outcome == "failed":
        variants_server.faults(
            [{"operation": "any", "count": 1, "next_sync_result": {"result": "failed", "error_text": "proxy said 407"}}]
        )
    client.start_sync()
    if outcome == "canceled":
        time.sleep(0.3)
        client.stop_sync()
    wait_idle(client)
    filters = sample_args(schema, OPERATIONS["ExecuteSPSearchEventHistory"])
    data = post(client, "ExecuteSPSearchEventHistory", filters)
    assert wsdl_contract.body_errors(schema, data) == []
    events = client.get_sync_events(since=datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
    assert [event["EventId"] for event in events][-2:] == [382, event_id]


def test_spec_profile_configuration_conforms_to_the_spec_wsdl(emulator_factory):
    """--profile spec serves the spec's 119-field row: it holds against the spec's own WSDL."""
    spec_wsdl = os.path.join(REFERENCE, "ApiRemoting30.spec-section6.wsdl.xml")
    spec_schema = wsdl_contract.load_schema(spec_wsdl)
    server = emulator_factory("--profile", "spec")
    with WsusClient.connect(
        "127.0.0.1", port=server.port, username="WSUS\\admin", password="Passw0rd!", auth="ntlm", timeout=10
    ) as client:
        data = post(client, "ExecuteSPGetConfiguration")
        assert len(client.get_configuration().names()) == 119
    assert wsdl_contract.body_errors(spec_schema, data) == []
    server.stop()


# ------------------------------------------------------------------ console reads (not in the client's table)
# What a console calls when it opens a server, with the arguments a real console-style client sends
# (ADeep, tested against WSUS 10.0.26100: scope "all", publicationState 2147483647).
CONSOLE_READS = {
    "ExecuteSPGetComputerCount": "<computerTargetScopeXml>"
    '&lt;ComputerTargetScope IncludeDownstreamComputerTargets="false" /&gt;'
    "</computerTargetScopeXml>",
    "ExecuteSPGetUpdateCount": '<updateScopeXml>&lt;UpdateScope ApprovedStates="-1" /&gt;</updateScopeXml>'
    "<preferredCulture>en</preferredCulture><publicationState>2147483647</publicationState>",
    "GetDatabaseConfiguration": "",
    "ExecuteSPGetContentDownloadProgress": "",
    "ExecuteSPGetComponentsWithErrors": "",
    "ExecuteSPGetFailedToDownloadUpdatesCount": "",
}


def raw_request(name, inner):
    return (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="%s" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        '<soap:Body><%s xmlns="%s">%s</%s></soap:Body></soap:Envelope>'
        % (wsdl_contract.SOAP_ENV, name, NAMESPACE, inner, name)
    ).encode("utf-8")


def post_raw(client, name, inner):
    status, data = client.transport.post(name, raw_request(name, inner), soap_action(name), write=False)
    assert status == 200, data[:500]
    return data


@pytest.mark.parametrize("name", sorted(CONSOLE_READS))
def test_console_read_answers_conform_to_live_wsdl(schema, synced_client, name):
    body = raw_request(name, CONSOLE_READS[name])
    assert wsdl_contract.body_errors(schema, body) == [], "the test's own request must hold against the WSDL"
    data = post_raw(synced_client, name, CONSOLE_READS[name])
    assert wsdl_contract.body_errors(schema, data) == []
    assert soap.parse_envelope(data).tag == "{%s}%sResponse" % (NAMESPACE, name)


def test_database_configuration_has_no_result_wrapper(schema, synced_client):
    """The out-parameters sit directly in the response: a ...Result wrapper would not validate."""
    data = post_raw(synced_client, "GetDatabaseConfiguration", "")
    response = soap.parse_envelope(data)
    assert [child.tag.split("}")[1] for child in response] == ["serverName", "databaseName", "wmsdeInstanceName"]
    wrapped = data.replace(b"<serverName>", b"<GetDatabaseConfigurationResult><serverName>").replace(
        b"</wmsdeInstanceName>", b"</wmsdeInstanceName></GetDatabaseConfigurationResult>"
    )
    assert wrapped != data
    assert wsdl_contract.body_errors(schema, wrapped)


def _emulator_schema():
    wsus_emulator_schema = pytest.importorskip("wsus_emulator.schema")
    return wsus_emulator_schema, wsus_emulator_schema.Schema("ws2022")


def test_emulator_operation_table_matches_wsdl(schema):
    """Every operation the emulator implements takes and answers exactly the WSDL's elements:
    names, order, types and minOccurs of the request, and of the response (a ...Result element, or the
    out-parameters of an operation like GetDatabaseConfiguration)."""
    table, ours = _emulator_schema()
    problems = []
    for name, operation in sorted(table.OPERATIONS.items()):
        wsdl_in = wsdl_contract.element_sequence(schema, "{%s}%s" % (NAMESPACE, name), NAMESPACE)
        mine_in = [(field.name, field.type, field.min) for field in operation.params]
        if mine_in != wsdl_in:
            problems.append("%s request: emulator %s, WSDL %s" % (name, mine_in, wsdl_in))
        wsdl_out = wsdl_contract.element_sequence(schema, "{%s}%sResponse" % (NAMESPACE, name), NAMESPACE)
        if operation.out is not None:
            mine_out = [(field.name, field.type, field.min) for field in ours.fields(operation.out)]
        elif operation.result is not None:
            mine_out = [(operation.result.name, operation.result.type, operation.result.min)]
        else:
            mine_out = []
        if mine_out != wsdl_out:
            problems.append("%s response: emulator %s, WSDL %s" % (name, mine_out, wsdl_out))
    assert problems == []


# Where the emulator's type table deliberately differs from the live WSDL (emulator/GUIDE.md):
# the WS2022 EventHistoryFilter's four PascalCase twins are minOccurs=1 there, optional here so that
# the spec's form of the filter is accepted too.
TYPE_TABLE_DEVIATIONS = {
    ("EventHistoryFilter", "FromTimeAtTarget"),
    ("EventHistoryFilter", "ToTimeAtTarget"),
    ("EventHistoryFilter", "FromTimeAtServer"),
    ("EventHistoryFilter", "ToTimeAtServer"),
}


def test_emulator_type_table_matches_wsdl(schema):
    """The complex types the emulator reads and writes (the new console types included) have the WSDL's
    sequences, apart from the listed deviations."""
    _, ours = _emulator_schema()
    problems = []
    for type_name in sorted(ours.types):
        wsdl = wsdl_contract.element_sequence(schema, "{%s}%s" % (NAMESPACE, type_name), NAMESPACE)
        mine = [(field.name, field.type, field.min) for field in ours.fields(type_name)]
        for index, (theirs, own) in enumerate(zip(wsdl, mine)):
            if theirs != own and (type_name, own[0]) not in TYPE_TABLE_DEVIATIONS:
                problems.append("%s #%d: emulator %s, WSDL %s" % (type_name, index, own, theirs))
        if len(wsdl) != len(mine):
            problems.append("%s: emulator has %d elements, WSDL %d" % (type_name, len(mine), len(wsdl)))
    assert problems == []
