"""The rows of ExecuteSPGetAllDownstreamServers: read only when they fit the documented layout, and what
sync_health makes of them (one call; an unreadable list is a warning, not a failed health read)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.ops.wsus.plugins.module_utils import _sync_health
from ansible_collections.ops.wsus.plugins.module_utils._state import downstream
from ansible_collections.ops.wsus.plugins.module_utils._wsusar import soap
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import (
    WsusAuthenticationError,
    WsusConnectionError,
    WsusDeadlineError,
    WsusError,
    WsusHTTPError,
    WsusKerberosError,
    WsusMissingLibraryError,
    WsusPermissionError,
    WsusSoapFault,
    WsusTimeoutError,
    WsusTLSError,
)
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import NAMESPACE

from support.documents import SYNC_HEALTH_READS

UTC = datetime.timezone.utc
A_ID = "6c1e0b52-3f0e-4d7b-9a55-0c1f5e2d9a11"
B_ID = "0f4f6a7e-8c2d-4b5a-a1e3-7d9c0b2e4f60"
C_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
SYNCED = datetime.datetime(2026, 12, 1, 4, 12, 31, tzinfo=UTC)
ROLLED = datetime.datetime(2026, 12, 1, 4, 20, 2, tzinfo=UTC)


def row(name="wsus02.branch.example", server_id=B_ID, synced=SYNCED, parent=None, rolled=ROLLED, version="10.0.1"):
    return [name, server_id, synced, parent, rolled, version, True]


def test_a_row_of_the_documented_layout_is_read():
    servers = downstream.read_rows([row()])
    assert servers == [
        {
            "name": "wsus02.branch.example",
            "id": B_ID,
            "parent_id": None,
            "direct": True,
            "version": "10.0.1",
            "replica": True,
            "last_sync": "2026-12-01T04:12:31Z",
            "last_rollup": "2026-12-01T04:20:02Z",
        }
    ]


def test_no_rows_is_an_empty_list():
    assert downstream.read_rows([]) == [] and downstream.read_rows(None) == []


def test_immediate_children_are_those_whose_parent_is_not_another_row():
    rows = [
        row("a.example", A_ID, parent="00000000-0000-0000-0000-000000000000"),
        row("b.example", B_ID.upper(), parent=None),
        row("c.example", C_ID, parent=A_ID.upper()),  # below a, which is below the server read
    ]
    servers = downstream.read_rows(rows)
    assert [(entry["name"], entry["direct"]) for entry in servers] == [
        ("a.example", True),
        ("b.example", True),
        ("c.example", False),
    ]
    assert servers[1]["id"] == B_ID and servers[2]["parent_id"] == A_ID


@pytest.mark.parametrize("stored", ["00000000-0000-0000-0000-000000000000", None], ids=["guid-empty", "null"])
def test_a_parent_of_guid_empty_reads_as_no_parent_like_null(stored):
    # a real server may store Guid.Empty rather than NULL for a direct child; the row below names a real parent
    servers = downstream.read_rows([row("a.example", A_ID, parent=stored), row("c.example", C_ID, parent=A_ID)])
    assert [(entry["parent_id"], entry["direct"]) for entry in servers] == [(None, True), (A_ID, False)]


def test_never_times_nil_version_and_extra_columns():
    never = datetime.datetime(1753, 1, 1, tzinfo=UTC)
    servers = downstream.read_rows([row(synced=None, rolled=never, version=None) + ["a later column", 7]])
    assert servers[0]["last_sync"] is None and servers[0]["last_rollup"] is None
    assert servers[0]["version"] is None
    naive = datetime.datetime(2026, 12, 1, 4, 12, 31)  # a zone-less SQL time is UTC
    assert downstream.read_rows([row(synced=naive)])[0]["last_sync"] == "2026-12-01T04:12:31Z"


@pytest.mark.parametrize(
    "bad, seen",
    [
        # the columns of another layout: the name where the id should be, times shifted
        ([B_ID, "wsus02", SYNCED, None, ROLLED, "10.0.1", True], "guid, string, dateTime"),
        (row()[:6], "6 column(s) seen"),
        (row(server_id="not-a-guid"), "string, string, dateTime"),
        (row(name=""), "[string, guid"),
        (row(synced="2026-12-01T04:12:31"), "string, guid, string"),
        (row(version=10), "int, boolean"),
        (row()[:6] + ["true"], "string]"),
        ("wsus02", "[string]"),
    ],
)
def test_a_row_that_does_not_fit_names_the_operation_and_the_types_seen(bad, seen):
    with pytest.raises(downstream.DownstreamRowError) as raised:
        downstream.read_rows([row(), bad])
    message = str(raised.value)
    assert message.startswith("ExecuteSPGetAllDownstreamServers answered a row (#2) that does not fit")
    assert "0 DomainName string, 1 ID guid, 2 LastSyncTime dateTime|nil" in message
    assert seen in message


def answer(cells_xml):
    rows = "".join("<GenericReadableRow><Values>%s</Values></GenericReadableRow>" % cells for cells in cells_xml)
    return (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        '<soap:Body><ExecuteSPGetAllDownstreamServersResponse xmlns="%s">'
        "<ExecuteSPGetAllDownstreamServersResult>%s</ExecuteSPGetAllDownstreamServersResult>"
        "</ExecuteSPGetAllDownstreamServersResponse></soap:Body></soap:Envelope>" % (NAMESPACE, rows)
    ).encode("utf-8")


def test_typed_cells_from_the_wire_are_read():
    """The SOAP decoder gives each cell its xsi:type: a guid typed q1:guid or sent as a string both read."""
    typed = (
        '<anyType xsi:type="xsd:string">wsus02.branch.example</anyType>'
        '<anyType xmlns:q1="http://microsoft.com/wsdl/types/" xsi:type="q1:guid">%s</anyType>'
        '<anyType xsi:type="xsd:dateTime">2026-12-01T04:12:31.527</anyType>'
        '<anyType xsi:nil="true" />'
        '<anyType xsi:type="xsd:dateTime">0001-01-01T00:00:00</anyType>'
        '<anyType xsi:type="xsd:string">10.0.20348.1</anyType>'
        '<anyType xsi:type="xsd:boolean">true</anyType>' % B_ID.upper()
    )
    as_strings = typed.replace(
        'xmlns:q1="http://microsoft.com/wsdl/types/" xsi:type="q1:guid"', 'xsi:type="xsd:string"'
    )
    assert as_strings != typed
    rows = soap.decode_response("ExecuteSPGetAllDownstreamServers", answer([typed, as_strings]))
    first, second = downstream.read_rows(rows)
    assert first["id"] == B_ID and second["id"] == B_ID
    assert first["last_sync"] == "2026-12-01T04:12:31.527000Z" and first["last_rollup"] is None
    assert first["replica"] is True and first["version"] == "10.0.20348.1"
    wrong = typed.replace('xsi:type="xsd:boolean">true', 'xsi:type="xsd:int">1')
    with pytest.raises(
        downstream.DownstreamRowError, match=r"of types \[string, guid, dateTime, nil, nil, string, int\]"
    ):
        downstream.read_rows(soap.decode_response("ExecuteSPGetAllDownstreamServers", answer([wrong])))


# ------------------------------------------------------------------ in sync_health


class Transport:
    where = "wsus01.example:8530"


class FakeClient:
    """Answers sync_health's reads; counts each call."""

    def __init__(self, downstream_answer):
        self.transport = Transport()
        self.calls = []
        self.downstream_answer = downstream_answer

    def _call(self, name, value):
        self.calls.append(name)
        return value

    def get_server_version(self):
        return self._call("GetServerVersion", "10.0.20348.1")

    def get_subscription_state(self):
        return self._call("GetSubscriptionState", 0)

    def get_sync_events(self):
        ended = datetime.datetime.now(UTC) - datetime.timedelta(hours=1)
        return self._call(
            "ExecuteSPSearchEventHistory",
            [
                {"EventId": 382, "TimeAtServer": ended - datetime.timedelta(minutes=5)},
                {"EventId": 384, "TimeAtServer": ended},
            ],
        )

    def get_subscription(self):
        fields = [("SynchronizeAutomatically", "false"), ("NumberOfSynchronizationsPerDay", "1")]
        fields += [("synchronizeAutomaticallyTimeOfDay", "0"), ("LastModifiedTime", "2026-01-01T00:00:00")]
        fields += [("LastSynchronizationTime", "0001-01-01T00:00:00")]
        return self._call("GetSubscription", soap.OrderedRow(fields))

    def get_next_sync_time(self):
        return self._call("GetSubscriptionNextSynchronizationTime", None)

    def get_content_download_progress(self):
        return self._call("ExecuteSPGetContentDownloadProgress", (0, 0))

    def get_failed_download_count(self):
        return self._call("ExecuteSPGetFailedToDownloadUpdatesCount", 0)

    def get_components_with_errors(self):
        return self._call("ExecuteSPGetComponentsWithErrors", [])

    def get_all_downstream_servers(self):
        self.calls.append("ExecuteSPGetAllDownstreamServers")
        if isinstance(self.downstream_answer, Exception):
            raise self.downstream_answer
        return self.downstream_answer


def test_sync_health_lists_the_downstream_servers_with_one_call():
    client = FakeClient([row()])
    report = _sync_health.read_sync_health(client)
    assert report["status"] == "healthy", report["reasons"]
    assert [entry["name"] for entry in report["downstream_servers"]] == ["wsus02.branch.example"]
    assert report["downstream_servers_error"] is None
    assert client.calls.count("ExecuteSPGetAllDownstreamServers") == 1
    assert sorted(client.calls) == sorted(SYNC_HEALTH_READS)  # each read once, the downstream servers included


def test_a_server_with_no_downstream_has_an_empty_list():
    report = _sync_health.read_sync_health(FakeClient([]))
    assert report["downstream_servers"] == [] and report["status"] == "healthy"


def test_rows_of_another_layout_are_a_warning_not_a_failed_health_read():
    client = FakeClient([row()[:6]])
    report = _sync_health.read_sync_health(client)
    assert report["downstream_servers"] is None
    assert report["status"] == "warning"
    assert report["reasons"] == [report["downstream_servers_error"]]
    assert report["reasons"][0].startswith(
        "Could not read the downstream servers of wsus01.example:8530: ExecuteSPGetAllDownstreamServers answered"
    )
    assert report["reasons"][0].endswith("(the row layout is not the one documented; please report it)")
    assert report["last_success"] is not None  # the rest of the health was read


@pytest.mark.parametrize(
    "error",
    [
        WsusSoapFault("the server faulted: InvalidOperationException", "ExecuteSPGetAllDownstreamServers"),
        WsusPermissionError("user WSUS\\reporter may not call ExecuteSPGetAllDownstreamServers", "x"),
    ],
)
def test_a_refused_call_is_a_warning_quoting_the_server(error):
    report = _sync_health.read_sync_health(FakeClient(error))
    assert report["downstream_servers"] is None and report["status"] == "warning"
    assert report["reasons"] == ["Could not read the downstream servers of wsus01.example:8530: %s" % error]


def _unknown_outcome(error):
    error.outcome_unknown = True
    return error


@pytest.mark.parametrize(
    "error, why",
    [
        (WsusTimeoutError("WSUS server wsus01.example:8530 did not answer within 30s"), "the call timed out"),
        (WsusDeadlineError("WSUS server wsus01.example:8530 did not complete it within 60s"), "the call timed out"),
        (WsusConnectionError("connection to wsus01.example:8530 reset"), "the connection failed"),
        (WsusTLSError("TLS handshake with wsus01.example:8531 failed"), "the connection failed"),
        (WsusHTTPError("WSUS server wsus01.example:8530 answered HTTP 503", 503), "the call failed with HTTP 503"),
        (_unknown_outcome(WsusError("the answer to it was lost")), "the call got no answer"),
    ],
)
def test_a_call_that_got_no_answer_is_a_warning_saying_why(error, why):
    client = FakeClient(error)
    report = _sync_health.read_sync_health(client)
    assert report["downstream_servers"] is None and report["status"] == "warning"
    assert report["reasons"] == ["Could not read the downstream servers of wsus01.example:8530: %s: %s" % (why, error)]
    assert report["last_success"] is not None  # the rest of the health was read
    assert client.calls.count("ExecuteSPGetAllDownstreamServers") == 1  # not tried again


@pytest.mark.parametrize(
    "error",
    [
        WsusAuthenticationError("WSUS server wsus01.example:8530 rejected the credentials of WSUS\\admin (HTTP 401)"),
        WsusKerberosError("no Kerberos ticket for HTTP/wsus01.example", reason="no_ticket"),
        WsusMissingLibraryError("pyspnego is not installed"),
        WsusError("something else went wrong"),
    ],
)
def test_rejected_credentials_and_other_errors_still_fail_the_health_read(error):
    with pytest.raises(type(error)) as raised:
        _sync_health.read_sync_health(FakeClient(error))
    assert raised.value is error
