"""Hostile input: invalid wsus_sync documents written as real inventory YAML, parsed by Ansible itself.

``inventory/`` is one inventory: every host of the group ``hostile`` is one invalid document
(``host_vars/<host>.yml``) whose ``# expect:`` comments name the paths the validator must report
(``# expect-prefix:`` for a path the message may shorten, ``# expect-message:`` for text it must say).
One ansible-playbook run applies the role ``ops.wsus.wsus_sync`` to every host. Each hostile host must
fail in the role's first step (ops.wsus.validate) with every expected path named, and the server they
all point at must receive no request at all.

A few documents (``# stage: planner``, group ``planner``) are valid for the schema and wrong only for
the server's catalog or the controller's time zone database; ops.wsus.sync_options rejects them after
its reads and before any write. They point at a server of their own, which must see no write.
The host ``valid_control`` (a valid document, its own server) proves that the same playbook does reach
a server when the document is valid.
"""

from __future__ import annotations

import os
import re
import time

import pytest
import yaml

from support.operations import WRITES
from support.playbook import run_playbook

HERE = os.path.dirname(os.path.abspath(__file__))
INVENTORY = os.path.join(HERE, "inventory")
HOST_VARS = os.path.join(INVENTORY, "host_vars")
VALIDATE_TASK = "Check wsus_sync against schemas/wsus_sync.schema.json (no server is contacted)"
APPLY_TASK = "Apply the synchronization options"
FAIL_TASK = "Fail the host with the error above"


def _expectations():
    cases = {}
    for file_name in sorted(os.listdir(HOST_VARS)):
        host = file_name[: -len(".yml")]
        if host == "valid_control":
            continue
        with open(os.path.join(HOST_VARS, file_name), encoding="utf-8") as handle:
            text = handle.read()
        found = {"expect": [], "expect-prefix": [], "expect-message": [], "stage": ["schema"]}
        for kind, value in re.findall(r"^# (expect(?:-prefix|-message)?|stage): (.+)$", text, re.M):
            found[kind] = [value.strip()] if kind == "stage" else found[kind] + [value.strip()]
        found["stage"] = found["stage"][0]
        cases[host] = found
    return cases


CASES = _expectations()


def test_inventory_lists_every_case_and_each_case_expects_something():
    with open(os.path.join(INVENTORY, "hosts.yml")) as handle:
        inventory = yaml.safe_load(handle)
    hostile = inventory["all"]["children"]["wsus"]["children"]["hostile"]
    assert set(hostile["hosts"]) == set(CASES)
    assert set(hostile["children"]["planner"]["hosts"]) == {host for host in CASES if CASES[host]["stage"] == "planner"}
    assert len([host for host in CASES if CASES[host]["stage"] == "schema"]) >= 60
    for host, found in CASES.items():
        assert found["expect"] or found["expect-prefix"], host


@pytest.fixture(scope="module")
def hostile_run(emulator_factory, collections_path):
    server = emulator_factory("--servers", 3)
    play = {
        "name": "hostile inventories",
        "hosts": "wsus",
        "gather_facts": False,
        "roles": [{"role": "ops.wsus.wsus_sync"}],
    }
    started = time.monotonic()
    run = run_playbook(
        [play],
        collections_path,
        inventory={"all": {"hosts": {}}},
        extra_args=[
            "-i",
            os.path.join(INVENTORY, "hosts.yml"),
            "-e",
            "hostile_wsus_port=%d" % server.ports[0],
            "-e",
            "control_wsus_port=%d" % server.ports[1],
            "-e",
            "planner_wsus_port=%d" % server.ports[2],
        ],
        env={"ANSIBLE_FORKS": "10"},
    )
    run.seconds = time.monotonic() - started
    run.hostile_log = server.requests(0)
    run.control_log = server.requests(1)
    run.planner_log = server.requests(2)
    return run


def role_result(run, task, host):
    """The result of the role task named ``task`` (the callback names it "<role> : <task>"), or, should
    the role rename it, the first result that has the shape of that task's result."""
    results = run.results(host)
    for name, result in results:
        if name == task or name.endswith(" : " + task):
            return result
    shapes = {VALIDATE_TASK: "violations", APPLY_TASK: "soap_calls"}
    if task in shapes:
        return next((result for dummy, result in results if shapes[task] in result), None)
    if task == FAIL_TASK:
        return [result for dummy, result in results if result.get("failed")][-1]
    return None


def test_no_request_reaches_the_server_of_the_hostile_hosts(hostile_run):
    assert hostile_run.hostile_log == []


def test_planner_stage_documents_are_read_never_written(hostile_run):
    operations = [entry["operation"] for entry in hostile_run.planner_log]
    assert operations and not WRITES & set(operations), operations


def test_the_valid_control_host_does_reach_its_server(hostile_run):
    result = role_result(hostile_run, APPLY_TASK, "valid_control")
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is True
    assert "SetSubscription" in {entry["operation"] for entry in hostile_run.control_log}


def _passwords():
    """The values of the hostile documents' secret keys (proxy.password, notifications.smtp.password)."""
    found = []
    for file_name in sorted(os.listdir(HOST_VARS)):
        with open(os.path.join(HOST_VARS, file_name), encoding="utf-8") as handle:
            found += re.findall(r"\"(Hostile-\w+-Pass-\d+)\"", handle.read())
    return found


def test_no_password_of_a_hostile_document_is_shown(hostile_run):
    passwords = _passwords()
    assert len(passwords) >= 6  # the proxy's and the SMTP server's
    assert "Europe/Berlinn" in hostile_run.stdout  # the output does show the documents' other values
    for password in passwords:
        assert password not in hostile_run.stdout + hostile_run.stderr, password


def test_ansible_itself_did_not_choke(hostile_run):
    assert "Traceback" not in hostile_run.stdout + hostile_run.stderr, hostile_run.stderr[-3000:]
    assert "ERROR!" not in hostile_run.stderr, hostile_run.stderr[-3000:]
    assert hostile_run.stats.get("valid_control", {}).get("failures") == 0
    assert hostile_run.seconds < 120  # generous: only catches a server contacted per host by mistake


@pytest.mark.parametrize("host", sorted(CASES))
def test_rejected_before_any_write_naming_the_path(hostile_run, host):
    expected = CASES[host]
    validated = role_result(hostile_run, VALIDATE_TASK, host)
    applied = role_result(hostile_run, APPLY_TASK, host)
    if expected["stage"] == "schema":
        assert validated.get("failed") is True, validated
        assert applied is None or applied.get("skipped"), applied  # the role stopped at validation
        paths = [violation["path"] for violation in validated.get("violations", [])]
        message = validated["msg"]
        assert message.startswith("wsus_sync is invalid"), message
        for path in expected["expect"]:
            assert path in paths, (path, paths)
            assert "- %s: " % path in message, message
    else:  # valid for the schema; ops.wsus.sync_options rejects it before writing
        assert validated.get("failed") is not True, validated.get("msg")
        assert applied.get("failed") is True, applied
        message = applied["msg"]
        assert not WRITES & set(applied.get("soap_calls", [])), applied.get("soap_calls")
        assert "\n" not in message
        paths = [message.split(":", 1)[0]]
        for path in expected["expect"]:
            assert message.startswith(path + ": "), (path, message)
    for prefix in expected["expect-prefix"]:
        assert any(found.startswith(prefix) for found in paths), (prefix, paths)
    for text in expected["expect-message"]:
        assert text in message, (text, message)
    assert "Traceback" not in message
    # and the host failed with that same message at the end of the role
    assert role_result(hostile_run, FAIL_TASK, host)["msg"] == message
