"""ops.wsus.sync through ansible-playbook against the emulator.

Emulators: the shared one (``fresh_emulator``, 1 s synchronizations) where the length does not matter,
one with 3 s runs where progress must be seen, one with 30 s runs where a run must still be going
(timeouts, stopping, check mode), and one with 5 s runs for the poll count and for joining a run.
Tests that are not about the poll count use ``poll_interval: 1``. Most tests run several tasks in one
ansible-playbook run (uri tasks read the emulator's control API in between): each run costs ~2 s.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import threading
import time

import pytest
from wsus_emulator.testing import free_port

from support.fixtures import module_emulator
from support.paths import REPO
from support.playbook import BIN, example_environment, connection_defaults, play, run_playbook

START = "StartSubscriptionManually"
START_CATEGORIES = "StartSubscriptionManuallyForCategoryOnly"
STATUS = ("GetServerSyncProgress", "GetSubscriptionState")
PROGRESS_LINE = re.compile(r"^wsus01: synchronizing (categories|updates) \d+/\d+ \(\d{1,3} %\)$", re.M)
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
ERROR_TEXT = "WebException: The remote name could not be resolved: 'sws.update.microsoft.com'"
JOINED = "joined a synchronization that started on the server between this task's state read and its start request"
NO_REASON_LOG = "%ProgramFiles%\\Update Services\\LogFiles\\SoftwareDistribution.log"


emulator_3s = module_emulator("--sync-seconds", "3")
emulator_30s = module_emulator("--sync-seconds", "30")
emulator_5s = module_emulator("--sync-seconds", "5")


@pytest.fixture
def emu3(emulator_3s):
    emulator_3s.reset()
    return emulator_3s


@pytest.fixture
def emu30(emulator_30s):
    emulator_30s.reset()
    yield emulator_30s
    emulator_30s.reset()  # never leave a 30 s run going


@pytest.fixture
def emu5(emulator_5s):
    emulator_5s.reset()
    return emulator_5s


def sync(name, register=None, **options):
    task = {"name": name, "ops.wsus.sync": options}
    if register:
        task["register"] = register
    return task


def control(server, name, path, register=None, method="GET"):
    """A uri task on the emulator's control API (to look at its state between two tasks)."""
    task = {
        "name": name,
        "ansible.builtin.uri": {"url": server.control_url(path), "method": method, "return_content": True},
    }
    if register:
        task["register"] = register
    return task


def run(server, tasks, collections_path, **kwargs):
    return run_playbook([play(tasks, connection_defaults(server))], collections_path, **kwargs)


def run_with_default_callback(server, tasks, collections_path, tmp_path, registered):
    """Run with the human (default) callback and also return the registered results (dumped to a file)."""
    dump = str(tmp_path / "registered.json")
    content = "{{ %s | to_json }}" % ("{" + ", ".join("%r: %s" % (name, name) for name in registered) + "}")
    tasks = tasks + [{"name": "dump", "ansible.builtin.copy": {"content": content, "dest": dump}}]
    outcome = run(server, tasks, collections_path, callback="default")
    results = {}
    if os.path.exists(dump):
        with open(dump) as handle:
            results = json.load(handle)
    return outcome, results


def task_output(stdout, name):
    """The default callback's lines of one task (between its TASK banner and the next banner)."""
    match = re.search(
        r"^TASK \[%s\] \*+\n(.*?)(?=^(TASK|PLAY|RUNNING HANDLER) |\Z)" % re.escape(name), stdout, re.M | re.S
    )
    assert match, "no task %r in:\n%s" % (name, stdout)
    return match.group(1)


def emulator_time(text):
    """An emulator timestamp (UTC, no zone) as an aware datetime."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc)


def module_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


# ------------------------------------------------------------------ success


@pytest.mark.smoke
def test_success_reports_times_and_prints_progress(emu3, collections_path, tmp_path):
    tasks = [
        sync("synchronize", "out", poll_interval=1),
        {"name": "info", "ops.wsus.server_info": {"gather": ["sync"]}, "register": "info"},
    ]
    outcome, registered = run_with_default_callback(emu3, tasks, collections_path, tmp_path, ["out", "info"])
    assert outcome.rc == 0, outcome.stdout + outcome.stderr
    out = registered["out"]
    assert out["changed"] is True and out["started"] is True and out["result"] == "succeeded"
    assert out["sync"]["manual"] is True and out["sync"]["error_text"] is None
    assert ISO_UTC.match(out["sync"]["started_at"]) and ISO_UTC.match(out["sync"]["finished_at"])
    # the times are the emulator's run, to the millisecond
    last_run = emu3.state()["sync"]["last_run"]
    assert module_time(out["sync"]["started_at"]) == emulator_time(last_run["start"])
    assert module_time(out["sync"]["finished_at"]) == emulator_time(last_run["end"])
    assert out["sync"]["duration_s"] == pytest.approx(3.0, abs=0.002)
    assert out["soap_calls"].count(START) == 1

    section = task_output(outcome.stdout, "synchronize")
    lines = PROGRESS_LINE.findall(section)
    # polls at about 0, 1, 2 and 3 s of a 3 s run: the categories phase (0.5-1.75 s) and at least one
    # more line (the exact one-line-per-phase-and-10-% rule is unit-tested with a fake clock)
    assert len(lines) >= 2 and "categories" in lines, section
    assert section.index("wsus01: synchronization started") < section.index("wsus01: synchronizing")
    assert section.index("wsus01: synchronizing") < section.index("wsus01: synchronization succeeded")
    assert "changed: [wsus01]" in section

    # server_info reports the last synchronization in the same shape and with the same values
    info = registered["info"]
    assert info["result"] == "succeeded" and info["sync"] == out["sync"]
    assert emu3.operations().count(START) == 1


# ------------------------------------------------------------------ failure


def test_failed_sync_fails_the_task_with_the_error_text_unless_fail_on_error_is_false(fresh_emulator, collections_path):
    fresh_emulator.faults([{"next_sync_result": {"result": "failed", "error_text": ERROR_TEXT}, "count": 2}])
    tasks = [
        dict(sync("failing", "first", poll_interval=1), ignore_errors=True),
        sync("reported", "second", poll_interval=1, fail_on_error=False),
        {"name": "info", "ops.wsus.server_info": {"gather": ["sync"]}, "register": "info"},
    ]
    outcome = run(fresh_emulator, tasks, collections_path)
    first = outcome.result("failing")
    assert first["failed"] is True
    assert first["msg"] == "127.0.0.1: the synchronization failed: %s" % ERROR_TEXT
    assert first["result"] == "failed" and first["changed"] is True and first["started"] is True
    # the event's whole message, shaped like a real server's failure event
    assert first["sync"]["error_text"] == "Synchronization failed. Reason: " + ERROR_TEXT
    assert first["sync"]["event_id"] == 386

    second = outcome.result("reported")
    assert not second.get("failed") and second["changed"] is True
    assert second["result"] == "failed"
    assert second["sync"]["error_text"] == "Synchronization failed. Reason: " + ERROR_TEXT
    assert second["sync"]["started_at"] > first["sync"]["started_at"]

    info = outcome.result("info")
    assert info["result"] == "failed" and info["sync"] == second["sync"]
    assert [event["event_id"] for event in fresh_emulator.state()["events"]] == [382, 386, 382, 386]


def test_a_sync_ending_with_387_and_one_failing_without_a_reason_are_reported(fresh_emulator, collections_path):
    """A run whose end event is 387 (what a script written against a real server's database reads) is
    canceled; a failure whose event carries no error text (servers after the October 2025 security update)
    fails with a message that says the server gave no reason and where to look."""
    fresh_emulator.control("POST", "settings", {"cancel_event": 387})
    fresh_emulator.faults(
        [{"next_sync_result": {"result": "canceled"}}, {"next_sync_result": {"result": "failed", "error_text": ""}}]
    )
    tasks = [
        dict(sync("ends with 387", "canceled", poll_interval=1), ignore_errors=True),
        {"name": "info after 387", "ops.wsus.server_info": {"gather": ["sync"]}, "register": "info387"},
        dict(sync("fails without a reason", "failed", poll_interval=1), ignore_errors=True),
        {"name": "info", "ops.wsus.server_info": {"gather": ["sync"]}, "register": "info"},
    ]
    outcome = run(fresh_emulator, tasks, collections_path)
    canceled = outcome.result("ends with 387")
    assert canceled["failed"] is True and canceled["result"] == "canceled" and canceled["changed"] is True
    assert canceled["msg"] == "127.0.0.1: the synchronization canceled: canceled on the server (event 387)"
    assert canceled["sync"]["event_id"] == 387 and ISO_UTC.match(canceled["sync"]["finished_at"])
    assert canceled["sync"]["error_text"] is None
    info387 = outcome.result("info after 387")
    assert info387["result"] == "canceled" and info387["sync"] == canceled["sync"]

    failed = outcome.result("fails without a reason")
    assert failed["failed"] is True and failed["result"] == "failed" and failed["changed"] is True
    assert failed["sync"]["error_text"] is None and failed["sync"]["event_id"] == 386
    assert failed["msg"].startswith(
        "127.0.0.1: the synchronization failed and the server gave no reason (event 386; "
    ), failed["msg"]
    assert "Synchronizations node of the WSUS console" in failed["msg"] and NO_REASON_LOG in failed["msg"]
    info = outcome.result("info")
    assert info["result"] == "failed" and info["sync"] == failed["sync"]
    assert [event["event_id"] for event in fresh_emulator.state()["events"]] == [382, 387, 382, 386]
    assert fresh_emulator.operations().count(START) == 2


# ------------------------------------------------------------------ stopping


def test_stopped_cancels_a_running_sync_and_is_no_change_when_idle(emu30, collections_path):
    tasks = [
        sync("start", "start", state="started"),
        sync("stop", "stop", state="stopped"),
        control(emu30, "look", "state", "look"),
        sync("stop again", "again", state="stopped"),
    ]
    outcome = run(emu30, tasks, collections_path)
    assert outcome.rc == 0, outcome.stdout
    assert outcome.result("start")["changed"] is True and outcome.result("start")["result"] == "running"
    stop = outcome.result("stop")
    assert stop["changed"] is True and stop["result"] == "canceled"
    look = outcome.result("look")["json"]
    assert look["sync"]["running"] is False and look["sync"]["state"] == 0
    assert look["sync"]["last_run"]["result"] == "canceled"
    assert look["events"][-1]["event_id"] == 385
    # the emulator stops through "stopping" (0.5 s): the task waited for the end before it reported canceled
    after_stop = stop["soap_calls"][stop["soap_calls"].index("StopSubscription") + 1 :]
    assert after_stop and set(after_stop) == {"GetSubscriptionState"} and len(after_stop) >= 2, stop["soap_calls"]
    assert "wsus01: synchronization stopping" in outcome.stdout
    again = outcome.result("stop again")
    assert again["changed"] is False and again["result"] == "not_running"
    assert "StopSubscription" not in again["soap_calls"]
    assert emu30.operations().count("StopSubscription") == 1


# ------------------------------------------------------------------ joining


def test_a_running_sync_is_joined_never_started_twice(emu5, collections_path):
    # 5 s runs: the third task must begin while the first task's run still goes, even on a busy machine
    tasks = [
        sync("start", "start", state="started"),
        sync("start again", "again", state="started"),
        sync("complete", "complete", poll_interval=1),
    ]
    outcome = run(emu5, tasks, collections_path)
    assert outcome.rc == 0, outcome.stdout
    start, again, complete = (outcome.result(name) for name in ("start", "start again", "complete"))
    assert start["changed"] is True and start["started"] is True
    assert again["changed"] is False and again["started"] is False and again["result"] == "running"
    assert complete["changed"] is False and complete["started"] is False and complete["result"] == "succeeded"
    assert complete["sync"]["started_at"] == start["sync"]["started_at"]
    assert START not in again["soap_calls"] and START not in complete["soap_calls"]
    assert emu5.operations().count(START) == 1
    assert emu5.state()["sync"]["runs"] == 1
    assert "wsus01: a synchronization is already running; waiting for it" in outcome.stdout


# ------------------------------------------------------------------ races: a start that meets a run or a save


def start_log(server):
    return [
        (entry["operation"], entry["http_status"])
        for entry in server.requests()
        if (entry["operation"] or "").startswith("StartSubscription")
    ]


def test_a_run_that_starts_between_the_state_read_and_the_start_is_joined(emu3, collections_path):
    """A scheduled run begins right after the task's GetSubscriptionState read (injected by the emulator):
    WSUS refuses the task's start (InvalidOperationException), the state now reads busy, and the task joins
    that run. It never starts a second one."""
    emu3.faults([{"operation": "GetSubscriptionState", "start_sync_after": "scheduled"}])
    outcome = run(emu3, [sync("synchronize", "out", poll_interval=1)], collections_path)
    out = outcome.result("synchronize")
    assert outcome.rc == 0, outcome.stdout
    assert out["changed"] is False and out["started"] is False and out["result"] == "succeeded"
    assert out["msg"] == JOINED and out["sync"]["manual"] is False and out["sync"]["event_id"] == 384
    assert (
        "wsus01: a synchronization started on the server between the state read and the start request; joining it"
    ) in outcome.stdout
    assert "wsus01: synchronization started" not in outcome.stdout
    assert out["soap_calls"][:3] == ["GetSubscriptionState", START, "GetSubscriptionState"]
    assert start_log(emu3) == [(START, 500)]  # refused once, never retried: no StartSubscriptionManually succeeded
    state = emu3.state()
    assert state["sync"]["runs"] == 1 and [event["event_id"] for event in state["events"]] == [381, 384]


def test_a_start_refused_while_the_configuration_is_saved_is_retried_then_fails_clearly(
    fresh_emulator, collections_path
):
    """After ExecuteSPSetConfiguration the emulator "saves its configuration" for save_seconds and refuses a
    start while the state reads idle: the task retries with backoff and starts one run; when the save outlasts
    wait_timeout it fails saying so, having started nothing."""
    fresh_emulator.control("POST", "settings", {"save_seconds": 4})
    long_save = {
        "name": "a save that never ends",
        "ansible.builtin.uri": {
            "url": fresh_emulator.control_url("settings"),
            "method": "POST",
            "body_format": "json",
            "body": {"save_seconds": 600},
        },
    }
    tasks = [
        {"name": "apply", "ops.wsus.sync_options": {"storage": {"express_files": True}}, "register": "apply"},
        sync("synchronize", "out", poll_interval=1),
        long_save,
        {"name": "apply again", "ops.wsus.sync_options": {"storage": {"express_files": False}}},
        dict(sync("refused", "refused", poll_interval=1, wait_timeout="3s"), ignore_errors=True),
    ]
    outcome = run(fresh_emulator, tasks, collections_path)
    assert outcome.result("apply")["changed"] is True
    out = outcome.result("synchronize")
    assert out["changed"] is True and out["started"] is True and out["result"] == "succeeded", out
    assert "it is probably saving its configuration: retrying in 1s" in outcome.stdout

    refused = outcome.result("refused")
    assert refused["failed"] is True and refused["changed"] is False and refused["started"] is False
    assert refused["result"] == "not_started"
    assert re.match(
        r"^127\.0\.0\.1: WSUS refused to start a synchronization \d+ time\(s\) although none was "
        r"running \(last: .*saving server configuration changes\.\)",
        refused["msg"],
    ), refused["msg"]

    log = start_log(fresh_emulator)
    assert [status for _, status in log].count(200) == 1, log  # exactly one start succeeded
    assert log[0] == (START, 500) and (START, 200) in log
    assert fresh_emulator.state()["sync"]["runs"] == 1


# ------------------------------------------------------------------ max_age


def test_max_age_skips_a_fresh_success_and_starts_after_it_expires(fresh_emulator, collections_path):
    tasks = [
        sync("first", "first", poll_interval=1),
        sync("fresh", "fresh", poll_interval=1, max_age="1h"),
        {"name": "let it age", "ansible.builtin.pause": {"seconds": 2}},
        sync("stale", "stale", poll_interval=1, max_age="1s"),
    ]
    outcome = run(fresh_emulator, tasks, collections_path)
    assert outcome.rc == 0, outcome.stdout
    first, fresh, stale = (outcome.result(name) for name in ("first", "fresh", "stale"))
    assert first["changed"] is True
    assert fresh["changed"] is False and fresh["started"] is False and fresh["result"] == "succeeded"
    assert fresh["sync"] == first["sync"]
    assert re.match(r"^the last synchronization succeeded \d+ s ago \(max_age 3600 s\)$", fresh["msg"])
    assert fresh["soap_calls"] == ["GetSubscriptionState", "ExecuteSPSearchEventHistory"]
    assert stale["changed"] is True and stale["started"] is True and stale["result"] == "succeeded"
    assert fresh_emulator.operations().count(START) == 2


# ------------------------------------------------------------------ timeout


def test_timeout_fails_with_the_progress_and_leaves_it_running_or_cancels_it(emu30, collections_path):
    tasks = [
        dict(sync("short wait", "short", poll_interval=1, wait_timeout="3s"), ignore_errors=True),
        control(emu30, "look", "state", "look"),
        dict(sync("cancel", "cancel", poll_interval=1, wait_timeout="3s", cancel_on_timeout=True), ignore_errors=True),
    ]
    began = time.monotonic()
    outcome = run(emu30, tasks, collections_path)
    assert time.monotonic() - began < 25  # both gave up after 3 s, long before the 30 s run ends
    short = outcome.result("short wait")
    assert short["failed"] is True
    assert re.search(
        r"did not finish within 3s \(reached categories \d+/\d+ \(\d+ %\)\); left it running\.", short["msg"]
    ), short["msg"]
    assert short["result"] == "running" and short["changed"] is True and short["started"] is True
    assert short["progress"]["phase"] == "categories" and 0 < short["progress"]["percent"] < 100
    reached = "%(processed)d/%(total)d (%(percent)d %%)" % short["progress"]
    assert reached in short["msg"]

    look = outcome.result("look")["json"]["sync"]
    assert look["running"] is True and look["state"] == 2 and look["last_run"] is None

    cancel = outcome.result("cancel")
    assert cancel["failed"] is True and "; canceled it." in cancel["msg"]
    assert cancel["result"] == "canceled" and cancel["started"] is False and cancel["changed"] is True
    state = emu30.state()
    assert state["sync"]["running"] is False and state["sync"]["last_run"]["result"] == "canceled"
    assert state["events"][-1]["event_id"] == 385
    assert emu30.operations().count(START) == 1 and emu30.operations().count("StopSubscription") == 1


# ------------------------------------------------------------------ connection trouble while waiting


@pytest.mark.parametrize(
    "faults, retried_by_the_task",
    [
        # one drop and one 503 on the same status request: the transport's own retries absorb both
        ([{"drop_connection": True, "count": 1}, {"http_status": 503, "count": 1}], False),
        # two drops then two 503s: four failed attempts exhaust the transport, and the wait loop retries
        ([{"drop_connection": True, "count": 2}, {"http_status": 503, "count": 2}], True),
    ],
    ids=["absorbed-by-transport", "retried-by-the-wait"],
)
def test_a_dropped_connection_and_a_503_while_waiting_are_survived(emu3, collections_path, faults, retried_by_the_task):
    # the first status request passes (a rule with only a 1 ms delay): the faults hit in mid-wait
    rules = [{"operation": "GetServerSyncProgress", "count": 1, "delay_ms": 1}]
    rules += [dict(rule, operation="GetServerSyncProgress") for rule in faults]
    emu3.faults(rules)
    outcome = run(emu3, [sync("synchronize", "out", poll_interval=1)], collections_path)
    out = outcome.result("synchronize")
    assert outcome.rc == 0 and out["result"] == "succeeded" and out["changed"] is True, out
    progress_log = [entry["http_status"] for entry in emu3.requests() if entry["operation"] == "GetServerSyncProgress"]
    injected = [None] * faults[0]["count"] + [503] * faults[1]["count"]
    assert progress_log[0] == 200 and progress_log[1 : 1 + len(injected)] == injected, progress_log
    assert progress_log[-1] == 200
    assert ("wsus01: status request failed" in outcome.stdout) is retried_by_the_task
    assert emu3.operations().count(START) == 1
    assert emu3.faults([])["rules"] == []  # every injected fault was used


def test_an_emulator_restart_while_waiting_is_survived(emulator_factory, collections_path, tmp_path):
    """The server goes away mid-wait and comes back on the same port with its state: the task keeps
    polling (new connection, new authentication) and reports the run's result; nothing is started twice."""
    args = ("--port", free_port(), "--state-dir", tmp_path / "state", "--sync-seconds", "5")
    before = emulator_factory(*args)
    outcome = {}
    waiting = threading.Thread(
        target=lambda: outcome.update(run=run(before, [sync("synchronize", "out", poll_interval=1)], collections_path))
    )
    waiting.start()
    try:
        deadline = time.monotonic() + 60
        while START not in before.operations() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert START in before.operations(), "the task never started a synchronization"
        time.sleep(1)
        before.stop()
        time.sleep(2)  # down for longer than the transport's first retries
        after = emulator_factory(*args)
    finally:
        waiting.join(timeout=120)
    result = outcome["run"].result("synchronize")
    assert outcome["run"].rc == 0 and result["result"] == "succeeded" and result["changed"] is True, result
    assert "GetServerSyncProgress" in after.operations() and START not in after.operations()
    after.stop()


# ------------------------------------------------------------------ how often it polls


def test_a_five_second_sync_costs_few_status_requests(emu5, collections_path):
    """poll_interval 15 (the default): pauses of 2, 3, 4.5 ... s, each counted from the end of the previous
    poll, so the polls fall at 0, 2 and just after 5 s, when the run has ended: 3 progress reads. A poll
    reads GetSubscriptionState too when it sees no phase: the last one, and the first one if it falls in
    the run's "requested" half second (it does unless the machine is very slow). With the
    GetSubscriptionState before the start: 5 or 6 status requests. Polling every 2 s without backoff would
    make 4 progress reads, poll_interval 1 six."""
    began = time.monotonic()
    outcome = run(emu5, [sync("synchronize", "out")], collections_path)
    elapsed = time.monotonic() - began
    out = outcome.result("synchronize")
    assert outcome.rc == 0 and out["result"] == "succeeded"
    operations = emu5.operations()
    assert operations == out["soap_calls"]
    status = sum(operations.count(name) for name in STATUS)
    assert operations.count("GetServerSyncProgress") == 3, operations
    assert 5 <= status <= 6, operations
    assert operations.count(START) == 1 and operations[-1] == "ExecuteSPSearchEventHistory"
    assert elapsed < 5 + 15  # it did not wait a full poll_interval after the end


# ------------------------------------------------------------------ check mode


def test_check_mode_starts_nothing_and_stops_nothing(emu30, collections_path):
    tasks = [
        dict(sync("would start", "would_start"), check_mode=True),
        control(emu30, "idle?", "state", "idle"),
        sync("really start", "start", state="started"),
        dict(sync("would stop", "would_stop", state="stopped"), check_mode=True),
        control(emu30, "running?", "state", "running"),
    ]
    outcome = run(emu30, tasks, collections_path)
    assert outcome.rc == 0, outcome.stdout
    would_start = outcome.result("would start")
    assert would_start["changed"] is True and would_start["started"] is True
    assert would_start["soap_calls"] == ["GetSubscriptionState"]
    idle = outcome.result("idle?")["json"]["sync"]
    assert idle["running"] is False and idle["runs"] == 0
    would_stop = outcome.result("would stop")
    assert would_stop["changed"] is True and would_stop["soap_calls"] == ["GetSubscriptionState"]
    running = outcome.result("running?")["json"]
    assert running["sync"]["running"] is True and running["sync"]["runs"] == 1
    assert [event["event_id"] for event in running["events"]] == [382]
    operations = emu30.operations()
    assert operations.count(START) == 1 and "StopSubscription" not in operations


# ------------------------------------------------------------------ categories only; option errors


def test_categories_only_uses_the_category_operation(fresh_emulator, collections_path):
    outcome = run(
        fresh_emulator, [sync("categories", "out", mode="categories_only", poll_interval=1)], collections_path
    )
    out = outcome.result("categories")
    assert outcome.rc == 0 and out["result"] == "succeeded" and out["changed"] is True
    operations = fresh_emulator.operations()
    assert operations.count(START_CATEGORIES) == 1 and START not in operations
    last_run = fresh_emulator.state()["sync"]["last_run"]
    assert last_run["category_only"] is True and [phase[0] for phase in last_run["phases"]] == [3]


def test_bad_durations_fail_before_any_request(fresh_emulator, collections_path):
    tasks = [
        dict(sync("bad max_age", max_age="soon"), ignore_errors=True),
        dict(sync("bad wait_timeout", wait_timeout="1h30"), ignore_errors=True),
    ]
    outcome = run(fresh_emulator, tasks, collections_path)
    assert outcome.result("bad max_age")["msg"].startswith("max_age must be a duration")
    assert outcome.result("bad wait_timeout")["msg"].startswith("wait_timeout must be a duration")
    assert outcome.result("bad max_age")["soap_calls"] == []
    assert fresh_emulator.requests() == []


# ------------------------------------------------------------------ the example playbook

EXAMPLE = os.path.join(REPO, "examples", "sync.yml")
EXAMPLE_INVENTORY = os.path.join(REPO, "examples", "inventory", "emulator.yml")


def run_example(server, collections_path, tmp_path, *extra):
    """The commands of examples/README-sync.md, with the emulator's port instead of 8530."""
    env = example_environment(collections_path, tmp_path)
    command = [
        os.path.join(BIN, "ansible-playbook"),
        "-i",
        EXAMPLE_INVENTORY,
        EXAMPLE,
        "-e",
        "wsus_port=%d" % server.port,
        *extra,
    ]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_example_playbook_configures_synchronizes_then_skips(emu3, collections_path, tmp_path):
    first = run_example(emu3, collections_path, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "changed: [wsus01]" in task_output(first.stdout, "Apply the synchronization options")
    section = task_output(first.stdout, "Synchronize now")
    assert "wsus01: synchronization started" in section and "changed: [wsus01]" in section
    assert PROGRESS_LINE.search(section), section
    assert "wsus01: synchronization succeeded" in section
    assert re.search(r"succeeded.*started by this run", task_output(first.stdout, "Show the result")), first.stdout
    state = emu3.state()
    assert state["sync"]["runs"] == 1 and state["sync"]["last_run"]["result"] == "succeeded"
    assert set(state["classifications"]) >= {
        "e6cf1350-c01b-414d-a61f-263d14d133b4",
        "0fa1201d-4330-4fa8-8ae9-b877473b6441",
    }
    emu3.clear_requests()

    second = run_example(emu3, collections_path, tmp_path, "-e", "wsus_sync_max_age=1h")
    assert second.returncode == 0, second.stdout + second.stderr
    section = task_output(second.stdout, "Synchronize now")
    assert "ok: [wsus01]" in section and "changed:" not in section, section
    assert not PROGRESS_LINE.search(section)
    assert re.search(r"^wsus01 +: ok=\d+ +changed=0 ", second.stdout, re.M), second.stdout
    assert START not in emu3.operations() and emu3.state()["sync"]["runs"] == 1
