"""ops.wsus.sync_health through ansible-playbook against the emulator, its simulated clock moved forward through
the control API (/_emulator/clock) so that scheduled synchronizations (event 381) start on their own.

The schedule is set with ops.wsus.sync_options, as a playbook would; ``reference_time`` is the emulator's clock,
so that the evaluation sees the simulated time."""

from __future__ import annotations

import datetime
import json
import os
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families

from support.documents import SYNC_HEALTH_READS
from support.paths import REPO
from support.playbook import BIN, example_environment, connection_defaults, play, run_playbook

DAY = 86400
ERROR_TEXT = "WebException: The remote name could not be resolved: 'upstream.corp.example'"
READS = list(SYNC_HEALTH_READS)


def clock(server):
    return server.control("GET", "clock")["now"][:19] + "Z"


def advance(server, seconds):
    return server.control("POST", "clock", {"advance_seconds": seconds})


def schedule(server, collections_path, per_day, in_seconds=3600):
    """Automatic synchronizations ``per_day`` times a day, the first ``in_seconds`` from the emulator's now."""
    now = datetime.datetime.strptime(clock(server), "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(seconds=in_seconds)
    task = {
        "name": "schedule",
        "ops.wsus.sync_options": {
            "schedule": {"automatic": True, "time": now.strftime("%H:%M"), "timezone": "UTC", "per_day": per_day}
        },
    }
    outcome = run_playbook([play([task], connection_defaults(server))], collections_path)
    assert outcome.rc == 0, outcome.stdout[-3000:]


def health(server, collections_path, **options):
    options.setdefault("reference_time", clock(server))
    tasks = [{"name": "health", "ops.wsus.sync_health": options, "register": "health"}]
    outcome = run_playbook([play(tasks, connection_defaults(server))], collections_path)
    assert outcome.rc == 0, outcome.stdout[-3000:]
    return outcome.result("health")


def test_scheduled_syncs_that_stopped_for_two_days_are_critical(fresh_emulator, collections_path):
    schedule(fresh_emulator, collections_path, per_day=2)
    advance(fresh_emulator, DAY)  # two scheduled runs start and succeed
    fresh_emulator.control("POST", "settings", {"scheduler_stopped": True})
    advance(fresh_emulator, 2 * DAY)  # four planned times pass with no 381
    events = [event["event_id"] for event in fresh_emulator.state()["events"]]
    assert events == [381, 384, 381, 384]
    result = health(fresh_emulator, collections_path)
    assert result["status"] == "critical"
    assert result["schedule"]["missed_in_a_row"] == 4 and result["schedule"]["per_day"] == 2
    reason = [text for text in result["reasons"] if "event 381" in text]
    assert len(reason) == 1, result["reasons"]
    assert reason[0].startswith("Scheduled synchronizations are not starting: no scheduled synchronization (event 381)")
    assert "the last 4 planned start(s) (2 a day at" in reason[0]
    assert result["last_sync"]["kind"] == "scheduled" and result["last_sync"]["result"] == "succeeded"
    assert result["changed"] is False


def test_a_failed_scheduled_sync_shows_its_error_text(fresh_emulator, collections_path):
    schedule(fresh_emulator, collections_path, per_day=1)
    fresh_emulator.faults([{"next_sync_result": {"result": "failed", "error_text": ERROR_TEXT}}])
    advance(fresh_emulator, 2 * 3600)  # the scheduled run starts and fails
    result = health(fresh_emulator, collections_path)
    assert result["last_sync"]["result"] == "failed" and result["last_sync"]["kind"] == "scheduled"
    assert ERROR_TEXT in result["last_sync"]["error_text"]
    assert result["last_sync"]["error_code"] == -2146233079
    assert result["status"] == "critical"  # it never succeeded either
    failed = [text for text in result["reasons"] if text.startswith("The last synchronization (scheduled")]
    assert len(failed) == 1 and ERROR_TEXT in failed[0], result["reasons"]


@pytest.mark.smoke
def test_a_healthy_server_costs_one_read_per_operation(fresh_emulator, collections_path):
    schedule(fresh_emulator, collections_path, per_day=2)
    advance(fresh_emulator, DAY)
    fresh_emulator.clear_requests()
    result = health(fresh_emulator, collections_path)
    assert result["status"] == "healthy", result["reasons"]
    assert result["reasons"] == []
    assert result["schedule"]["missed"] == 0 and result["schedule"]["scheduled_starts_seen"] == 2
    logged = fresh_emulator.operations()
    assert sorted(logged) == sorted(READS)  # reads only, each once
    assert result["soap_calls"] == logged


def test_components_in_error_and_content(fresh_emulator, collections_path):
    schedule(fresh_emulator, collections_path, per_day=2)
    advance(fresh_emulator, DAY)
    fresh_emulator.control(
        "POST",
        "content",
        {"pending_bytes": 5000, "bytes_per_second": 0, "failed_updates": 3, "components_with_errors": ["Database"]},
    )
    result = health(fresh_emulator, collections_path, thresholds={"pending_download_bytes_warning": 1000})
    assert result["status"] == "critical"
    assert result["downloads"] == {"downloaded_bytes": 0, "pending_bytes": 5000, "failed_updates": 3}
    assert result["components_with_errors"] == ["Database"]
    assert [reason.split(" ")[0] for reason in result["reasons"]] == ["5000", "3", "Server"]


def test_check_mode_makes_the_same_reads(fresh_emulator, collections_path):
    fresh_emulator.clear_requests()
    tasks = [{"name": "health", "ops.wsus.sync_health": {}, "check_mode": True}]
    outcome = run_playbook([play(tasks, connection_defaults(fresh_emulator))], collections_path)
    assert outcome.rc == 0, outcome.stdout[-3000:]
    assert outcome.result("health")["status"] == "critical"  # a new server never synchronized
    assert sorted(fresh_emulator.operations()) == sorted(READS)


# ------------------------------------------------------------------ examples/health.yml

EXAMPLE = os.path.join(REPO, "examples", "health.yml")
EXAMPLE_INVENTORY = os.path.join(REPO, "examples", "inventory", "emulator.yml")


def run_example(server, collections_path, tmp_path):
    env = example_environment(collections_path, tmp_path)
    command = [
        os.path.join(BIN, "ansible-playbook"),
        "-i",
        EXAMPLE_INVENTORY,
        EXAMPLE,
        "-e",
        "wsus_port=%d" % server.port,
        "-e",
        "wsus_health_dir=%s" % (tmp_path / "report"),
    ]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def status_metric(tmp_path):
    text = (tmp_path / "report" / "wsus_sync_health.prom").read_text()
    found = {family.name: family for family in text_string_to_metric_families(text)}
    return {sample.labels["server"]: sample.value for sample in found["wsus_sync_health_status"].samples}


def test_example_playbook_exits_non_zero_on_a_critical_server(fresh_emulator, collections_path, tmp_path):
    first = run_example(fresh_emulator, collections_path, tmp_path)
    assert first.returncode != 0, first.stdout  # a new server never synchronized: critical
    assert "Critical: wsus01." in first.stdout
    assert status_metric(tmp_path) == {"wsus01": 2}
    report = json.loads((tmp_path / "report" / "sync-health.json").read_text())
    assert report["status"] == "critical" and report["servers"][0]["server"] == "wsus01"
    assert "| wsus01 | critical |" in (tmp_path / "report" / "sync-health.md").read_text()

    tasks = [{"name": "sync", "ops.wsus.sync": {"state": "completed", "poll_interval": 1}}]
    outcome = run_playbook([play(tasks, connection_defaults(fresh_emulator))], collections_path)
    assert outcome.rc == 0, outcome.stdout[-3000:]
    second = run_example(fresh_emulator, collections_path, tmp_path)
    assert second.returncode == 0, second.stdout
    assert status_metric(tmp_path) == {"wsus01": 0}
