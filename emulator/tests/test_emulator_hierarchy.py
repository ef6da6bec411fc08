"""Upstream and downstream servers of one emulator process (hierarchy.py): names and ids, registration when a
downstream synchronizes successfully, ExecuteSPGetAllDownstreamServers (typed rows, nesting, the live WSDL), and
the control API (settings name/version, downstream_servers, forget, reset, --state-dir)."""

from __future__ import annotations

import re
import socket
import time
import uuid
import xml.etree.ElementTree as ET

import pytest

from emuproc import Emulator
from wsusclient import TNS, XSI, body_errors, get_configuration, live_schema, rows, scalar, set_configuration

NIL = "00000000-0000-0000-0000-000000000000"
A, B, C = 0, 1, 2  # the servers' indexes: A is the root, B synchronizes from A, C from B
NAMES = ["wsus-root.hierarchy.test", "wsus-mid.hierarchy.test"]  # the third server keeps its default name
SYNC_SECONDS = 5.0
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def trio():
    emulator = Emulator(
        ["--control", "--servers", "3", "--sync-seconds", SYNC_SECONDS, "--name", NAMES[0], "--name", NAMES[1]]
    )
    clients = [emulator.client(index=index) for index in range(3)]
    yield emulator, clients
    for client in clients:
        client.close()
    emulator.stop()


@pytest.fixture
def hier(trio):
    """The three servers in factory state (no configuration, no registrations, clocks at zero offset)."""
    emulator, clients = trio
    for index in range(3):
        emulator.reset(index)
    return emulator, clients


def downstream_call(client, parent=NIL, nested=False):
    inner = "<parentServerId>%s</parentServerId><includeNestedChildren>%s</includeNestedChildren>" % (
        parent,
        "true" if nested else "false",
    )
    return client.ok("ExecuteSPGetAllDownstreamServers", inner)


def downstream(client, parent=NIL, nested=False):
    return rows(downstream_call(client, parent, nested).result("ExecuteSPGetAllDownstreamServers"))


def point_at(emulator, clients, index, upstream, host=None, replica=False, port=None):
    """Configure server ``index`` to synchronize from server ``upstream`` (as sync_options writes it)."""
    overrides = {
        "SyncToMU": False,
        "UpstreamServerName": emulator.names[upstream] if host is None else host,
        "ServerPortNumber": emulator.ports[upstream] if port is None else port,
        "ReplicaMode": replica,
    }
    response = set_configuration(clients[index], overrides)
    assert response.status == 200, response.text


def synchronize(emulator, clients, index, result=None):
    """One run of server ``index`` to its end on its simulated clock; its last_run (with the end time)."""
    if result is not None:
        emulator.faults([{"next_sync_result": {"result": result}}], index=index)
    clients[index].ok("StartSubscriptionManually")
    emulator.control("POST", "clock", {"advance_seconds": SYNC_SECONDS + 1}, index=index)
    run = emulator.state(index)["sync"]["last_run"]
    assert run["result"] == (result or "succeeded")
    return run


def server_id(client):
    return dict(get_configuration(client))["ServerId"]


# ------------------------------------------------------------------------------------------------ identity
def test_start_line_names_and_ids(trio):
    emulator, clients = trio
    assert emulator.names == NAMES + ["wsus-%d.emulator.test" % emulator.ports[C]]
    assert len(set(emulator.ids)) == 3 and all(GUID.match(value) for value in emulator.ids)
    # the id is the server's ConfigurationTableRow ServerId, and each server knows its own name and id
    assert [server_id(client) for client in clients] == emulator.ids
    assert (emulator.info["names"], emulator.info["ids"]) == (emulator.names, emulator.ids)
    for index in range(3):
        state = emulator.state(index)
        assert (state["name"], state["id"]) == (emulator.names[index], emulator.ids[index])


@pytest.mark.parametrize(
    "args,message",
    [
        (["--name", "not a name"], "full domain name"),
        (["--name=-bad.example"], "full domain name"),
        (["--servers", "2", "--name", "same.example", "--name", "SAME.example"], "its own name"),
        (["--name", "one.example", "--name", "two.example"], "2 --name options for 1 server"),
    ],
)
def test_bad_names_stop_the_start(args, message):
    with pytest.raises(RuntimeError, match=message):
        Emulator(args)


def test_name_and_version_through_settings(hier):
    emulator, clients = hier
    settings = emulator.control("POST", "settings", {"name": "renamed.hierarchy.test", "version": "10.0.26100.1"})
    assert (settings["name"], settings["version"]) == ("renamed.hierarchy.test", "10.0.26100.1")
    assert emulator.control("GET", "settings")["name"] == "renamed.hierarchy.test"
    assert scalar(clients[A], "GetServerVersion") == "10.0.26100.1"
    assert scalar(clients[B], "GetServerVersion") != "10.0.26100.1"  # per server
    # a downstream naming the new name registers there
    point_at(emulator, clients, B, A, host="RENAMED.hierarchy.test")
    synchronize(emulator, clients, B)
    assert [row[0] for row in downstream(clients[A])] == [NAMES[1]]
    emulator.reset(A)  # the command line's name and version again
    assert emulator.control("GET", "settings")["name"] == NAMES[0]
    assert scalar(clients[A], "GetServerVersion") == scalar(clients[B], "GetServerVersion")


@pytest.mark.parametrize(
    "payload,message",
    [
        ({"name": NAMES[1]}, "already the name of the server"),
        ({"name": "under_score.example"}, "full domain name"),
        ({"name": 7}, "full domain name"),
        ({"version": ""}, "version must be"),
        ({"version": "10.0\n1"}, "version must be"),
        ({"name": "fine.example", "stop_seconds": -1}, "stop_seconds"),
        ({"name": "fine.example", "surprise": 1}, "known: cancel_event"),
    ],
)
def test_bad_identity_settings_are_400_and_change_nothing(hier, payload, message):
    emulator, clients = hier
    before = emulator.control("GET", "settings")
    answer = emulator.control("POST", "settings", payload, expect=400)
    assert message in answer["error"]
    assert emulator.control("GET", "settings") == before


def test_reset_keeps_the_server_id(hier):
    emulator, clients = hier
    before = server_id(clients[A])
    emulator.reset(A)
    assert server_id(clients[A]) == before == emulator.ids[A]


# ------------------------------------------------------------------------------------------------ registration
XSI_TYPE = "{%s}type" % XSI


def cell_types(response):
    """[[(xsi:type local name, text)]] of each row, as sent."""
    result = response.result("ExecuteSPGetAllDownstreamServers")
    return [
        [(item.get(XSI_TYPE).split(":")[-1], item.text) for item in row.findall("{%s}Values/{%s}anyType" % (TNS, TNS))]
        for row in result.findall("{%s}GenericReadableRow" % TNS)
    ]


def test_a_replica_that_synchronizes_is_registered_with_seven_typed_columns(hier):
    emulator, clients = hier
    point_at(emulator, clients, B, A, host=NAMES[0].upper(), replica=True)  # names compare case-insensitively
    assert downstream(clients[A]) == []
    run = synchronize(emulator, clients, B)
    end = run["end"]
    response = downstream_call(clients[A])
    assert cell_types(response) == [
        [
            ("string", NAMES[1]),
            ("guid", emulator.ids[B]),
            ("dateTime", end),
            ("guid", emulator.ids[A]),
            ("dateTime", end),
            ("string", scalar(clients[B], "GetServerVersion")),
            ("boolean", "true"),
        ]
    ]
    # the guid cells carry the GUID namespace of the WSDL (q1:guid), like the other row answers
    result = response.result("ExecuteSPGetAllDownstreamServers")
    id_cell = result.findall(".//{%s}anyType" % TNS)[1]
    prefix = id_cell.get(XSI_TYPE).split(":")[0]
    assert ('xmlns:%s="http://microsoft.com/wsdl/types/"' % prefix) in response.text
    # the end time is the run's, on the downstream's clock: its 384 event and LastSynchronizationTime
    assert emulator.state(B)["subscription"]["LastSynchronizationTime"] == end
    view = emulator.downstream_servers(A)
    assert [row["DomainName"] for row in view["downstream_servers"]] == [NAMES[1]]
    assert emulator.downstream_servers(B)["upstream"] == {
        "name": NAMES[0],
        "id": emulator.ids[A],
        "port": emulator.ports[A],
    }


def test_not_a_replica_and_a_second_sync_updates_the_row(hier):
    emulator, clients = hier
    point_at(emulator, clients, B, A, replica=False)
    first = synchronize(emulator, clients, B)["end"]
    emulator.control("POST", "clock", {"advance_seconds": 3600}, index=B)
    second = synchronize(emulator, clients, B)["end"]
    assert second != first
    found = downstream(clients[A])
    assert len(found) == 1  # updated, not added
    assert found[0][2] == ("dateTime", second) and found[0][4] == ("dateTime", second)
    assert found[0][6] is False


@pytest.mark.parametrize("outcome", ["failed", "canceled"])
def test_a_run_that_does_not_succeed_changes_nothing(hier, outcome):
    emulator, clients = hier
    point_at(emulator, clients, B, A)
    assert synchronize(emulator, clients, B, result=outcome)["result"] == outcome
    assert downstream(clients[A]) == []  # never registered by a failure
    good = synchronize(emulator, clients, B)["end"]
    emulator.control("POST", "clock", {"advance_seconds": 3600}, index=B)
    later = synchronize(emulator, clients, B, result=outcome)["end"]
    assert later != good
    assert downstream(clients[A])[0][2] == ("dateTime", good)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST"])
def test_a_local_address_with_the_upstream_port_is_that_server(hier, host):
    emulator, clients = hier
    point_at(emulator, clients, B, A, host=host)
    synchronize(emulator, clients, B)
    assert [row[1] for row in downstream(clients[A])] == [("guid", emulator.ids[B])]


@pytest.mark.parametrize(
    "host,port_of",
    [
        ("wsus-root.corp.example", A),  # a server outside this process
        (NAMES[0], B),  # the right name on another port: not that server
        ("127.0.0.1", None),  # nobody of this process on that port
    ],
)
def test_an_upstream_outside_the_process_registers_nothing(hier, host, port_of):
    emulator, clients = hier
    port = emulator.ports[port_of] if port_of is not None else 1
    point_at(emulator, clients, C, A, host=host, port=port)
    run = synchronize(emulator, clients, C)
    assert run["result"] == "succeeded"  # the sync behaves as before
    for index in range(3):
        assert downstream(clients[index], nested=True) == []
        assert emulator.downstream_servers(index)["downstream_servers"] == []


def test_microsoft_update_registers_nothing(hier):
    emulator, clients = hier
    synchronize(emulator, clients, B)
    assert all(downstream(client, nested=True) == [] for client in clients)


def test_a_server_is_never_its_own_downstream(hier):
    emulator, clients = hier
    point_at(emulator, clients, A, A)
    synchronize(emulator, clients, A)
    assert downstream(clients[A], nested=True) == []


def test_nested_chain(hier):
    """A <- B <- C: C is registered at B with ParentId B; A lists C only with includeNestedChildren."""
    emulator, clients = hier
    point_at(emulator, clients, B, A, replica=True)
    point_at(emulator, clients, C, B)
    synchronize(emulator, clients, B)
    c_end = synchronize(emulator, clients, C)["end"]
    ids = emulator.ids
    immediate = downstream(clients[A], nested=False)
    assert [(row[0], row[3]) for row in immediate] == [(NAMES[1], ("guid", ids[A]))]
    everything = downstream(clients[A], nested=True)
    assert [(row[0], row[1], row[3]) for row in everything] == [
        (NAMES[1], ("guid", ids[B]), ("guid", ids[A])),
        (emulator.names[C], ("guid", ids[C]), ("guid", ids[B])),
    ]
    assert everything[1][2] == ("dateTime", c_end) and everything[1][6] is False
    assert [row[1] for row in downstream(clients[B])] == [("guid", ids[C])]
    # another GUID: that downstream server's own children, from the root's point of view
    assert [row[1] for row in downstream(clients[A], parent=ids[B])] == [("guid", ids[C])]
    assert [row[1] for row in downstream(clients[A], parent=ids[B].upper(), nested=True)] == [("guid", ids[C])]
    assert downstream(clients[A], parent=ids[C], nested=True) == []  # a leaf
    assert downstream(clients[A], parent=str(uuid.uuid4()), nested=True) == []  # not in the subtree
    assert downstream(clients[B], parent=ids[A], nested=True) == []  # the upstream is not below B
    # the answer for the server itself, by its own id, is the nil GUID's
    assert downstream(clients[A], parent=ids[A], nested=True) == everything
    assert downstream(clients[C], nested=True) == []


def test_version_change_shows_after_the_next_sync(hier):
    emulator, clients = hier
    point_at(emulator, clients, B, A)
    synchronize(emulator, clients, B)
    old = scalar(clients[B], "GetServerVersion")
    emulator.control("POST", "settings", {"version": "10.0.26100.4061"}, index=B)
    assert scalar(clients[B], "GetServerVersion") == "10.0.26100.4061"
    assert downstream(clients[A])[0][5] == old  # a registration is what the downstream reported last
    emulator.control("POST", "clock", {"advance_seconds": 60}, index=B)
    synchronize(emulator, clients, B)
    assert downstream(clients[A])[0][5] == "10.0.26100.4061"


def test_a_run_that_ended_unobserved_is_registered_before_the_answer(hier):
    """Nobody asks B after its run ends: A's answer still includes it (the run's end is settled first)."""
    emulator, clients = hier
    point_at(emulator, clients, B, A)
    emulator.control("POST", "settings", {"sync_seconds": 0.2}, index=B)
    clients[B].ok("StartSubscriptionManually")
    assert downstream(clients[A]) == []  # still running
    time.sleep(0.6)  # the run ends meanwhile; nobody asks B
    assert [row[0] for row in downstream(clients[A])] == [NAMES[1]]


def test_forget_removes_a_registration(hier):
    emulator, clients = hier
    point_at(emulator, clients, B, A)
    point_at(emulator, clients, C, A)
    synchronize(emulator, clients, B)
    synchronize(emulator, clients, C)
    assert [row[0] for row in downstream(clients[A])] == [NAMES[1], emulator.names[C]]  # registration order
    view = emulator.forget_downstream_server(NAMES[1].upper(), index=A)
    assert [row["DomainName"] for row in view["downstream_servers"]] == [emulator.names[C]]
    assert [row[0] for row in downstream(clients[A])] == [emulator.names[C]]
    gone = emulator.control("POST", "downstream_servers/forget", {"name": NAMES[1]}, index=A, expect=404)
    assert NAMES[1] in gone["error"] and emulator.names[C] in gone["error"]
    view = emulator.control("POST", "downstream_servers/forget", {"id": emulator.ids[C]}, index=A)
    assert view["downstream_servers"] == [] and downstream(clients[A]) == []
    # the next successful sync registers it again
    emulator.control("POST", "clock", {"advance_seconds": 60}, index=B)
    synchronize(emulator, clients, B)
    assert [row[0] for row in downstream(clients[A])] == [NAMES[1]]


@pytest.mark.parametrize("payload", [{}, {"name": 1}, {"name": "x", "id": "y"}, {"server": "x"}, ["x"]])
def test_forget_needs_a_name_or_an_id(hier, payload):
    emulator, clients = hier
    assert "expected" in emulator.control("POST", "downstream_servers/forget", payload, expect=400)["error"]


def test_downstream_servers_endpoint_methods(hier):
    emulator, clients = hier
    assert emulator.control("DELETE", "downstream_servers", expect=405)
    assert emulator.control("GET", "downstream_servers/forget", expect=405)
    assert emulator.control("GET", "downstream_servers/other", expect=404)


def test_reset_of_the_upstream_forgets_its_downstream_servers(hier):
    emulator, clients = hier
    point_at(emulator, clients, B, A)
    synchronize(emulator, clients, B)
    emulator.reset(B)  # the downstream's reset leaves its row at the upstream
    assert len(downstream(clients[A])) == 1
    emulator.reset(A)
    assert downstream(clients[A]) == []


def test_reporters_may_read_the_downstream_servers(hier):
    emulator, clients = hier
    reporter = emulator.client("WSUS\\reporter", index=A)
    try:
        inner = "<parentServerId>%s</parentServerId><includeNestedChildren>true</includeNestedChildren>" % NIL
        assert reporter.call("ExecuteSPGetAllDownstreamServers", inner).status == 200
    finally:
        reporter.close()


# ------------------------------------------------------------------------------------------------ the live WSDL
def test_the_answer_conforms_to_the_live_wsdl(hier):
    emulator, clients = hier
    point_at(emulator, clients, B, A, replica=True)
    point_at(emulator, clients, C, B)
    synchronize(emulator, clients, B)
    synchronize(emulator, clients, C)
    schema = live_schema()
    response = downstream_call(clients[A], nested=True)
    assert len(rows(response.result("ExecuteSPGetAllDownstreamServers"))) == 2
    assert body_errors(schema, response.body) == []
    assert body_errors(schema, downstream_call(clients[C]).body) == []  # no rows
    # the check has teeth: a guid cell that is not a GUID, or a boolean cell that is not a boolean, is refused
    broken = response.body.replace(emulator.ids[B].encode(), b"not-a-guid", 1)
    assert body_errors(schema, broken) != []
    assert body_errors(schema, response.body.replace(b">true<", b">yes<", 1)) != []
    ET.fromstring(broken)  # still well-formed XML: the schema, not the parser, refused it


# ------------------------------------------------------------------------------------------------ --state-dir
def consecutive_free_ports():
    for dummy in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
            return port
    raise AssertionError("no two consecutive free ports")


def test_ids_and_registrations_survive_a_restart(tmp_path):
    port = consecutive_free_ports()
    args = ["--control", "--servers", "2", "--port", port, "--state-dir", tmp_path, "--sync-seconds", SYNC_SECONDS]
    first = Emulator(args)
    try:
        clients = [first.client(index=index) for index in range(2)]
        point_at(first, clients, B, A, replica=True)
        synchronize(first, clients, B)
        before = downstream(clients[A])
        ids = first.ids
        for client in clients:
            client.close()
    finally:
        first.stop()
    assert len(before) == 1
    second = Emulator(args)
    try:
        assert second.ids == ids
        client = second.client(index=A)
        assert downstream(client) == before
        client.close()
    finally:
        second.stop()
