"""Fault suite: a broken or hostile server cannot hurt the controller.

One ansible-playbook run applies the same document with ops.wsus.sync_options to one host per hostile answer
(the emulator's ``hostile`` fault rule, emulator/GUIDE.md): each emulated server answers one of the reads the
task makes with garbage, 2 GiB (announced, or chunked), a slow drip, a DOCTYPE bomb, a truncated body, an HTML
page, a redirect to another host, or JSON. Every task must fail with a typed, one-line message that says what
arrived and what to check, within request_timeout, without a traceback, and before any write: the server's
request log shows no write and the hostile answer was not asked for twice.

A second test runs the client in a child process against a 2 GiB chunked answer and reads the child's peak
memory (ru_maxrss): the default max_response_mb (64 MiB) bounds it, where reading the whole answer would take
2 GiB. What the user sees and does for each case: docs/faults.md, "Answers the client refuses".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._module import PLAIN_HTTP_NTLM_WARNING

from support.operations import WRITES
from support.playbook import run_playbook
from support.secrets import leaks

ADMIN_PASSWORD = "Wsus-Adm1n-H0stile-91"
PROXY_PASSWORD = "Pr0xy-H0stile-S3cret-92"
REQUEST_TIMEOUT = 5  # seconds; the slow drip sends a byte every 2 s, well within timeout (20)
DOCUMENT = {
    "proxy": {
        "enabled": True,
        "server": "proxy.corp.example",
        "port": 3128,
        "username": "svc-proxy",
        "password": PROXY_PASSWORD,
    },
    "products": ["Office 2016"],
    "classifications": ["Security Updates"],
    "schedule": {"automatic": True, "time": "03:00", "timezone": "UTC", "per_day": 2},
    "languages": ["en", "de"],
}
# host -> (the read answered badly, the hostile rule, what the one-line message must say)
CASES = {
    "garbage": (
        "ExecuteSPGetConfiguration",
        "garbage",
        [
            "answered ExecuteSPGetConfiguration (HTTP 200, text/xml; charset=utf-8) with an answer ops.wsus cannot "
            "read: the answer is not XML"
        ],
    ),
    "oversized": (
        "ExecuteSPGetCategories",
        "oversized",
        ["answered ExecuteSPGetCategories with more than max_response_mb allows (64 MiB", "announces 2048 MiB"],
    ),
    "oversized_chunked": (
        "ExecuteSPGetCategories",
        {"kind": "oversized", "chunked": True},
        ["answered ExecuteSPGetCategories with more than max_response_mb allows", "went on past 64 MiB"],
    ),
    "slow_drip": (
        "GetSubscription",
        "slow_drip",
        ["did not complete GetSubscription within %ds (request_timeout" % REQUEST_TIMEOUT, "raise request_timeout"],
    ),
    "doctype_bomb": (
        "ExecuteSPGetConfiguration",
        "doctype_bomb",
        ["declares a DOCTYPE", "which SOAP 1.1 forbids"],
    ),
    "truncated": (
        "GetSubscription",
        "truncated",
        ["ended its answer to GetSubscription early (truncated:"],
    ),
    "html_200": (
        "ExecuteSPGetAllLanguagesWithEnabledState",
        "html_200",
        ["with HTTP 200 and Content-Type text/html", "an HTML page titled 'Sign in to continue - Corporate Web Proxy'"],
    ),
    "redirect": (
        "ExecuteSPGetConfiguration",
        "redirect",
        ["redirect (HTTP 302) to http://wsus-elsewhere.example:8530/", "does not follow redirects"],
    ),
    "wrong_content_type": (
        "HasProxyPassword",
        "wrong_content_type",
        ["answered HasProxyPassword with HTTP 200 and Content-Type application/json"],
    ),
}
CHECK = "check that server and port lead to the WSUS web service"


@pytest.fixture(scope="module")
def hostile_run(emulator_factory, collections_path, tmp_path_factory):
    users = tmp_path_factory.mktemp("hostile") / "users.txt"
    users.write_text("WSUS\\admin:%s:administrator\n" % ADMIN_PASSWORD)
    server = emulator_factory("--servers", len(CASES) + 1, "--users", users)
    hosts = {}
    for index, (name, (operation, rule, dummy)) in enumerate(CASES.items()):
        server.faults([{"operation": operation, "hostile": rule}], index=index)
        hosts[name] = {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "case_port": server.ports[index],
        }
    task = {
        "name": "apply",
        "ops.wsus.sync_options": dict(
            {
                "server": "127.0.0.1",
                "port": "{{ case_port }}",
                "username": "WSUS\\admin",
                "password": ADMIN_PASSWORD,
                "auth": "ntlm",
                "timeout": 20,
                "request_timeout": REQUEST_TIMEOUT,
            },
            **DOCUMENT,
        ),
    }
    play = {"name": "hostile answers", "hosts": "all", "gather_facts": False, "tasks": [task]}
    run = run_playbook(
        [play],
        collections_path,
        inventory={"all": {"hosts": hosts}},
        env={"ANSIBLE_FORKS": str(len(hosts)), "ANSIBLE_PIPELINING": "1"},
    )
    run.server = server
    run.logs = {name: server.requests(index) for index, name in enumerate(CASES)}
    run.memory_port = server.ports[len(CASES)]
    return run


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_hostile_answer_fails_the_task_cleanly_before_any_write(hostile_run, name):
    operation, dummy, needles = CASES[name]
    result = hostile_run.result("apply", host=name)
    message = result.get("msg", "")
    assert result.get("failed") is True, result
    assert message.startswith("127.0.0.1: "), message
    assert "\n" not in message and "Traceback" not in message and len(message) < 700, message
    assert "Traceback" not in str(result.get("exception", "")), result.get("exception")
    for needle in needles:
        assert needle in message, (needle, message)
    if name not in ("slow_drip", "redirect"):
        assert CHECK in message, message
    # the task's reads before the hostile one and Ansible's own start (~4 s for nine hosts on two cores), plus at
    # most request_timeout for the hostile call: generous, it only catches a hang or a retry loop
    assert result["_duration_s"] < REQUEST_TIMEOUT + 15, result["_duration_s"]
    # nothing written, and the hostile answer not asked for again (not retried)
    log = hostile_run.logs[name]
    operations = [entry["operation"] for entry in log]
    assert not WRITES & set(operations), operations
    assert not WRITES & set(result.get("soap_calls", [])), result.get("soap_calls")
    assert operations.count(operation) == 1, operations
    assert operations[-1] == operation, "the task stopped at the hostile answer: %s" % operations


def test_the_slow_drip_ran_until_its_deadline_and_not_longer(hostile_run):
    """The slow drip's task took request_timeout longer than the tasks that failed at once (same reads, same
    Ansible overhead): its call ended at the deadline, not at the idle timeout (20 s) or hours later."""
    durations = sorted(hostile_run.result("apply", host=name)["_duration_s"] for name in CASES if name != "slow_drip")
    others = durations[len(durations) // 2]
    extra = hostile_run.result("apply", host="slow_drip")["_duration_s"] - others
    assert REQUEST_TIMEOUT - 1.5 < extra < REQUEST_TIMEOUT + 4, (extra, durations)


def test_nothing_leaks_and_ansible_did_not_choke(hostile_run):
    output = hostile_run.stdout + hostile_run.stderr
    assert "Traceback" not in output and "ERROR!" not in hostile_run.stderr, hostile_run.stderr[-3000:]
    assert leaks(output, (ADMIN_PASSWORD, PROXY_PASSWORD)) == []


def test_ntlm_over_plain_http_is_warned_once_per_run(hostile_run):
    for name in CASES:
        assert PLAIN_HTTP_NTLM_WARNING in hostile_run.result("apply", host=name).get("warnings", []), name
    # nine hosts, one warning on the screen: Ansible shows a warning text once per run
    assert hostile_run.stderr.count("NTLM over plain HTTP") == 1, hostile_run.stderr


# ----------------------------------------------------------------------------------------------- memory

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import WsusClient
    from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusError

    def peak_kib():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    port, password = int(sys.argv[1]), sys.argv[2]
    client = WsusClient.connect("127.0.0.1", port=port, username="WSUS\\\\admin", password=password, auth="ntlm")
    client.get_configuration()
    client.get_languages()
    baseline = peak_kib()  # everything imported, connected, authenticated, two answers decoded
    errors = []
    for dummy in range(2):
        try:
            client.get_categories()
        except WsusError as error:
            errors.append(type(error).__name__)
    print(json.dumps({"baseline_kib": baseline, "peak_kib": peak_kib(), "errors": errors}))
    """
)


def test_a_two_gib_answer_leaves_the_controllers_memory_bounded(hostile_run, collections_path):
    server, port = hostile_run.server, hostile_run.memory_port
    index = server.ports.index(port)
    server.faults(
        [
            {"operation": "ExecuteSPGetCategories", "hostile": {"kind": "oversized", "chunked": True}},
            {"operation": "ExecuteSPGetCategories", "hostile": "doctype_bomb"},
        ],
        index=index,
    )
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(port), ADMIN_PASSWORD],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join([collections_path] + sys.path)),
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    assert measured["errors"] == ["WsusResponseTooLargeError", "WsusProtocolError"], measured
    growth_mib = (measured["peak_kib"] - measured["baseline_kib"]) / 1024.0
    # 64 MiB read before the refusal (plus the buffer's slack), never the 2 GiB sent
    assert growth_mib < 64 * 1.5 + 16, measured
    assert measured["peak_kib"] / 1024.0 < 512, measured
