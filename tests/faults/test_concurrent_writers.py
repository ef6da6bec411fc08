"""Other writers through ansible-playbook: another administrator saves while ops.wsus.sync_options runs, and two
pipelines converge one server at the same time. What is guaranteed, and what is not, is in docs/faults.md
("Other writers").

The first cases are deterministic: the emulator's then_set_configuration / then_set_subscription rules make
"another administrator" save right after a given request of the task (before the task sees its answer). They
run as one ansible-playbook run, one inventory host and one emulated server each. The last test starts two
ansible-playbook processes at once against one emulator with --latency-ms, so that their reads and writes
interleave.
"""

from __future__ import annotations

import json
import sys
import threading

import pytest

from support.operations import own_warnings
from support.playbook import run_playbook

WINDOWS_10 = "a3c2375d-0c8a-42f9-bce0-28333e198407"
SERVER_2022 = "71718f13-7324-4b0f-8f9e-2ca9dc978e53"
OFFICE_2016 = "25aed893-7c2d-4a31-ae22-28ff8ac150ed"
CRITICAL = "e6cf1350-c01b-414d-a61f-263d14d133b4"
SECURITY = "0fa1201d-4330-4fa8-8ae9-b877473b6441"
DEFINITIONS = "e0789628-ce08-4437-be74-2495b842f43b"
OTHER = "WSUS\\another-admin"

PROXY = {"enabled": True, "server": "proxy.corp.example", "port": 3128}

# host -> (the document its task applies, the rules of its server)
CASES = {
    # a configuration field no document manages, saved right after the task's configuration read
    "config_unmanaged": (
        {"proxy": PROXY},
        [{"operation": "ExecuteSPGetConfiguration", "then_set_configuration": {"MaxSimultaneousFileDownloads": 7}}],
    ),
    # a declared configuration field, saved right after the task's read: planned again and reported
    "config_declared": (
        {"proxy": PROXY},
        [{"operation": "ExecuteSPGetConfiguration", "then_set_configuration": {"ProxyServerPort": 8080}}],
    ),
    # subscription fields no document manages, saved right after the task's subscription read
    "subscription_unmanaged": (
        {"products": ["Microsoft Server operating system-21H2"]},
        [
            {
                "operation": "GetSubscription",
                "then_set_subscription": {"NumberOfSynchronizationsPerDay": 5, "SynchronizeAutomatically": True},
            }
        ],
    ),
    # the product selection this document does not declare, saved right after its first selection read
    "products_unmanaged": (
        {"classifications": ["Security Updates"], "schedule": {"per_day": 2}},
        [{"operation": "GetSubscriptionCategories", "then_set_subscription": {"categories": [OFFICE_2016]}}],
    ),
    # the declared product selection, changed right after the task's SetSubscription: written once more
    "products_after_write": (
        {"products": ["Microsoft Server operating system-21H2"]},
        [
            {
                "operation": "SetSubscription",
                "then_set_subscription": {"categories": [WINDOWS_10], "NumberOfSynchronizationsPerDay": 4},
            }
        ],
    ),
}


def connection(port="{{ case_port }}", user="WSUS\\admin"):
    return {
        "server": "127.0.0.1",
        "port": port,
        "username": user,
        "password": "Passw0rd!",
        "auth": "ntlm",
        "timeout": 20,
    }


def host(port, document, **extra):
    values = {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "case_port": port,
        "case_document": document,
    }
    values.update(extra)
    return values


SECTIONS = ("update_source", "proxy", "products", "classifications", "schedule", "languages", "storage")


def apply_play(hosts="all", port="{{ case_port }}", user="WSUS\\admin", document=None):
    """One sync_options task: ``document`` as given, or each host's ``case_document``."""
    if document is None:
        document = {section: "{{ case_document.%s | default(omit) }}" % section for section in SECTIONS}
    task = {"name": "apply", "ops.wsus.sync_options": dict(connection(port, user), **document), "register": "out"}
    return {"name": "other writers", "hosts": hosts, "gather_facts": False, "tasks": [task]}


class Run:
    pass


@pytest.fixture(scope="module")
def cases(emulator_factory, collections_path):
    server = emulator_factory("--servers", len(CASES))
    names = list(CASES)
    for index, name in enumerate(names):
        server.faults(CASES[name][1], index=index)
    hosts = {name: host(server.ports[index], CASES[name][0]) for index, name in enumerate(names)}
    run = Run()
    run.playbook = run_playbook(
        [apply_play()], collections_path, inventory={"all": {"hosts": hosts}}, env={"ANSIBLE_FORKS": str(len(hosts))}
    )
    run.state = {name: server.state(index) for index, name in enumerate(names)}
    run.log = {name: server.requests(index) for index, name in enumerate(names)}
    run.rules_left = {name: server.control("GET", "faults", index=index)["rules"] for index, name in enumerate(names)}
    return run


def result(cases, name):
    found = cases.playbook.result("apply", host=name)
    assert found.get("failed") is not True, found.get("msg")
    assert cases.rules_left[name] == [], "the other writer saved as scripted"
    return found


def log(cases, name):
    return [(entry["operation"], entry["user"], entry["http_status"]) for entry in cases.log[name]]


def test_an_unmanaged_configuration_field_keeps_the_other_writers_value_and_the_stale_write_is_retried(cases):
    found = result(cases, "config_unmanaged")
    configuration = cases.state["config_unmanaged"]["configuration"]
    assert configuration["MaxSimultaneousFileDownloads"] == 7, "the other writer's value"
    assert (
        configuration["UseProxy"] is True
        and configuration["ProxyName"] == "proxy.corp.example"
        and configuration["ProxyServerPort"] == 3128
    ), "the document's change"
    assert found["changed"] is True and found["applied"] == ["configuration"]
    # WSUS refused the write based on the stale read (detectConfigChange); the task read again and wrote again
    assert log(cases, "config_unmanaged") == [
        ("ExecuteSPGetConfiguration", "WSUS\\admin", 200),
        ("ExecuteSPSetConfiguration", OTHER, 200),
        ("ExecuteSPSetConfiguration", "WSUS\\admin", 500),
        ("ExecuteSPGetConfiguration", "WSUS\\admin", 200),
        ("ExecuteSPSetConfiguration", "WSUS\\admin", 200),
    ]
    assert found["soap_calls"] == [
        "ExecuteSPGetConfiguration",
        "ExecuteSPSetConfiguration",
        "ExecuteSPGetConfiguration",
        "ExecuteSPSetConfiguration",
    ]
    [line] = found["conflicts"]
    assert "WSUS refused the write because another writer saved the configuration" in line, line
    assert not own_warnings(found), "the same change as reported"


def test_a_declared_configuration_field_changed_meanwhile_is_planned_again_and_reported(cases):
    found = result(cases, "config_declared")
    assert cases.state["config_declared"]["configuration"]["ProxyServerPort"] == 3128
    assert "proxy.port: 8080 -> 3128" in found["changes"], found["changes"]
    [line] = found["conflicts"]
    assert "the changes now differ from what the first read gave" in line and "proxy.port: 80 -> 3128" in line
    assert any("the changes now differ" in warning for warning in found["warnings"]), found.get("warnings")


def test_unmanaged_subscription_fields_keep_the_other_writers_values(cases):
    found = result(cases, "subscription_unmanaged")
    state = cases.state["subscription_unmanaged"]
    assert state["subscription"]["NumberOfSynchronizationsPerDay"] == 5
    assert state["subscription"]["SynchronizeAutomatically"] is True
    assert state["categories"] == [SERVER_2022], "the document's change"
    assert found["applied"] == ["subscription"] and found["conflicts"] == []
    operations = log(cases, "subscription_unmanaged")
    other = operations.index(("SetSubscription", OTHER, 200))
    ours = operations.index(("SetSubscription", "WSUS\\admin", 200))
    # planned on a read made after the other save, right before the write
    assert other < operations.index(("GetSubscription", "WSUS\\admin", 200), other + 1) < ours, operations


def test_an_undeclared_product_selection_saved_meanwhile_is_kept(cases):
    found = result(cases, "products_unmanaged")
    state = cases.state["products_unmanaged"]
    assert state["categories"] == [OFFICE_2016], "the other writer's products"
    assert state["classifications"] == [SECURITY] and state["subscription"]["NumberOfSynchronizationsPerDay"] == 2
    assert found["applied"] == ["subscription"]


def test_a_declared_product_selection_changed_right_after_the_write_is_written_once_more_and_reported(cases):
    found = result(cases, "products_after_write")
    state = cases.state["products_after_write"]
    assert state["categories"] == [SERVER_2022], "the declared products, written once more"
    assert state["subscription"]["NumberOfSynchronizationsPerDay"] == 4, "undeclared: the other writer's value"
    writes = [entry for entry in log(cases, "products_after_write") if entry[0] == "SetSubscription"]
    assert writes == [
        ("SetSubscription", "WSUS\\admin", 200),
        ("SetSubscription", OTHER, 200),
        ("SetSubscription", "WSUS\\admin", 200),
    ]
    [line] = found["conflicts"]
    assert line.startswith("subscription: products read back different right after SetSubscription"), line
    assert line in found["warnings"]


# ----------------------------------------------------------------------------------------------- two pipelines

PIPELINE_A = {"proxy": PROXY, "products": ["Microsoft Server operating system-21H2"]}
PIPELINE_B = {
    "storage": {"express_files": True},
    "schedule": {"automatic": True, "per_day": 3},
    "classifications": ["Critical Updates", "Definition Updates"],
}


@pytest.mark.slow
def test_two_pipelines_at_once_both_end_applied_and_neither_reverts_the_other(
    emulator_factory, collections_path, tmp_path
):
    users = tmp_path / "users.txt"
    users.write_text("WSUS\\admin:Passw0rd!:administrator\nWSUS\\admin2:Passw0rd!:administrator\n")
    server = emulator_factory("--latency-ms", 250, "--users", users)
    # the first configuration write waits a moment, so that the other pipeline reads and saves meanwhile
    server.faults([{"operation": "ExecuteSPSetConfiguration", "delay_ms": 2500}])
    before = server.state()
    inventory = {
        "all": {"hosts": {"wsus01": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}
    }
    runs = {}

    def pipeline(name, user, document):
        play = apply_play(hosts="wsus01", port=server.port, user=user, document=document)
        runs[name] = run_playbook([play], collections_path, inventory=inventory, timeout=240)

    threads = [
        threading.Thread(target=pipeline, args=("A", "WSUS\\admin", PIPELINE_A)),
        threading.Thread(target=pipeline, args=("B", "WSUS\\admin2", PIPELINE_B)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results = {name: run.result("apply") for name, run in runs.items()}
    report = json.dumps(
        {
            name: {key: found.get(key) for key in ("msg", "applied", "conflicts", "warnings")}
            for name, found in results.items()
        },
        indent=1,
    )
    for found in results.values():
        assert found.get("failed") is not True, report
        assert found["changed"] is True, report

    state = server.state()
    requests = server.requests()
    users_seen = [entry["user"] for entry in requests]
    # the two tasks really ran at the same time: each one's requests began before the other's ended
    first = {user: users_seen.index(user) for user in ("WSUS\\admin", "WSUS\\admin2")}
    last = {user: len(users_seen) - 1 - users_seen[::-1].index(user) for user in first}
    assert first["WSUS\\admin"] < last["WSUS\\admin2"] and first["WSUS\\admin2"] < last["WSUS\\admin"], requests

    configuration = state["configuration"]
    assert configuration["UseProxy"] is True and configuration["ProxyName"] == "proxy.corp.example"  # A
    assert configuration["ProxyServerPort"] == 3128  # A
    assert configuration["DownloadExpressPackages"] is True  # B
    for field, value in before["configuration"].items():  # nothing else moved
        if field not in (
            "UseProxy",
            "ProxyName",
            "ProxyServerPort",
            "DownloadExpressPackages",
            "configurationChangeNumber",
            "LastConfigChange",
        ):
            assert configuration[field] == value, field
    assert state["categories"] == [SERVER_2022]  # A
    assert sorted(state["classifications"]) == sorted([CRITICAL, DEFINITIONS])  # B
    assert state["subscription"]["SynchronizeAutomatically"] is True  # B
    assert state["subscription"]["NumberOfSynchronizationsPerDay"] == 3  # B
    # a configuration write that WSUS refused (the other pipeline saved after this one read) was retried
    for user in first:
        mine = [entry for entry in requests if entry["user"] == user]
        for position, entry in enumerate(mine):
            if entry["operation"] == "ExecuteSPSetConfiguration" and entry["http_status"] == 500:
                assert [later["operation"] for later in mine[position + 1 : position + 3]] == [
                    "ExecuteSPGetConfiguration",
                    "ExecuteSPSetConfiguration",
                ], mine
    assert state["configuration_change_number"] == before["configuration_change_number"] + 2, (
        "one save per pipeline: no write was lost and none was repeated"
    )
