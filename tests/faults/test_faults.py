"""Fault suite: ops.wsus.sync_options through ansible-playbook while the emulator misbehaves.

Every case is one inventory host, so the whole suite is two ansible-playbook runs:

1. the *fault run*: every host applies the same document while its own emulated server (one port each,
   its own fault rules) misbehaves, or while its connection settings are wrong;
2. the *rerun*: the fault is gone (rule used up, right password, server up, sync over) and the same
   task runs again.

For each case the tests check the first outcome (fails, or succeeds where documented, with a one-line
message that says what happened and what to check), that no secret leaks anywhere, that the rerun
succeeds, and that the server ends in exactly the state a clean run gives (host ``clean``).
What the user sees and does for each case is documented in docs/faults.md.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import ssl
import sys
import time
import urllib.request

import pytest
from wsus_emulator.testing import free_port

from support.operations import WRITES
from support.secrets import secret_forms
from support.playbook import run_playbook

HERE = os.path.dirname(os.path.abspath(__file__))
RESTART_HELPER = os.path.join(HERE, "restart_emulator.py")

# Distinctive secrets: none of them may appear anywhere in what Ansible prints or returns.
ADMIN_PASSWORD = "Wsus-Adm1n-S3cret-77"
REPORTER_PASSWORD = "Wsus-Rep0rter-S3cret-78"
NOBODY_PASSWORD = "Wsus-N0body-S3cret-79"
WRONG_PASSWORD = "Wr0ng-Gu3ss-S3cret-80"
PROXY_PASSWORD = "Pr0xy-Fau1t-S3cret-81"
SECRETS = (ADMIN_PASSWORD, REPORTER_PASSWORD, NOBODY_PASSWORD, WRONG_PASSWORD, PROXY_PASSWORD)

DOCUMENT = {
    "update_source": {"type": "microsoft_update"},
    "proxy": {
        "enabled": True,
        "server": "proxy.corp.example",
        "port": 3128,
        "username": "svc-proxy",
        "domain": "CORP",
        "password": PROXY_PASSWORD,
    },
    "products": ["Microsoft Server operating system-21H2", {"title": "Office", "type": "product_family"}],
    "classifications": ["Critical Updates", "Security Updates", "Definition Updates"],
    "schedule": {"automatic": True, "time": "03:00", "timezone": "UTC", "per_day": 2},
    "languages": ["en", "de"],
    "storage": {"local": True, "download_only_approved": True},
}
ALL_WRITES = ["configuration", "proxy password", "subscription"]

# The cases served by the multi-server plain-HTTP emulator: host -> fault rules for its own server.
HTTP_CASES = {
    "clean": [],
    "wrong_password": [],
    "no_role": [],
    "reporter": [],
    "partial_apply": [
        {
            "operation": "SetSubscription",
            "soap_fault": {
                "type": "System.Data.SqlClient.SqlException",
                "message": "Timeout expired. The timeout period elapsed prior to completion of the operation.",
            },
        }
    ],
    "http_503": [{"operation": "ExecuteSPSetConfiguration", "count": 2, "http_status": 503}],
    "drop_read": [{"operation": "ExecuteSPGetConfiguration", "drop_connection": True}],
    "drop_write": [{"operation": "ExecuteSPSetConfiguration", "drop_connection": True}],
    "slow": [{"operation": "ExecuteSPGetConfiguration", "delay_ms": 4500}],
    "slow_write": [{"operation": "SetSubscription", "delay_ms": 4500}],
    "sync_running": [],
}
SLOW_TIMEOUT = 3  # seconds; the "slow" rule delays the answer 4500 ms


def assert_no_secret(*texts):
    blob = "\n".join(texts)
    for secret in SECRETS:
        for form in secret_forms(secret):
            assert form not in blob, "secret %r leaked (as %r)" % (secret, form)


def comparable(state):
    """The emulator state minus what legitimately differs between two servers that were given the same
    document: ports, clocks, counters, per-server random values and synchronization history."""
    state = copy.deepcopy(state)
    for key in (
        "port",
        "id",
        "name",
        "url_scheme",
        "created",
        "next_synchronization_time",
        "configuration_change_number",
        "sync",
        "events",
    ):
        state.pop(key, None)
    for key in ("LastConfigChange", "ServerId", "configurationChangeNumber", "EncryptionKey", "RollupResetGuid"):
        state["configuration"].pop(key, None)
    for key in ("LastModifiedTime", "LastSynchronizationTime", "Anchor", "DeploymentAnchor"):
        state["subscription"].pop(key, None)
    return state


def connection_args():
    return {
        "server": "127.0.0.1",
        "port": "{{ case_port }}",
        "username": "{{ case_user }}",
        "password": "{{ case_password }}",
        "auth": "ntlm",
        "use_ssl": "{{ case_use_ssl | default(false) }}",
        "validate_certs": "{{ case_validate_certs | default(true) }}",
        "ca_path": "{{ case_ca_path | default(omit) }}",
        "timeout": "{{ case_timeout | default(10) }}",
    }


def apply_task(name="apply", **extra):
    task = {
        "name": name,
        "ops.wsus.sync_options": dict(connection_args(), **copy.deepcopy(DOCUMENT)),
        "register": "out",
    }
    task.update(extra)
    return task


def fault_play():
    # Only in the fault run: the rerun neither starts a synchronization nor restarts anything.
    restart_only = {"when": "restart_pid is defined"}
    return {
        "name": "fault suite",
        "hosts": "all",
        "gather_facts": False,
        "tasks": [
            {
                "name": "start a synchronization",
                "ops.wsus.sync": dict(connection_args(), state="started"),
                "when": "start_sync | default(false)",
            },
            {
                "name": "stop the synchronization",
                "ops.wsus.sync": dict(connection_args(), state="stopped"),
                "when": "stop_sync | default(false)",
            },
            apply_task(),
            dict(
                {
                    "name": "restart the emulator",
                    "ansible.builtin.command": {
                        "argv": [
                            "{{ ansible_playbook_python }}",
                            RESTART_HELPER,
                            "--pid",
                            "{{ restart_pid }}",
                            "--pid-file",
                            "{{ restart_pid_file }}",
                            "--",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            "{{ case_port }}",
                            "--control",
                            "--users",
                            "{{ users_file }}",
                            "--state-dir",
                            "{{ state_dir }}",
                        ]
                    },
                },
                **restart_only,
            ),
            apply_task("apply after restart", **restart_only),
        ],
    }


def host(port, user="WSUS\\admin", password=ADMIN_PASSWORD, **extra):
    values = {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "case_port": port,
        "case_user": user,
        "case_password": password,
    }
    values.update(extra)
    return values


class Suite:
    """Both runs and everything needed to judge them."""


@pytest.fixture(scope="module")
def suite(emulator_factory, collections_path, tmp_path_factory):
    work = tmp_path_factory.mktemp("faults")
    users_file = work / "users.txt"
    users_file.write_text(
        "# fault suite users\nWSUS\\admin:%s:administrator\nWSUS\\reporter:%s:reporter\n"
        "WSUS\\nobody:%s:none\n" % (ADMIN_PASSWORD, REPORTER_PASSWORD, NOBODY_PASSWORD)
    )
    users = ("--users", str(users_file))
    # sync_running's synchronization must outlast its apply task however loaded the machine is; the rerun
    # stops it first (what the message tells the user to do)
    http = emulator_factory("--servers", len(HTTP_CASES), "--sync-seconds", "60", *users)
    tls = emulator_factory("--tls", "--servers", 2, *users)
    state_dir = work / "state"
    restart_port = free_port()
    restarted = emulator_factory("--port", restart_port, "--state-dir", state_dir, *users)
    refused_port = free_port()
    pid_file = work / "restarted.pid"

    index = {name: position for position, name in enumerate(HTTP_CASES)}
    for name, rules in HTTP_CASES.items():
        if rules:
            http.faults(rules, index=index[name])
    hosts = {name: host(http.ports[index[name]]) for name in HTTP_CASES}
    hosts["wrong_password"]["case_password"] = WRONG_PASSWORD
    hosts["no_role"].update(case_user="WSUS\\nobody", case_password=NOBODY_PASSWORD)
    hosts["reporter"].update(case_user="WSUS\\reporter", case_password=REPORTER_PASSWORD)
    hosts["slow"]["case_timeout"] = hosts["slow_write"]["case_timeout"] = SLOW_TIMEOUT
    hosts["sync_running"]["start_sync"] = True
    hosts["refused"] = host(refused_port)
    hosts["tls_unverified"] = host(tls.ports[0], case_use_ssl=True)
    hosts["tls_insecure"] = host(tls.ports[1], case_use_ssl=True, case_validate_certs=False)
    hosts["restart"] = host(
        restart_port,
        restart_pid=restarted.pid,
        restart_pid_file=str(pid_file),
        users_file=str(users_file),
        state_dir=str(state_dir),
    )
    env = {"ANSIBLE_FORKS": str(len(hosts) + 2), "ANSIBLE_PIPELINING": "1"}

    suite = Suite()
    suite.http, suite.tls, suite.index, suite.hosts = http, tls, index, hosts
    suite.restart_port, suite.original_restart_pid, suite.pid_file = restart_port, restarted.pid, pid_file
    started = time.monotonic()
    suite.first = run_playbook([fault_play()], collections_path, inventory={"all": {"hosts": hosts}}, env=env)
    suite.first_seconds = time.monotonic() - started
    # the server still processes the write the client gave up on: let it finish before looking
    deadline = time.monotonic() + 15
    while (
        "SetSubscription" not in {e["operation"] for e in http.requests(index["slow_write"])}
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    suite.logs_after_first = {name: http.requests(index[name]) for name in HTTP_CASES}
    suite.logs_after_first["tls_unverified"] = tls_control(tls, "requests", 0)

    # The faults go away: the rules are used up, the right accounts and CA are configured, a server now
    # listens on the refused port, and the rerun first stops the synchronization (as the message says).
    second_hosts = copy.deepcopy(hosts)
    second_hosts["wrong_password"]["case_password"] = ADMIN_PASSWORD
    second_hosts["no_role"].update(case_user="WSUS\\admin", case_password=ADMIN_PASSWORD)
    second_hosts["reporter"].update(case_user="WSUS\\admin", case_password=ADMIN_PASSWORD)
    second_hosts["tls_unverified"]["case_ca_path"] = tls.ca_path
    del second_hosts["sync_running"]["start_sync"], second_hosts["restart"]["restart_pid"]
    second_hosts["sync_running"]["stop_sync"] = True
    suite.refused_server = emulator_factory("--port", refused_port, *users)
    for name in HTTP_CASES:
        http.clear_requests(index[name])
    started = time.monotonic()
    suite.second = run_playbook([fault_play()], collections_path, inventory={"all": {"hosts": second_hosts}}, env=env)
    suite.second_seconds = time.monotonic() - started
    suite.logs_after_second = {name: http.requests(index[name]) for name in HTTP_CASES}
    yield suite
    if pid_file.exists():  # the emulator the helper started is not our child: stop it by its pid
        pid = int(pid_file.read_text())
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def server_state(suite, name):
    if name in suite.index:
        return suite.http.state(suite.index[name])
    if name == "refused":
        return suite.refused_server.state()
    if name.startswith("tls_"):
        return tls_control(suite.tls, "state", 0 if name == "tls_unverified" else 1)
    if name == "restart":
        return control(suite.restart_port, "state")
    raise KeyError(name)


def control(port, path, ca_path=None):
    """GET the control API of any emulator, also one the test did not start (the restarted one), and
    over HTTPS (the control API uses the SOAP endpoint's scheme)."""
    scheme = "https" if ca_path else "http"
    context = ssl.create_default_context(cafile=ca_path) if ca_path else None
    with urllib.request.urlopen(
        "%s://127.0.0.1:%d/_emulator/%s" % (scheme, port, path), timeout=10, context=context
    ) as response:
        return json.loads(response.read())


def tls_control(server, path, index):
    return control(server.ports[index], path, server.ca_path)


def first(suite, name, task="apply"):
    return suite.first.result(task, host=name)


def assert_one_line_message(result, *needles):
    message = result.get("msg", "")
    assert result.get("failed") is True, result
    assert "\n" not in message and "Traceback" not in message and 'File "' not in message, message
    # ansible-core 2.19 adds "exception": "(traceback unavailable)" to a failure without one
    assert "Traceback" not in str(result.get("exception", "")), result.get("exception")
    for needle in needles:
        assert needle.lower() in message.lower(), "%r not in %r" % (needle, message)
    return message


# ----------------------------------------------------------------------------------------------- both runs


def test_no_secret_leaks_and_no_traceback_in_either_run(suite):
    for run in (suite.first, suite.second):
        assert "Traceback" not in run.stdout + run.stderr, run.stderr
        assert_no_secret(run.stdout, run.stderr, json.dumps(run.data))
    restarted_output = suite.pid_file.with_name(suite.pid_file.name + ".log").read_text()
    assert_no_secret(
        json.dumps([suite.logs_after_first, suite.logs_after_second]),
        restarted_output,
        json.dumps([server_state(suite, name) for name in CASES]),
    )


def test_clean_run_applies_everything(suite):
    result = first(suite, "clean")
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is True and result["applied"] == ALL_WRITES


CASES = [
    "wrong_password",
    "no_role",
    "reporter",
    "partial_apply",
    "http_503",
    "drop_read",
    "drop_write",
    "slow",
    "slow_write",
    "sync_running",
    "refused",
    "tls_unverified",
    "tls_insecure",
    "restart",
]


@pytest.mark.parametrize("name", CASES)
def test_rerun_converges_to_the_state_of_a_clean_run(suite, name):
    result = suite.second.result("apply", host=name)
    assert result.get("failed") is not True, result.get("msg")
    reference = comparable(server_state(suite, "clean"))
    assert reference["proxy_password_set"] and reference["categories"]
    assert comparable(server_state(suite, name)) == reference


def test_every_case_failed_or_succeeded_as_documented(suite):
    succeeded = {name for name in CASES + ["clean"] if not first(suite, name).get("failed")}
    assert succeeded == {"clean", "http_503", "drop_read", "tls_insecure", "restart"}


# ----------------------------------------------------------------------------------------------- cases


def test_connection_refused(suite):
    port = suite.hosts["refused"]["case_port"]
    assert_one_line_message(
        first(suite, "refused"),
        "cannot connect to 127.0.0.1:%d" % port,
        "check the server name, the port",
        "WSUS service are running",
    )
    assert suite.second.result("apply", host="refused")["applied"] == ALL_WRITES


def test_tls_certificate_that_does_not_verify(suite):
    message = assert_one_line_message(
        first(suite, "tls_unverified"), "did not verify", "set ca_path", "validate_certs: false"
    )
    assert "certificate verify failed" in message or "self-signed" in message or "issuer" in message, message
    assert suite.logs_after_first["tls_unverified"] == []  # the TLS handshake failed: no request got through


def test_tls_with_validate_certs_false_works(suite):
    result = first(suite, "tls_insecure")
    assert result.get("failed") is not True, result.get("msg")
    assert result["applied"] == ALL_WRITES
    assert suite.second.result("apply", host="tls_insecure")["changed"] is False


def test_wrong_password(suite):
    assert_one_line_message(
        first(suite, "wrong_password"),
        "authentication failed for user WSUS\\admin",
        "HTTP 401",
        "check the user name",
        "password",
    )
    log = suite.logs_after_first["wrong_password"]
    assert [entry["http_status"] for entry in log] == [401], log


def test_user_without_a_wsus_role(suite):
    assert_one_line_message(first(suite, "no_role"), "WSUS\\nobody has no WSUS role", "HTTP 403", "WSUS Administrators")
    assert [entry["http_status"] for entry in suite.logs_after_first["no_role"]] == [403]


def test_reporter_cannot_write(suite):
    message = assert_one_line_message(
        first(suite, "reporter"),
        "WSUS\\reporter may not call ExecuteSPSetConfiguration",
        "needs the WSUS Administrators role",
        "Applied: nothing",
        "Not applied: configuration, proxy password, subscription",
    )
    # a rerun with the same account cannot help: the message must not promise it would
    assert "Running the task again applies the rest" not in message, message
    assert "Run the task again with an account in WSUS Administrators" in message, message
    operations = [(e["operation"], e["http_status"]) for e in suite.logs_after_first["reporter"]]
    assert [op for op in operations if op[0] in WRITES] == [("ExecuteSPSetConfiguration", 500)], operations


def test_soap_fault_after_a_partial_apply(suite):
    message = assert_one_line_message(
        first(suite, "partial_apply"),
        "WSUS rejected SetSubscription: SqlException: Timeout expired",
        "Applied: configuration, proxy password.",
        "Not applied: subscription.",
        "Running the task again applies the rest",
    )
    assert message.startswith("127.0.0.1: ")
    rerun = suite.second.result("apply", host="partial_apply")
    assert rerun["changed"] is True and rerun["applied"] == ["subscription"], rerun
    assert all(
        line.split(":")[0] in ("products", "classifications", "schedule.automatic", "schedule.time", "schedule.per_day")
        for line in rerun["changes"]
    ), rerun["changes"]


def test_http_503_twice_then_success_is_retried(suite):
    result = first(suite, "http_503")
    assert result.get("failed") is not True, result.get("msg")
    assert result["applied"] == ALL_WRITES
    statuses = [
        e["http_status"] for e in suite.logs_after_first["http_503"] if e["operation"] == "ExecuteSPSetConfiguration"
    ]
    assert statuses == [503, 503, 200]
    assert suite.second.result("apply", host="http_503")["changed"] is False


def test_dropped_read_is_retried(suite):
    result = first(suite, "drop_read")
    assert result.get("failed") is not True, result.get("msg")
    assert result["applied"] == ALL_WRITES
    statuses = [
        e["http_status"] for e in suite.logs_after_first["drop_read"] if e["operation"] == "ExecuteSPGetConfiguration"
    ]
    assert statuses == [None, 200]
    assert suite.second.result("apply", host="drop_read")["changed"] is False


def test_dropped_write_says_it_may_or_may_not_have_been_applied(suite):
    message = assert_one_line_message(
        first(suite, "drop_write"),
        "connection to 127.0.0.1:",
        "was lost during ExecuteSPSetConfiguration",
        "may or may not have been applied",
        "run the task again",
    )
    # the lost write is neither "applied" nor "not applied": the message must not contradict itself
    assert "Not applied: configuration" not in message, message
    assert "Not known whether applied: configuration. Not applied: proxy password, subscription." in message
    writes = [
        (e["operation"], e["http_status"]) for e in suite.logs_after_first["drop_write"] if e["operation"] in WRITES
    ]
    assert writes == [("ExecuteSPSetConfiguration", None)], writes  # not retried
    assert suite.second.result("apply", host="drop_write")["applied"] == ALL_WRITES


def test_server_slower_than_timeout(suite):
    assert_one_line_message(
        first(suite, "slow"), "did not answer ExecuteSPGetConfiguration within %ss" % SLOW_TIMEOUT, "raise timeout"
    )
    assert not WRITES & {e["operation"] for e in suite.logs_after_first["slow"]}


def test_write_slower_than_timeout_may_have_been_applied(suite):
    message = assert_one_line_message(
        first(suite, "slow_write"),
        "did not answer SetSubscription within %ss" % SLOW_TIMEOUT,
        "Applied: configuration, proxy password.",
        "Not known whether applied: subscription.",
        "Running the task again",
    )
    assert "Not applied: subscription" not in message
    # the server did apply it after the client gave up: the rerun finds nothing left to do
    assert suite.second.result("apply", host="slow_write")["changed"] is False


def test_synchronization_running_while_applying(suite):
    assert suite.first.result("start a synchronization", host="sync_running")["started"] is True
    message = assert_one_line_message(
        first(suite, "sync_running"),
        "ExecuteSPSetConfiguration cannot be performed while a synchronization is running",
        "A synchronization is running",
        "wait for it (ops.wsus.sync state=completed) or stop it",
        "Applied: nothing",
    )
    assert message.startswith("127.0.0.1: WSUS rejected ExecuteSPSetConfiguration: InvalidOperationException")
    # the synchronization was still running after the task: the rerun had to stop it first
    assert suite.second.result("stop the synchronization", host="sync_running")["changed"] is True
    assert suite.second.result("apply", host="sync_running")["applied"] == ALL_WRITES


def test_emulator_restarted_between_two_tasks_of_a_play(suite):
    assert first(suite, "restart")["applied"] == ALL_WRITES
    restarted = first(suite, "restart", "restart the emulator")
    assert restarted.get("failed") is not True, restarted
    new_pid = int(suite.pid_file.read_text())
    assert new_pid != suite.original_restart_pid
    assert json.loads(restarted["stdout"])["pid"] == new_pid
    after = first(suite, "restart", "apply after restart")
    assert after.get("failed") is not True, after.get("msg")
    assert after["changed"] is False, after["changes"]  # it sees everything the first task applied
    assert suite.second.result("apply", host="restart")["changed"] is False


def test_no_case_waits_for_a_default_timeout(suite):
    # generous (the machine may be busy): only catches a retry loop or a 60 s default timeout creeping in
    assert suite.first_seconds < 90 and suite.second_seconds < 60, (suite.first_seconds, suite.second_seconds)
